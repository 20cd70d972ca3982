"""Adding a feed — the one way `/addfeed` and `digestbot feeds add` both take (discover the
feed a site's page announces, fetch it once, parse it, refuse duplicates) — and feed health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from ingest.fetch import Fetcher, FetchError, FetchResult, UnsafeURLError
from ingest.parse import FeedParseError, ParsedFeed, discover_feeds, parse_feed
from storage import feeds as feed_store
from storage.models import Feed, FeedCreate, FeedState

MAX_URL = 2000


class AddFeedError(ValueError):
    """The feed was not added; `str()` is one line saying why, for a person to act on."""


class RefusedURLError(AddFeedError):
    """The address (or the one a page announced) leads somewhere we never fetch from."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refused {url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class AddedFeed:
    feed: Feed
    created: bool  # False: the feed was already in the list (`feed` is that one)
    announced_by: str | None = None  # the page whose <link rel="alternate"> named the feed
    entries: int | None = None  # entries the feed carries now (None: not fetched)


async def add_feed(
    session: AsyncSession,
    *,
    url: str,
    fetcher: Fetcher,
    now: datetime,
    added_by: int | None = None,
    full_text: bool | None = None,
    check: bool = True,
) -> AddedFeed:
    """Add the feed at `url` — or the feed a web page at `url` announces — after fetching and
    parsing it once (`check=False` only refuses unsafe addresses). A feed already in the list,
    under the given or the discovered address, is returned with `created=False`. An article
    or any page that is not a feed and announces none is refused (`AddFeedError`). The fetches
    happen before the one write; the caller commits."""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")) or len(url) > MAX_URL:
        raise AddFeedError(f"not an http(s) URL: {url[:200]}")
    existing = await feed_store.get_feed_by_url(session, url=url)
    if existing is not None:
        return AddedFeed(existing, created=False)
    await _check(fetcher, url)
    title = site_url = announced_by = None
    entries: int | None = None
    if check:
        url, fetched, parsed, announced_by = await _fetch_feed(fetcher, url, now=now)
        for known in (url, fetched.permanent_url, fetched.url):  # as announced, or moved
            if known and (found := await feed_store.get_feed_by_url(session, url=known)):
                return AddedFeed(found, created=False, announced_by=announced_by)
        url = fetched.permanent_url or url
        title, site_url, entries = parsed.title, parsed.site_url, len(parsed.entries)
    feed, created = await feed_store.add_feed(
        session,
        data=FeedCreate(
            url=url, title=title, site_url=site_url, full_text=full_text, added_by=added_by
        ),
    )
    return AddedFeed(feed, created=created, announced_by=announced_by, entries=entries)


async def _check(fetcher: Fetcher, url: str) -> None:
    try:
        await fetcher.check(url)
    except FetchError as exc:
        raise RefusedURLError(url, str(exc)) from None


async def _fetch_feed(
    fetcher: Fetcher, url: str, *, now: datetime
) -> tuple[str, FetchResult, ParsedFeed, str | None]:
    """(feed URL, its fetch, its entries, the announcing page): the feed at `url`, or else the
    first feed the page at `url` announces."""
    fetched = await _fetch(fetcher, url)
    try:
        return url, fetched, _parse(fetched, now=now), None
    except FeedParseError as error:
        candidates = discover_feeds(fetched.content, url=fetched.url)
        if not candidates:
            raise AddFeedError(f"{url} is not a feed and links to none ({error})") from None
    feed_url = candidates[0]
    await _check(fetcher, feed_url)
    feed = await _fetch(fetcher, feed_url)
    try:
        parsed = _parse(feed, now=now)
    except FeedParseError as exc:
        raise AddFeedError(f"{feed_url}, announced by {url}, is not a feed: {exc}") from None
    return feed_url, feed, parsed, url


async def _fetch(fetcher: Fetcher, url: str) -> FetchResult:
    try:
        return await fetcher.fetch(url)
    except UnsafeURLError as exc:
        raise RefusedURLError(url, str(exc)) from None
    except FetchError as exc:
        raise AddFeedError(f"cannot fetch {url}: {exc}") from None


def _parse(fetched: FetchResult, *, now: datetime) -> ParsedFeed:
    content_type = fetched.content_type
    if fetched.charset:
        content_type += f"; charset={fetched.charset}"
    return parse_feed(fetched.content, url=fetched.url, now=now, content_type=content_type)


# --- health -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedHealth:
    """How a feed is doing, in the words `/feeds` and `digestbot feeds list` both show."""

    status: Literal["new", "ok", "error", "failing"]
    label: str  # "ok", "not checked yet", "error ×1", "failing ×3"
    last_error: str | None

    @property
    def icon(self) -> str:
        return {"new": "🕓", "ok": "✅", "error": "⚠️", "failing": "❌"}[self.status]

    def describe(self, limit: int = 120) -> str:
        """The label, with the last error when there is one."""
        if self.last_error:
            return f"{self.label}: {self.last_error[:limit]}"
        return self.label


def feed_health(feed: Feed) -> FeedHealth:
    """A feed is "ok" only when its last fetch worked: a single 404 is an error already, and
    "failing" once it has failed often enough for subscribers to be told."""
    if feed.state == FeedState.FAILING:
        return FeedHealth("failing", f"failing ×{feed.error_count}", feed.last_error)
    if feed.error_count or feed.last_error:
        return FeedHealth("error", f"error ×{max(feed.error_count, 1)}", feed.last_error)
    if feed.last_checked_at is None:
        return FeedHealth("new", "not checked yet", None)
    return FeedHealth("ok", "ok", None)
