"""What an article is about: keyphrases and named entities (a small YAKE-like scorer of our
own, fast enough for hundreds of articles a second) and its language (py3langid)."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Any

from ingest.text import STOPWORDS, split_sentences, wordset

_TOKEN = re.compile(r"[^\W_]+(?:['’.\-&][^\W_]+)*|[^\w\s]", re.UNICODE)
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
# Capitalised words that open sentences or headlines without naming anything.
_WEAK_CAPITALS = wordset(
    """a an the this that these those it its he she they we i you his her their our my there
    here but and or so if when while after before as at in on of for to by with from into over
    what who why how where which monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    mr mrs ms dr sir lord however meanwhile also still yet now then last next today yesterday
    tomorrow one two three four five six seven eight nine ten many some most all every other
    such both each more much no not new said says"""
)
_TITLES = wordset("mr mrs ms dr sir lord prof president minister chancellor")


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or unsure."""
    sample = text[:3000]
    if len(_LETTERS.findall(sample)) < 12:
        return None
    language, probability = _identifier().classify(sample)
    if probability < 0.5 or not re.fullmatch(r"[a-z]{2}", str(language)):
        return None
    return str(language)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def _candidates(sentence: str) -> list[tuple[str, bool]]:
    """Runs of 1–3 non-stopword tokens inside one sentence; flag = all words name-like
    (capitalised and not merely opening the sentence)."""
    found: list[tuple[str, bool]] = []
    run: list[tuple[str, bool]] = []

    def flush() -> None:
        for size in (1, 2, 3):
            for start in range(len(run) - size + 1):
                gram = run[start : start + size]
                found.append((" ".join(w for w, _ in gram), all(n for _, n in gram)))
        run.clear()

    for index, token in enumerate(_TOKEN.findall(sentence)):
        if not _LETTERS.search(token) or token.lower() in STOPWORDS or len(token) < 2:
            flush()
            continue
        named = token[:1].isupper() and (index > 0 or token.isupper())
        run.append((token, named))
    flush()
    return found


def _analyse(title: str, text: str) -> tuple[dict[str, float], dict[str, str], Counter[str]]:
    sentences = split_sentences(text)
    scores: dict[str, float] = defaultdict(float)
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    capital_counts: Counter[str] = Counter()
    position: dict[str, int] = {}
    for index, sentence in enumerate([title, *sentences] if title else sentences):
        weight = 2.0 if title and index == 0 else 1.0
        for phrase, capitalised in _candidates(sentence):
            key = phrase.lower()
            scores[key] += weight
            surface[key][phrase] += 1
            position.setdefault(key, index)
            if capitalised:
                capital_counts[key] += 1
    total = max(1, len(sentences))
    for key in list(scores):
        size = key.count(" ") + 1
        early = 1.0 + 1.0 / math.log2(2 + position[key] * 4 / total)
        named = 1.5 if capital_counts[key] * 2 >= sum(surface[key].values()) else 1.0
        scores[key] = scores[key] * early * named * (1.0 + 0.6 * (size - 1))
    display = {key: counter.most_common(1)[0][0] for key, counter in surface.items()}
    return scores, display, capital_counts


def keyphrases(title: str, text: str, *, limit: int = 8) -> list[str]:
    """The `limit` phrases (1–3 words) that best say what the article is about, best first.

    Frequency, an early first mention, the title, capitalisation (names) and length raise a
    phrase's score; a phrase inside a better one is dropped."""
    scores, display, _ = _analyse(title, text)
    ranked = sorted(scores, key=lambda k: (-scores[k], k))
    chosen: list[str] = []
    for key in ranked:
        if len(chosen) >= limit:
            break
        if scores[key] < 2.0 and len(chosen) >= 3:
            break
        if any(key in other or other in key for other in chosen):
            continue
        if key.count(" ") and scores[key] <= 2.5:
            continue  # a multi-word phrase seen once is rarely a topic
        chosen.append(key)
    return [display[key] for key in chosen]


def entities(text: str, *, limit: int = 10) -> list[str]:
    """Names (people, places, organisations): capitalised runs that are not just sentence
    openers, most mentioned first."""
    counts: Counter[str] = Counter()
    for sentence in split_sentences(text):
        tokens = _TOKEN.findall(sentence)
        run: list[str] = []
        for index, token in enumerate([*tokens, "."]):
            if (
                token[:1].isupper()
                and _LETTERS.search(token)
                and not (index == 0 and token.lower() in _WEAK_CAPITALS)
            ):
                if token.lower() in _WEAK_CAPITALS and not run:
                    continue
                run.append(token)
                continue
            if run:
                while run and run[0].lower() in _TITLES:
                    run.pop(0)
                if run and not (len(run) == 1 and index == 1 and run[0].lower() in STOPWORDS):
                    counts[" ".join(run)] += 1
                run = []
    return [name for name, _ in counts.most_common(limit)]
