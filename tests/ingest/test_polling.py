"""How often feeds are checked (issue 19, item 1): the global interval, a feed's own, and the
fastest allowed rate for feeds realtime subscribers follow — all kept in `next_check_at`."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from ingest.health import Polling
from ingest.tick import refresh_due_feeds
from storage import chats as chat_store
from storage import feeds as feed_store
from storage import schedules as schedule_store
from storage import subscriptions as sub_store
from storage.models import SubscriptionKind
from tests.support.feeds import Web, add, fixture, xml

POLLING = Polling(interval=timedelta(minutes=20), fastest=timedelta(minutes=2))


def web() -> Web:
    return Web(
        {
            "https://a.example/rss": xml(fixture("outlet_a.xml")),
            "https://b.example/atom": xml(fixture("atom.xml")),
        }
    )


async def next_checks(session: AsyncSession, now: datetime) -> dict[str, timedelta | None]:
    rows = await feed_store.list_feeds(session)
    return {f.url: (f.next_check_at - now) if f.next_check_at else None for f in rows}


async def refresh(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> dict[str, timedelta | None]:
    async with web().fetcher() as fetcher:
        results = await refresh_due_feeds(sessionmaker, fetcher=fetcher, now=now, polling=POLLING)
    assert all(r.error is None for r in results), results
    async with sessionmaker() as session:
        return await next_checks(session, now)


async def test_feeds_are_checked_at_the_global_interval_or_their_own(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, now: datetime
) -> None:
    await add(session, "https://a.example/rss")
    b = await add(session, "https://b.example/atom")
    assert b.id is not None
    await feed_store.set_check_interval(session, feed_id=b.id, interval=timedelta(minutes=5))
    await session.commit()
    assert await refresh(sessionmaker, now) == {
        "https://a.example/rss": timedelta(minutes=20),
        "https://b.example/atom": timedelta(minutes=5),
    }
    # a shorter interval brings the next check forward at once
    await feed_store.set_check_interval(session, feed_id=b.id, interval=timedelta(minutes=1))
    await session.commit()
    async with sessionmaker() as fresh:
        assert (await next_checks(fresh, now))["https://b.example/atom"] == timedelta(minutes=1)


async def test_feeds_realtime_subscribers_follow_are_checked_at_the_fastest_rate(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, now: datetime
) -> None:
    a = await add(session, "https://a.example/rss")
    await add(session, "https://b.example/atom")
    chat, _ = await chat_store.upsert_chat(session, telegram_id=5)
    assert chat.id is not None and a.id is not None
    await sub_store.add_subscription(
        session, chat_id=chat.id, kind=SubscriptionKind.FEED, target=f"feed:{a.id}", feed_id=a.id
    )
    await schedule_store.set_schedule(
        session, chat_id=chat.id, kind="daily", time="08:00", next_due_at=None
    )
    await session.commit()
    assert set((await refresh(sessionmaker, now)).values()) == {timedelta(minutes=20)}

    # the chat goes realtime: its feed (only) is checked 2 minutes after its last check, not
    # 20, and at the fastest rate from then on
    await schedule_store.set_schedule(session, chat_id=chat.id, kind="realtime", next_due_at=None)
    await session.commit()
    # (figures relative to each tick's time)
    assert await refresh(sessionmaker, now + timedelta(minutes=1)) == {
        "https://a.example/rss": timedelta(minutes=1),  # due 2 minutes after its last check
        "https://b.example/atom": timedelta(minutes=19),
    }
    assert await refresh(sessionmaker, now + timedelta(minutes=2)) == {
        "https://a.example/rss": timedelta(minutes=2),  # checked, then the fast pace
        "https://b.example/atom": timedelta(minutes=18),
    }

    # a realtime topic may match any feed's articles: every feed is checked fast
    await sub_store.add_subscription(
        session, chat_id=chat.id, kind=SubscriptionKind.TOPIC, target="ferry", query="ferry"
    )
    await feed_store.make_due(session, now=now)
    await session.commit()
    assert set((await refresh(sessionmaker, now)).values()) == {timedelta(minutes=2)}


async def test_server_hints_still_slow_a_feed_down(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, now: datetime
) -> None:
    await add(session, "https://a.example/rss")  # its RSS says <ttl>60</ttl>
    await add(session, "https://b.example/atom")
    cached = Web(
        {
            "https://a.example/rss": xml(fixture("rss2.xml")),
            "https://b.example/atom": xml(fixture("atom.xml"), **{"Cache-Control": "max-age=1800"}),
        }
    )
    async with cached.fetcher() as fetcher:
        await refresh_due_feeds(sessionmaker, fetcher=fetcher, now=now, polling=POLLING)
    async with sessionmaker() as fresh:
        assert await next_checks(fresh, now) == {
            "https://a.example/rss": timedelta(minutes=60),
            "https://b.example/atom": timedelta(minutes=30),
        }
    # a realtime reader of every feed does not override what the servers asked for
    chat, _ = await chat_store.upsert_chat(session, telegram_id=6)
    assert chat.id is not None
    await sub_store.add_subscription(
        session, chat_id=chat.id, kind=SubscriptionKind.TOPIC, target="ferry", query="ferry"
    )
    await schedule_store.set_schedule(session, chat_id=chat.id, kind="realtime", next_due_at=None)
    await session.commit()
    async with cached.fetcher() as fetcher:
        later = now + timedelta(minutes=5)
        assert not await refresh_due_feeds(
            sessionmaker, fetcher=fetcher, now=later, polling=POLLING
        )
    async with sessionmaker() as fresh:
        assert await next_checks(fresh, now) == {
            "https://a.example/rss": timedelta(minutes=60),
            "https://b.example/atom": timedelta(minutes=30),
        }
