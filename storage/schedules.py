"""Schedule rows: a chat's digest rule, its next due time and watermark; claimed by the digest
tick with a lease (`storage.leases`), advanced when its digest is built."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import leases
from storage.leases import Claim, claim_due_columns, release
from storage.models import Schedule, ScheduleKind
from storage.reads import first
from storage.rows import ScheduleRow

DEFAULT_LEASE = timedelta(minutes=5)


async def get_schedule(session: AsyncSession, *, chat_id: int) -> Schedule | None:
    return await first(session, Schedule, col(Schedule.chat_id) == chat_id)


async def set_schedule(
    session: AsyncSession,
    *,
    chat_id: int,
    kind: str,
    time: str | None = None,
    weekday: str | None = None,
    cron: str | None = None,
    timezone: str = "UTC",
    next_due_at: datetime | None,
) -> Schedule:
    """Create or change a chat's schedule, keeping its watermark. The caller commits."""
    schedule = await get_schedule(session, chat_id=chat_id)
    if schedule is None:
        schedule = Schedule(chat_id=chat_id)
    schedule.kind = ScheduleKind(kind)
    schedule.time = time
    schedule.weekday = weekday
    schedule.cron = cron
    schedule.timezone = timezone
    schedule.next_due_at = next_due_at
    session.add(schedule)
    await session.flush()
    return schedule


async def claim_due_schedule_rows(
    session: AsyncSession,
    *,
    now: datetime,
    owner: str,
    limit: int,
    lease: timedelta = DEFAULT_LEASE,
) -> list[ScheduleRow]:
    """Lease up to `limit` schedules due at `now` (`FOR UPDATE SKIP LOCKED` on PostgreSQL),
    most overdue first, as the columns the digest builder reads. The caller commits before
    building."""
    rows = await claim_due_columns(
        session,
        Schedule,
        Claim(owner=owner, now=now, lease=lease, limit=limit),
        columns=ScheduleRow.columns(),
        due=col(Schedule.next_due_at),
        where=[col(Schedule.next_due_at).is_not(None)],
        order_by=[col(Schedule.next_due_at), col(Schedule.id)],
    )
    return [ScheduleRow(*row) for row in rows]


async def take_lease(
    session: AsyncSession, *, schedule_id: int, owner: str, now: datetime, lease: timedelta
) -> bool:
    """Lease the schedule to `owner` now, due or not (/digest); False while another holds it."""
    return await leases.take_lease(
        session, Schedule, row_id=schedule_id, owner=owner, now=now, lease=lease
    )


async def advance(
    session: AsyncSession,
    *,
    schedule_id: int,
    owner: str,
    next_due_at: datetime | None,
    last_run_at: datetime,
    watermark: tuple[datetime, int] | None = None,
    timezone: str | None = None,
) -> bool:
    """Record a built (or skipped) digest: the next due time, optionally a new watermark, and
    the lease released — only while `owner` still holds it. The caller commits."""
    values: dict[str, Any] = {"next_due_at": next_due_at, "last_run_at": last_run_at}
    if watermark is not None:
        values["watermark_stored_at"], values["watermark_article_id"] = watermark
    if timezone is not None:
        values["timezone"] = timezone
    return bool(await release(session, Schedule, ids=[schedule_id], owner=owner, values=values))


async def due_count(session: AsyncSession, *, now: datetime) -> int:
    from sqlalchemy import func

    result = await session.exec(
        select(func.count())
        .select_from(Schedule)
        .where(col(Schedule.next_due_at).is_not(None), col(Schedule.next_due_at) <= now)
    )
    return int(result.one())
