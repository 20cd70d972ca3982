"""Digest rows and the bulk reads and writes of the digest tick: chats, subscriptions and mutes
of many chats at once, candidate articles, stories already sent, and inserting digests, their
items and sent stories in a few statements (their outbox parts: `storage.deliveries`). Rows go
out as the named records of `storage.rows`. The caller commits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, update
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.bulk import Binder, chunks, executemany, table_of
from storage.db import dialect_name
from storage.models import Article, Chat, Digest, Mute, Schedule, SentStory, Subscription
from storage.rows import (
    ArticleRow,
    ChatRow,
    DigestIn,
    ScheduleAdvance,
    SentStoryIn,
    SubscriptionRow,
    Watermark,
)

# --- leases ------------------------------------------------------------------------------------


async def confirm_leases(
    session: AsyncSession, *, ids: Sequence[int], owner: str, now: datetime, lease: timedelta
) -> set[int]:
    """Re-take, in this transaction, the schedules `owner` still holds (row-locked on
    PostgreSQL, the write lock on SQLite), so nobody else can claim them before it commits."""
    held: set[int] = set()
    table = table_of(Schedule)
    for part in chunks(list(ids)):
        result = await session.exec(
            update(table)
            .where(table.c.id.in_(list(part)), table.c.lease_owner == owner)
            .values(lease_until=now + lease)
            .returning(table.c.id)
        )
        held.update(int(row[0]) for row in result.all())
    return held


async def advance_schedules(session: AsyncSession, *, rows: Sequence[ScheduleAdvance]) -> None:
    """Many schedules advanced and released at once (only those their owner still holds).
    Rows with the same values (most of a tick's) are one statement."""
    if not rows:
        return
    table = table_of(Schedule)
    groups: dict[tuple[object, ...], list[int]] = {}
    for r in rows:
        key = (r.owner, r.next_due_at, r.last_run_at, r.timezone, r.watermark)
        groups.setdefault(key, []).append(r.id)
    for (owner, due, run, tz, watermark), ids in groups.items():
        wm_at, wm_id = watermark if isinstance(watermark, tuple) else (None, 0)
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


async def _select_in_parts(
    session: AsyncSession, ids: Sequence[int], statement: Callable[[list[int]], Select[Any]]
) -> list[Row[Any]]:
    """The rows of `statement(part)` for each part of `ids` (a bound parameter an id)."""
    rows: list[Row[Any]] = []
    connection = await session.connection()
    for part in chunks(list(ids)):
        result = await connection.execute(statement(list(part)))
        rows.extend(result.all())
    return rows


async def chat_rows(session: AsyncSession, *, ids: Sequence[int]) -> list[ChatRow]:
    """The builder's columns of these chats."""
    rows = await _select_in_parts(
        session, ids, lambda part: core_select(*ChatRow.columns()).where(col(Chat.id).in_(part))
    )
    return [ChatRow(*tuple(row)) for row in rows]


async def subscriptions_of(
    session: AsyncSession, *, chat_ids: Sequence[int]
) -> list[SubscriptionRow]:
    """The subscriptions of these chats, in subscription order."""
    rows: list[SubscriptionRow] = []
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
        rows.extend(
            SubscriptionRow(int(c), str(k), str(t), str(q), f) for c, k, t, q, f in result.all()
        )
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


async def articles_stored_between(
    session: AsyncSession,
    *,
    after: Watermark | None,
    until: datetime,
    limit: int,
) -> list[ArticleRow]:
    """The articles stored after the watermark `after` and at or before `until`, oldest
    first."""
    statement = core_select(*ArticleRow.columns()).where(col(Article.stored_at) <= until)
    if after is not None:
        at, article_id = after
        statement = statement.where(
            (col(Article.stored_at) > at)
            | ((col(Article.stored_at) == at) & (col(Article.id) > article_id))
        )
    statement = statement.order_by(col(Article.stored_at), col(Article.id)).limit(limit)
    connection = await session.connection()
    result = await connection.execute(statement)
    return [ArticleRow.of_values(row) for row in result.all()]


async def articles_of_stories(
    session: AsyncSession, *, story_ids: Sequence[int], until: datetime
) -> list[ArticleRow]:
    """Every article of these stories stored by `until`."""
    rows = await _select_in_parts(
        session,
        story_ids,
        lambda part: (
            core_select(*ArticleRow.columns())
            .where(col(Article.story_id).in_(part), col(Article.stored_at) <= until)
            .order_by(col(Article.id))
        ),
    )
    return [ArticleRow.of_values(row) for row in rows]


async def articles_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[ArticleRow]:
    rows = await _select_in_parts(
        session,
        ids,
        lambda part: core_select(*ArticleRow.columns()).where(col(Article.id).in_(part)),
    )
    return [ArticleRow.of_values(row) for row in rows]


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
    table = table_of(Digest)
    await session.exec(update(table).where(table.c.id == digest_id).values(more_ids=""))


async def digests_of(session: AsyncSession, *, chat_id: int) -> list[Digest]:
    result = await session.exec(
        select(Digest).where(Digest.chat_id == chat_id).order_by(col(Digest.id))
    )
    return list(result.all())


# --- bulk writes (`storage.bulk`) ------------------------------------------------------------


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


async def insert_digests(session: AsyncSession, *, rows: Sequence[DigestIn]) -> list[int]:
    """Insert digest rows; their ids in the same order."""
    ids = await reserve_digest_ids(session, count=len(rows))
    at = Binder(session, table_of(Digest).c.created_at)
    await executemany(
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
                r.chat_id,
                r.kind,
                at(r.created_at),
                len(r.article_ids),
                len(r.more_ids),
                ids_text(r.article_ids),
                ids_text(r.more_ids),
            )
            for digest_id, r in zip(ids, rows, strict=True)
        ],
    )
    return ids


async def insert_sent_stories(
    session: AsyncSession, *, rows: Sequence[SentStoryIn], sent_at: datetime
) -> None:
    """Stories sent to chats; a story already recorded for the chat is left as it is."""
    at = Binder(session, table_of(SentStory).c.sent_at)(sent_at)
    await executemany(
        session,
        "sent_story",
        ["chat_id", "story_id", "digest_id", "sent_at"],
        [(r.chat_id, r.story_id, r.digest_id, at) for r in rows],
        conflict="chat_id, story_id",
    )
