"""Small builders for digest tests: chats with topics and schedules, articles stored at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from digests.query import normalize_query
from digests.schedule import apply_schedule, parse_schedule
from ingest.dedup import canonicalize_url
from storage import articles as article_store
from storage import chats as chat_store
from storage import deliveries as delivery_store
from storage import subscriptions as sub_store
from storage.models import Article, ArticleCreate, Chat, Delivery, SubscriptionKind
from telegram_emulator.html import parse_html

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # articles arrive before the 08:00 digest
DUE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def texts(parts: list[Delivery]) -> str:
    return "\n".join(parse_html(p.text)[0] for p in parts)


async def parts_of(session: AsyncSession, chat_id: int) -> list[Delivery]:
    return await delivery_store.chat_parts(session, chat_id=chat_id)


async def make_chat(
    session: AsyncSession,
    *,
    telegram_id: int,
    topics: list[str],
    schedule: str = "daily 08:00",
    now: datetime,
    timezone: str = "UTC",
    max_items: int = 10,
    thread_id: int | None = None,
    feeds: Sequence[tuple[int, str]] = (),
) -> Chat:
    """A chat following `topics` and `feeds` ((feed id, the name it is followed by))."""
    chat, _ = await chat_store.upsert_chat(
        session, telegram_id=telegram_id, timezone=timezone, max_items=max_items
    )
    chat.thread_id = thread_id
    session.add(chat)
    assert chat.id is not None
    follows = [(SubscriptionKind.TOPIC, normalize_query(t), t, None) for t in topics]
    follows += [(SubscriptionKind.FEED, sub_store.feed_target(i), name, i) for i, name in feeds]
    for kind, target, query, feed_id in follows:
        await sub_store.add_subscription(
            session, chat_id=chat.id, kind=kind, target=target, query=query, feed_id=feed_id
        )
    await apply_schedule(session, chat=chat, now=now, spec=parse_schedule(schedule))
    await session.flush()
    return chat


_counter = iter(range(1, 10**9))


async def make_article(
    session: AsyncSession,
    *,
    title: str,
    summary: str = "",
    stored_at: datetime,
    published_at: datetime | None = None,
    story_id: int | None = None,
    source: str = "Wire",
    feed_id: int | None = None,
    url: str = "",
) -> Article:
    """An article stored at `stored_at` (at a URL of its own unless `url`, canonical as ingest
    keeps it), its summary its text."""
    n = next(_counter)
    url = url or f"https://news{n}.example/story/{n}"
    return await article_store.add_article(
        session,
        data=ArticleCreate(
            canonical_url=canonicalize_url(url),
            url=url,
            title=title,
            summary=summary,
            text=summary,
            source_name=source,
            published_at=published_at,
            feed_id=feed_id,
        ),
        stored_at=stored_at,
        story_id=story_id,
    )
