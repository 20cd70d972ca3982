"""The handlers' side of schedules: set a chat's rule from what the user typed, recompute it
after a time-zone or quiet-hours change, and describe it for /list."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from digests.schedule import ScheduleError, apply_schedule, parse_schedule, spec_of
from storage import schedules as schedule_store
from storage.models import Chat

DEFAULT_SCHEDULE = "daily 08:00"


class ScheduleChangeError(ValueError):
    """The schedule text is wrong; `str()` says why (without the usage line)."""


async def change_schedule(session: AsyncSession, *, chat: Chat, text: str, now: datetime) -> str:
    """Set the chat's schedule from `text`; returns how it reads. Caller commits."""
    try:
        spec = parse_schedule(text)
    except ScheduleError as exc:
        raise ScheduleChangeError(str(exc).split("\nUsage:")[0].strip()) from None
    await apply_schedule(session, chat=chat, now=now, spec=spec)
    return spec.describe()


async def ensure_schedule(session: AsyncSession, *, chat: Chat, now: datetime) -> None:
    """A chat that follows something gets the default schedule until it picks one."""
    assert chat.id is not None
    if await schedule_store.get_schedule(session, chat_id=chat.id) is None:
        await change_schedule(session, chat=chat, text=DEFAULT_SCHEDULE, now=now)


async def refresh_schedule(session: AsyncSession, *, chat: Chat, now: datetime) -> None:
    """Recompute the next due time in the chat's (new) zone and quiet hours."""
    await apply_schedule(session, chat=chat, now=now)


async def describe_schedule(session: AsyncSession, chat: Chat) -> str:
    assert chat.id is not None
    row = await schedule_store.get_schedule(session, chat_id=chat.id)
    if row is None:
        return "none yet (/schedule daily 08:00)"
    spec = spec_of(row.kind, time=row.time, weekday=row.weekday, cron=row.cron)
    return spec.describe()


async def next_digest_at(session: AsyncSession, chat: Chat, *, now: datetime) -> datetime | None:
    """When the chat's next digest is due (UTC) as the digest tick sees it, `now` when it is
    overdue (the tick takes it on its next run); None without a schedule or when it is off."""
    assert chat.id is not None
    row = await schedule_store.get_schedule(session, chat_id=chat.id)
    if row is None or row.next_due_at is None:
        return None
    return max(row.next_due_at, now)
