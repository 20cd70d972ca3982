"""Articles in other languages than English: sentences split at their own punctuation, summaries
of whole sentences, keyphrases that are content words of the text, no section from the English
model, and Snowball stems for search."""

from __future__ import annotations

import pytest

from digests.query import matches_prominently, parse_query
from ingest.sections import classify
from ingest.summarize import readable, summarize
from ingest.text import normalize_whitespace, split_sentences, stopwords, words
from ingest.topics import detect_language, keyphrases
from storage.stems import query_phrases, stems_of
from tests.support.cases import cases
from tests.support.languages import AR, DE, ES, FA, RU, TEXTS, UK

STEMMED = ["ru", "es", "de", "ar", "fa", "pt"]


# Each case: the sentences, joined by a space, are the text to split.
SPLITS = [
    ["Явка выше, чем в 2021 г. на прошлых выборах.", "Итоги т. е. позже."],
    ["Жители ул. Ленина против.", "Мэр согласен."],
    ["„Das ist gut.“", "Dann kam er z. B. mit ca. 2 Mrd. Euro.", "Ende."],
    ["El Sr. García viajó a EE.UU. el lunes.", "Volvió ayer."],
    ["هل ستشمل الحملة القرى؟", "أكد المتحدث ذلك.", "وانتهى الاجتماع."],
    ["آیا این درست است؟", "وزیر گفت بله۔", "جلسه تمام شد."],
]


@pytest.mark.parametrize("sentences", SPLITS, ids=lambda s: s[0][:12])
def test_sentences_end_at_each_languages_punctuation_not_at_its_abbreviations(
    sentences: list[str],
) -> None:
    assert split_sentences(" ".join(sentences)) == sentences


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_a_summary_is_two_or_three_whole_sentences_of_the_article(language: str) -> None:
    text = TEXTS[language]
    assert detect_language(text) == language
    summary = summarize(text, language=language)
    sentences = split_sentences(summary)
    assert 2 <= len(sentences) <= 3, summary  # not the lone fallback sentence
    assert all(s in split_sentences(text) for s in sentences)
    assert len(summary) <= 300
    assert sentences[0] == split_sentences(text)[0]  # the news is in the lead


def test_sentences_of_other_languages_read_as_prose() -> None:
    assert readable("Die Ministerin sagte im Plenum: „Wir schaffen Klarheit für Investoren.“")
    assert readable("Партия «Действие и солидарность» получила большинство голосов.")
    assert readable("«Sin agua no hay cosecha», dijo el portavoz de la asociación.")
    assert not readable("Партия «Действие и солидарность получила большинство голосов.")
    assert not readable("ПАРТИЯ ПОЛУЧИЛА БОЛЬШИНСТВО ГОЛОСОВ В ПАРЛАМЕНТЕ.")  # a heading
    assert readable("ستشمل الحملة المناطق الريفية في الجنوب.", cased=False)
    # a question, known by the Arabic question mark: not a summary sentence in any language
    assert not readable("هل ستشمل الحملة المناطق الريفية في الجنوب؟", cased=False)


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_keyphrases_are_content_words_of_the_text(language: str) -> None:
    text = TEXTS[language]
    found = keyphrases("", text, language=language)
    assert len(found) >= 5
    vocabulary = set(words(text))
    common = stopwords(language)
    for phrase in found:
        assert all(word in vocabulary for word in phrase.split()), phrase
        assert not any(word.lower() in common for word in phrase.split()), phrase


def test_the_languages_stopwords_never_become_topics() -> None:
    # Without the language, its commonest words ("на", "el", "die", "من") win.
    assert {"на", "что"} & {p.lower() for p in keyphrases("", RU)}
    assert not {"на", "что"} & {p.lower() for p in keyphrases("", RU, language="ru")}
    assert not {"el", "de", "la"} & {p.lower() for p in keyphrases("", ES, language="es")}
    assert not {"die", "mit"} & {p.lower() for p in keyphrases("", DE, language="de")}
    assert "من" not in keyphrases("", AR, language="ar")


def test_one_word_in_two_forms_is_one_keyphrase() -> None:
    found = [p.lower() for p in keyphrases("", RU, language="ru")]
    assert len([p for p in found if p.startswith("выбор")]) == 1, found


def test_the_english_section_model_gives_no_section_to_other_languages() -> None:
    english = "Parliament passed the climate law. Ministers said emissions must fall by 2030."
    assert classify("Climate law passed", english, language="en")
    assert classify("Climate law passed", english)  # unknown language, Latin letters
    for language, text in TEXTS.items():
        assert classify("", text, language=language) == []
    for text in (RU, AR, UK, FA):
        assert classify("", text) == []  # unknown language, other letters than Latin
    assert classify("Klimagesetz", DE, language="de") == []


@pytest.mark.parametrize("language", STEMMED)
def test_stems_are_stored_for_stemmed_languages_only(language: str) -> None:
    stored = stems_of(language, "Title", TEXTS[language])
    assert stored is not None and len(stored.split()) >= 20
    assert stems_of("en", "Elections held", "Voters went") is None
    assert stems_of("uk", "Вибори", UK) is None  # no Snowball stemmer for Ukrainian
    assert stems_of(None, "Anything") is None


def test_a_query_word_matches_other_forms_in_the_articles_language() -> None:
    title = "В Молдове прошли выборы"
    assert stems_of("ru", title) == "в молдов прошл выбор"
    assert ("выбор",) in query_phrases(("выборах",))
    for query, language, text in cases(
        "ingest/languages", "query_forms", ("query", "language", "text")
    ):
        query_ = parse_query(query)
        assert matches_prominently(query_, text, language=language), (query, text)
        assert not matches_prominently(query_, "Другая новость про погоду", language=language)


def test_without_a_stemmer_words_match_exactly_and_english_stays_conservative() -> None:
    assert matches_prominently(parse_query("вибори"), "Місцеві вибори", language="uk")
    assert not matches_prominently(parse_query("вибори"), "Результати виборів", language="uk")
    # The English rules are unchanged: plurals only.
    assert matches_prominently(parse_query("election"), "Elections held", language="en")
    assert not matches_prominently(parse_query("elect"), "The election is near", language="en")
    # A Russian word never matches an English article's words by its stem.
    assert not matches_prominently(parse_query("выборы"), "Выбор is Russian for choice")


def test_persian_keeps_the_zero_width_non_joiner_inside_its_words() -> None:
    assert normalize_whitespace("کارشناسان می\u200cگویند") == "کارشناسان می\u200cگویند"
    assert normalize_whitespace("\u200cخبر\u200c تازه\u200b") == "خبر تازه"
