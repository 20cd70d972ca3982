"""Section classifier and keyword topics: how well they find what subscribers mean.

1. Cross-validated per-section precision / recall / F1 on the training data (HuffPost
   headlines + BBC full text; folds by a hash of the item id; every item is scored by a model
   that never saw it), at the thresholds the training script picks; the macro-F1 of
   complement naive Bayes on the same folds (its scores sharpened by the temperature that
   fits them best) and of both models' probabilities averaged.
2. The honest estimate: trained WITHOUT BBC (HuffPost headlines, plus the unlabelled
   CNN/DailyMail articles they pseudo-label and those articles' passages, and the dev set's
   URL-labelled tune half, as the training script does), BBC full text (another publisher
   and decade) classified: accuracy and macro-F1 over BBC's five categories, the best of
   all nine sections counting (a "world" answer to a politics story is wrong). Also the
   figure of the headlines alone, without self-training, and the same model (and the
   shipped one) on the held-out half of the URL-labelled dev set of other publishers
   (`training/section_dev.py`), whose other half methods are chosen on (and, since
   sections-4, trained on; `--tune` prints that half's figure alone, cross-fitted).
3. Articles per second of the shipped model (`ingest.sections.classify`), one core.
4. Keyword-topic precision on a labelled BBC sample: each query below names, chosen before
   looking at any result, the BBC categories where an article about it belongs (its right
   answers are told by the category and the title). Precision = share of matched articles in
   those categories, for the old matcher (any word of the full text, Porter-stemmed like
   the search index) and the new one (title, summary, keyphrases; conservative stemming),
   and for a word narrowed by a section.

    .venv/bin/python benchmarks/topics.py [--eval ../shared/eval] [--quick | --tune]

Last line: key=value figures.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# this directory holds benchmarks/ingest.py, which would shadow the `ingest` package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path[:0] = [str(ROOT), str(ROOT / "training")]

import section_dev  # noqa: E402
import train_sections as training  # noqa: E402

from digests.query import matches_prominently, parse_query  # noqa: E402
from ingest.sections import SECTIONS, classify, model  # noqa: E402
from ingest.summarize import summarize  # noqa: E402
from ingest.topics import keyphrases  # noqa: E402
from storage.search import compile_fts5  # noqa: E402

BBC_CATEGORIES = ("business", "culture", "politics", "sport", "technology")

# query -> BBC categories (as our sections) where an article matching it is a right answer
KEYWORD_QUERIES: dict[str, tuple[str, ...]] = {
    "election": ("politics",),
    "apple": ("technology", "business"),
    "film": ("culture",),
    "album": ("culture",),
    "oil": ("business",),
    "broadband": ("technology", "business"),
    "labour": ("politics",),
    "chelsea": ("sport",),
    "tennis": ("sport",),
    "oscar": ("culture",),
    "virus": ("technology",),
    "interest rates": ("business",),
    "mobile phone": ("technology", "business"),
    "champions league": ("sport",),
    "tory": ("politics",),
}
# ambiguous words narrowed by a section: (section, word) -> right categories
NARROWED_QUERIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("technology", "games"): ("technology",),
    ("culture", "music"): ("culture",),
    ("business", "market"): ("business",),
    ("sport", "record"): ("sport",),
}


def per_section(
    y: np.ndarray, p: np.ndarray, thresholds: np.ndarray
) -> dict[str, tuple[float, ...]]:
    result = {}
    for column, name in enumerate(SECTIONS):
        truth = y[:, column] == 1
        if not truth.any():
            continue
        predicted = p[:, column] >= thresholds[column]
        tp = float(np.sum(truth & predicted))
        precision = tp / max(1.0, float(predicted.sum()))
        recall = tp / float(truth.sum())
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        result[name] = (precision, recall, f1, float(thresholds[column]))
    return result


def sharpened(p: np.ndarray, temperature: float) -> np.ndarray:
    """The sections' probabilities of the same scores at another temperature (`p` holds the
    sections' columns of a softmax over the sections plus none)."""
    full = np.hstack([p, np.clip(1.0 - p.sum(axis=1, keepdims=True), 1e-300, None)])
    logs = temperature * np.log(np.clip(full, 1e-300, None))
    exp = np.exp(logs - logs.max(axis=1, keepdims=True))
    return np.asarray(exp[:, : len(SECTIONS)] / exp.sum(axis=1, keepdims=True))


def best_temperature(p: np.ndarray, classes: np.ndarray) -> float:
    """The temperature (1 to 20, steps of 0.5) under which the items' true classes (sections,
    or len(SECTIONS) for none) are likeliest."""
    grid = np.arange(1.0, 20.01, 0.5)

    def likelihood(t: float) -> float:
        q = sharpened(p, t)
        full = np.hstack([q, 1.0 - q.sum(axis=1, keepdims=True)])
        return float(np.sum(np.log(np.clip(full[np.arange(len(classes)), classes], 1e-300, 1))))

    return float(grid[int(np.argmax([likelihood(t) for t in grid]))])


def thresholded_macro_f1(y: np.ndarray, p: np.ndarray) -> float:
    thresholds = training.best_thresholds(y, p)
    return float(np.mean([s[2] for s in per_section(y, p, thresholds).values()]))


def cross_validated(eval_dir: Path) -> tuple[float, float, float, float]:
    items = training.training_items(eval_dir)
    # every item is trained on, but only the people-labelled ones are scored
    real = np.array([item.scored for item in items])
    p = training.out_of_fold(items)[real]
    # complement naive Bayes on the same folds (not shipped): its probabilities are flat
    # (temperature 1), so they are first sharpened by the temperature that fits the
    # out-of-fold scores best; and the average of both models' probabilities
    nb = training.out_of_fold(items, fit_model=training.fit_complement_nb)[real]
    nb = sharpened(nb, best_temperature(nb, training.classes(items)[real]))
    items = [item for item in items if item.scored]
    y = training.labels(items)
    thresholds = training.best_thresholds(y, p)
    print("cross-validated on the training data (HuffPost + BBC), 5 folds:")
    print(f"  {'section':<11} {'P':>6} {'R':>6} {'F1':>6} {'thr':>5}")
    scores = per_section(y, p, thresholds)
    for name, (precision, recall, f1, threshold) in scores.items():
        print(f"  {name:<11} {precision:6.3f} {recall:6.3f} {f1:6.3f} {threshold:5.2f}")
    macro = float(np.mean([s[2] for s in scores.values()]))
    print(f"  macro-F1 {macro:.3f}")
    macro_nb, macro_blend = thresholded_macro_f1(y, nb), thresholded_macro_f1(y, (p + nb) / 2)
    print(f"  complement naive Bayes (not shipped): macro-F1 {macro_nb:.3f}", end="")
    print(f"; both models' probabilities averaged: {macro_blend:.3f}")
    # the BBC rows alone: news prose, each scored by a model trained without its fold
    rows = [i for i, item in enumerate(items) if item.id.startswith("bbc-")]
    truth = y[rows].argmax(axis=1)
    best = p[rows].argmax(axis=1)
    columns = [SECTIONS.index(c) for c in BBC_CATEGORIES]
    bbc_macro = float(np.mean([training.f1(truth == c, best == c) for c in columns]))
    print(f"  BBC rows only (best section): accuracy {np.mean(truth == best):.3f}", end="")
    print(f"  macro-F1 {bbc_macro:.3f}")
    return macro, bbc_macro, macro_nb, macro_blend


def bbc_transfer(eval_dir: Path) -> tuple[float, float, float, float, float]:
    """Trained without BBC, tested on BBC: accuracy, macro-F1 (all nine sections compete),
    macro-F1 when only BBC's five may win; macro-F1 of the headlines alone; and the same
    model's macro-F1 on the held-out half of the URL-labelled dev set."""
    huffpost = training.load_huffpost(eval_dir)
    headlines_only = training.fit(huffpost)
    pseudo = training.pseudo_labels(headlines_only, training.load_cnndm(eval_dir))
    passages = [p for item in pseudo for p in training.passages(item)]
    dev_tune = training.load_dev_tune(eval_dir)
    fitted = training.fit(huffpost + pseudo + passages + dev_tune)
    bbc = training.load_bbc(eval_dir)
    p = fitted.probabilities(bbc)
    truth = np.array([SECTIONS.index(item.section or "") for item in bbc])
    columns = [SECTIONS.index(c) for c in BBC_CATEGORIES]
    any_section = p.argmax(axis=1)
    only_five = np.array(columns)[p[:, columns].argmax(axis=1)]
    accuracy = float(np.mean(any_section == truth))
    macro = float(np.mean([training.f1(truth == c, any_section == c) for c in columns]))
    macro5 = float(np.mean([training.f1(truth == c, only_five == c) for c in columns]))
    p0 = headlines_only.probabilities(bbc).argmax(axis=1)
    macro0 = float(np.mean([training.f1(truth == c, p0 == c) for c in columns]))
    print(
        f"trained on HuffPost headlines + {len(pseudo)} pseudo-labelled CNN/DailyMail "
        f"articles and their {len(passages)} passages, {len(dev_tune)} URL-labelled dev-set "
        "tune-half articles and passages (no BBC), BBC full text classified (2,225 articles):"
    )
    for c in columns:
        f1 = training.f1(truth == c, any_section == c)
        print(f"  {SECTIONS[c]:<11} F1 {f1:.3f}")
    print(
        f"  accuracy {accuracy:.3f}  macro-F1 {macro:.3f}  (best of BBC's five only: {macro5:.3f})"
    )
    print(f"  headlines alone, no self-training: accuracy {np.mean(p0 == truth):.3f}", end="")
    print(f"  macro-F1 {macro0:.3f}")
    dev = dev_proxy(eval_dir, "the same model (no BBC)", fitted.probabilities)
    dev_proxy(eval_dir, "headlines alone", headlines_only.probabilities)
    # an alternative measured on the dev set only (not shipped; its BBC figure is not looked at)
    alternative = training.fit_complement_nb(huffpost + pseudo + passages + dev_tune)
    dev_proxy(eval_dir, "complement naive Bayes, same data (no BBC)", alternative.probabilities)
    return accuracy, macro, macro5, macro0, dev


def dev_proxy(
    eval_dir: Path, name: str, probabilities: Callable[[list[training.Item]], np.ndarray]
) -> float:
    """Accuracy and macro-F1 (best section) on the held-out half of the URL-labelled dev set
    of other publishers (`training/section_dev.py`)."""
    dev = section_dev.labelled(eval_dir)
    sections = section_dev.scored_sections(dev)
    held = [i for i in dev if i.half == "held"]
    p = probabilities([training.Item(i.id, i.title, i.text, i.section) for i in held])
    best = [SECTIONS[c] for c in p.argmax(axis=1)]
    accuracy, macro = section_dev.accuracy_and_macro_f1(held, best, sections)
    print(
        f"  {name}, URL-labelled dev set of other publishers, held-out half "
        f"({len(held)} articles, {len(sections)} sections): accuracy {accuracy:.3f}  "
        f"macro-F1 {macro:.3f}"
    )
    return macro


def tune_half(eval_dir: Path) -> float:
    """Accuracy and macro-F1 (best section) on the tune half of the URL-labelled dev set,
    cross-fitted (`training.cross_fitted`: each article scored by a model trained without
    BBC and without its part of the tune half): the figure methods are chosen on."""
    base = training.self_trained(
        training.labelled_items(eval_dir, bbc=False), training.load_cnndm(eval_dir)
    )
    p = training.cross_fitted(base, training.load_dev_tune(eval_dir))
    tune = section_dev.labelled(eval_dir, "tune")
    sections = section_dev.scored_sections(section_dev.labelled(eval_dir))
    best = [SECTIONS[int(p[i.id].argmax())] for i in tune]
    accuracy, macro = section_dev.accuracy_and_macro_f1(tune, best, sections)
    print(
        f"URL-labelled dev set, tune half cross-fitted ({len(tune)} articles, "
        f"{len(sections)} sections; no BBC): accuracy {accuracy:.3f}  macro-F1 {macro:.3f}"
    )
    for name in sections:
        _, f1 = section_dev.accuracy_and_macro_f1(tune, best, [name])
        print(f"  {name:<11} F1 {f1:.3f}")
    return macro


def throughput(eval_dir: Path, *, rounds: int) -> float:
    bbc = training.load_bbc(eval_dir)
    classify("warm up", "the model loads once")
    start = time.process_time()
    for _ in range(rounds):
        for item in bbc:
            classify(item.title, item.text)
    elapsed = time.process_time() - start
    rate = rounds * len(bbc) / elapsed
    print(f"classify: {rate:.0f} articles/s on one core (CPU time; BBC full text)")
    return rate


def keyword_precision(eval_dir: Path) -> tuple[float, float, float, float]:
    """Micro-averaged precision of the old and new keyword matchers, the share of the old
    matcher's right answers the new one keeps, and the precision of section-narrowed words.

    The old matcher is the real one: SQLite FTS5 with the article index's tokenizer, every
    word of the article. The new one is what a digest now does: those hits, kept when the
    title, summary or keyphrases match (`digests.query.matches_prominently`)."""
    bbc = training.load_bbc(eval_dir)
    database = sqlite3.connect(":memory:")
    database.execute(
        # as the article index since migration 0011: `stems` holds a non-English article's
        # stems, empty for these English ones (the query still names the column)
        "CREATE VIRTUAL TABLE fts USING fts5(title, keyphrases, summary, text, stems, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    rows = []
    for rowid, item in enumerate(bbc):
        phrases = "; ".join(keyphrases(item.title, item.text, limit=8))
        rows.append((rowid, item.title, phrases, summarize(item.text, title=item.title), item.text))
    database.executemany(
        "INSERT INTO fts(rowid, title, keyphrases, summary, text, stems) "
        "VALUES (?, ?, ?, ?, ?, '')",
        rows,
    )

    def hits(text_: str) -> list[int]:
        match = compile_fts5(parse_query(text_))
        found = database.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (match,))
        return [int(r[0]) for r in found]

    def prominent(text_: str, rowid: int) -> bool:
        _, title, phrases, summary, _ = rows[rowid]
        return matches_prominently(parse_query(text_), title, summary, phrases)

    old_right = old_all = new_right = new_all = 0
    print("keyword topics on BBC (matched: old full text -> new prominent; precision):")
    for query, right in KEYWORD_QUERIES.items():
        old_ids = hits(query)
        new_ids = [i for i in old_ids if prominent(query, i)]
        o = sum(bbc[i].section in right for i in old_ids)
        n = sum(bbc[i].section in right for i in new_ids)
        old_right, old_all, new_right, new_all = (
            old_right + o,
            old_all + len(old_ids),
            new_right + n,
            new_all + len(new_ids),
        )
        print(
            f"  {query:<17} {len(old_ids):4d} -> {len(new_ids):4d}   "
            f"{o / max(1, len(old_ids)):.2f} -> {n / max(1, len(new_ids)):.2f}"
        )
    sections = {item.id: dict(classify(item.title, item.text)) for item in bbc}
    narrowed_right = narrowed_all = 0
    print("a word narrowed by a section (shipped classifier; full-text word):")
    for (section, word), right in NARROWED_QUERIES.items():
        plain = hits(word)
        ids = [i for i in plain if section in sections[bbc[i].id]]
        n = sum(bbc[i].section in right for i in ids)
        p = sum(bbc[i].section in right for i in plain)
        narrowed_right, narrowed_all = narrowed_right + n, narrowed_all + len(ids)
        print(
            f"  {section} {word:<10} {len(plain):4d} -> {len(ids):4d}   "
            f"{p / max(1, len(plain)):.2f} -> {n / max(1, len(ids)):.2f}"
        )
    old_precision = old_right / max(1, old_all)
    new_precision = new_right / max(1, new_all)
    kept = new_right / max(1, old_right)
    narrowed = narrowed_right / max(1, narrowed_all)
    print(
        f"  precision: old {old_precision:.3f}, new {new_precision:.3f} "
        f"(keeps {kept:.0%} of the old right answers); narrowed {narrowed:.3f}"
    )
    return old_precision, new_precision, kept, narrowed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=training.DEFAULT_EVAL)
    parser.add_argument("--quick", action="store_true", help="skip the cross-validation")
    parser.add_argument(
        "--tune",
        action="store_true",
        help="only the dev set's tune half, cross-fitted (what methods are chosen on)",
    )
    args = parser.parse_args()
    if args.tune:
        print(f"tune_macro_f1={tune_half(args.eval):.3f}")
        return 0
    macro_cv, bbc_cv, nb_cv, blend_cv = (
        (float("nan"),) * 4 if args.quick else cross_validated(args.eval)
    )
    accuracy, macro, macro5, macro0, dev = bbc_transfer(args.eval)
    shipped = model()
    dev_shipped = dev_proxy(
        args.eval,
        f"shipped {shipped.version} (saw BBC)",
        lambda items: np.array([shipped.scores(i.title, i.text) for i in items]),
    )
    rate = throughput(args.eval, rounds=1 if args.quick else 3)
    old, new, kept, narrowed = keyword_precision(args.eval)
    print(
        f"cv_macro_f1={macro_cv:.3f} cv_bbc_macro_f1={bbc_cv:.3f} "
        f"cv_macro_f1_complement_nb={nb_cv:.3f} cv_macro_f1_averaged={blend_cv:.3f} "
        f"bbc_accuracy={accuracy:.3f} bbc_macro_f1={macro:.3f} "
        f"bbc_macro_f1_five={macro5:.3f} bbc_macro_f1_headlines_only={macro0:.3f} "
        f"articles_per_s={rate:.0f} "
        f"keyword_precision_old={old:.3f} keyword_precision={new:.3f} "
        f"keyword_recall_kept={kept:.3f} narrowed_precision={narrowed:.3f} "
        f"dev_macro_f1={dev:.3f} dev_macro_f1_shipped={dev_shipped:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
