"""Extractive summaries: the 1–3 sentences that carry an article's gist, within a character
budget, never cut. Ranking is position-aware centrality (as in PACSUM) over TF-IDF vectors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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
    """Ranking parameters, tuned on the first 250 CNN/DM dev articles (benchmarks/summarize.py)."""

    forward: float = 1.0  # similarity to later sentences (what the article goes on to develop)
    backward: float = 0.0  # similarity to earlier sentences (PACSUM penalises; tuning chose 0)
    threshold: float = 0.0  # edges below min + threshold·(max − min) are dropped
    lead: float = 2.0  # weight of the position prior
    decay: float = 0.1  # prior = 1 / (1 + position)^decay
    length_penalty: float = 0.1  # per relative distance from the target length
    target_words: int = 20  # summary sentences are short: news highlights run ~15–25 words
    title: float = 0.5  # similarity to the title
    short_words: int = 4  # sentences shorter than this are not chosen ...
    long_words: int = 80  # ... nor longer than this, unless nothing else is left
    redundancy: float = 1.01  # skip a near-repeat of a chosen sentence (off: no gain on CNN/DM)


DEFAULT_WEIGHTS = Weights()
MAX_SENTENCES = 150


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A crude suffix stripper: enough to match "vote", "voted", "votes" for similarity."""
    if len(word) > 4:
        return _SUFFIX.sub("", word)
    return word


def _terms(sentence: str) -> list[str]:
    return [_stem(w) for w in _TOKEN.findall(sentence.lower()) if len(w) > 2 and w not in STOPWORDS]


def _eligible(sentence: str, word_count: int, weights: Weights) -> bool:
    if word_count < weights.short_words or _JUNK.match(sentence):
        return False
    # Half a quotation (the splitter cut a quote of several sentences) reads badly alone.
    if (sentence.count('"') + sentence.count("“") + sentence.count("”")) % 2:
        return False
    return bool(_TERMINAL.search(sentence))


def rank_sentences(
    sentences: list[str], *, title: str | None = None, weights: Weights = DEFAULT_WEIGHTS
) -> list[int]:
    """Indices of `sentences`, best first: directed centrality, a lead prior, a length prior."""
    return _rank(sentences, [_terms(s) for s in sentences], title=title, weights=weights)


def _rank(
    sentences: list[str], terms: list[list[str]], *, title: str | None, weights: Weights
) -> list[int]:
    count = len(sentences)
    if count == 0:
        return []
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    for row, sentence_terms in enumerate(terms):
        columns.extend([vocabulary.setdefault(term, len(vocabulary)) for term in sentence_terms])
        rows.extend([row] * len(sentence_terms))
    matrix = np.zeros((count, max(1, len(vocabulary))), dtype=np.float64)
    np.add.at(matrix, (rows, columns), 1.0)
    idf = np.log1p(count / np.maximum((matrix > 0).sum(axis=0), 1))
    matrix *= idf[None, :]
    norms = np.linalg.norm(matrix, axis=1)
    norms[norms == 0] = 1.0
    matrix /= norms[:, None]
    similarity = np.einsum("ik,jk->ij", matrix, matrix)  # einsum: no BLAS threads
    np.fill_diagonal(similarity, 0.0)

    if count > 1:
        off_diagonal = similarity[~np.eye(count, dtype=bool)]
        low, high = float(off_diagonal.min()), float(off_diagonal.max())
    else:
        low = high = 0.0
    edges = np.maximum(similarity - (low + weights.threshold * (high - low)), 0.0)
    later = np.triu(edges, 1).sum(axis=1)
    earlier = np.tril(edges, -1).sum(axis=1)
    centrality = weights.forward * later + weights.backward * earlier
    spread = float(centrality.max() - centrality.min())
    if spread > 0:
        centrality = (centrality - centrality.min()) / spread
    positions = np.arange(count, dtype=np.float64)
    score = centrality + weights.lead / np.power(1.0 + positions, weights.decay)
    lengths = np.array([len(s.split()) for s in sentences], dtype=np.float64)
    target = float(weights.target_words)
    score -= weights.length_penalty * np.abs(lengths - target) / target
    if title:
        vector = np.zeros(matrix.shape[1])
        for term in _terms(title):
            if term in vocabulary:
                vector[vocabulary[term]] += idf[vocabulary[term]]
        size = float(np.linalg.norm(vector))
        if size > 0:
            score = score + weights.title * np.einsum("ij,j->i", matrix, vector / size)
    return [int(i) for i in np.argsort(-score, kind="stable")]


def _candidates(text: str) -> list[str]:
    """Sentences that may be chosen, at most `MAX_SENTENCES` from the start: the gist of news
    is early, and the similarity matrix grows with the square of the count."""
    teasers = teaser_sentences(text) if "\n" in text else set()
    return [s for s in split_sentences(text) if s not in teasers][:MAX_SENTENCES]


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
    terms = [_terms(s) for s in sentences]
    order = _rank(sentences, terms, title=title, weights=weights)
    word_counts = [len(s.split()) for s in sentences]
    chosen: list[int] = []
    used = 0

    def take(index: int) -> None:
        nonlocal used
        length = len(sentences[index]) + (1 if chosen else 0)
        if max_chars is not None and used + length > max_chars:
            return
        mine = set(terms[index])
        if any(_overlap(mine, set(terms[other])) >= weights.redundancy for other in chosen):
            return
        chosen.append(index)
        used += length

    # First the sentences that read as sentences of the story, then (short articles) the rest.
    passed_over: list[int] = []
    for index in order:
        if len(chosen) >= n:
            break
        if word_counts[index] <= weights.long_words and _eligible(
            sentences[index], word_counts[index], weights
        ):
            take(index)
        else:
            passed_over.append(index)
    for index in passed_over:
        if len(chosen) >= n:
            break
        take(index)
    if not chosen:
        # Nothing fits the budget: one whole sentence is better than a cut one.
        readable = [i for i in order if _eligible(sentences[i], word_counts[i], weights)]
        chosen = [(readable or order)[0]]
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
