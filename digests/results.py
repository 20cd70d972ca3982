"""/latest and /search as lists of stories: matching articles grouped by story, each story
once, shown by its first report with the other outlets that carried it, newest first. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from digests.render import ArticleLike, ItemView, item_view, safe_url, source_name


def reported_at(article: ArticleLike) -> datetime:
    """When an article appeared: its publication time, or when we stored it if it has none or
    claims a time after that (a feed's clock that runs ahead cannot pin it to the top)."""
    published = article.published_at
    if published is None or published > article.stored_at:
        return article.stored_at
    return published


def _story_key(article: ArticleLike) -> int:
    # an article in no story stands alone (negative keys never meet a story id)
    return article.story_id if article.story_id is not None else -(article.id or 0)


def _source(article: ArticleLike) -> str:
    return source_name(
        safe_url(article.url) or safe_url(article.canonical_url), article.source_name
    )


def first_story_ids(matches: Sequence[ArticleLike], *, limit: int) -> list[int]:
    """The story ids of the first `limit` stories among `matches` (articles in no story count
    as a story each but have no id to give)."""
    keys = list(dict.fromkeys(_story_key(a) for a in matches))[:limit]
    return [key for key in keys if key >= 0]


def story_items(
    matches: Sequence[ArticleLike],
    *,
    outlets: Sequence[ArticleLike] = (),
    limit: int,
) -> list[ItemView]:
    """The first `limit` stories among `matches` (best first: the order of first appearance
    decides which stories make the list), newest first. Each story is shown by its earliest
    matching article; `outlets` (every article of those stories) names the others that
    reported it, each source once."""
    stories: dict[int, list[ArticleLike]] = {}
    for article in matches:
        key = _story_key(article)
        if key not in stories and len(stories) >= limit:
            continue
        stories.setdefault(key, []).append(article)
    by_story: dict[int, list[ArticleLike]] = {}
    for article in [*matches, *outlets]:
        by_story.setdefault(_story_key(article), []).append(article)
    items: list[tuple[datetime, int, ItemView]] = []
    for key, found in stories.items():
        first = min(found, key=lambda a: (reported_at(a), a.id or 0))
        own = _source(first)
        seen = {first.id}
        others = []
        for other in by_story.get(key, []):
            if other.id in seen or _source(other) == own:
                continue
            seen.add(other.id)
            others.append(other)
        others.sort(key=lambda a: (reported_at(a), a.id or 0))
        items.append((reported_at(first), first.id or 0, item_view(first, also=others)))
    items.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [view for _when, _id, view in items]
