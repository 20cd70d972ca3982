"""Story clustering for reporting, not copying: whether a new article reports the same event as
a story of the last few days, from what outlets share when they cover one event (names,
numbers, headline words, rare lead terms) and how close in time they are. Pure, no I/O."""

from __future__ import annotations

import functools
import heapq
import json
import math
import re
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from importlib import resources

from ingest.text import STOPWORDS, wordset

STORY_WINDOW = timedelta(days=4)  # events are short-lived; BASIL's outlets differ by ≤ 4 days
DECAY_DAYS = 2.0  # similarity × exp(-Δdays / span) against the story's latest article, where
NOVELTY_POWER = 4  # span = DECAY_DAYS × (share of the article's terms the story has)^this
THRESHOLD = 0.23  # on the tune halves of both benchmark sets (benchmarks/stories.py)
LEAD_WORDS = 80  # the lead: what every outlet puts first, and all a teaser carries
TITLE_WEIGHT = 2.0  # a headline word counts this much more than a lead word
NAME_WEIGHT = 1.5  # ... and a name or number this much more again
RETRIEVE_TERMS = 16  # an article's most telling terms look up candidate stories ...
RETRIEVE_MAX_DF = 100  # ... unless more recent stories than this share one (cost cap)
CANDIDATES = 12  # stories scored in full per article
NORM_REFRESH = 200  # articles after which a story's length is recomputed with newer rarities
IDF_VERSION = 1  # of ingest/models/story_idf.json (training/story_idf.py)
PRIOR_WEIGHT = 1.0  # the general-news prior counts as this many windows' worth of articles
# Full text: two whole reports of one event share far more rare terms than two leads do (on
# BASIL's tune half, 7x fewer pairs of different events reach the bar than with leads), so
# other outlets' reports days later can be recognised without taking a lead a day later, which
# may be a new development, for a retelling. A full-text article also compares its whole text
# with each full-text member of a story (single link), with its own bar and a slower decay.
BODY_WORDS = 200  # a text this long is more than a lead (a teaser or roundup has ~100)
BODY_TERMS = 60  # the whole text's most telling terms, kept per article
BODY_MEMBERS = 8  # full-text members compared per story (the latest)
BODY_THRESHOLD = 0.25  # on the tune halves (benchmarks/stories.py --tune)
BODY_DECAY_DAYS = 4.0  # similarity × exp(-Δdays / this), Δ from the member compared
# The event is in the headline and lead; two texts of one saga share its background (cast,
# places, history) however different the event, and so do their leads when they name the same
# people. So whole texts count only when the leads also agree on what happened: their
# similarity without the names the article's lead gives (figures stay), before time decay.
BODY_EVENT_FLOOR = 0.08  # on the tune halves, with the stress streams of --tune
# Conversely, two leads of one saga can share enough of its everyday names (head of state,
# party, legislature, capital) to pass the lead threshold for different events, and a sparse
# window cannot tell those names are background (one story of the saga in it). When both the
# article and the story have full texts, a lead match counts only if the whole texts agree at
# least a little (cosine before time decay) and the leads agree beyond the cast, as above.
# Title-and-lead articles (teasers, roundups) are not affected: they have nothing more to say.
LEAD_TEXT_FLOOR = 0.15  # on the tune halves and the stress streams of --tune
LEAD_EVENT_FLOOR = 0.04  # the same

# Words every news report uses whatever the event: they say nothing about which event.
_NEWS_WORDS = wordset(
    """said says say told tell according report reports reported reporting news
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow week
    weeks weekend month months year years day days time times new first last
    mr mrs ms dr people percent per cent statement thing things way ways"""
)
_TOKEN = re.compile(r"[$€£]?\d[\d,.]*%?|[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s?$")
_SENTENCE_END = re.compile(r"[.!?:]")


@dataclass(frozen=True)
class Features:
    """What one article says about its event: term → weight before rarity (role only)."""

    weights: Mapping[str, float]
    names: frozenset[str] = frozenset()
    body: Mapping[str, float] = field(default_factory=dict)  # full text: term → log count

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "w": {t: round(w, 3) for t, w in self.weights.items()},
            "n": sorted(self.names),
        }
        if self.body:
            data["b"] = {t: round(w, 3) for t, w in self.body.items()}
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Features:
        weights = data.get("w", {})
        names = data.get("n", [])
        body = data.get("b", {})
        if not isinstance(weights, dict) or not isinstance(names, list):
            return cls({})
        return cls(
            {str(t): float(w) for t, w in weights.items() if isinstance(w, int | float)},
            frozenset(str(n) for n in names),
            {str(t): float(w) for t, w in body.items() if isinstance(w, int | float)}
            if isinstance(body, dict)
            else {},
        )


@functools.lru_cache(maxsize=200_000)
def _normal(token: str) -> str:
    """Lower case, no possessive, crude singular: "Senators'" and "senator" are one term;
    "" for a word that says nothing about an event (stopwords, news boilerplate)."""
    word = _POSSESSIVE.sub("", token.lower()).replace(",", "")
    if word[:1].isdigit() or word[:1] in "$€£":
        word = word.rstrip(".")
        return word if len(word) > 1 or word.isdigit() else ""
    if len(word) < 3 or word in STOPWORDS or word in _NEWS_WORDS:
        return ""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return "" if word in STOPWORDS or word in _NEWS_WORDS else word


def terms(text: str) -> list[str]:
    """The normalised useful terms of a text, in order (what rarity is counted over)."""
    return [w for w in map(_normal, _TOKEN.findall(text)) if w]


@functools.cache
def prior() -> tuple[int, dict[str, int]]:
    """Document frequencies in general news (articles, term → articles): the rarity of a term
    before the recent window has seen enough to say."""
    raw = resources.files("ingest").joinpath("models/story_idf.json").read_text("utf-8")
    data = json.loads(raw)
    if data.get("version") != IDF_VERSION:
        raise RuntimeError("ingest/models/story_idf.json: unexpected version")
    return int(data["documents"]), {str(t): int(n) for t, n in data["df"].items()}


def _lead_terms(text: str) -> tuple[list[str], set[str]]:
    """The lead's terms, and those written like names or numbers in running text: figures,
    and capitalised words that do not open a sentence (or that the lead also capitalises
    elsewhere)."""
    lead = " ".join(text.split(None, LEAD_WORDS)[:LEAD_WORDS])
    found: list[str] = []
    names: set[str] = set()
    opening: set[str] = set()
    previous = 0
    for match in _TOKEN.finditer(lead):
        token = match.group()
        start, end = match.span()
        word = _normal(token)
        if not word:
            previous = end
            continue
        found.append(word)
        if word[:1].isdigit() or word[:1] in "$€£":
            names.add(word)
        elif token[:1].isupper():
            starts = start == 0 or _SENTENCE_END.search(lead, previous, start) is not None
            (opening if starts else names).add(word)
        previous = end
    return found, names | (opening & names)


def features(title: str, text: str) -> Features:
    """The weighted terms of the headline and lead, names and numbers weighted up. A teaser
    (a headline and a sentence) gets the same kind of features, only fewer."""
    lead, names = _lead_terms(text)
    weights = dict.fromkeys(lead, 1.0)
    for word in terms(title):
        weights[word] = TITLE_WEIGHT
        if word[:1].isdigit():
            names.add(word)
    for word in names:
        weights[word] = weights.get(word, 1.0) * NAME_WEIGHT
    return Features(weights, frozenset(names), _body(title, text))


def _body(title: str, text: str) -> dict[str, float]:
    """A full text's most telling terms (log count × general-news rarity), each with its log
    count; empty for a text no longer than a lead."""
    if len(text.split(None, BODY_WORDS)) < BODY_WORDS:
        return {}
    counts = {t: 1 + math.log(n) for t, n in _counts(title + "\n" + text).items()}
    known, unseen = _general_rarity()
    telling = {t: n * known.get(t, unseen) for t, n in counts.items()}
    return {t: counts[t] for t in heapq.nlargest(BODY_TERMS, telling, key=telling.__getitem__)}


def _counts(text: str) -> dict[str, int]:
    """`Counter(terms(text))`, normalising each distinct word once (a long text repeats most)."""
    counts: dict[str, int] = {}
    for token, n in Counter(_TOKEN.findall(text)).items():
        word = _normal(token)
        if word:
            counts[word] = counts.get(word, 0) + n
    return counts


@functools.cache
def _general_rarity() -> tuple[dict[str, float], float]:
    """Rarity in general news (the shipped prior), which picks a full text's terms: per term
    of the prior, and for a term it never saw."""
    documents, prior_df = prior()
    top = math.log(documents + 2)
    return {t: top - math.log(n + 1) for t, n in prior_df.items()}, top


@dataclass(frozen=True)
class Decision:
    """Where an article went and why: the story, the similarity and the terms that drove it."""

    story: int
    joined: bool
    similarity: float = 0.0
    shared: tuple[str, ...] = ()
    basis: str = "lead"  # what was compared: the leads with the story, or two full texts

    def explain(self) -> dict[str, object]:
        return {
            "similarity": round(self.similarity, 3),
            "shared": list(self.shared),
            "basis": self.basis,
        }


@dataclass
class _Story:
    weights: Counter[str] = field(default_factory=Counter)
    latest: float = 0.0
    members: int = 0
    norm: float = 0.0  # of the rarity-weighted terms, as of `norm_at` articles in the window
    norm_at: int = -1
    # the latest full-text members: (time, rarity-weighted terms, their length)
    bodies: deque[tuple[float, dict[str, float], float]] = field(
        default_factory=lambda: deque(maxlen=BODY_MEMBERS)
    )


@dataclass
class StoryIndex:
    """Stories of the last `window`, an inverted index over their terms, and each term's
    document frequency over the same window (the rarity that weighs it). Articles must arrive
    in time order; what falls out of the window is forgotten, so the cost per article depends
    on how many articles a window holds per term, not on the size of the store."""

    window: timedelta = STORY_WINDOW
    threshold: float = THRESHOLD
    decay_days: float = DECAY_DAYS
    body_threshold: float = BODY_THRESHOLD
    body_decay_days: float = BODY_DECAY_DAYS
    body_event_floor: float = BODY_EVENT_FLOOR
    lead_text_floor: float = LEAD_TEXT_FLOOR
    lead_event_floor: float = LEAD_EVENT_FLOOR
    stories: dict[int, _Story] = field(default_factory=dict)
    postings: dict[str, dict[int, float]] = field(default_factory=dict)
    df: Counter[str] = field(default_factory=Counter)
    articles: int = 0
    _seen: deque[tuple[float, int, tuple[str, ...]]] = field(default_factory=deque)
    _next_story: int = 1

    def idf(self, term: str) -> float:
        """Rarity over the recent window, smoothed by general news (the shipped prior)."""
        return self._rarity()(term)

    def _rarity(self) -> Callable[[str], float]:
        """`idf` with the window's current counts bound once (it is called for every term)."""
        documents, prior_df = prior()
        scale = PRIOR_WEIGHT * max(1.0, self.articles / documents)
        top = math.log(self.articles + scale * documents + 2)
        df, log = self.df, math.log
        return lambda term: top - log(df.get(term, 0) + scale * prior_df.get(term, 0) + 1)

    def assign(self, feats: Features, at: datetime, *, story: int | None = None) -> Decision:
        """Decide the article's story (a new one if none is similar enough) and add it. Pass
        `story` to record a decision made elsewhere (a near-copy, a stored article)."""
        now = at.timestamp()
        self._expire(now)
        rarity = self._rarities(feats)  # the window does not change until the article is added
        decision = (
            Decision(story, joined=True, similarity=1.0)
            if story is not None
            else self._best(feats, now, rarity)
        )
        if not decision.joined:
            decision = replace(decision, story=self._new_id(decision.story))
        self._add(decision.story, feats, now, rarity)
        return decision

    def _rarities(self, feats: Features) -> dict[str, float]:
        """The rarity of each term of the article's lead and full text."""
        idf = self._rarity()
        rarity = {t: idf(t) for t in feats.weights}
        for term in feats.body:
            if term not in rarity:
                rarity[term] = idf(term)
        return rarity

    def best(self, feats: Features, at: datetime) -> Decision:
        """The most similar recent story if similar enough; otherwise a decision to start one."""
        return self._best(feats, at.timestamp(), self._rarities(feats))

    def _best(self, feats: Features, now: float, rarity: Mapping[str, float]) -> Decision:
        idf = self._rarity()
        mine = {t: w * rarity[t] for t, w in feats.weights.items()}
        norm = math.sqrt(sum(v * v for v in mine.values()))
        total = sum(mine.values())
        if not norm:
            return Decision(0, joined=False)
        overlap: dict[int, float] = {}
        for term in heapq.nlargest(RETRIEVE_TERMS, mine, key=mine.__getitem__):
            value = mine[term]
            posting = self.postings.get(term)
            if not posting or len(posting) > RETRIEVE_MAX_DF:
                continue
            for story_id in posting:
                overlap[story_id] = overlap.get(story_id, 0.0) + value
        body = {t: w * rarity[t] for t, w in feats.body.items()}
        body_norm = math.sqrt(sum(v * v for v in body.values()))
        event = _Event(feats, mine)
        best = Decision(0, joined=False)
        best_key = 0.0
        for story_id in heapq.nlargest(CANDIDATES, overlap, key=overlap.__getitem__):
            story = self.stories.get(story_id)
            if story is None:
                continue
            days = max(0.0, now - story.latest) / 86400
            if days > self.window.total_seconds() / 86400:
                continue
            weights = story.weights
            common = {t: v * weights[t] * rarity[t] for t, v in mine.items() if t in weights}
            score = sum(common.values()) / (norm * self._norm(story, idf))
            if days:  # a retelling stays news for days, new facts make a new development
                told = sum(mine[t] for t in common) / total
                span = self.decay_days * told**NOVELTY_POWER
                score *= math.exp(-days / span) if span > 0 else 0.0
            texts = bool(body_norm and story.bodies)  # both sides have full texts
            agreement = (
                event.agreement(common, story, self._norm(story, idf), rarity) if texts else 0.0
            )
            if score / self.threshold > best_key and (
                not texts  # between full texts, the leads must agree beyond the cast ...
                or (
                    agreement >= self.lead_event_floor  # ... and so must the whole texts
                    and _full_text(body, body_norm, story.bodies, now, math.inf)[0]
                    >= self.lead_text_floor
                )
            ):
                best_key = score / self.threshold
                ranked = sorted(common, key=common.__getitem__, reverse=True)
                best = Decision(story_id, joined=False, similarity=score, shared=tuple(ranked[:8]))
            if texts and agreement >= self.body_event_floor:
                text_score, text_shared = _full_text(
                    body, body_norm, story.bodies, now, self.body_decay_days
                )
                if text_score / self.body_threshold > best_key:
                    best_key = text_score / self.body_threshold
                    best = Decision(story_id, False, text_score, text_shared, basis="full text")
        if best_key >= 1.0:
            return replace(best, joined=True)
        return replace(best, story=0)

    def _norm(self, story: _Story, idf: Callable[[str], float]) -> float:
        """The story's vector length; rarity drifts slowly, so it is recomputed only when the
        story changed or the window has grown or shrunk by a tenth (`NORM_REFRESH` at least)."""
        drift = max(NORM_REFRESH, self.articles // 10)
        if story.norm_at < 0 or abs(self.articles - story.norm_at) > drift:
            story.norm = math.sqrt(sum((w * idf(t)) ** 2 for t, w in story.weights.items()))
            story.norm_at = self.articles
        return story.norm or 1.0

    def _new_id(self, hint: int) -> int:
        story_id = hint or self._next_story
        self._next_story = max(self._next_story, story_id) + 1
        return story_id

    def _add(self, story_id: int, feats: Features, now: float, rarity: Mapping[str, float]) -> None:
        story = self.stories.setdefault(story_id, _Story())
        if story.norm_at >= 0:  # grow the length by the added terms only (big stories)
            squares = story.norm * story.norm
            for term, weight in feats.weights.items():
                before = story.weights.get(term, 0.0)
                squares += ((before + weight) ** 2 - before * before) * rarity[term] ** 2
            story.norm = math.sqrt(squares)
        story.weights.update(feats.weights)
        if feats.body:
            body = {t: w * rarity[t] for t, w in feats.body.items()}
            story.bodies.append((now, body, math.sqrt(sum(v * v for v in body.values()))))
        story.latest = max(story.latest, now)
        story.members += 1
        terms = tuple(feats.weights)
        for term in terms:
            self.postings.setdefault(term, {})[story_id] = now
            self.df[term] += 1
        self.articles += 1
        self._seen.append((now, story_id, terms))

    def _expire(self, now: float) -> None:
        horizon = now - self.window.total_seconds()
        while self._seen and self._seen[0][0] < horizon:
            _, story_id, terms = self._seen.popleft()
            self.articles -= 1
            for term in terms:
                self.df[term] -= 1
                if self.df[term] <= 0:
                    del self.df[term]
                posting = self.postings.get(term)
                if posting is not None and posting.get(story_id, now) < horizon:
                    del posting[story_id]
                    if not posting:
                        del self.postings[term]
            story = self.stories.get(story_id)
            if story is not None and story.latest < horizon:
                del self.stories[story_id]


class _Event:
    """An article's lead without its cast (the people and places it names), to ask whether a
    story's leads agree on what happened, not only on who it happened to."""

    def __init__(self, feats: Features, mine: Mapping[str, float]) -> None:
        self.cast = {n for n in feats.names if not (n[:1].isdigit() or n[:1] in "$€£")}
        self.norm = math.sqrt(sum(v * v for t, v in mine.items() if t not in self.cast))

    def agreement(
        self,
        common: Mapping[str, float],
        story: _Story,
        story_norm: float,
        rarity: Mapping[str, float],
    ) -> float:
        """The cosine of the lead and the story's leads over terms other than the cast
        (`common`: the lead's terms the story has, as products of weights)."""
        shared = sum(v for t, v in common.items() if t not in self.cast)
        rest = story_norm**2 - sum(
            (story.weights[t] * rarity[t]) ** 2 for t in self.cast if t in story.weights
        )
        return shared / (self.norm * math.sqrt(rest)) if shared and self.norm and rest > 0 else 0.0


def _full_text(
    body: Mapping[str, float],
    norm: float,
    members: deque[tuple[float, dict[str, float], float]],
    now: float,
    decay_days: float,
) -> tuple[float, tuple[str, ...]]:
    """The best cosine of a full text with a story's full-text members, each decayed by how
    long before it was reported, and the terms that matched it most."""
    best: tuple[float, tuple[str, ...]] = (0.0, ())
    for at, other, other_norm in members:
        common = {t: v * other[t] for t, v in body.items() if t in other}
        if not common or not other_norm:
            continue
        days = max(0.0, now - at) / 86400
        score = sum(common.values()) / (norm * other_norm) * math.exp(-days / decay_days)
        if score > best[0]:
            ranked = sorted(common, key=common.__getitem__, reverse=True)
            best = (score, tuple(ranked[:8]))
    return best
