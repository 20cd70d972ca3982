"""Chat rows (private chats, groups, channels) and their state: active, paused, blocked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Chat, ChatState, ChatType, Subscription
from storage.reads import count, first
from storage.sanitize import clean_optional


async def get_chat(session: AsyncSession, *, chat_id: int) -> Chat | None:
    return await session.get(Chat, chat_id)


async def get_chat_by_telegram_id(session: AsyncSession, *, telegram_id: int) -> Chat | None:
    return await first(session, Chat, col(Chat.telegram_id) == telegram_id)


async def upsert_chat(
    session: AsyncSession,
    *,
    telegram_id: int,
    type: str = ChatType.PRIVATE,
    title: str | None = None,
    username: str | None = None,
    timezone: str = "UTC",
    language: str | None = None,
    max_items: int = 10,
) -> tuple[Chat, bool]:
    """The chat with this Telegram id, created if new (`True`); its title is kept current
    (titles come from anyone who names a group: cleaned of NUL and lone surrogates)."""
    title, username = clean_optional(title), clean_optional(username)
    chat = await get_chat_by_telegram_id(session, telegram_id=telegram_id)
    if chat is not None:
        if title is not None:
            chat.title = title
        if username is not None:
            chat.username = username
        return chat, False
    chat = Chat(
        telegram_id=telegram_id,
        type=type,
        language=language or "en",
        title=title,
        username=username,
        timezone=timezone,
        max_items=max_items,
    )
    session.add(chat)
    await session.flush()
    return chat, True


async def set_state(
    session: AsyncSession, *, chat: Chat, state: ChatState, now: datetime | None = None
) -> None:
    chat.state = state
    chat.blocked_at = now if state == ChatState.BLOCKED else None
    session.add(chat)


async def move_chat(session: AsyncSession, *, chat: Chat, new_telegram_id: int) -> Chat:
    """A group became a supergroup: the same subscriber under its new Telegram id."""
    existing = await get_chat_by_telegram_id(session, telegram_id=new_telegram_id)
    if existing is not None and existing.id != chat.id:
        await session.delete(existing)
        await session.flush()
    chat.telegram_id = new_telegram_id
    chat.type = ChatType.SUPERGROUP
    session.add(chat)
    await session.flush()
    return chat


async def delete_chat(session: AsyncSession, *, chat_id: int) -> bool:
    """Forget a chat and everything of it (subscriptions, schedule, outbox) by cascade."""
    result = await session.exec(delete(Chat).where(col(Chat.id) == chat_id))
    return bool(result.rowcount)


async def count_chats(session: AsyncSession, *, state: ChatState | None = None) -> int:
    where = [col(Chat.state) == state] if state is not None else []
    return await count(session, Chat, *where)


async def active_followers(session: AsyncSession, *, feed_id: int) -> Sequence[Chat]:
    """The active chats subscribed to the feed."""
    result = await session.exec(
        select(Chat)
        .join(Subscription, Subscription.chat_id == Chat.id)  # type: ignore[arg-type]
        .where(Subscription.feed_id == feed_id, Chat.state == ChatState.ACTIVE)
    )
    return result.all()
