"""Train the section classifier shipped as ingest/models/sections.npz.

Data (read from ../shared/eval, never copied into the repo):
  topics/huffpost_headlines.jsonl  HuffPost News Category Dataset (Misra 2018), CC BY 4.0:
                                   41 categories mapped onto our sections (lifestyle ones = none)
  corpus/bbc_news_2225.jsonl       BBC News 2004-05 (research use): 5 categories, full text
  summarization/cnndm_train5000.jsonl
                                   CNN/DailyMail articles (research use), UNLABELLED: full text
                                   pseudo-labelled by a model trained on the labelled data
  the TUNE half of training/section_dev.py
                                   388 articles of other publishers (2008, 2010-2021) labelled
                                   by their URL (weak labels), weighted DEV_WEIGHT: full text of
                                   the feeds the model will read (sections-4); the held-out
                                   half is never trained on

Self-training: headlines alone carry over badly to full articles (British politics read as
"world"), so a first model trained on the labelled data labels the CNN/DailyMail articles and,
per section, the PSEUDO_PER_SECTION articles it is surest of (among those whose best section it
is) join the training data as full-text examples of that section; the final model is trained
on both. Per section, not above one probability, so that rare sections get examples too.
Each such article also joins as passages of ~PASSAGE_WORDS words (whole sentences): article
prose at the length of a lead or paragraph, between the one-line headlines and the full texts
(sections-3; chosen on the dev set's tune half, see benchmarks/topics.py).
The URL-labelled articles of the dev set's tune half join as they are and as passages, each
counting DEV_WEIGHT times in the loss (sections-4; chosen by cross-fitting over the tune half).

Model: TF-IDF over the words of `ingest.sections.tokenize` (sublinear tf, l2 norm) and a
softmax regression over the sections plus "none". An article gets every section whose
probability reaches that section's threshold (none, one or several); each threshold is the one
that maximises the section's F1 on out-of-fold probabilities of a 5-fold cross-validation over
the training data. Deterministic: folds come from a hash of the item id (a passage goes with
its article), liblinear is seeded, and the npz is written with fixed zip timestamps, so the
same data gives a byte-identical file (`--check` retrains and compares with the shipped one).

    .venv/bin/python training/train_sections.py [--eval ../shared/eval] [--check]

Byte-identical with the library versions of the `train` extra (`pip install -e '.[dev,train]'`:
scikit-learn 1.9.1, numpy 2.4.6, scipy 1.17.1); other versions give a model that differs in
its last digits and in a few self-labelled articles. So do other OpenBLAS kernels: on x86-64
the script re-runs itself with OPENBLAS_CORETYPE=Haswell (the AVX-512 kernels gave another file).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import section_dev
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB

from ingest.sections import SECTIONS, tokenize

VERSION = "sections-4"
BLAS_CORE = "Haswell"  # OpenBLAS kernels training runs with on x86-64 (_pin_blas_kernels)
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "ingest" / "models" / "sections.npz"
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
FOLDS = 5
C = 4.0
MIN_DF = 2
MAX_FEATURES = 50_000
PSEUDO_PER_SECTION = 200  # set before measuring; not tuned on the BBC transfer figure
PASSAGE_WORDS = 120  # chosen on the dev set's tune half among 30, 60, 120
DEV_WEIGHT = 3.0  # chosen by cross-fitting over the dev set's tune half among 1, 3, 10

HUFFPOST_SECTIONS: dict[str, str] = {
    "WORLD NEWS": "world",
    "THE WORLDPOST": "world",
    "WORLDPOST": "world",
    "POLITICS": "politics",
    "BUSINESS": "business",
    "MONEY": "business",
    "TECH": "technology",
    "SCIENCE": "science",
    "HEALTHY LIVING": "health",
    "WELLNESS": "health",
    "GREEN": "climate",
    "ENVIRONMENT": "climate",
    "SPORTS": "sport",
    "ENTERTAINMENT": "culture",
    "ARTS": "culture",
    "ARTS & CULTURE": "culture",
    "CULTURE & ARTS": "culture",
}  # every other category (CRIME, TRAVEL, WEDDINGS, COMEDY, ...) is an example of "none"
BBC_SECTIONS: dict[str, str] = {
    "business": "business",
    "entertainment": "culture",
    "politics": "politics",
    "sport": "sport",
    "tech": "technology",
}


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    text: str
    section: str | None  # None: in none of our sections
    pseudo: bool = False  # labelled by a model (self-training), not by a person
    weak: bool = False  # labelled by its URL (the dev set), not by a person
    weight: float = 1.0  # how many times the item counts in the training loss

    @property
    def scored(self) -> bool:
        """Labelled by a person: cross-validation scores it and thresholds are chosen on it."""
        return not (self.pseudo or self.weak)


def load_huffpost(eval_dir: Path) -> list[Item]:
    items = []
    with (eval_dir / "topics" / "huffpost_headlines.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            section = HUFFPOST_SECTIONS.get(row["category"])
            items.append(Item(row["id"], row["headline"], "", section))
    return items


def load_bbc(eval_dir: Path) -> list[Item]:
    items = []
    with (eval_dir / "corpus" / "bbc_news_2225.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            section = BBC_SECTIONS[row["category"]]
            items.append(Item(row["id"], row["title"], row["article"], section))
    return items


def load_cnndm(eval_dir: Path) -> list[Item]:
    """CNN/DailyMail articles without labels (the summarization training file)."""
    items = []
    path = eval_dir / "summarization" / "cnndm_train5000.jsonl"
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            items.append(Item(row["id"], "", row["article"], None, pseudo=True))
    return items


def pseudo_labelled(
    labelled: Sequence[Item], unlabelled: Sequence[Item], per_section: int = PSEUDO_PER_SECTION
) -> list[Item]:
    """Per section, the unlabelled items a model trained on `labelled` puts in it most surely,
    labelled with that section."""
    return pseudo_labels(fit(labelled), unlabelled, per_section) if unlabelled else []


def pseudo_labels(
    teacher: Fitted, unlabelled: Sequence[Item], per_section: int = PSEUDO_PER_SECTION
) -> list[Item]:
    """Per section, the unlabelled items `teacher` puts in it most surely (only items whose
    best section it is; ties broken by id), labelled with that section."""
    p = teacher.probabilities(unlabelled)
    best = p.argmax(axis=1)
    chosen: list[Item] = []
    for column, name in enumerate(SECTIONS):
        rows = [int(r) for r in np.flatnonzero(best == column)]
        rows.sort(key=lambda r: (-float(p[r, column]), unlabelled[r].id))
        chosen += [
            Item(unlabelled[r].id, unlabelled[r].title, unlabelled[r].text, name, pseudo=True)
            for r in rows[:per_section]
        ]
    return chosen


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def passages(item: Item, words: int = PASSAGE_WORDS) -> list[Item]:
    """The item's text as consecutive runs of whole sentences of at least `words` words (the
    last may be shorter), each an untitled item of the same section with id `<id>#<n>`."""
    runs: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in _SENTENCE_END.split(item.text.strip()):
        current.append(sentence)
        count += len(sentence.split())
        if count >= words:
            runs.append(" ".join(current))
            current, count = [], 0
    if current and count:
        runs.append(" ".join(current))
    return [replace(item, id=f"{item.id}#{n}", title="", text=run) for n, run in enumerate(runs)]


def load_dev_tune(eval_dir: Path, weight: float = DEV_WEIGHT) -> list[Item]:
    """The tune half of the URL-labelled dev set of other publishers (`section_dev`), weakly
    labelled and weighted, and those articles' passages."""
    articles = [
        Item(i.id, i.title, i.text, i.section, weak=True, weight=weight)
        for i in section_dev.labelled(eval_dir, "tune")
    ]
    return [*articles, *(p for item in articles for p in passages(item))]


def self_trained(labelled: Sequence[Item], unlabelled: Sequence[Item]) -> list[Item]:
    """The labelled items, the unlabelled ones a model trained on them pseudo-labels, and
    those articles' passages."""
    pseudo = pseudo_labelled(labelled, unlabelled)
    return [*labelled, *pseudo, *(p for item in pseudo for p in passages(item))]


def fold_of(item_id: str, folds: int = FOLDS) -> int:
    """A stable fold for an item (a passage `<id>#<n>` has its article's): the same on every
    machine and run."""
    article = item_id.split("#", 1)[0]
    return int.from_bytes(hashlib.sha256(article.encode()).digest()[:4], "big") % folds


def classes(items: Sequence[Item]) -> np.ndarray:
    """Each item's class for the softmax: its section's index, or len(SECTIONS) for none."""
    return np.array([SECTIONS.index(i.section) if i.section else len(SECTIONS) for i in items])


def labels(items: Sequence[Item]) -> np.ndarray:
    y = np.zeros((len(items), len(SECTIONS)), dtype=np.int8)
    for row, item in enumerate(items):
        if item.section is not None:
            y[row, SECTIONS.index(item.section)] = 1
    return y


def _analyze(item: Item) -> list[str]:
    return tokenize(item.title, item.text)


@dataclass(frozen=True)
class Fitted:
    vocabulary: list[str]
    idf: np.ndarray
    coef: np.ndarray  # features x (sections + none)
    intercept: np.ndarray

    def probabilities(self, items: Sequence[Item]) -> np.ndarray:
        """The same computation as `ingest.sections.SectionModel.scores`, vectorised."""
        vectorizer = TfidfVectorizer(
            analyzer=_analyze,
            vocabulary={w: i for i, w in enumerate(self.vocabulary)},
            sublinear_tf=True,
            dtype=np.float64,
        )
        vectorizer.idf_ = self.idf.astype(np.float64)
        x = vectorizer.transform(items)
        logits = x @ self.coef.astype(np.float64) + self.intercept.astype(np.float64)
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return np.asarray(exp[:, : len(SECTIONS)] / exp.sum(axis=1, keepdims=True))


def _tfidf(items: Sequence[Item]) -> tuple[TfidfVectorizer, csr_matrix, list[str]]:
    """The TF-IDF both models read: the fitted vectorizer, the items' matrix, the vocabulary
    in column order."""
    vectorizer = TfidfVectorizer(
        analyzer=_analyze,
        sublinear_tf=True,
        min_df=MIN_DF,
        max_features=MAX_FEATURES,
        dtype=np.float64,
    )
    x: csr_matrix = vectorizer.fit_transform(items)
    vocabulary = [""] * len(vectorizer.vocabulary_)
    for word, i in vectorizer.vocabulary_.items():
        vocabulary[i] = word
    return vectorizer, x, vocabulary


def fit(items: Sequence[Item]) -> Fitted:
    vectorizer, x, vocabulary = _tfidf(items)
    model = LogisticRegression(C=C, solver="lbfgs", max_iter=2000, random_state=0)
    model.fit(x, classes(items), sample_weight=sample_weights(items))
    # every class is present in the training data, so the columns are sections + none in order
    assert list(model.classes_) == list(range(len(SECTIONS) + 1))
    return Fitted(
        vocabulary, np.asarray(vectorizer.idf_), model.coef_.T.copy(), model.intercept_.copy()
    )


def sample_weights(items: Sequence[Item]) -> np.ndarray | None:
    """The items' weights for the loss; None (the solver's own unit weights) when all are 1."""
    weights = np.array([item.weight for item in items], dtype=np.float64)
    return None if np.all(weights == 1.0) else weights


def fit_complement_nb(items: Sequence[Item], alpha: float = 1.0) -> Fitted:
    """TF-IDF as `fit` and complement naive Bayes (Rennie et al. 2003) instead of the softmax
    regression; its scores are the logits (temperature 1, so the probabilities are flat, but
    the best section is the model's). Not shipped: measured against `fit` in
    benchmarks/topics.py on the URL-labelled dev set of other publishers."""
    vectorizer, x, vocabulary = _tfidf(items)
    model = ComplementNB(alpha=alpha)
    model.fit(x, classes(items), sample_weight=sample_weights(items))
    assert list(model.classes_) == list(range(len(SECTIONS) + 1))
    coef = np.asarray(model.feature_log_prob_).T.copy()
    return Fitted(vocabulary, np.asarray(vectorizer.idf_), coef, np.zeros(coef.shape[1]))


def out_of_fold(
    items: Sequence[Item], folds: int = FOLDS, fit_model: Callable[[Sequence[Item]], Fitted] = fit
) -> np.ndarray:
    """Each item's probabilities from a model (`fit_model`) that never saw it."""
    assigned = np.array([fold_of(item.id, folds) for item in items])
    result = np.zeros((len(items), len(SECTIONS)))
    for fold in range(folds):
        train = [item for item, f in zip(items, assigned, strict=True) if f != fold]
        test_rows = np.flatnonzero(assigned == fold)
        fitted = fit_model(train)
        result[test_rows] = fitted.probabilities([items[i] for i in test_rows])
    return result


def cross_fitted(
    base: Sequence[Item],
    dev_tune: Sequence[Item],
    parts: int = 2,
    fit_model: Callable[[Sequence[Item]], Fitted] = fit,
) -> dict[str, np.ndarray]:
    """Each dev-set tune article's probabilities from a model trained on `base` and on the
    `dev_tune` items (articles and passages) of the other parts of the tune half, by article
    id. The tune half is training data since sections-4, so this is how a method is scored
    on it without the article having been trained on (`fold_of` splits it into `parts`)."""
    articles = [item for item in dev_tune if "#" not in item.id]
    result: dict[str, np.ndarray] = {}
    for part in range(parts):
        train = [*base, *(item for item in dev_tune if fold_of(item.id, parts) != part)]
        scored = [item for item in articles if fold_of(item.id, parts) == part]
        if scored:
            p = fit_model(train).probabilities(scored)
            result.update({item.id: row for item, row in zip(scored, p, strict=True)})
    return result


def best_thresholds(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per section, the threshold (0.05 steps) with the best F1; 0.5 for an empty section."""
    grid = np.round(np.arange(0.10, 0.951, 0.05), 2)
    chosen = np.full(y.shape[1], 0.5)
    for column in range(y.shape[1]):
        truth = y[:, column] == 1
        if not truth.any():
            continue
        scores = [f1(truth, p[:, column] >= t) for t in grid]
        chosen[column] = grid[int(np.argmax(scores))]
    return chosen


def f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    tp = float(np.sum(truth & predicted))
    if tp == 0:
        return 0.0
    precision = tp / float(np.sum(predicted))
    recall = tp / float(np.sum(truth))
    return 2 * precision * recall / (precision + recall)


def labelled_items(eval_dir: Path, *, bbc: bool = True) -> list[Item]:
    return load_huffpost(eval_dir) + (load_bbc(eval_dir) if bbc else [])


def training_items(eval_dir: Path, *, bbc: bool = True) -> list[Item]:
    """The labelled items, the CNN/DailyMail articles they pseudo-label and their passages,
    then the dev set's tune half (weakly labelled, weighted) and its passages."""
    return [
        *self_trained(labelled_items(eval_dir, bbc=bbc), load_cnndm(eval_dir)),
        *load_dev_tune(eval_dir),
    ]


def serialise(fitted: Fitted, thresholds: np.ndarray) -> bytes:
    """The npz, byte-identical for identical arrays (fixed zip timestamps, no pickles)."""
    arrays: dict[str, np.ndarray] = {
        "version": np.array(VERSION),
        "sections": np.array(SECTIONS),
        "vocabulary": np.array(fitted.vocabulary),
        "idf": fitted.idf.astype(np.float32),
        "coef": fitted.coef.astype(np.float32),
        "intercept": fitted.intercept.astype(np.float32),
        "thresholds": thresholds.astype(np.float32),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            npy = io.BytesIO()
            np.lib.format.write_array(npy, array, allow_pickle=False)
            archive.writestr(info, npy.getvalue())
    return buffer.getvalue()


def train(eval_dir: Path) -> bytes:
    items = training_items(eval_dir)
    real = np.array([item.scored for item in items])
    # thresholds are chosen on the people-labelled items only
    y, p = labels(items)[real], out_of_fold(items)[real]
    thresholds = best_thresholds(y, p)
    scores = [f1(y[:, c] == 1, p[:, c] >= thresholds[c]) for c in range(len(SECTIONS))]
    _log([f"cross-validated macro-F1 {np.mean(scores):.3f} ({FOLDS} folds, people-labelled)"])
    return serialise(fit(items), thresholds)


def _log(lines: Iterable[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def _pin_blas_kernels() -> None:
    """Re-run this script with OpenBLAS's Haswell kernels on x86-64. OpenBLAS picks its
    kernels by CPU and they round differently: with the AVX-512 ("SkylakeX") kernels the same
    data self-labels other articles and gives another file (seen on 2026-12-01), so the file
    is byte-identical only with one kernel set, and Haswell's runs on every x86-64 CPU with
    AVX2."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return
    if os.environ.get("OPENBLAS_CORETYPE") == BLAS_CORE:
        return
    env = {**os.environ, "OPENBLAS_CORETYPE": BLAS_CORE}
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


def main() -> int:
    _pin_blas_kernels()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="the shared eval dir")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--check", action="store_true", help="retrain and compare with --out instead of writing"
    )
    args = parser.parse_args()
    data = train(args.eval)
    digest = hashlib.sha256(data).hexdigest()[:16]
    if args.check:
        same = args.out.exists() and args.out.read_bytes() == data
        _log([f"{args.out}: {'identical' if same else 'DIFFERENT'} (retrained sha256 {digest})"])
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    _log([f"wrote {args.out} ({len(data)} bytes, sha256 {digest}, {VERSION})"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
