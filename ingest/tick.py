"""The ingest tick: claim due feeds and refresh each in a transaction of its own, several at
once; a refresh that crashes is recorded as the feed's failure, a deadlock retried."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from ingest.fetch import Fetcher
from ingest.health import Polling, RefreshResult, record_failure
from ingest.pipeline import refresh_feed
from storage import feeds as feed_store

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)  # a refresh that crashed is retried after this
DUE_SLACK = timedelta(seconds=2)  # checks due this soon after a tick are taken by it
RETRIES = 3  # attempts per feed when PostgreSQL reports a deadlock
PARALLEL_FEEDS = 4  # feeds refreshed at once by one tick (on SQLite: fetched at once)


async def refresh_due_feeds(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    fetcher: Fetcher,
    now: datetime,
    limit: int = 50,
    on_result: Callable[[RefreshResult], None] | None = None,
    clock: Callable[[], datetime] | None = None,
    polling: Polling | None = None,
) -> list[RefreshResult]:
    """The ingest tick: claim due feeds, refresh each in a transaction of its own, several at
    once, each next check set by `polling`. On SQLite, which has one writer, they are fetched
    side by side and written one at a time (a stalled server delays only its own feed).
    `on_result` sees each result as it is committed (a progress bar)."""
    polling = polling or Polling()
    async with sessionmaker() as session:
        realtime = await feed_store.realtime_follows(session)
        if realtime:  # feeds newly followed in realtime: checked soon, not in half an hour
            await feed_store.hasten(
                session,
                realtime,
                now=now,
                interval=min(polling.fastest, polling.interval),
                normal=polling.interval,
                beyond=now + CLAIM_LEASE,
            )
        # A check due a moment after the tick is taken now: the tick starts a few ms after its
        # own schedule, and a 1-minute feed on a 1-minute tick would otherwise wait two ticks.
        claimed = await feed_store.claim_due_feeds(
            session, now=now + DUE_SLACK, until=now + CLAIM_LEASE, limit=limit
        )
        await session.commit()
        sqlite = session.get_bind().dialect.name != "postgresql"
    slots = asyncio.Semaphore(PARALLEL_FEEDS)
    write_turn = asyncio.Lock() if sqlite else None

    async def one(feed_id: int) -> RefreshResult | None:
        result = await refresh_one(feed_id)
        if result is not None and on_result is not None:
            on_result(result)
        return result

    async def refresh_one(feed_id: int) -> RefreshResult | None:
        async with slots:
            for attempt in range(1, RETRIES + 1):
                held = False
                async with contextlib.AsyncExitStack() as turn, sessionmaker() as session:

                    async def my_turn() -> None:
                        # SQLite: held from the first write until this session is closed.
                        nonlocal held
                        if write_turn is not None and not held:
                            await turn.enter_async_context(write_turn)
                            held = True

                    feed = await feed_store.get_feed(session, feed_id=feed_id)
                    if feed is None:
                        return None  # removed meanwhile
                    try:
                        pushed = bool(
                            feed.hub_url and feed.websub_until and feed.websub_until > now
                        )  # a hub pushes it: polling is only the safety net
                        interval = polling.interval_for(
                            feed,
                            realtime=not pushed and feed_id in realtime,
                        )
                        result = await refresh_feed(
                            session,
                            feed,
                            fetcher=fetcher,
                            now=now,
                            clock=clock,
                            before_writes=my_turn,
                            interval=interval,
                        )
                        await session.commit()
                        return result
                    except DBAPIError as exc:
                        if _retryable(exc) and attempt < RETRIES:
                            # Two refreshes updated the same stories in opposite orders: one
                            # was rolled back by PostgreSQL; doing it again succeeds.
                            logger.info("feed=%s deadlock, retrying attempt=%s", feed_id, attempt)
                            await session.rollback()
                            await asyncio.sleep(0.05 * attempt)
                            continue
                        error: Exception = exc
                    except Exception as exc:  # a bug or a database error: keep the others going
                        error = exc
                    logger.error("refresh failed feed=%s", feed_id, exc_info=error)
                    await session.rollback()
                    await my_turn()
                    return await _record_crash(session, feed_id, error, now=now)
        return None

    results = await asyncio.gather(*(one(feed.id) for feed in claimed if feed.id is not None))
    return [r for r in results if r is not None]


def _retryable(error: DBAPIError) -> bool:
    """A deadlock or serialization failure: PostgreSQL rolled us back; try again."""
    return getattr(error.orig, "sqlstate", None) in {"40P01", "40001"}


async def _record_crash(
    session: AsyncSession, feed_id: int, error: Exception, *, now: datetime
) -> RefreshResult | None:
    feed = await feed_store.get_feed(session, feed_id=feed_id)
    if feed is None:
        return None
    result = RefreshResult(feed_id=feed_id, url=feed.url, title=feed.title)
    record_failure(feed, result, error, now=now)
    await session.commit()
    return result
