"""What a chat follows, as the commands and buttons change it (digests/subscriptions.py) and
the topics they suggest (digests/trending.py), on both databases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from digests import subscriptions as following
from digests.subscriptions import SubscribeError
from digests.trending import SUGGESTED_TOPICS, trending_topics
from storage import articles as article_store
from storage import chats as chat_store
from storage import feeds as feed_store
from storage import subscriptions as sub_store
from storage.models import ArticleCreate, Chat, FeedCreate, SubscriptionKind
from tests.conftest import BACKENDS  # noqa: F401 (the session fixture runs on both)


@dataclass(frozen=True)
class Limits:
    max_query_length: int = 200
    max_subscriptions: int = 3


async def _chat(session: AsyncSession) -> Chat:
    chat, _ = await chat_store.upsert_chat(session, telegram_id=42, timezone="Europe/Berlin")
    return chat


async def test_sections_keywords_and_feeds_are_told_apart(
    session: AsyncSession, now: datetime
) -> None:
    chat = await _chat(session)
    await feed_store.add_feed(session, data=FeedCreate(url="https://example.org/feed"))
    section, created = await following.subscribe(
        session, chat=chat, text="tech", limits=Limits(), now=now
    )
    assert created and section.kind == SubscriptionKind.SECTION
    keywords, _ = await following.subscribe(
        session, chat=chat, text='"technology"', limits=Limits(), now=now
    )
    assert keywords.kind == SubscriptionKind.TOPIC
    feed, _ = await following.subscribe(
        session, chat=chat, text="https://example.org/feed", limits=Limits(), now=now
    )
    assert feed.kind == SubscriptionKind.FEED
    again, created = await following.subscribe(
        session, chat=chat, text="technology", limits=Limits(), now=now
    )
    assert (again.id, created) == (section.id, False)  # a section's other name: the same one
    shown = await following.overview(session, chat=chat, now=now)
    assert [following.describe(s) for s in shown.topics][1] == '"technology" (keywords)'
    assert shown.feeds == ["https://example.org/feed"]
    # following something gives the chat the default schedule, due within a day
    assert shown.schedule == "daily 08:00"
    assert shown.next_digest_at is not None
    assert now <= shown.next_digest_at <= now + timedelta(days=1)


async def test_refusals_say_why(session: AsyncSession, now: datetime) -> None:
    chat = await _chat(session)
    with pytest.raises(SubscribeError, match="don't know that feed"):
        await following.subscribe(
            session, chat=chat, text="https://nowhere.example/rss", limits=Limits(), now=now
        )
    with pytest.raises(SubscribeError, match="too long"):
        await following.subscribe(session, chat=chat, text="x" * 201, limits=Limits(), now=now)
    for text in ("climate", "energy", "space"):
        await following.subscribe(session, chat=chat, text=text, limits=Limits(), now=now)
    with pytest.raises(SubscribeError, match="the most allowed"):
        await following.subscribe(session, chat=chat, text="ocean", limits=Limits(), now=now)
    assert chat.id is not None
    assert len(await sub_store.list_subscriptions(session, chat_id=chat.id)) == 3


async def test_unsubscribe_finds_what_the_user_names(session: AsyncSession, now: datetime) -> None:
    chat = await _chat(session)
    assert chat.id is not None
    await following.subscribe(
        session, chat=chat, text="Climate OR energy", limits=Limits(), now=now
    )
    subs = await sub_store.list_subscriptions(session, chat_id=chat.id)
    assert await following.unsubscribe(session, chat=chat, subscriptions=subs, text="x") is None
    gone = await following.unsubscribe(
        session, chat=chat, subscriptions=subs, text="climate or energy"
    )
    assert gone is not None and gone.query == "Climate OR energy"
    assert not await sub_store.list_subscriptions(session, chat_id=chat.id)


async def test_a_topic_button_toggles(session: AsyncSession, now: datetime) -> None:
    chat = await _chat(session)
    toggle = following.toggle_topic
    assert await toggle(session, chat=chat, topic="science", limits=Limits(), now=now)
    assert following.followed_names(
        SUGGESTED_TOPICS, await following.topic_targets(session, chat)
    ) == {"science"}
    assert not await toggle(session, chat=chat, topic="science", limits=Limits(), now=now)
    assert not await following.topic_targets(session, chat)


async def test_trending_is_what_recent_articles_share(session: AsyncSession, now: datetime) -> None:
    phrases = [
        "heat pumps; grid",
        "heat pumps; football",
        "grid; heat pumps",
        "technology; science; ferry strike",
        "ferry strike",
    ]
    for number, keyphrases in enumerate(phrases):
        await article_store.add_article(
            session,
            data=ArticleCreate(
                canonical_url=f"https://n.example/{number}", title="t", keyphrases=keyphrases
            ),
            stored_at=now + timedelta(minutes=number),
        )
    await session.commit()
    # most shared first, ties to the newest; suggested topics and section names are buttons
    # already, so they are left out
    assert await trending_topics(session, limit=3) == ["heat pumps", "ferry strike", "grid"]
