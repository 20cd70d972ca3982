"""Extractive summaries: the 1–3 sentences that carry an article's gist, within a character
budget, never cut. Ranking is position-aware centrality (as in PACSUM) over TF-IDF vectors."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from ingest.clean import teaser_sentences
from ingest.text import STOPWORDS, split_sentences

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$|''$")
# Lines that look like sentences but only say who wrote it, when, or where to click.
_JUNK = re.compile(
    r"^(?:by\b|published\b|updated\b|last updated\b|posted\b|click\b|follow\b|share\b|"
    r"read more\b|related\b|copyright\b|photo\b|image\b|\(?cnn\)?\s*--?\s*$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Weights:
    """Ranking parameters, tuned on the first half of the CNN/DM dev set (see benchmarks)."""

    forward: float = 1.0  # similarity to later sentences (what the article goes on to develop)
    backward: float = -0.3  # similarity to earlier sentences (repetition of what came before)
    threshold: float = 0.3  # edges below min + threshold·(max − min) are dropped
    lead: float = 1.2  # weight of the position prior
    decay: float = 0.6  # prior = 1 / (1 + position)^decay
    title: float = 0.5  # similarity to the title
    short_words: int = 6  # sentences shorter than this are not chosen
    long_words: int = 60  # ... nor longer than this, unless nothing else is left
    redundancy: float = 0.6  # skip a sentence this similar to one already chosen


DEFAULT_WEIGHTS = Weights()


def _stem(word: str) -> str:
    if len(word) > 4:
        return _SUFFIX.sub("", word)
    return word


def _terms(sentence: str) -> list[str]:
    return [
        _stem(w)
        for w in (t.lower() for t in _TOKEN.findall(sentence))
        if len(w) > 2 and w not in STOPWORDS
    ]


def _eligible(sentence: str, word_count: int, weights: Weights) -> bool:
    if word_count < weights.short_words or _JUNK.match(sentence):
        return False
    return bool(_TERMINAL.search(sentence))


def rank_sentences(
    sentences: list[str], *, title: str | None = None, weights: Weights = DEFAULT_WEIGHTS
) -> list[int]:
    """Indices of `sentences`, best first: directed centrality plus a lead prior."""
    count = len(sentences)
    if count == 0:
        return []
    terms = [_terms(s) for s in sentences]
    vocabulary: dict[str, int] = {}
    frequency: Counter[str] = Counter()
    for sentence_terms in terms:
        frequency.update(set(sentence_terms))
        for term in sentence_terms:
            vocabulary.setdefault(term, len(vocabulary))
    matrix = np.zeros((count, max(1, len(vocabulary))), dtype=np.float64)
    for row, sentence_terms in enumerate(terms):
        for term, tf in Counter(sentence_terms).items():
            matrix[row, vocabulary[term]] = tf * math.log(1 + count / frequency[term])
    norms = np.linalg.norm(matrix, axis=1)
    norms[norms == 0] = 1.0
    matrix /= norms[:, None]
    similarity = matrix @ matrix.T
    np.fill_diagonal(similarity, 0.0)

    off_diagonal = similarity[~np.eye(count, dtype=bool)] if count > 1 else np.zeros(1)
    low, high = float(off_diagonal.min()), float(off_diagonal.max())
    edges = np.maximum(similarity - (low + weights.threshold * (high - low)), 0.0)
    later = np.triu(edges, 1).sum(axis=1)
    earlier = np.tril(edges, -1).sum(axis=1)
    centrality = weights.forward * later + weights.backward * earlier
    spread = float(centrality.max() - centrality.min())
    if spread > 0:
        centrality = (centrality - centrality.min()) / spread
    prior = 1.0 / np.power(1.0 + np.arange(count, dtype=np.float64), weights.decay)
    score = centrality + weights.lead * prior
    if title:
        title_terms = Counter(_terms(title))
        if title_terms:
            vector = np.zeros(matrix.shape[1])
            for term, tf in title_terms.items():
                if term in vocabulary:
                    vector[vocabulary[term]] = tf * math.log(1 + count / frequency[term])
            size = float(np.linalg.norm(vector))
            if size > 0:
                score = score + weights.title * (matrix @ (vector / size))
    return [int(i) for i in np.argsort(-score, kind="stable")]


def _candidates(text: str) -> list[str]:
    teasers = teaser_sentences(text) if "\n" in text else set()
    return [s for s in split_sentences(text) if s not in teasers]


def _choose(
    sentences: list[str],
    *,
    n: int,
    title: str | None,
    max_chars: int | None,
    weights: Weights,
) -> list[str]:
    if not sentences or n <= 0:
        return []
    word_counts = [len(s.split()) for s in sentences]
    order = rank_sentences(sentences, title=title, weights=weights)
    eligible = [i for i in order if _eligible(sentences[i], word_counts[i], weights)]
    preferred = [i for i in eligible if word_counts[i] <= weights.long_words]
    rest = [i for i in order if i not in set(preferred)]
    chosen: list[int] = []
    used = 0
    chosen_terms: list[set[str]] = []
    for index in preferred + rest:
        if len(chosen) >= n:
            break
        length = len(sentences[index]) + (1 if chosen else 0)
        if max_chars is not None and used + length > max_chars:
            continue
        terms = set(_terms(sentences[index]))
        if any(_overlap(terms, other) > weights.redundancy for other in chosen_terms):
            continue
        chosen.append(index)
        chosen_terms.append(terms)
        used += length
    if not chosen:
        # Nothing fits the budget: one whole sentence is better than a cut one.
        chosen = [(preferred + rest)[0]]
    return [sentences[i] for i in sorted(chosen)]


def _overlap(first: set[str], second: set[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def select_sentences(
    text: str, *, n: int = 3, title: str | None = None, weights: Weights = DEFAULT_WEIGHTS
) -> list[str]:
    """The `n` best sentences of `text` (fewer if it has fewer), in document order."""
    return _choose(_candidates(text), n=n, title=title, max_chars=None, weights=weights)


def summarize(
    text: str, *, title: str | None = None, max_chars: int = 300, max_sentences: int = 3
) -> str:
    """1–`max_sentences` whole sentences, at most `max_chars` characters together (a single
    sentence longer than the budget is returned whole rather than cut); "" for empty text."""
    chosen = _choose(
        _candidates(text),
        n=max_sentences,
        title=title,
        max_chars=max_chars,
        weights=DEFAULT_WEIGHTS,
    )
    return " ".join(chosen)
