"""News sections (world, politics, business, technology, ...): which of them an article
belongs to, with a confidence, from a small linear model trained by
`training/train_sections.py` and shipped as `ingest/models/sections.npz`. Pure; numpy only.

The model learnt English words only. An article in another language gets no section rather
than a guess from the few English words (names, loanwords) it may have: its reader finds it
by keyword topics instead, which match in its language (`storage.stems`)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import repeat

import numpy as np
import numpy.typing as npt

SECTIONS: tuple[str, ...] = (
    "world",
    "politics",
    "business",
    "technology",
    "science",
    "health",
    "climate",
    "sport",
    "culture",
)
MODEL_FILE = "sections.npz"
NONE = "none"  # the model's extra class: news in none of the sections (weddings, crime, food)
# Words past this add little and cost time (a BBC story has ~400; pages rarely need more).
MAX_WORDS = 1000
TITLE_WEIGHT = 2

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_LATIN = re.compile(r"[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
ENGLISH_SHARE = 0.8  # of letters written in the Latin alphabet, for text of unknown language


def tokenize(title: str, text: str = "") -> list[str]:
    """Lower-cased word tokens of the title (counted TITLE_WEIGHT times) and the text.

    Training data is lower-cased and word-tokenized ("the world cup 's song"); splitting on
    anything that is not a letter or digit treats it and normal prose the same way. Single
    words, not bigrams: trained on headlines, bigrams carried over worse to full articles,
    and on the sections-4 data (full texts too) words and pairs of adjacent words scored
    lower on the dev set's tune half than words alone (0.68-0.71 against 0.728 macro-F1,
    50k-200k terms, C 4 and 8; issue #14, 2026-12-01)."""
    title_tokens = _words(title.lower())
    words = _words(text[: MAX_WORDS * 12].lower())[:MAX_WORDS]
    return title_tokens * TITLE_WEIGHT + words


# Every ASCII character that is not a letter or digit, as a space: `str.split` then finds the
# same words as `_TOKEN`, faster (every separator of `str.split` is a non-word character).
_ASCII_SEPARATORS = str.maketrans(
    {chr(i): " " for i in range(128) if _TOKEN.fullmatch(chr(i)) is None}
)


def _words(text: str) -> list[str]:
    """`_TOKEN.findall(text)`: exactly its words, in order. English text is nearly all ASCII;
    what else it has (’ “ ” — £ €, no-break spaces) separates words, so once those are spaces
    the ASCII way applies. Letters beyond ASCII (café, другой) take the regular expression."""
    if not text.isascii():
        others = "".join(_NON_ASCII.findall(text))
        if _TOKEN.search(others):
            return _TOKEN.findall(text)
        for char in set(others):
            text = text.replace(char, " ")
    return text.translate(_ASCII_SEPARATORS).split()


@dataclass(frozen=True)
class SectionModel:
    """TF-IDF (sublinear tf, l2 norm) and a softmax regression over the sections plus "none"."""

    version: str
    sections: tuple[str, ...]
    index: dict[str, int]
    idf: npt.NDArray[np.float32]
    coef: npt.NDArray[np.float32]  # features x (sections + none)
    intercept: npt.NDArray[np.float32]
    thresholds: npt.NDArray[np.float32]  # one per section

    def scores(self, title: str, text: str = "") -> npt.NDArray[np.float64]:
        """The probability of each section, in `self.sections` order."""
        counted = Counter(tokenize(title, text))
        size = len(counted)
        # each distinct word's column (-1: not in the vocabulary), in the order first seen
        found = np.fromiter(map(self.index.get, counted, repeat(-1)), np.int64, size)
        known = found >= 0
        if not known.any():
            return np.zeros(len(self.sections))
        columns = found[known]
        counts = np.fromiter(counted.values(), np.float64, size)[known]
        tf = 1.0 + np.log(counts)
        weights = tf * self.idf[columns]
        weights /= float(np.sqrt(weights @ weights))
        logits = weights @ self.coef[columns] + self.intercept
        exp = np.exp(logits - logits.max())
        return np.asarray(exp[: len(self.sections)] / exp.sum(), dtype=np.float64)

    def classify(self, title: str, text: str = "") -> list[tuple[str, float]]:
        """Sections whose probability reaches their threshold, best first."""
        probabilities = self.scores(title, text)
        chosen = [
            (name, round(float(p), 3))
            for name, p, limit in zip(self.sections, probabilities, self.thresholds, strict=True)
            if p >= limit
        ]
        return sorted(chosen, key=lambda pair: (-pair[1], self.sections.index(pair[0])))


def load_model(data: bytes | None = None) -> SectionModel:
    """Read a model written by the training script (the shipped one unless `data` is given)."""
    import io

    if data is None:
        data = resources.files("ingest.models").joinpath(MODEL_FILE).read_bytes()
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        vocabulary = [str(word) for word in arrays["vocabulary"]]
        return SectionModel(
            version=str(arrays["version"]),
            sections=tuple(str(name) for name in arrays["sections"]),
            index={word: i for i, word in enumerate(vocabulary)},
            idf=arrays["idf"].astype(np.float32),
            coef=arrays["coef"].astype(np.float32),
            intercept=arrays["intercept"].astype(np.float32),
            thresholds=arrays["thresholds"].astype(np.float32),
        )


@cache
def model() -> SectionModel:
    """The shipped model, read once per process."""
    return load_model()


def english(title: str, text: str = "", *, language: str | None = None) -> bool:
    """May the (English) model classify this article? Its `language` is English, or unknown
    and nearly all of its letters are Latin ones (a short teaser, a caption-only page)."""
    if language is not None:
        return language == "en"
    sample = f"{title} {text[:2000]}"
    if sample.isascii():
        return True
    # Letters beyond ASCII are few in English text: count them first, the Latin ones only
    # when there are any (every ASCII letter is a Latin one).
    others = len(_LETTER.findall("".join(_NON_ASCII.findall(sample))))
    if others == 0:
        return True
    latin = len(_LATIN.findall(sample))
    return latin >= ENGLISH_SHARE * (latin + others)


def classify(title: str, text: str = "", *, language: str | None = None) -> list[tuple[str, float]]:
    """The article's sections with their confidence (0..1), best first; possibly none, and
    none for an article in another language than English (`english`)."""
    if not english(title, text, language=language):
        return []
    return model().classify(title, text)
