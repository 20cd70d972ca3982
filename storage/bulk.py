"""Bulk reads and writes for the ticks: ids in chunks under the drivers' parameter limits, and
inserts through the driver's executemany (the ORM's per-row work would dominate a tick that
writes hundreds of thousands of rows). Values are bound exactly as the columns' types bind them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

CHUNK = 900  # ids per IN (...) list: well under SQLite's and asyncpg's parameter limits
T = TypeVar("T")


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def table_of(model: Any) -> Any:
    return model.__table__


def bind_value(session: AsyncSession, column: Any, value: Any) -> Any:
    """`value` as the column's type sends it to this backend's driver."""
    dialect = session.get_bind().dialect
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor(value) if processor is not None else value


class Binder:
    """`bind_value` for one column, each distinct value bound once (a tick's rows share a few
    timestamps)."""

    def __init__(self, session: AsyncSession, column: Any) -> None:
        self._session = session
        self._column = column
        self._bound: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        if value not in self._bound:
            self._bound[value] = bind_value(self._session, self._column, value)
        return self._bound[value]


def _marks(session: AsyncSession, count: int) -> str:
    if session.get_bind().dialect.paramstyle == "numeric_dollar":
        return ", ".join(f"${i}" for i in range(1, count + 1))
    return ", ".join("?" for _ in range(count))


async def executemany(
    session: AsyncSession,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    conflict: str = "",
) -> None:
    """Insert `rows` (values in `columns` order, already bound); with `conflict`, a row that
    clashes on those columns is skipped."""
    if not rows:
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(session, len(columns))})" + (
        f" ON CONFLICT ({conflict}) DO NOTHING" if conflict else ""
    )
    connection = await session.connection()
    for part in chunks(list(rows), 20_000):
        await connection.exec_driver_sql(sql, list(part))
