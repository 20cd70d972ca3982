"""Announcements to every chat through the outbox: one part per chat, written in one
statement, sent by the delivery worker under the same limits as digests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.deliveries import enqueue_to_chats
from storage.models import Chat, ChatState, ChatType


@dataclass(frozen=True)
class Audience:
    """Who an announcement reaches: `active` chats get it now; `blocked` chats have it kept
    (parked) for when they come back with /start."""

    active: int
    blocked: int

    @property
    def total(self) -> int:
        return self.active + self.blocked


def _listeners() -> list[Any]:
    # Paused chats asked for quiet; channels are their admins' publications, not ours to post in.
    return [
        col(Chat.state).in_([ChatState.ACTIVE, ChatState.BLOCKED]),
        col(Chat.type) != ChatType.CHANNEL,
    ]


async def audience(session: AsyncSession) -> Audience:
    """How many chats an announcement would reach now."""
    result = await session.exec(
        select(Chat.state, func.count()).where(*_listeners()).group_by(col(Chat.state))
    )
    counts = {str(state): int(n) for state, n in result.all()}
    return Audience(counts.get(ChatState.ACTIVE, 0), counts.get(ChatState.BLOCKED, 0))


async def enqueue_broadcast(
    session: AsyncSession, *, text: str, now: datetime, parse_mode: str | None = "HTML"
) -> Audience:
    """Queue `text` as one message to every listening chat (active: pending; blocked: parked),
    in one statement; returns whom it reached. The caller commits: all chats or none."""
    reached = await audience(session)
    await enqueue_to_chats(session, where=_listeners(), text=text, parse_mode=parse_mode, now=now)
    return reached
