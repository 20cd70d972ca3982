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
    such both each more much no not new said says i'm i've i'd i'll even just yes oh well"""
)
TOPIC_CHARS = 20_000
_TITLES = wordset("mr mrs ms dr sir lord prof president minister chancellor")


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or unsure."""
    sample = text[:1500]
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


_OPENERS = frozenset("\"'“‘(«[:—–-")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
# Words too general to name a topic, on top of the stopwords.
_GENERIC = wordset(
    """year years time times day days week weeks month months people way lot lots thing things
    last first second third best good well back still even much many like just want think know
    see come go going use used make made take taken set left right got get told added called
    including according number part less more most several few another around next new old
    big small high low long great little whether however although though already around report
    reported says said say saying added also another whose able likely really per cent percent
    mr mrs ms"""
)


def _names_seen(sentences: list[str]) -> set[str]:
    """Lower-cased words written capitalised somewhere a capital is not forced."""
    seen: set[str] = set()
    for sentence in sentences:
        for token, named in _tokens(sentence, frozenset()):
            if named:
                seen.add(token.lower())
    return seen


def _tokens(sentence: str, names: set[str] | frozenset[str]) -> list[tuple[str, bool]]:
    """Word tokens of a sentence (possessives dropped) with a flag: written like a name, i.e.
    capitalised where a sentence or quotation does not force a capital, an acronym, or a
    capitalised opener that the article writes as a name elsewhere."""
    out: list[tuple[str, bool]] = []
    previous = ""
    for index, raw in enumerate(_TOKEN.findall(sentence)):
        if not _LETTERS.search(raw):
            out.append((raw, False))
            previous = raw
            continue
        token = _POSSESSIVE.sub("", raw)
        opener = index == 0 or previous in _OPENERS
        named = token[:1].isupper() and (
            not opener or (len(token) > 1 and token.isupper()) or token.lower() in names
        )
        out.append((token, named and token.lower() not in _WEAK_CAPITALS))
        previous = raw
    return out


def _candidates(tokens: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Runs of 1–3 content words inside one sentence; flag = all words name-like."""
    found: list[tuple[str, bool]] = []
    run: list[tuple[str, bool]] = []

    def flush() -> None:
        for size in (1, 2, 3):
            for start in range(len(run) - size + 1):
                gram = run[start : start + size]
                found.append((" ".join(w for w, _ in gram), all(n for _, n in gram)))
        run.clear()

    for token, named in tokens:
        lowered = token.lower()
        if (
            len(token) < 2
            or not _LETTERS.search(token)
            or lowered in STOPWORDS
            or (lowered in _GENERIC and not named)
        ):
            flush()
            continue
        run.append((token, named))
    flush()
    return found


def _head(text: str) -> str:
    """The first `TOPIC_CHARS` characters, ended at a sentence: what an article is about is
    said early, and very long texts would cost time for nothing."""
    if len(text) <= TOPIC_CHARS:
        return text
    cut = text.rfind(". ", 0, TOPIC_CHARS)
    return text[: cut + 1 if cut > TOPIC_CHARS // 2 else TOPIC_CHARS]


def _analyse(title: str, text: str) -> tuple[dict[str, float], dict[str, str], Counter[str]]:
    sentences = split_sentences(_head(text))
    scores: dict[str, float] = defaultdict(float)
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    in_body: Counter[str] = Counter()
    capital_counts: Counter[str] = Counter()
    position: dict[str, int] = {}
    names = _names_seen(sentences)
    for index, sentence in enumerate([title, *sentences] if title else sentences):
        is_title = bool(title) and index == 0
        for phrase, named in _candidates(_tokens(sentence, names)):
            key = phrase.lower()
            scores[key] += 2.0 if is_title else 1.0
            surface[key][phrase] += 1
            position.setdefault(key, index)
            if not is_title:
                in_body[key] += 1
            if named:
                capital_counts[key] += 1
    total = max(1, len(sentences))
    for key in list(scores):
        size = key.count(" ") + 1
        early = 1.0 + 1.0 / math.log2(2 + position[key] * 4 / total)
        name_boost = 1.5 if capital_counts[key] * 2 >= sum(surface[key].values()) else 1.0
        scores[key] = scores[key] * early * name_boost * (1.0 + 0.6 * (size - 1))
    display = {key: counter.most_common(1)[0][0] for key, counter in surface.items()}
    return scores, display, in_body


def keyphrases(title: str, text: str, *, limit: int = 8) -> list[str]:
    """The `limit` phrases (1–3 words) that best say what the article is about, best first.

    Frequency, an early first mention, the title, capitalisation (names) and length raise a
    phrase's score; a phrase must occur in the body (a multi-word one at least twice in all);
    a phrase overlapping a better one is dropped."""
    scores, display, in_body = _analyse(title, text)
    ranked = sorted(scores, key=lambda k: (-scores[k], k))
    chosen: list[str] = []
    for key in ranked:
        if len(chosen) >= limit:
            break
        if not in_body[key] or (key.count(" ") and _sum_counts(key, in_body, title) < 2):
            continue
        if any(_overlaps(key, other) for other in chosen):
            continue
        chosen.append(key)
    return [display[key] for key in chosen]


def _sum_counts(key: str, in_body: Counter[str], title: str) -> int:
    return in_body[key] + (1 if key in title.lower() else 0)


def _singular(phrase: str) -> str:
    return " ".join(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in phrase.split()
    )


def _overlaps(first: str, second: str) -> bool:
    a, b = f" {_singular(first)} ", f" {_singular(second)} "
    return a in b or b in a


def entities(text: str, *, limit: int = 10) -> list[str]:
    """Names (people, places, organisations): runs of words written like names, most
    mentioned first; honorifics are dropped ("Mr Blair" counts as "Blair")."""
    counts: Counter[str] = Counter()
    sentences = split_sentences(_head(text))
    names = _names_seen(sentences)
    for sentence in sentences:
        run: list[str] = []
        for token, named in [*_tokens(sentence, names), (".", False)]:
            if named:
                run.append(token)
                continue
            while run and run[0].lower() in _TITLES:
                run.pop(0)
            if run:
                counts[" ".join(run)] += 1
            run = []
    return [name for name, _ in counts.most_common(limit)]
