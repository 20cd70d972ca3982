"""The section classifier: the shipped model answers in the documented shape, finds the
section of plain news it never saw, and the training script is deterministic."""

from __future__ import annotations

import json
import re
import string
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from ingest import sections
from ingest.sections import SECTIONS, classify, load_model, model

# Written for these tests (not from any training set): one obvious story per section.
UNSEEN = {
    "technology": (
        "Chipmaker unveils faster processor for laptops",
        "The company said its new chip runs software twice as fast while using less battery, "
        "and that computer makers will ship the first laptops with it next quarter.",
    ),
    "sport": (
        "Striker scores twice as United win the derby",
        "The forward headed in the opener before half-time and added a penalty late on, "
        "lifting the club to third in the league table.",
    ),
    "business": (
        "Bank raises interest rates to curb inflation",
        "The central bank lifted its main rate by a quarter point, saying consumer prices "
        "were rising faster than wages and the economy could slow next year.",
    ),
    "culture": (
        "Actress wins best film award at festival",
        "The actress collected the prize for her role in the drama, which the director "
        "shot in three weeks; the movie opens in cinemas next month.",
    ),
    "politics": (
        "Senate passes budget bill after long debate",
        "Lawmakers voted 52 to 48 for the spending plan; the opposition party said it "
        "would campaign against the tax changes before the election.",
    ),
}


@pytest.mark.parametrize("section", sorted(UNSEEN))
def test_plain_news_gets_its_section_first(section: str) -> None:
    title, text = UNSEEN[section]
    found = classify(title, text)
    assert found and found[0][0] == section, found


def test_answer_shape_sorted_known_names_and_thresholds() -> None:
    loaded = model()
    for title, text in UNSEEN.values():
        found = classify(title, text)
        scores = [score for _, score in found]
        assert scores == sorted(scores, reverse=True)
        assert all(name in SECTIONS and 0.0 < score <= 1.0 for name, score in found)
        probabilities = loaded.scores(title, text)
        for name, score in found:
            i = loaded.sections.index(name)
            assert abs(probabilities[i] - score) < 0.001
            assert probabilities[i] >= loaded.thresholds[i]


def test_empty_and_unknown_words_give_no_section() -> None:
    assert classify("", "") == []
    assert classify("zzqx vlorp", "") == []


def test_title_only_works_and_text_may_be_long() -> None:
    assert classify("Striker scores twice in cup final")[0][0] == "sport"
    title, text = UNSEEN["technology"]
    assert classify(title, text * 200)[0][0] == "technology"  # a long page: bounded work


def test_model_is_loaded_once_and_versioned() -> None:
    assert model() is model()
    assert model().version.startswith("sections-")
    assert model().sections == SECTIONS


def test_load_model_reads_bytes_like_the_shipped_file() -> None:
    data = (Path(sections.__file__).parent / "models" / sections.MODEL_FILE).read_bytes()
    assert len(data) < 3_000_000
    again = load_model(data)
    assert np.array_equal(again.coef, model().coef) and again.index == model().index


EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"


@pytest.mark.skipif(not (EVAL / "topics").exists(), reason="needs ../shared/eval")
def test_training_is_deterministic_byte_for_byte() -> None:
    """Two trainings on the same (small, fixed) slice write identical files, and the
    shipped model's arithmetic is the training script's (same probabilities)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
    import train_sections as training

    # every section and none, headlines and full texts; a slice the solver settles quickly
    # (~0.8 s where [::40] + [::20] took 8 to 13 s a training)
    items = training.load_huffpost(EVAL)[::80] + training.load_bbc(EVAL)[::200]
    first = training.fit(items)
    thresholds = np.full(len(SECTIONS), 0.4)
    data = training.serialise(first, thresholds)
    assert data == training.serialise(training.fit(items), thresholds)
    loaded = load_model(data)
    sample = items[:20]
    expected = first.probabilities(sample)
    got = np.array([loaded.scores(i.title, i.text) for i in sample])
    assert np.allclose(expected, got, atol=1e-4)


def test_fixture_sections_are_mostly_right() -> None:
    """The plumbing's fixture: the shipped model (which saw the corpus) puts BBC stories in
    their section; a sanity check that the file and the model agree, not an accuracy claim."""
    path = Path(__file__).resolve().parents[1] / "fixtures" / "sections" / "bbc_sections_40.jsonl"
    names = {"tech": "technology", "entertainment": "culture"}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    right = 0
    for row in rows:
        found = classify(row["title"], row["text"])
        right += bool(found) and found[0][0] == names.get(row["category"], row["category"])
    assert right >= 36


@pytest.mark.skipif(not (EVAL / "summarization").exists(), reason="needs ../shared/eval")
def test_self_training_labels_the_unlabelled_articles_a_teacher_is_surest_of() -> None:
    """Pseudo-labels: at most `per_section` unlabelled articles per section, each the
    teacher's best section for it, the surest first, marked as labelled by a model."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
    import train_sections as training

    teacher = training.fit(training.load_huffpost(EVAL)[::80])  # a small teacher: 0.3 s, not 10
    unlabelled = training.load_cnndm(EVAL)[:300]
    chosen = training.pseudo_labels(teacher, unlabelled, per_section=5)
    assert chosen and all(item.pseudo for item in chosen)
    p = teacher.probabilities(chosen)
    for name in SECTIONS:
        mine = [i for i, item in enumerate(chosen) if item.section == name]
        assert len(mine) <= 5
        column = SECTIONS.index(name)
        assert all(p[i].argmax() == column for i in mine)
        assert [p[i, column] for i in mine] == sorted((p[i, column] for i in mine), reverse=True)
    assert chosen == training.pseudo_labels(teacher, unlabelled, per_section=5)


def test_passages_are_whole_sentences_of_the_article_with_its_section_and_fold() -> None:
    """Self-training adds each pseudo-labelled article as lead-sized passages too: runs of
    whole sentences, in order, covering the text, each of the article's section and in its
    cross-validation fold (a passage must not be tested on its own article's model)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
    import train_sections as training

    sentences = [f"Sentence number {n} has exactly seven words." for n in range(20)]
    article = training.Item("cnn-1", "", " ".join(sentences), "science", pseudo=True)
    found = training.passages(article, words=20)
    assert [p.id for p in found] == [f"cnn-1#{n}" for n in range(len(found))]
    assert " ".join(p.text for p in found) == article.text
    assert all(p.section == "science" and p.pseudo and p.title == "" for p in found)
    assert all(p.text.endswith(".") for p in found)  # no sentence cut in two
    assert all(len(p.text.split()) >= 20 for p in found[:-1])
    assert len(found) == 7  # 3 sentences (21 words) each, the last 2 sentences left over
    assert {training.fold_of(p.id) for p in found} == {training.fold_of("cnn-1")}
    assert training.passages(training.Item("x", "Title only", "", None)) == []


@pytest.mark.skipif(not (EVAL / "pages").exists(), reason="needs ../shared/eval")
def test_dev_set_training_items_are_the_tune_half_weak_and_weighted() -> None:
    """sections-4 trains on the dev set's tune half (URL labels, weighted, with passages) and
    never on its held-out half, which stays the reported estimate; none of it is scored in
    cross-validation or chooses thresholds (only people's labels do)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
    import section_dev
    import train_sections as training

    items = training.load_dev_tune(EVAL, weight=2.5)
    articles = {i.id: i for i in section_dev.labelled(EVAL)}
    held = {i for i, item in articles.items() if item.half == "held"}
    ids = {item.id.split("#", 1)[0] for item in items}
    assert ids and ids <= set(articles) and not ids & held
    assert any("#" in item.id for item in items)  # passages too
    for item in items:
        assert item.weak and not item.pseudo and not item.scored and item.weight == 2.5
        assert item.section == articles[item.id.split("#", 1)[0]].section


def test_an_items_weight_counts_in_the_fit() -> None:
    """Two identical texts with different sections: the heavier one's section wins, and with
    equal weights neither does by much."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
    from dataclasses import replace

    import train_sections as training

    # every class must be present; one text per section and none, then the contested text
    items = [
        training.Item(f"s{n}", f"{name} alpha{n} beta{n}", "", name)
        for n, name in enumerate(SECTIONS)
    ]
    items += [training.Item("none", "gamma delta", "", None)] * 2
    items += [training.Item(f"s{n}b", f"alpha{n} beta{n}", "", s) for n, s in enumerate(SECTIONS)]
    contested = training.Item("c", "contested words here", "", None)
    weighted = [
        *items,
        training.Item("c1", contested.title, "", "sport", weight=4.0),
        training.Item("c2", contested.title, "", "culture"),
    ]
    equal = [*weighted[:-2], replace(weighted[-2], weight=1.0), weighted[-1]]
    sport, culture = SECTIONS.index("sport"), SECTIONS.index("culture")
    p = training.fit(weighted).probabilities([contested])[0]
    assert p[sport] > 2 * p[culture]
    q = training.fit(equal).probabilities([contested])[0]
    assert abs(q[sport] - q[culture]) < 0.05
    assert training.sample_weights(items) is None
    assert training.Item("x", "t", "", "sport", pseudo=True).scored is False
    assert training.Item("x", "t", "", "sport").scored is True


def test_out_of_fold_scores_each_item_by_the_given_model_trained_without_its_fold() -> None:
    """Cross-validation of another model (complement naive Bayes, as the benchmark compares):
    each fold's items get the probabilities of that model trained on the other folds only."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
    import train_sections as training

    items = training.load_huffpost(EVAL)[::80] + training.load_bbc(EVAL)[::200]
    fitted: list[tuple[set[str], training.Fitted]] = []

    def recording(train: list[training.Item]) -> training.Fitted:
        nb = training.fit_complement_nb(train)
        fitted.append(({item.id for item in train}, nb))
        return nb

    p = training.out_of_fold(items, fit_model=recording)
    assert len(fitted) == training.FOLDS
    folds = [training.fold_of(item.id) for item in items]
    for fold, (trained_on, nb) in enumerate(fitted):
        rows = [r for r, f in enumerate(folds) if f == fold]
        assert trained_on == {item.id for item, f in zip(items, folds, strict=True) if f != fold}
        assert np.allclose(p[rows], nb.probabilities([items[r] for r in rows]))


# Texts in several scripts, for the fast paths of `tokenize`, `english` and `scores`: each
# must answer exactly as the plain regular expression and word count loop do.
SCRIPTS = [
    (
        "Chipmaker unveils faster processor",
        "The new chip_set runs 2x faster (see: www.example.com).",
    ),
    (
        "Bank’s “surprise” rate rise",
        "Prices rose 3% to £5.2bn\u00a0— the €-zone’s worst — said O’Neill.",
    ),
    ("Café owner wins award", "The naïve chef’s crème brûlée won; Zoë said “merci”."),
    ("Выборы в России", "Центральная избирательная комиссия объявила итоги голосования."),
    ("北京举行新闻发布会", "外交部发言人表示，中方欢迎各方参与。"),
    ("Αθήνα: νέα μέτρα", "Η κυβέρνηση ανακοίνωσε μέτρα για την οικονομία."),
    ("Istanbul İzmir ŞEHİR", "Ünlü yazar Türkiye'de ödül aldı; ½ of ² readers agreed."),
    ("Tokyo 東京 summit", "Leaders met in Tokyo (東京) to discuss trade and climate policy."),
    ("", "snake_case and tab\tseparated\x1cwords\u2028across\u3000spaces"),
    ("Long page", "word " * 3000 + "tail"),
]


def _reference_tokenize(title: str, text: str = "") -> list[str]:
    token = re.compile(r"[^\W_]+")
    words = token.findall(text[: sections.MAX_WORDS * 12].lower())[: sections.MAX_WORDS]
    return token.findall(title.lower()) * sections.TITLE_WEIGHT + words


def _reference_scores(title: str, text: str) -> np.ndarray:
    loaded = model()
    known, counts = [], []
    for token, n in Counter(_reference_tokenize(title, text)).items():
        if token in loaded.index:
            known.append(loaded.index[token])
            counts.append(n)
    if not known:
        return np.zeros(len(SECTIONS))
    weights = (1.0 + np.log(np.array(counts, dtype=np.float64))) * loaded.idf[known]
    weights /= np.sqrt(weights @ weights)
    logits = weights @ loaded.coef[known] + loaded.intercept
    exp = np.exp(logits - logits.max())
    return np.asarray(exp[: len(SECTIONS)] / exp.sum())


def _reference_english(title: str, text: str) -> bool:
    letters = re.findall(r"[^\W\d_]", f"{title} {text[:2000]}")
    latin = sum(letter in string.ascii_letters for letter in letters)
    return latin >= sections.ENGLISH_SHARE * len(letters)


@pytest.mark.parametrize(("title", "text"), SCRIPTS)
def test_fast_paths_answer_as_the_plain_reference(title: str, text: str) -> None:
    assert sections.tokenize(title, text) == _reference_tokenize(title, text)
    assert sections.english(title, text) == _reference_english(title, text)
    assert np.allclose(model().scores(title, text), _reference_scores(title, text), atol=1e-12)


def test_only_mostly_latin_text_counts_as_english() -> None:
    decisions = [sections.english(title, text) for title, text in SCRIPTS]
    assert decisions == [True, True, True, False, False, False, True, True, True, True]


def test_tokenize_splits_at_every_character_but_letters_and_digits() -> None:
    """Every character (but surrogates) next to ASCII words and the punctuation of English
    text: the same words as the regular expression, whichever way they are found."""
    every = [chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF]
    for start in range(0, len(every), 64):
        chunk = "".join(every[start : start + 64])
        text = f"Ab’s {chunk} c_d-e—f\u00a0g {chunk[::-1]}"
        assert sections.tokenize(text, text) == _reference_tokenize(text, text), hex(start)


def test_cross_fitting_scores_each_tune_article_without_its_part_of_the_tune_half() -> None:
    """The tune half is training data, so a method is scored on it cross-fitted: each tune
    article gets the probabilities of a model trained on the other data and the other part
    of the tune half, never on itself or its own passages."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
    import train_sections as training

    base = [
        training.Item(f"s{n}", f"{name} alpha{n} beta{n}", "", name)
        for n, name in enumerate(SECTIONS)
    ] + [training.Item("none", "gamma delta", "", None)]
    articles = [
        training.Item(f"dev-{n}", f"story {n}", "One sentence here. Another one.", name)
        for n, name in enumerate(SECTIONS * 2)
    ]
    dev = [*articles, *(p for a in articles for p in training.passages(a, words=2))]
    assert len({training.fold_of(a.id, 2) for a in articles}) == 2  # both parts are used
    fitted: list[tuple[set[str], training.Fitted]] = []

    def recording(train: list[training.Item]) -> training.Fitted:
        model_ = training.fit(train)
        fitted.append(({item.id for item in train}, model_))
        return model_

    p = training.cross_fitted(base, dev, fit_model=recording)
    assert set(p) == {a.id for a in articles} and len(fitted) == 2
    for article in articles:
        part = training.fold_of(article.id, 2)
        trained_on, model_ = fitted[part]
        assert {b.id for b in base} <= trained_on
        own = {d.id for d in dev if d.id.split("#", 1)[0] == article.id}
        assert len(own) == 3 and not own & trained_on
        others = {d.id for d in dev if training.fold_of(d.id, 2) != part}
        assert others <= trained_on
        assert np.allclose(p[article.id], model_.probabilities([article])[0])
