"""Digest rows and the bulk reads and writes of the digest tick: chats, subscriptions and mutes
of many chats at once, candidate articles, stories already sent, and inserting digests, their
items, sent stories and outbox parts in a few statements. The caller commits."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, update
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import dialect_name
from storage.models import (
    Article,
    Chat,
    Delivery,
    DeliveryStatus,
    Digest,
    Mute,
    Schedule,
    SentStory,
    Subscription,
)

CHUNK = 900  # ids per IN (...) list: well under SQLite's and asyncpg's parameter limits
T = TypeVar("T")


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _table(model: Any) -> Any:
    return model.__table__


# --- leases ------------------------------------------------------------------------------------


async def confirm_leases(
    session: AsyncSession, *, ids: Sequence[int], owner: str, now: datetime, lease: timedelta
) -> set[int]:
    """Re-take, in this transaction, the schedules `owner` still holds (row-locked on
    PostgreSQL, the write lock on SQLite), so nobody else can claim them before it commits."""
    held: set[int] = set()
    table = _table(Schedule)
    for part in chunks(list(ids)):
        result = await session.exec(
            update(table)
            .where(table.c.id.in_(list(part)), table.c.lease_owner == owner)
            .values(lease_until=now + lease)
            .returning(table.c.id)
        )
        held.update(int(row[0]) for row in result.all())
    return held


async def advance_schedules(session: AsyncSession, *, rows: Sequence[dict[str, Any]]) -> None:
    """Many schedules advanced and released at once: each row has `id`, `owner`,
    `next_due_at`, `last_run_at`, `timezone`, `wm_at`, `wm_id` (the watermark). Rows with the
    same values (most of a tick's) are one statement."""
    if not rows:
        return
    table = _table(Schedule)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for r in rows:
        key = (
            r["owner"],
            r["next_due_at"],
            r["last_run_at"],
            r["timezone"],
            r["wm_at"],
            r["wm_id"],
        )
        groups.setdefault(key, []).append(r["id"])
    for (owner, due, run, tz, wm_at, wm_id), ids in groups.items():
        for part in chunks(ids):
            await session.exec(
                update(table)
                .where(table.c.id.in_(list(part)), table.c.lease_owner == owner)
                .values(
                    next_due_at=due,
                    last_run_at=run,
                    timezone=tz,
                    watermark_stored_at=wm_at,
                    watermark_article_id=wm_id,
                    lease_owner=None,
                    lease_until=None,
                )
                .execution_options(synchronize_session=False)
            )


# --- reads ---------------------------------------------------------------------------------------


async def chat_rows(session: AsyncSession, *, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """`(id, telegram_id, thread_id, state, language, timezone, max_items, quiet_start,
    quiet_end)` of these chats."""
    rows: list[tuple[Any, ...]] = []
    connection = await session.connection()
    columns = (
        col(Chat.id),
        col(Chat.telegram_id),
        col(Chat.thread_id),
        col(Chat.state),
        col(Chat.language),
        col(Chat.timezone),
        col(Chat.max_items),
        col(Chat.quiet_start),
        col(Chat.quiet_end),
    )
    for part in chunks(list(ids)):
        result = await connection.execute(core_select(*columns).where(col(Chat.id).in_(list(part))))
        rows.extend(tuple(row) for row in result.all())
    return rows


async def chats_by_id(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, Chat]:
    found: dict[int, Chat] = {}
    for part in chunks(list(ids)):
        result = await session.exec(select(Chat).where(col(Chat.id).in_(list(part))))
        found.update((c.id, c) for c in result.all() if c.id is not None)
    return found


async def subscriptions_of(
    session: AsyncSession, *, chat_ids: Sequence[int]
) -> list[tuple[int, str, str, str, int | None]]:
    """`(chat_id, kind, target, query, feed_id)` of these chats, in subscription order."""
    rows: list[tuple[int, str, str, str, int | None]] = []
    for part in chunks(list(chat_ids)):
        connection = await session.connection()
        result = await connection.execute(
            core_select(
                col(Subscription.chat_id),
                col(Subscription.kind),
                col(Subscription.target),
                col(Subscription.query),
                col(Subscription.feed_id),
            )
            .where(col(Subscription.chat_id).in_(list(part)))
            .order_by(col(Subscription.id))
        )
        rows.extend((int(c), str(k), str(t), str(q), f) for c, k, t, q, f in result.all())
    return rows


async def mutes_of(session: AsyncSession, *, chat_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for part in chunks(list(chat_ids)):
        result = await session.exec(
            select(Mute.chat_id, Mute.word).where(col(Mute.chat_id).in_(list(part)))
        )
        for chat_id, word in result.all():
            found.setdefault(int(chat_id), []).append(str(word))
    return found


ARTICLE_COLUMNS: tuple[Any, ...] = (
    Article.id,
    Article.story_id,
    Article.feed_id,
    Article.stored_at,
    Article.published_at,
    Article.title,
    Article.url,
    Article.canonical_url,
    Article.source_name,
    Article.summary,
    Article.keyphrases,
    Article.date_only,
)


async def articles_stored_between(
    session: AsyncSession,
    *,
    after: tuple[datetime, int] | None,
    until: datetime,
    limit: int,
) -> list[tuple[Any, ...]]:
    """Rows of `ARTICLE_COLUMNS` stored after the watermark `after` and at or before `until`,
    oldest first."""
    statement = core_select(*ARTICLE_COLUMNS).where(col(Article.stored_at) <= until)
    if after is not None:
        at, article_id = after
        statement = statement.where(
            (col(Article.stored_at) > at)
            | ((col(Article.stored_at) == at) & (col(Article.id) > article_id))
        )
    statement = statement.order_by(col(Article.stored_at), col(Article.id)).limit(limit)
    connection = await session.connection()
    result = await connection.execute(statement)
    return [tuple(row) for row in result.all()]


async def articles_of_stories(
    session: AsyncSession, *, story_ids: Sequence[int], until: datetime
) -> list[tuple[Any, ...]]:
    """Rows of `ARTICLE_COLUMNS` of every article of these stories stored by `until`."""
    rows: list[tuple[Any, ...]] = []
    connection = await session.connection()
    for part in chunks(list(story_ids)):
        result = await connection.execute(
            core_select(*ARTICLE_COLUMNS)
            .where(col(Article.story_id).in_(list(part)), col(Article.stored_at) <= until)
            .order_by(col(Article.id))
        )
        rows.extend(tuple(row) for row in result.all())
    return rows


async def articles_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    connection = await session.connection()
    for part in chunks(list(ids)):
        result = await connection.execute(
            core_select(*ARTICLE_COLUMNS).where(col(Article.id).in_(list(part)))
        )
        rows.extend(tuple(row) for row in result.all())
    return rows


async def sent_stories(
    session: AsyncSession, *, chat_ids: Sequence[int], story_ids: Sequence[int]
) -> dict[int, set[int]]:
    """For each chat, which of these stories it has been sent already."""
    found: dict[int, set[int]] = {}
    if not story_ids:
        return found
    stories = list(story_ids)
    for part in chunks(list(chat_ids)):
        for story_part in chunks(stories):
            result = await session.exec(
                select(SentStory.chat_id, SentStory.story_id).where(
                    col(SentStory.chat_id).in_(list(part)),
                    col(SentStory.story_id).in_(list(story_part)),
                )
            )
            for chat_id, story_id in result.all():
                found.setdefault(int(chat_id), set()).add(int(story_id))
    return found


def ids_text(ids: Sequence[int]) -> str:
    """Article ids as a digest row stores them: "12,7,30"."""
    return ",".join(map(str, ids))


def parse_ids(text: str | None) -> list[int]:
    """The article ids of `ids_text`, in order."""
    return [int(part) for part in (text or "").split(",") if part.strip()]


async def latest_digest_with_more(session: AsyncSession, *, chat_id: int) -> Digest | None:
    """The chat's newest digest that still holds stories for /more."""
    result = await session.exec(
        select(Digest)
        .where(Digest.chat_id == chat_id, col(Digest.more_ids) != "")
        .order_by(col(Digest.id).desc())
        .limit(1)
    )
    return result.first()


async def take_more(session: AsyncSession, *, digest_id: int) -> None:
    """The digest's held-back stories are on their way (/more): it holds none any longer."""
    table = _table(Digest)
    await session.exec(update(table).where(table.c.id == digest_id).values(more_ids=""))


async def digests_of(session: AsyncSession, *, chat_id: int) -> list[Digest]:
    result = await session.exec(
        select(Digest).where(Digest.chat_id == chat_id).order_by(col(Digest.id))
    )
    return list(result.all())


async def count_digests(session: AsyncSession) -> int:
    result = await session.exec(select(func.count()).select_from(Digest))
    return int(result.one())


# --- bulk writes -------------------------------------------------------------------------------
# Written with the driver's executemany: a tick writes hundreds of thousands of rows, and the
# ORM's per-row work would dominate. Values are bound exactly as the columns' types bind them.


def bind_value(session: AsyncSession, column: Any, value: Any) -> Any:
    """`value` as the column's type sends it to this backend's driver."""
    dialect = session.get_bind().dialect
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor(value) if processor is not None else value


def _marks(session: AsyncSession, count: int) -> str:
    if session.get_bind().dialect.paramstyle == "numeric_dollar":
        return ", ".join(f"${i}" for i in range(1, count + 1))
    return ", ".join("?" for _ in range(count))


async def _executemany(
    session: AsyncSession,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    conflict: str = "",
) -> None:
    if not rows:
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(session, len(columns))})" + (
        f" ON CONFLICT ({conflict}) DO NOTHING" if conflict else ""
    )
    connection = await session.connection()
    for part in chunks(list(rows), 20_000):
        await connection.exec_driver_sql(sql, list(part))


async def reserve_digest_ids(session: AsyncSession, *, count: int) -> list[int]:
    """`count` fresh digest ids (the tick holds the write lock on SQLite; a sequence on
    PostgreSQL)."""
    if count <= 0:
        return []
    connection = await session.connection()
    if dialect_name(session) == "postgresql":
        result = await connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence('digest', 'id')) "
            f"FROM generate_series(1, {int(count)})"
        )
        return [int(row[0]) for row in result.all()]
    result = await connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM digest")
    top = int(result.scalar_one())
    return list(range(top + 1, top + 1 + count))


async def insert_digests(session: AsyncSession, *, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert digest rows (`chat_id`, `kind`, `created_at`, `items_count`, `overflow_count`,
    `article_ids`, `more_ids` — lists of ints); their ids in the same order."""
    ids = await reserve_digest_ids(session, count=len(rows))
    created = _table(Digest).c.created_at
    times: dict[datetime, Any] = {}

    def at(value: datetime) -> Any:
        if value not in times:
            times[value] = bind_value(session, created, value)
        return times[value]

    await _executemany(
        session,
        "digest",
        [
            "id",
            "chat_id",
            "kind",
            "created_at",
            "items_count",
            "overflow_count",
            "article_ids",
            "more_ids",
        ],
        [
            (
                digest_id,
                r["chat_id"],
                r["kind"],
                at(r["created_at"]),
                r["items_count"],
                r["overflow_count"],
                ids_text(r["article_ids"]),
                ids_text(r["more_ids"]),
            )
            for digest_id, r in zip(ids, rows, strict=True)
        ],
    )
    return ids


async def insert_sent_stories(
    session: AsyncSession, *, rows: Sequence[tuple[int, int, int]], sent_at: datetime
) -> None:
    """Rows of (`chat_id`, `story_id`, `digest_id`); a story already recorded for the chat is
    left as it is."""
    at = bind_value(session, _table(SentStory).c.sent_at, sent_at)
    await _executemany(
        session,
        "sent_story",
        ["chat_id", "story_id", "digest_id", "sent_at"],
        [(c, s, d, at) for c, s, d in rows],
        conflict="chat_id, story_id",
    )


_DELIVERY_COLUMNS = (
    "digest_id",
    "part_no",
    "chat_id",
    "telegram_chat_id",
    "thread_id",
    "text",
    "parse_mode",
    "reply_markup",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
)


def delivery_rows(
    *,
    chat_id: int,
    telegram_chat_id: int,
    thread_id: int | None,
    blocked: bool,
    digest_id: int,
    parts: Sequence[str],
    now: datetime,
) -> list[dict[str, Any]]:
    """Outbox rows with the fields `storage.deliveries.enqueue_parts` writes (a blocked
    chat's parts parked)."""
    status = DeliveryStatus.PARKED if blocked else DeliveryStatus.PENDING
    return [
        {
            "digest_id": digest_id,
            "part_no": part_no,
            "chat_id": chat_id,
            "telegram_chat_id": telegram_chat_id,
            "thread_id": thread_id,
            "text": text,
            "parse_mode": "HTML",
            "reply_markup": None,
            "status": str(status),
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for part_no, text in enumerate(parts)
    ]


async def insert_deliveries(session: AsyncSession, *, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk outbox insert; a (digest, part) already there is left as it is."""
    if not rows:
        return
    table = _table(Delivery)
    times: dict[datetime, Any] = {}

    def at(value: datetime) -> Any:
        if value not in times:
            times[value] = bind_value(session, table.c.next_attempt_at, value)
        return times[value]

    await _executemany(
        session,
        "delivery",
        _DELIVERY_COLUMNS,
        [  # in _DELIVERY_COLUMNS order
            (
                r["digest_id"],
                r["part_no"],
                r["chat_id"],
                r["telegram_chat_id"],
                r["thread_id"],
                r["text"],
                r["parse_mode"],
                r["reply_markup"],
                r["status"],
                r["attempts"],
                at(r["next_attempt_at"]),
                at(r["created_at"]),
            )
            for r in rows
        ],
        conflict="digest_id, part_no",
    )


async def any_unsent_before(session: AsyncSession, *, before: datetime) -> bool:
    """Does any digest part made before `before` still wait in the outbox?"""
    result = await session.exec(
        select(Delivery.id)
        .where(
            col(Delivery.status).in_([DeliveryStatus.PENDING, DeliveryStatus.PARKED]),
            col(Delivery.digest_id).is_not(None),
            col(Delivery.created_at) < before,
        )
        .limit(1)
    )
    return result.first() is not None


async def chats_with_backlog(
    session: AsyncSession, *, chat_ids: Sequence[int], threshold: int, before: datetime
) -> list[int]:
    """Chats with more than `threshold` whole digests made before `before` and unsent
    (candidates for folding)."""
    found: list[int] = []
    unsent = [DeliveryStatus.PENDING, DeliveryStatus.PARKED]
    for part in chunks(list(chat_ids)):
        result = await session.exec(
            select(Delivery.chat_id)
            .where(
                col(Delivery.chat_id).in_(list(part)),
                col(Delivery.digest_id).is_not(None),
                col(Delivery.status).in_(unsent),
                col(Delivery.created_at) < before,
            )
            .group_by(col(Delivery.chat_id))
            .having(func.count(func.distinct(Delivery.digest_id)) > threshold)
        )
        found.extend(int(c) for c in result.all())
    return found


def as_ids(values: Iterable[int | None]) -> list[int]:
    return [v for v in values if v is not None]
