"""Claim due rows with a lease, release them with an outcome: the pattern shared by the digest
tick (schedules) and the delivery worker (outbox parts).

A claim is one atomic `UPDATE … RETURNING`; on PostgreSQL the candidate rows are picked with
`FOR UPDATE SKIP LOCKED`, so several processes never claim the same row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, or_, select, update
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import dialect_name

M = TypeVar("M", bound=SQLModel)


@dataclass(frozen=True)
class Claim:
    """Who leases due rows, at what time, for how long, and how many at most."""

    owner: str
    now: datetime
    lease: timedelta
    limit: int


async def claim_due(
    session: AsyncSession,
    model: type[M],
    claim: Claim,
    *,
    due: Any,
    where: Sequence[ColumnElement[bool]] = (),
    order_by: Sequence[Any] = (),
) -> list[M]:
    """Lease up to `claim.limit` rows whose `due` column is at or before `claim.now` and whose
    lease is free or expired; the caller commits."""
    statement = _claim(session, model, claim, due, where, order_by)
    result = await session.exec(statement.returning(model))
    rows: list[M] = list(result.scalars().all())
    return rows


async def claim_due_columns(
    session: AsyncSession,
    model: type[SQLModel],
    claim: Claim,
    *,
    columns: Sequence[Any],
    due: Any,
    where: Sequence[ColumnElement[bool]] = (),
    order_by: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    """`claim_due`, returning only `columns` of the claimed rows (plain tuples: a tick claims
    hundreds of thousands of rows, and ORM objects cost)."""
    statement = _claim(session, model, claim, due, where, order_by)
    result = await session.exec(statement.returning(*columns))
    return [tuple(row) for row in result.all()]


def _claim(
    session: AsyncSession,
    model: type[SQLModel],
    claim: Claim,
    due: Any,
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
) -> Any:
    now = claim.now
    table: Any = model
    candidates = (
        select(table.id)
        .where(
            due <= now,
            or_(table.lease_until.is_(None), table.lease_until < now),
            *where,
        )
        .order_by(*(order_by or (due, table.id)))
        .limit(claim.limit)
    )
    if dialect_name(session) == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    return (
        update(table)
        .where(
            table.id.in_(candidates.scalar_subquery()),
            or_(table.lease_until.is_(None), table.lease_until < now),
        )
        .values(lease_owner=claim.owner, lease_until=now + claim.lease)
        .execution_options(synchronize_session=False)
    )


async def take_lease(
    session: AsyncSession,
    model: type[SQLModel],
    *,
    row_id: int,
    owner: str,
    now: datetime,
    lease: timedelta,
) -> bool:
    """Lease one row to `owner` whatever its due time, if its lease is free or expired;
    False when someone else holds it. The caller commits."""
    table: Any = model
    result = await session.exec(
        update(table)
        .where(
            table.id == row_id,
            or_(table.lease_until.is_(None), table.lease_until < now),
        )
        .values(lease_owner=owner, lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def release(
    session: AsyncSession,
    model: type[M],
    *,
    ids: Sequence[int],
    owner: str,
    values: dict[str, Any] | None = None,
) -> int:
    """Clear the lease on rows `owner` still holds, recording `values`; returns rows changed.

    A row whose lease expired and was taken by another owner is left alone."""
    if not ids:
        return 0
    table: Any = model
    statement = (
        update(table)
        .where(table.id.in_(list(ids)), table.lease_owner == owner)
        .values(lease_owner=None, lease_until=None, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    result = await session.exec(statement)
    return int(result.rowcount or 0)
