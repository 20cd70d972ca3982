"""Feed rows: add (idempotent on the URL), list, remove, and the due list for the ingest tick."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Chat,
    ChatState,
    Feed,
    FeedCreate,
    Schedule,
    ScheduleKind,
    Subscription,
    SubscriptionKind,
)
from storage.reads import first


async def add_feed(session: AsyncSession, *, data: FeedCreate) -> tuple[Feed, bool]:
    """The feed with this URL, created if new; `True` when it was created. Caller commits."""
    existing = await get_feed_by_url(session, url=data.url)
    if existing is not None:
        return existing, False
    feed = Feed.model_validate(data)
    session.add(feed)
    await session.flush()
    return feed, True


async def get_feed(session: AsyncSession, *, feed_id: int) -> Feed | None:
    return await session.get(Feed, feed_id)


async def get_feed_by_url(session: AsyncSession, *, url: str) -> Feed | None:
    return await first(session, Feed, col(Feed.url) == url)


async def list_feeds(session: AsyncSession) -> Sequence[Feed]:
    result = await session.exec(select(Feed).order_by(col(Feed.id)))
    return result.all()


async def remove_feed(session: AsyncSession, *, feed_id: int) -> bool:
    result = await session.exec(delete(Feed).where(col(Feed.id) == feed_id))
    return bool(result.rowcount)


async def due_feeds(session: AsyncSession, *, now: datetime, limit: int = 100) -> Sequence[Feed]:
    """Feeds never checked or whose `next_check_at` has passed, oldest first."""
    statement = (
        select(Feed)
        .where(or_(col(Feed.next_check_at).is_(None), col(Feed.next_check_at) <= now))
        .order_by(col(Feed.next_check_at).is_not(None), col(Feed.next_check_at), col(Feed.id))
        .limit(limit)
    )
    result = await session.exec(statement)
    return result.all()


async def claim_due_feeds(
    session: AsyncSession, *, now: datetime, until: datetime, limit: int = 50
) -> Sequence[Feed]:
    """Take up to `limit` due feeds for refreshing by moving their `next_check_at` to `until`
    (a lease: a crashed refresh is retried then); on PostgreSQL `SKIP LOCKED`, so several
    workers never refresh the same feed at once. Caller commits (at once, to publish it)."""
    candidates = (
        select(Feed.id)
        .where(or_(col(Feed.next_check_at).is_(None), col(Feed.next_check_at) <= now))
        .order_by(col(Feed.next_check_at).is_not(None), col(Feed.next_check_at), col(Feed.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list((await session.exec(candidates)).all())
    if not ids:
        return []
    await session.exec(
        update(Feed)
        .where(col(Feed.id).in_(ids))
        .values(next_check_at=until)
        .execution_options(synchronize_session=False)
    )
    result = await session.exec(
        select(Feed).where(col(Feed.id).in_(ids)).execution_options(populate_existing=True)
    )
    by_id = {feed.id: feed for feed in result.all()}
    return [by_id[i] for i in ids if i in by_id]


async def set_check_interval(
    session: AsyncSession, *, feed_id: int, interval: timedelta | None
) -> Feed | None:
    """Check this feed every `interval` (None: the global setting); a check the new interval
    brings forward is due at once. The feed, or None when there is none. Caller commits."""
    feed = await session.get(Feed, feed_id, populate_existing=True)
    if feed is None:
        return None
    feed.check_interval = int(interval.total_seconds()) if interval is not None else None
    if interval is not None and feed.last_checked_at is not None and feed.next_check_at:
        feed.next_check_at = min(feed.next_check_at, feed.last_checked_at + interval)
    session.add(feed)
    await session.flush()
    return feed


async def make_due(session: AsyncSession, *, now: datetime, feed_id: int | None = None) -> int:
    """Every feed (or one) due now, whatever its schedule said: a forced refresh. Feeds a
    refresh holds (their lease) are due too; the second refresh only repeats a conditional
    GET. Returns how many. Caller commits."""
    statement = update(Feed).values(next_check_at=now)
    if feed_id is not None:
        statement = statement.where(col(Feed.id) == feed_id)
    result = await session.exec(statement.execution_options(synchronize_session=False))
    return int(result.rowcount)


@dataclass(frozen=True)
class RealtimeFollows:
    """The feeds active chats with a realtime schedule follow: a followed feed, or every feed
    when such a chat follows a topic (any feed may carry a matching article)."""

    every_feed: bool
    feed_ids: frozenset[int]

    def __contains__(self, feed_id: object) -> bool:
        return self.every_feed or feed_id in self.feed_ids

    def __bool__(self) -> bool:
        return self.every_feed or bool(self.feed_ids)


async def realtime_follows(session: AsyncSession) -> RealtimeFollows:
    statement = (
        select(Subscription.kind, Subscription.feed_id)
        .join(Schedule, col(Schedule.chat_id) == col(Subscription.chat_id))
        .join(Chat, col(Chat.id) == col(Subscription.chat_id))
        .where(Schedule.kind == ScheduleKind.REALTIME, Chat.state == ChatState.ACTIVE)
        .distinct()
    )
    rows = (await session.exec(statement)).all()
    every = any(kind == SubscriptionKind.TOPIC for kind, _feed in rows)
    return RealtimeFollows(every, frozenset(feed for kind, feed in rows if feed is not None))


async def feeds_to_subscribe(
    session: AsyncSession, *, lapse: datetime, asked_before: datetime
) -> Sequence[Feed]:
    """Feeds announcing a WebSub hub whose push subscription ends before `lapse` (or never
    started), not asked for since `asked_before`."""
    statement = select(Feed).where(
        col(Feed.hub_url).is_not(None),
        or_(col(Feed.websub_until).is_(None), col(Feed.websub_until) < lapse),
        or_(col(Feed.websub_requested_at).is_(None), col(Feed.websub_requested_at) < asked_before),
    )
    return (await session.exec(statement.order_by(col(Feed.id)))).all()


async def hasten(
    session: AsyncSession,
    follows: RealtimeFollows,
    *,
    now: datetime,
    interval: timedelta,
    normal: timedelta,
    beyond: datetime,
) -> int:
    """Bring the next check of followed feeds without an interval of their own forward to
    `interval` after their last check, for those due later than `beyond` — a feed due sooner
    may be held by a refresh right now (its claim moved `next_check_at` up to the lease's end,
    and `beyond` is that end) — and only when they wait the `normal` interval, not longer
    because the server asked (max-age, ttl, Retry-After). Returns how many moved. Caller
    commits."""
    statement = select(Feed).where(
        col(Feed.check_interval).is_(None),
        col(Feed.last_checked_at).is_not(None),
        col(Feed.next_check_at) > beyond,
        Feed.error_count == 0,
    )
    if not follows.every_feed:
        statement = statement.where(col(Feed.id).in_(sorted(follows.feed_ids)))
    moved = 0
    for feed in (await session.exec(statement)).all():
        assert feed.last_checked_at is not None
        pushed = feed.hub_url and feed.websub_until and feed.websub_until > now
        asked_later = feed.next_check_at and feed.next_check_at > feed.last_checked_at + normal
        if pushed or asked_later:
            continue
        feed.next_check_at = max(now, feed.last_checked_at + interval)
        session.add(feed)
        moved += 1
    return moved
