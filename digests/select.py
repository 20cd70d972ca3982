"""Choose what goes into one chat's digest — pure functions, `now` passed in.

New means stored after the chat's watermark (not published after: a late-dated article is
still new), matching one of its topics or feeds, not muted, its story not yet sent to the chat
— or, when it was, an article from a later day (a developing story, or a wrong merge) shown as
a marked update rather than dropped. One story is one item (the other outlets listed), ranked
by match strength, story size and recency, capped at the chat's maximum; the rest wait for /more.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from digests.query import MuteMatcher
from storage.rows import ArticleRow, Watermark

MORE_PAGES = 1  # "+N more" holds back up to this many pages of max_items for /more
RECENCY_HALF_LIFE_HOURS = 12.0
# An article joining a story the chat already got is news again if it came this much later
# than the story's earlier articles: a development, or a merge that should not have happened.
UPDATE_AFTER = timedelta(hours=12)

Candidate = ArticleRow  # the columns of an article that selection and rendering need


@dataclass(slots=True)  # not frozen: a tick makes millions, and frozen init is 5x slower
class Ranked:
    article: Candidate
    topic: str
    score: float
    also: tuple[Candidate, ...] = ()
    update: bool = False  # its story was sent to the chat before: shown as an update


@dataclass(frozen=True, slots=True)
class Selection:
    shown: tuple[Ranked, ...]
    hidden: tuple[Ranked, ...]  # kept for /more
    overflow: int = field(default=0)  # matching stories beyond shown (hidden + dropped)

    @property
    def empty(self) -> bool:
        return not self.shown

    def key(self) -> tuple[object, ...]:
        """Identity of what a digest would show, within one tick (where an article's other
        outlets are fixed): digests with equal keys render alike."""
        return (
            tuple([r.article.id for r in self.shown]),
            tuple([r.topic for r in self.shown]),
            tuple([r.update for r in self.shown]),
            len(self.hidden),
        )


def is_update(article: Candidate, others: Sequence[Candidate]) -> bool:
    """Whether an article of a story the chat already got adds something: it was published
    `UPDATE_AFTER` or more after the story's earlier articles (with none, it is what was sent)."""
    at = article.published_at or article.stored_at
    earlier = [o.published_at or o.stored_at for o in others if o.mark < article.mark]
    return bool(earlier) and at - min(earlier) >= UPDATE_AFTER


def is_new(article: Candidate, watermark: Watermark | None) -> bool:
    return watermark is None or article.mark > watermark


def recency(article: Candidate, now: datetime) -> float:
    """1 for a story from now, halving every RECENCY_HALF_LIFE_HOURS; a future date counts as
    now, a missing one as its stored time."""
    when = article.published_at or article.stored_at
    hours = max(0.0, (now - when).total_seconds() / 3600)
    return float(0.5 ** (hours / RECENCY_HALF_LIFE_HOURS))


def normalized(matches: Mapping[int, float]) -> dict[int, float]:
    """Scores of one topic scaled to (0, 1]: engines' raw scores are not comparable."""
    if not matches:
        return {}
    top = max(matches.values())
    low = min(matches.values())
    span = top - low
    return {a: (0.5 + 0.5 * (s - low) / span) if span > 0 else 1.0 for a, s in matches.items()}


def rank_score(match: float, sources: int, article: Candidate, now: datetime) -> float:
    """Match strength first, then how many outlets report the story, then recency."""
    return 2.0 * match + 0.6 * math.log2(1 + max(1, sources)) + recency(article, now)


@dataclass(frozen=True, slots=True)
class Scored:
    """One matching article, ranked once per tick for every chat that follows the topic."""

    article: Candidate
    others: tuple[Candidate, ...]  # the other outlets' articles of its story


# (-score, -article id, list id, match): plain tuples sort in C; the list id (unique per
# ranked list) breaks ties, so the Scored itself is never compared
Entry = tuple[float, int, int, Scored]


def score_matches(
    matches: Mapping[int, float],
    *,
    articles: Mapping[int, Candidate],
    story_articles: Mapping[int, Sequence[Candidate]],
    now: datetime,
    list_id: int = 0,
) -> list[Entry]:
    """A topic's (or feed's) matches ranked: match strength, story size across outlets,
    recency. Best first."""
    entries: list[Entry] = []
    for article_id, match in matches.items():
        article = articles.get(article_id)
        if article is not None:
            story = story_articles.get(article.story_key, ())
            score = rank_score(match, len(story) or 1, article, now)
            others = tuple(a for a in story if a.id != article.id)
            entries.append((-score, -article.id, list_id, Scored(article, others)))
    entries.sort(key=lambda e: (e[0], e[1]))
    return entries


def select_stories(
    *,
    topics: Sequence[tuple[str, Sequence[Entry]]],
    watermark: Watermark | None,
    mutes: MuteMatcher | None = None,
    sent_stories: frozenset[int] | set[int] = frozenset(),
    max_items: int = 10,
) -> Selection:
    """One chat's digest from its topics' and feeds' ranked matches (`score_matches`, each
    list with its own `list_id`), as (label, matches) in the order the chat follows them.

    Each story appears once, with the label and article of its best match and the other
    outlets that reported it; the first `max_items` are shown, the next `MORE_PAGES` pages
    are kept for /more."""
    cap = max(1, max_items)
    wanted = cap * (1 + MORE_PAGES)
    labels = {m[0][2]: label for label, m in topics if m}
    lists = [m for _, m in topics if m]
    # Most chats need only the heads of their lists: sort the heads (in C) as far as they are
    # complete, and merge the whole lists lazily only when skipped stories leave that short.
    ranked = _pick(_heads(lists, wanted), labels, wanted, watermark, mutes, sent_stories)
    if len(ranked) < wanted and any(len(m) > wanted for m in lists):
        merged = lists[0] if len(lists) == 1 else heapq.merge(*lists)
        ranked = _pick(merged, labels, wanted, watermark, mutes, sent_stories)
    return Selection(tuple(ranked[:cap]), tuple(ranked[cap:]), overflow=max(0, len(ranked) - cap))


def _heads(lists: Sequence[Sequence[Entry]], size: int) -> Sequence[Entry]:
    """The lists' first `size` entries in rank order, up to the point where a cut list's
    entries left out could rank higher."""
    if len(lists) == 1:
        return lists[0][:size]
    entries = sorted(e for m in lists for e in m[:size])
    bound = min((m[size - 1] for m in lists if len(m) > size), default=None)
    if bound is None:
        return entries
    return entries[: bisect.bisect_right(entries, bound)]


def _pick(
    entries: Iterable[Entry],
    labels: Mapping[int, str],
    wanted: int,
    watermark: Watermark | None,
    mutes: MuteMatcher | None,
    sent_stories: frozenset[int] | set[int],
) -> list[Ranked]:
    taken: set[int] = set()
    ranked: list[Ranked] = []
    for entry in entries:
        neg_score, _, list_id, scored = entry
        article = scored.article
        key = article.story_key
        if key in taken or (watermark and not is_new(article, watermark)):
            continue
        update = key in sent_stories
        if update and not is_update(article, scored.others):
            continue  # the same news again, from another outlet: the chat has it
        taken.add(key)
        if mutes and mutes.matches(article.title, article.summary, article.keyphrases):
            continue
        ranked.append(Ranked(article, labels[list_id], -neg_score, scored.others, update))
        if len(ranked) >= wanted:
            break
    return ranked


def grouped(items: Sequence[Ranked], order: Sequence[str]) -> list[tuple[str, list[Ranked]]]:
    """Items grouped by topic: groups in the order of their best item, items by rank;
    `order` breaks ties the way the chat listed its topics."""
    groups: dict[str, list[Ranked]] = {}
    for item in items:
        groups.setdefault(item.topic, []).append(item)
    position = {label: i for i, label in enumerate(order)}
    return sorted(groups.items(), key=lambda g: (-g[1][0].score, position.get(g[0], len(position))))
