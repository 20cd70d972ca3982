"""What an article is about: keyphrases and named entities (a small YAKE-like scorer of our
own, fast enough for hundreds of articles a second) and its language (py3langid)."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ingest.summarize import about_the_article
from ingest.text import split_sentences, stopwords, wordset
from storage.stems import has_stemmer, stemmer

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
    sample = text[:800]
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
    mr mrs ms vs via am pm"""
)
# Words of the page around an article (credits, sharing, formats), never what it is about.
_PAGE_WORDS = wordset(
    """getty images image images photo photos photograph picture pictures video videos credit
    credits caption copyright reuters afp ap pa epa shutterstock pdf print email comments comment
    share text click subscribe newsletter advertisement"""
)
# A dateline opening a paragraph: "LONDON (Reuters) -", "WASHINGTON —".
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’-]{2,}(?:\([^)]*\))?\s*[-–—:]\s", re.MULTILINE)
# Separators between a headline and the site's name in a page title.
_TITLE_PARTS = re.compile(r"\s+[|–—-]\s+|\s+::\s+")
# Single words shaped like verbs or adverbs ("coming", "loosening", "named", "really").
_VERB_SHAPED = re.compile(r"(?:ing|ed|ly)$")


# A scanned sentence: word tokens as (token, lower-cased, capitalised, forced) where `forced`
# means a sentence start or quotation may explain the capital; None marks a break (punctuation,
# a bare number).
_Scanned = list[tuple[str, str, bool, bool] | None]


def _scan(sentence: str) -> _Scanned:
    out: _Scanned = []
    previous = ""
    for index, raw in enumerate(_TOKEN.findall(sentence)):
        if not (raw[0].isalpha() or _LETTERS.search(raw)):
            out.append(None)
            previous = raw
            continue
        token = _POSSESSIVE.sub("", raw) if "s" in raw[-1:].lower() else raw
        opener = index == 0 or previous in _OPENERS
        out.append((token, token.lower(), token[0].isupper(), opener))
        previous = raw
    return out


def _names_seen(scanned: list[_Scanned]) -> set[str]:
    """Lower-cased words written capitalised somewhere a capital is not forced."""
    return {
        item[1]
        for tokens in scanned
        for item in tokens
        if item is not None and item[2] and not item[3]
    }


def _tokens(tokens: _Scanned, names: set[str]) -> list[tuple[str, bool] | None]:
    """Word tokens with a flag: written like a name, i.e. capitalised where a sentence or a
    quotation does not force a capital, an acronym, or a capitalised opener that the article
    writes as a name elsewhere."""
    out: list[tuple[str, bool] | None] = []
    for item in tokens:
        if item is None:
            out.append(None)
            continue
        token, lowered, capital, forced = item
        named = (
            capital
            and (not forced or (len(token) > 1 and token.isupper()) or lowered in names)
            and lowered not in _WEAK_CAPITALS
        )
        out.append((token, named))
    return out


def _candidates(
    tokens: list[tuple[str, bool] | None], common: frozenset[str]
) -> list[tuple[str, bool]]:
    """Runs of 1–3 content words (not in `common`) inside one sentence; flag = all words
    name-like."""
    found: list[tuple[str, bool]] = []
    run: list[tuple[str, bool]] = []

    def flush() -> None:
        count = len(run)
        for start in range(count):
            word, named = run[start]
            found.append((word, named))
            if start + 1 < count:
                second, named2 = run[start + 1]
                found.append((f"{word} {second}", named and named2))
                if start + 2 < count:
                    third, named3 = run[start + 2]
                    found.append((f"{word} {second} {third}", named and named2 and named3))
        run.clear()

    for item in tokens:
        if item is None:
            flush()
            continue
        token, named = item
        lowered = token.lower()
        if (
            len(token) < 2
            or lowered in common
            or lowered in _PAGE_WORDS
            or (lowered in _GENERIC and not named)
        ):
            flush()
            continue
        run.append(item)
    flush()
    return found


def _head(text: str) -> str:
    """The first `TOPIC_CHARS` characters, ended at a sentence: what an article is about is
    said early, and very long texts would cost time for nothing."""
    if len(text) <= TOPIC_CHARS:
        return text
    cut = text.rfind(". ", 0, TOPIC_CHARS)
    return text[: cut + 1 if cut > TOPIC_CHARS // 2 else TOPIC_CHARS]


def _analyse(
    title: str, text: str, language: str | None = None
) -> tuple[dict[str, float], dict[str, Counter[str]], Counter[str]]:
    title = headline(title)
    common = stopwords(language)
    english = language in (None, "en")
    sentences = [
        s for s in split_sentences(_DATELINE.sub("", _head(text))) if not about_the_article(s)
    ]
    scanned = [_scan(sentence) for sentence in sentences]
    names = _names_seen(scanned)
    if title:
        scanned.insert(0, _scan(title))
    scores: dict[str, float] = defaultdict(float)
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    in_body: Counter[str] = Counter()
    capital_counts: Counter[str] = Counter()
    position: dict[str, int] = {}
    for index, tokens in enumerate(scanned):
        is_title = bool(title) and index == 0
        for phrase, named in _candidates(_tokens(tokens, names), common):
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
        named = capital_counts[key] * 2 >= sum(surface[key].values())
        name_boost = 1.5 if named else 1.0
        if english and size == 1 and not named and _VERB_SHAPED.search(key):
            name_boost = 0.3  # "coming", "named": a verb or an adverb says little alone
        scores[key] = scores[key] * early * name_boost * (1.0 + 0.6 * (size - 1))
    return scores, surface, in_body


def keyphrases(title: str, text: str, *, limit: int = 8, language: str | None = None) -> list[str]:
    """The `limit` phrases (1–3 words) that best say what the article is about, best first.

    Frequency, an early first mention, the title, capitalisation (names) and length raise a
    phrase's score; a phrase must occur in the body (a multi-word one at least twice in all);
    a phrase overlapping a better one is dropped. `language` (ISO 639-1) is the text's: its
    stopwords are left out too (None: English or unknown)."""
    scores, surface, in_body = _analyse(title, text, language)
    ranked = sorted(scores, key=lambda k: (-scores[k], k))
    singular = _singular
    if language and language != "en" and has_stemmer(language):
        stem = stemmer(language)
        singular = lambda phrase: " ".join(stem(w) for w in phrase.split())  # noqa: E731
    chosen: list[str] = []
    for key in ranked:
        if len(chosen) >= limit:
            break
        if not in_body[key] or (key.count(" ") and _sum_counts(key, in_body, title) < 2):
            continue
        if any(_overlaps(key, other, singular) for other in chosen):
            continue
        chosen.append(key)
    return [surface[key].most_common(1)[0][0] for key in chosen]


def _sum_counts(key: str, in_body: Counter[str], title: str) -> int:
    return in_body[key] + (1 if key in title.lower() else 0)


def _singular(phrase: str) -> str:
    return " ".join(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in phrase.split()
    )


def _overlaps(first: str, second: str, singular: Callable[[str], str] = _singular) -> bool:
    """Does one phrase repeat the other ("Warner" in "Time Warner", "TimeWarner", "выборы"
    in "выборах" by a language's `singular`), or do two multi-word phrases share a word ("Sir
    Digby", "Digby Jones")?"""
    a, b = f" {singular(first)} ", f" {singular(second)} "
    if a in b or b in a or a.replace(" ", "") in b.replace(" ", ""):
        return True
    if b.replace(" ", "") in a.replace(" ", ""):
        return True
    return " " in first.strip() and " " in second.strip() and bool(set(a.split()) & set(b.split()))


def headline(title: str) -> str:
    """The headline of a page title without the site's name ("Storm hits coast | Daily
    Planet" -> "Storm hits coast"): the longest part between separators."""
    parts = [p.strip() for p in _TITLE_PARTS.split(title) if p.strip()]
    return max(parts, key=len) if len(parts) > 1 else title


def entities(text: str, *, limit: int = 10) -> list[str]:
    """Names (people, places, organisations): runs of words written like names, most
    mentioned first; honorifics are dropped ("Mr Blair" counts as "Blair")."""
    counts: Counter[str] = Counter()
    scanned = [_scan(sentence) for sentence in split_sentences(_head(text))]
    names = _names_seen(scanned)
    for tokens in scanned:
        run: list[str] = []
        for item in [*_tokens(tokens, names), None]:
            token, named = item if item is not None else ("", False)
            if named:
                run.append(token)
                continue
            while run and run[0].lower() in _TITLES:
                run.pop(0)
            if run:
                counts[" ".join(run)] += 1
            run = []
    return [name for name, _ in counts.most_common(limit)]
