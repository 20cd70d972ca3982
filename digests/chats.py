"""A chat's comings and goings: it blocks or removes the bot (its unsent parts are parked,
never lost) and it comes back (they are due again, a stale backlog folded). The caller
commits."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from digests.backlog import revive_chat
from storage import chats as chat_store
from storage import deliveries as delivery_store
from storage.models import Chat, ChatState


async def chat_left(session: AsyncSession, *, chat: Chat, now: datetime) -> int:
    """The chat blocked or removed the bot, or is gone: blocked, its unsent parts parked for
    its return. Returns how many parts were parked."""
    await chat_store.set_state(session, chat=chat, state=ChatState.BLOCKED, now=now)
    return await delivery_store.park_chat_parts(session, chat=chat)


async def chat_back(session: AsyncSession, *, chat: Chat, now: datetime) -> bool:
    """A blocked chat is back (/start, unblocked, added again): active, its parked parts due
    now, a stale backlog folded into one digest. False, and nothing changed, when it was not
    blocked."""
    if chat.state != ChatState.BLOCKED:
        return False
    await chat_store.set_state(session, chat=chat, state=ChatState.ACTIVE)
    await revive_chat(session, chat=chat, now=now)
    return True
