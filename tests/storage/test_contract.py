"""The storage contract, run on SQLite and PostgreSQL: idempotent writes, aware UTC times,
leases that never hand one row to two owners."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import articles, chats, feeds, subscriptions
from storage.leases import Claim, claim_due, release
from storage.models import (
    Article,
    ArticleCreate,
    ChatState,
    Delivery,
    Digest,
    FeedCreate,
    Schedule,
    SubscriptionKind,
)


async def test_add_feed_is_idempotent(session: AsyncSession) -> None:
    first, created = await feeds.add_feed(session, data=FeedCreate(url="https://ex.com/rss"))
    again, created_again = await feeds.add_feed(session, data=FeedCreate(url="https://ex.com/rss"))
    await session.commit()
    assert created and not created_again
    assert first.id == again.id
    assert [f.url for f in await feeds.list_feeds(session)] == ["https://ex.com/rss"]


async def test_times_round_trip_as_aware_utc(session: AsyncSession, now: datetime) -> None:
    berlin = now.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    feed, _ = await feeds.add_feed(session, data=FeedCreate(url="https://ex.com/a"))
    feed.next_check_at = berlin
    await session.commit()
    session.expunge_all()
    loaded = await feeds.get_feed(session, feed_id=feed.id or 0)
    assert loaded is not None and loaded.next_check_at == now
    assert loaded.next_check_at.tzinfo is not None
    assert loaded.next_check_at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(session: AsyncSession) -> None:
    feed, _ = await feeds.add_feed(session, data=FeedCreate(url="https://ex.com/b"))
    feed.next_check_at = datetime(2026, 1, 1, 12, 0)
    with pytest.raises(Exception, match="naive datetime"):
        await session.commit()


async def test_due_feeds_lists_unchecked_and_overdue_only(
    session: AsyncSession, now: datetime
) -> None:
    new, _ = await feeds.add_feed(session, data=FeedCreate(url="https://ex.com/new"))
    late, _ = await feeds.add_feed(session, data=FeedCreate(url="https://ex.com/late"))
    later, _ = await feeds.add_feed(session, data=FeedCreate(url="https://ex.com/later"))
    late.next_check_at = now - timedelta(minutes=1)
    later.next_check_at = now + timedelta(minutes=1)
    await session.commit()
    due = [f.url for f in await feeds.due_feeds(session, now=now)]
    assert due == ["https://ex.com/new", "https://ex.com/late"]
    assert await feeds.remove_feed(session, feed_id=new.id or 0)
    assert not await feeds.remove_feed(session, feed_id=new.id or 0)


async def test_article_unique_by_canonical_url_and_feed_guid(session: AsyncSession) -> None:
    feed, _ = await feeds.add_feed(session, data=FeedCreate(url="https://ex.com/rss"))
    data = ArticleCreate(
        feed_id=feed.id, guid="g1", canonical_url="https://ex.com/1", title="One", text="t"
    )
    stored = await articles.add_article(session, data=data)
    await session.commit()
    assert stored.story_id is not None
    found = await articles.get_by_guid(session, feed_id=feed.id or 0, guid="g1")
    assert found is not None and found.id == stored.id
    with pytest.raises(IntegrityError):
        await articles.add_article(session, data=data)
    await session.rollback()
    other = data.model_copy(update={"canonical_url": "https://ex.com/other"})
    with pytest.raises(IntegrityError):
        await articles.add_article(session, data=other)  # same feed + guid
    await session.rollback()
    assert await articles.count_articles(session) == 1


async def test_articles_join_a_story_and_are_listed_past_the_watermark(
    session: AsyncSession, now: datetime
) -> None:
    first = await articles.add_article(
        session,
        data=ArticleCreate(canonical_url="https://a.com/x", title="Quake hits"),
        stored_at=now,
    )
    second = await articles.add_article(
        session,
        data=ArticleCreate(canonical_url="https://b.com/y", title="Quake strikes"),
        stored_at=now,
        story_id=first.story_id,
    )
    third = await articles.add_article(
        session,
        data=ArticleCreate(canonical_url="https://c.com/z", title="Later"),
        stored_at=now + timedelta(seconds=5),
    )
    await session.commit()
    assert second.story_id == first.story_id
    after_first = await articles.stored_since(session, after=now, after_id=first.id or 0)
    assert [a.id for a in after_first] == [second.id, third.id]


async def test_chat_subscriptions_and_mutes_are_idempotent_and_cascade(
    session: AsyncSession,
) -> None:
    chat, created = await chats.upsert_chat(session, telegram_id=42, title="Ann")
    same, created_again = await chats.upsert_chat(session, telegram_id=42, title="Ann B")
    assert created and not created_again and same.id == chat.id and same.title == "Ann B"
    chat_id = chat.id or 0
    _sub, new = await subscriptions.add_subscription(
        session, chat_id=chat_id, kind=SubscriptionKind.TOPIC, target="ai safety"
    )
    _, new_again = await subscriptions.add_subscription(
        session, chat_id=chat_id, kind=SubscriptionKind.TOPIC, target="ai safety"
    )
    assert new and not new_again
    assert await subscriptions.add_mute(session, chat_id=chat_id, word="Crypto")
    assert not await subscriptions.add_mute(session, chat_id=chat_id, word="crypto ")
    await session.commit()
    assert await subscriptions.list_mutes(session, chat_id=chat_id) == ["crypto"]
    assert await subscriptions.count_subscriptions(session, chat_id=chat_id) == 1
    await chats.set_state(session, chat=chat, state=ChatState.BLOCKED)
    await session.commit()
    assert await chats.count_chats(session, state=ChatState.BLOCKED) == 1
    assert await chats.delete_chat(session, chat_id=chat_id)
    await session.commit()
    assert await subscriptions.count_subscriptions(session) == 0
    assert await subscriptions.list_mutes(session, chat_id=chat_id) == []


async def test_migrated_group_keeps_its_subscriptions(session: AsyncSession) -> None:
    chat, _ = await chats.upsert_chat(session, telegram_id=-1001, type="group")
    await subscriptions.add_subscription(
        session, chat_id=chat.id or 0, kind=SubscriptionKind.TOPIC, target="rust"
    )
    await chats.move_chat(session, chat=chat, new_telegram_id=-100123)
    await session.commit()
    moved = await chats.get_chat_by_telegram_id(session, telegram_id=-100123)
    assert moved is not None and moved.type == "supergroup"
    assert await subscriptions.count_subscriptions(session, chat_id=moved.id) == 1
    assert await chats.get_chat_by_telegram_id(session, telegram_id=-1001) is None


async def _outbox(session: AsyncSession, now: datetime, parts: int) -> list[int]:
    chat, _ = await chats.upsert_chat(session, telegram_id=7)
    digest = Digest(chat_id=chat.id or 0)
    session.add(digest)
    await session.flush()
    rows = [
        Delivery(
            digest_id=digest.id,
            part_no=n,
            chat_id=chat.id or 0,
            telegram_chat_id=7,
            text=f"part {n}",
            next_attempt_at=now,
        )
        for n in range(parts)
    ]
    session.add_all(rows)
    await session.commit()
    return [r.id or 0 for r in rows]


async def test_outbox_part_is_unique_per_digest(session: AsyncSession, now: datetime) -> None:
    await _outbox(session, now, 1)
    digest_id = await session.get(Delivery, 1) or Delivery(chat_id=0, telegram_chat_id=0, text="")
    session.add(
        Delivery(
            digest_id=digest_id.digest_id,
            part_no=0,
            chat_id=digest_id.chat_id,
            telegram_chat_id=7,
            text="again",
        )
    )
    with pytest.raises(IntegrityError):
        await session.commit()


async def test_leases_hand_each_row_to_one_owner(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    async with sessionmaker() as session:
        ids = await _outbox(session, now, 6)

    async def claim(owner: str) -> list[int]:
        async with sessionmaker() as session:
            rows = await claim_due(
                session,
                Delivery,
                Claim(owner=owner, now=now, lease=timedelta(seconds=30), limit=4),
                due=Delivery.next_attempt_at,
            )
            await session.commit()
            return [r.id or 0 for r in rows]

    a, b = await asyncio.gather(claim("a"), claim("b"))
    assert not set(a) & set(b)
    assert sorted(a + b) == sorted(ids)
    # Leased rows are not handed out again until the lease expires ...
    assert await claim("c") == []
    async with sessionmaker() as session:
        # ... and only the owner can release them.
        assert await release(session, Delivery, ids=a, owner="b") == 0
        assert await release(session, Delivery, ids=a, owner="a", values={"status": "sent"}) == len(
            a
        )
        await session.commit()
    async with sessionmaker() as session:
        expired = await claim_due(
            session,
            Delivery,
            Claim(
                owner="d", now=now + timedelta(seconds=31), lease=timedelta(seconds=30), limit=10
            ),
            due=Delivery.next_attempt_at,
        )
        await session.commit()
    # a's rows were released (free), b's lease expired: every row is claimable by d.
    assert sorted(r.id or 0 for r in expired) == sorted(ids)
    assert all(r.lease_owner == "d" for r in expired)


async def test_schedules_are_claimed_when_due(session: AsyncSession, now: datetime) -> None:
    chat, _ = await chats.upsert_chat(session, telegram_id=9)
    other, _ = await chats.upsert_chat(session, telegram_id=10)
    session.add(Schedule(chat_id=chat.id or 0, next_due_at=now - timedelta(hours=1)))
    session.add(Schedule(chat_id=other.id or 0, next_due_at=now + timedelta(hours=1)))
    await session.commit()
    claimed = await claim_due(
        session,
        Schedule,
        Claim(owner="w1", now=now, lease=timedelta(minutes=5), limit=10),
        due=Schedule.next_due_at,
    )
    await session.commit()
    assert [s.chat_id for s in claimed] == [chat.id]
    assert claimed[0].lease_until == now + timedelta(minutes=5)
    assert claimed[0].lease_until.tzinfo is not None


def test_article_model_keeps_times_aware() -> None:
    article = Article(canonical_url="u", stored_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert article.stored_at.tzinfo is UTC
