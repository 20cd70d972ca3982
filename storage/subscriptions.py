"""What a chat follows (topic queries and feeds) and the words it muted."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Mute, Subscription, SubscriptionKind
from storage.reads import count


def feed_target(feed_id: int) -> str:
    return f"feed:{feed_id}"


async def add_subscription(
    session: AsyncSession,
    *,
    chat_id: int,
    kind: SubscriptionKind,
    target: str,
    query: str = "",
    feed_id: int | None = None,
) -> tuple[Subscription, bool]:
    """Subscribe idempotently: the same (chat, kind, target) twice is one row (`False`)."""
    result = await session.exec(
        select(Subscription).where(
            Subscription.chat_id == chat_id,
            Subscription.kind == kind,
            Subscription.target == target,
        )
    )
    existing = result.first()
    if existing is not None:
        return existing, False
    subscription = Subscription(
        chat_id=chat_id, kind=kind, target=target, query=query or target, feed_id=feed_id
    )
    session.add(subscription)
    await session.flush()
    return subscription, True


async def remove_subscription(session: AsyncSession, *, chat_id: int, subscription_id: int) -> bool:
    result = await session.exec(
        delete(Subscription).where(
            col(Subscription.id) == subscription_id, col(Subscription.chat_id) == chat_id
        )
    )
    return bool(result.rowcount)


async def list_subscriptions(
    session: AsyncSession, *, chat_id: int, kind: SubscriptionKind | None = None
) -> Sequence[Subscription]:
    statement = select(Subscription).where(Subscription.chat_id == chat_id)
    if kind is not None:
        statement = statement.where(Subscription.kind == kind)
    result = await session.exec(statement.order_by(col(Subscription.id)))
    return result.all()


async def count_subscriptions(session: AsyncSession, *, chat_id: int | None = None) -> int:
    where = [col(Subscription.chat_id) == chat_id] if chat_id is not None else []
    return await count(session, Subscription, *where)


async def add_mute(session: AsyncSession, *, chat_id: int, word: str) -> bool:
    """Mute a word (stored lower-case); `False` when it was already muted."""
    word = word.strip().lower()
    result = await session.exec(select(Mute).where(Mute.chat_id == chat_id, Mute.word == word))
    if result.first() is not None:
        return False
    session.add(Mute(chat_id=chat_id, word=word))
    await session.flush()
    return True


async def remove_mute(session: AsyncSession, *, chat_id: int, word: str) -> bool:
    result = await session.exec(
        delete(Mute).where(col(Mute.chat_id) == chat_id, col(Mute.word) == word.strip().lower())
    )
    return bool(result.rowcount)


async def list_mutes(session: AsyncSession, *, chat_id: int) -> list[str]:
    result = await session.exec(
        select(Mute.word).where(Mute.chat_id == chat_id).order_by(col(Mute.word))
    )
    return list(result.all())
