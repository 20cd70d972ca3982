"""Snowball stems of words in an article's own language, for keyword topics and search.

English keeps its own rules (the search engines' English stemmers, and the conservative
plural-only stems of `digests.query`). Every other language with a Snowball stemmer (Russian,
Spanish, Portuguese, German, Arabic, Persian, ...) is stemmed with it, so a topic "выборы"
finds an article about "выборах". Languages without one (Ukrainian among them) match exact
words only.

The stems are computed here, once, in Python, and stored with the article (`Article.stems`):
SQLite's FTS5 and PostgreSQL then match the same stems, and a query word is stemmed by the
same code. A query does not know its language; it is stemmed in every stemmed language its
script is written in, and the language-exact check is left to the caller (`digests.query`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from functools import cache

import snowballstemmer

#: ISO 639-1 code -> Snowball algorithm, for the languages whose articles get stems.
#: The bot's languages and the most common other ones of news: every query word is stemmed in
#: each of them that its script fits, so the list is kept short.
SNOWBALL: dict[str, str] = {
    "ar": "arabic",
    "de": "german",
    "es": "spanish",
    "fa": "persian",
    "fr": "french",
    "it": "italian",
    "nl": "dutch",
    "pt": "portuguese",
    "ru": "russian",
}
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
# Letters of the scripts a query word may be written in, to stem it only in fitting languages.
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[a-zß-ÿĀ-ɏ]")
_SCRIPTS: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    (_CYRILLIC, frozenset({"ru"})),
    (_ARABIC, frozenset({"ar", "fa"})),
    (_LATIN, frozenset(SNOWBALL) - {"ru", "ar", "fa"}),
)
# Stored stems are bounded like the searchable words (storage.search.MAX_WORD_LENGTH).
_MAX_WORD = 64


def has_stemmer(language: str | None) -> bool:
    """Does an article in `language` get Snowball stems (English keeps its own rules)?"""
    return language in SNOWBALL


@cache
def stemmer(language: str) -> Callable[[str], str]:
    """The stemming function of a language in `SNOWBALL` (lower-cased words in, stems out)."""
    algorithm = snowballstemmer.stemmer(SNOWBALL[language])
    memo: dict[str, str] = {}

    def stem(word: str) -> str:
        found = memo.get(word)
        if found is None:
            found = str(algorithm.stemWord(word)) or word
            if len(memo) < 100_000:
                memo[word] = found
        return found

    return stem


def _lowered_words(text: str) -> list[str]:
    # Persian writes a zero-width non-joiner inside words ("می‌شود"): one word, not two.
    text = text.replace("\u200c", "")
    return [w.replace("’", "'").lower()[:_MAX_WORD] for w in _WORD.findall(text)]


def stems_of(language: str | None, *texts: str) -> str | None:
    """The stored stems of an article's prominent texts (title, keyphrases, summary): its
    words in order, stemmed in `language`, one line per text; None for a language without a
    stemmer (nothing to store)."""
    if not has_stemmer(language):
        return None
    assert language is not None
    stem = stemmer(language)
    lines = [" ".join(stem(w) for w in _lowered_words(text)) for text in texts]
    return "\n".join(line for line in lines if line) or None


def query_phrases(
    words: tuple[str, ...], languages: Collection[str] | None = None
) -> tuple[tuple[str, ...], ...]:
    """The stem phrases lower-cased query words may have in an article: the words stemmed in
    each stemmed language written in their script (of `languages` only, when given: those of
    the articles searched), distinct, sorted; () when none fits."""
    fits: set[str] = set()
    for pattern, fitting in _SCRIPTS:
        if any(pattern.search(word) for word in words):
            fits |= fitting
    if languages is not None:
        fits.intersection_update(languages)
    cleaned = [word.replace("\u200c", "") for word in words]
    return tuple(sorted({tuple(stemmer(language)(w) for w in cleaned) for language in fits}))
