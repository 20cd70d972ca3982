"""The delivery outbox: message parts written by the digest tick, claimed with a lease by the
delivery worker, released with an outcome (sent, retry later, failed, parked).

Parts of one chat go out in order: only the oldest unsent part of a chat can be claimed.
This is the one module that writes the outbox (enqueueing, claims, outcomes, parking, a
backlog's rows replaced), which is why it runs past 500 lines.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, case, func, insert, literal, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.bulk import Binder, chunks, executemany, table_of
from storage.db import dialect_name
from storage.leases import Claim, claim_due, release
from storage.models import Chat, ChatState, Delivery, DeliveryStatus, Digest
from storage.rows import OutboxPart
from storage.types import UTCDateTime

_UNSENT = [DeliveryStatus.PENDING, DeliveryStatus.PARKED]

BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(hours=1)


def _markup_text(reply_markup: Any) -> str | None:
    if reply_markup is None or isinstance(reply_markup, str):
        return reply_markup
    if hasattr(reply_markup, "to_dict"):
        reply_markup = reply_markup.to_dict()
    return json.dumps(reply_markup, separators=(",", ":"))


async def enqueue_parts(
    session: AsyncSession,
    *,
    chat: Chat,
    digest_id: int | None,
    parts: Sequence[str],
    parse_mode: str | None = "HTML",
    now: datetime,
    reply_markup: Any = None,
) -> list[Delivery]:
    """Write `parts` to the outbox for `chat`, due `now`; the same (digest, part) twice is one
    row. `reply_markup` (a dict, JSON text or PTB markup) goes with the last part. A blocked
    chat's parts are parked straight away. The caller commits."""
    assert chat.id is not None, "flush the chat first"
    status = DeliveryStatus.PARKED if chat.state == ChatState.BLOCKED else DeliveryStatus.PENDING
    markup = _markup_text(reply_markup)
    rows: list[dict[str, Any]] = [
        {
            "digest_id": digest_id,
            "part_no": part_no,
            "chat_id": chat.id,
            "telegram_chat_id": chat.telegram_id,
            "thread_id": chat.thread_id,
            "text": text,
            "parse_mode": parse_mode,
            "reply_markup": markup if part_no == len(parts) - 1 else None,
            "status": status,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for part_no, text in enumerate(parts)
    ]
    if not rows:
        return []
    if digest_id is None:  # notices: no natural key, every call is new
        deliveries = [Delivery(**row) for row in rows]
        session.add_all(deliveries)
        await session.flush()
        return deliveries
    table: Any = Delivery.__table__  # type: ignore[attr-defined]
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    statement = (
        insert(table).values(rows).on_conflict_do_nothing(index_elements=["digest_id", "part_no"])
    )
    await session.exec(statement)
    result = await session.exec(
        select(Delivery)
        .where(Delivery.digest_id == digest_id)
        .order_by(col(Delivery.part_no))
        .execution_options(populate_existing=True)
    )
    return list(result.all())


# --- claiming ---------------------------------------------------------------------------------


def _is_chat_head() -> ColumnElement[bool]:
    """No older unsent part of the same chat is waiting: this row is next in its chat.
    (One grouped pass over the pending parts; a correlated NOT EXISTS made PostgreSQL probe an
    index per row, seconds for a large broadcast.)"""
    heads = (
        select(func.min(Delivery.id))
        .where(col(Delivery.status) == DeliveryStatus.PENDING)
        .group_by(col(Delivery.chat_id))
    )
    return col(Delivery.id).in_(heads.scalar_subquery())


async def claim_due_parts(
    session: AsyncSession, *, now: datetime, owner: str, lease: timedelta, limit: int
) -> list[Delivery]:
    """Lease up to `limit` due parts, at most one per chat (the oldest unsent part of each
    chat), oldest first; the caller commits before sending."""
    return await claim_due(
        session,
        Delivery,
        Claim(owner=owner, now=now, lease=lease, limit=limit),
        due=col(Delivery.next_attempt_at),
        where=[col(Delivery.status) == DeliveryStatus.PENDING, _is_chat_head()],
        order_by=[col(Delivery.next_attempt_at), col(Delivery.id)],
    )


async def next_due_at(session: AsyncSession) -> datetime | None:
    """When the next part becomes claimable (the earliest due chat head), None when none."""
    result = await session.exec(
        select(func.min(Delivery.next_attempt_at)).where(
            col(Delivery.status) == DeliveryStatus.PENDING, _is_chat_head()
        )
    )
    value = result.one()
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns the aggregate as text
        value = datetime.fromisoformat(value)
    moment: datetime = value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def renew_leases(
    session: AsyncSession, *, ids: Sequence[int], owner: str, until: datetime
) -> int:
    """Extend the lease of parts still in flight; the caller commits."""
    if not ids:
        return 0
    result = await session.exec(
        update(Delivery)
        .where(col(Delivery.id).in_(list(ids)), col(Delivery.lease_owner) == owner)
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def release_parts(session: AsyncSession, *, ids: Sequence[int], owner: str) -> int:
    """Give back parts claimed but not sent (shutdown): due again at once for anyone."""
    return await release(session, Delivery, ids=ids, owner=owner)


# --- outcomes -------------------------------------------------------------------------------


async def mark_sent(
    session: AsyncSession, *, delivery_id: int, owner: str, message_id: int, now: datetime
) -> bool:
    """Telegram returned the message: the part is sent (only if we still hold its lease)."""
    values = {"status": DeliveryStatus.SENT, "telegram_message_id": message_id, "sent_at": now}
    return bool(await release(session, Delivery, ids=[delivery_id], owner=owner, values=values))


async def mark_many_sent(
    session: AsyncSession, *, sent: Sequence[tuple[int, int]], owner: str, now: datetime
) -> None:
    """`mark_sent` for many `(delivery_id, message_id)` pairs, in one batched statement."""
    if not sent:
        return
    table: Any = Delivery.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.lease_owner == owner)
        .values(
            status=DeliveryStatus.SENT,
            telegram_message_id=bindparam("b_message_id"),
            sent_at=now,
            lease_owner=None,
            lease_until=None,
        )
    )
    connection = await session.connection()
    await connection.execute(
        statement, [{"b_id": d_id, "b_message_id": m_id} for d_id, m_id in sent]
    )


async def retry_at(
    session: AsyncSession, *, delivery_id: int, owner: str, at: datetime, error: str | None = None
) -> bool:
    """A flood wait (429): due again at `at`, attempts unchanged."""
    values: dict[str, Any] = {"next_attempt_at": at}
    if error is not None:
        values["error"] = error
    return bool(await release(session, Delivery, ids=[delivery_id], owner=owner, values=values))


def backoff_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """The wait after the `attempts`-th failure: exponential, capped, with up to 50% jitter
    added (never less than the nominal delay, so the give-up time is a lower bound)."""
    nominal = min(BACKOFF_CAP, BACKOFF_BASE * (1 << min(attempts, 30)))
    jitter: float = (rng.random() if rng is not None else random.random()) * 0.5
    return nominal * (1 + jitter)


def nominal_retry_time(attempts: int) -> timedelta:
    """The least total time spent waiting after `attempts` failures."""
    return sum(
        (min(BACKOFF_CAP, BACKOFF_BASE * (1 << min(k, 30))) for k in range(attempts)),
        timedelta(0),
    )


async def backoff(
    session: AsyncSession,
    *,
    delivery: Delivery,
    owner: str,
    now: datetime,
    error: str,
    give_up_after: timedelta,
    rng: random.Random | None = None,
) -> str:
    """A network error, timeout or 5xx: retry later with exponential backoff, attempts + 1;
    once the part has been retried for `give_up_after` it is `failed` with `error`.
    Returns the new status."""
    assert delivery.id is not None
    attempts = delivery.attempts + 1
    # time since the first failure is at least the nominal waits so far (jitter only adds);
    # not `now - created_at`: a part parked for days must not fail at its first hiccup
    if nominal_retry_time(attempts - 1) >= give_up_after:
        await fail(session, delivery_id=delivery.id, owner=owner, error=error, attempts=attempts)
        return DeliveryStatus.FAILED
    values = {
        "attempts": attempts,
        "next_attempt_at": now + backoff_delay(attempts - 1, rng=rng),
        "error": error[:1000],
    }
    await release(session, Delivery, ids=[delivery.id], owner=owner, values=values)
    return DeliveryStatus.PENDING


async def fail(
    session: AsyncSession,
    *,
    delivery_id: int,
    owner: str,
    error: str,
    attempts: int | None = None,
) -> bool:
    """Give up on a part, keeping the reason (shown by /stats)."""
    values: dict[str, Any] = {"status": DeliveryStatus.FAILED, "error": error[:1000]}
    if attempts is not None:
        values["attempts"] = attempts
    return bool(await release(session, Delivery, ids=[delivery_id], owner=owner, values=values))


async def resplit_part(
    session: AsyncSession,
    *,
    delivery_id: int,
    owner: str,
    pieces: Sequence[str],
    parse_mode: str | None,
    now: datetime,
) -> int:
    """Telegram refused the part as too long: it becomes `pieces`, due now, in its place in the
    chat's order. The part keeps its row (its chat's head) with the first piece; the others are
    new rows right behind it, and the chat's later unsent parts are moved behind those (rows
    are sent in id order, so they are written again after them). Only while `owner` holds the
    part's lease; returns the pieces written (0 when the lease was lost). The caller commits."""
    part = await session.get(Delivery, delivery_id, populate_existing=True)
    if part is None or part.lease_owner != owner or not pieces:
        return 0
    later = (
        await session.exec(
            select(Delivery)
            .where(
                col(Delivery.chat_id) == part.chat_id,
                col(Delivery.id) > delivery_id,
                col(Delivery.status).in_([DeliveryStatus.PENDING, DeliveryStatus.PARKED]),
            )
            .order_by(col(Delivery.id))
            .execution_options(populate_existing=True)
        )
    ).all()
    moved = [row.model_dump(exclude={"id"}) for row in later]
    for row in later:
        await session.delete(row)
    await session.flush()
    extra = len(pieces) - 1
    markup = part.reply_markup
    part.text, part.parse_mode = pieces[0], parse_mode
    part.reply_markup = markup if extra == 0 else None
    part.lease_owner, part.lease_until, part.next_attempt_at = None, None, now
    session.add(part)
    for index, text in enumerate(pieces[1:], start=1):
        session.add(
            Delivery(
                digest_id=part.digest_id,
                part_no=part.part_no + index,
                chat_id=part.chat_id,
                telegram_chat_id=part.telegram_chat_id,
                thread_id=part.thread_id,
                text=text,
                parse_mode=parse_mode,
                reply_markup=markup if index == extra else None,
                status=part.status,
                next_attempt_at=now,
                created_at=part.created_at,
            )
        )
    for values in moved:
        if values["digest_id"] is not None and values["digest_id"] == part.digest_id:
            values["part_no"] += extra  # the same digest's later parts keep their order
        session.add(Delivery(**values))
    await session.flush()
    return len(pieces)


# --- chats: blocked, revived, migrated --------------------------------------------------------


async def park_chat_parts(session: AsyncSession, *, chat: Chat) -> int:
    """The chat blocked us or is gone: keep its unsent parts, parked, leases cleared."""
    result = await session.exec(
        update(Delivery)
        .where(col(Delivery.chat_id) == chat.id, col(Delivery.status) == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.PARKED, lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def unpark_chat_parts(session: AsyncSession, *, chat: Chat, now: datetime) -> int:
    """The chat is back (/start): its parked parts are due again, addressed to its current id
    (`digests.backlog.revive_chat` folds a stale backlog). Returns the parts revived."""
    result = await session.exec(
        update(Delivery)
        .where(col(Delivery.chat_id) == chat.id, col(Delivery.status) == DeliveryStatus.PARKED)
        .values(
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
            telegram_chat_id=chat.telegram_id,
            lease_owner=None,
            lease_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def readdress_chat_parts(session: AsyncSession, *, chat: Chat) -> int:
    """After `storage.chats.move_chat`: unsent parts go to the chat's new Telegram id."""
    result = await session.exec(
        update(Delivery)
        .where(
            col(Delivery.chat_id) == chat.id,
            col(Delivery.status).in_([DeliveryStatus.PENDING, DeliveryStatus.PARKED]),
        )
        .values(telegram_chat_id=chat.telegram_id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


# --- digests' parts in bulk (the digest tick) ------------------------------------------------

_OUTBOX_COLUMNS = (
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


async def insert_parts(session: AsyncSession, *, parts: Sequence[OutboxPart]) -> None:
    """Bulk `enqueue_parts` for many digests (HTML, no markup; a blocked chat's parts parked);
    a (digest, part) already there is left as it is."""
    if not parts:
        return
    at = Binder(session, table_of(Delivery).c.next_attempt_at)
    pending, parked = str(DeliveryStatus.PENDING), str(DeliveryStatus.PARKED)
    await executemany(
        session,
        "delivery",
        _OUTBOX_COLUMNS,
        [  # in _OUTBOX_COLUMNS order
            (
                p.digest_id,
                p.part_no,
                p.chat_id,
                p.telegram_chat_id,
                p.thread_id,
                p.text,
                "HTML",
                None,
                parked if p.blocked else pending,
                0,
                at(p.now),
                at(p.now),
            )
            for p in parts
        ],
        conflict="digest_id, part_no",
    )


async def any_unsent_before(session: AsyncSession, *, before: datetime) -> bool:
    """Does any digest part made before `before` still wait in the outbox?"""
    result = await session.exec(
        select(Delivery.id)
        .where(
            col(Delivery.status).in_(_UNSENT),
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
    for part in chunks(list(chat_ids)):
        result = await session.exec(
            select(Delivery.chat_id)
            .where(
                col(Delivery.chat_id).in_(list(part)),
                col(Delivery.digest_id).is_not(None),
                col(Delivery.status).in_(_UNSENT),
                col(Delivery.created_at) < before,
            )
            .group_by(col(Delivery.chat_id))
            .having(func.count(func.distinct(Delivery.digest_id)) > threshold)
        )
        found.extend(int(c) for c in result.all())
    return found


async def enqueue_to_chats(
    session: AsyncSession,
    *,
    where: Sequence[ColumnElement[bool]],
    text: str,
    parse_mode: str | None,
    now: datetime,
) -> None:
    """`text` as one part (no digest) to every chat `where` selects, in one statement: due now,
    a blocked chat's parked. The caller commits."""
    status = case(
        (col(Chat.state) == ChatState.BLOCKED, literal(DeliveryStatus.PARKED.value)),
        else_=literal(DeliveryStatus.PENDING.value),
    )
    when = literal(now, type_=UTCDateTime())
    rows = core_select(  # the sqlmodel select types four columns at most
        literal(0),
        col(Chat.id),
        col(Chat.telegram_id),
        col(Chat.thread_id),
        literal(text),
        literal(parse_mode),
        status,
        literal(0),
        when,
        when,
    ).where(*where)
    columns = [c for c in _OUTBOX_COLUMNS if c not in ("digest_id", "reply_markup")]
    await session.exec(insert(table_of(Delivery)).from_select(columns, rows))


# --- a backlog, replaced by one digest (`digests.backlog` packs it) ----------------------------


async def waiting_digests(
    session: AsyncSession, *, chat_id: int, now: datetime, more_than: int = 0
) -> dict[int, list[Delivery]]:
    """The chat's digests wholly waiting (none of their parts sent, failed or leased), each
    with its parts, oldest first; none when no more than `more_than` digests are unsent."""
    rows = (
        await session.exec(
            select(Delivery)
            .where(
                col(Delivery.chat_id) == chat_id,
                col(Delivery.digest_id).is_not(None),
                col(Delivery.status).in_(_UNSENT),
            )
            .order_by(col(Delivery.id))
            .execution_options(populate_existing=True)
        )
    ).all()
    by_digest: dict[int, list[Delivery]] = {}
    for row in rows:
        assert row.digest_id is not None
        by_digest.setdefault(row.digest_id, []).append(row)
    if len(by_digest) <= more_than:
        return {}
    started = set(
        (
            await session.exec(
                select(Delivery.digest_id).where(
                    col(Delivery.digest_id).in_(list(by_digest)),
                    col(Delivery.status).not_in(_UNSENT),
                )
            )
        ).all()
    )
    return {
        digest_id: parts
        for digest_id, parts in by_digest.items()
        if digest_id not in started
        and all(p.lease_until is None or p.lease_until < now for p in parts)
    }


async def replace_with_digest(
    session: AsyncSession,
    *,
    chat: Chat,
    parts: Sequence[Delivery],
    texts: Sequence[str],
    kind: str,
    now: datetime,
) -> Digest:
    """`parts` (waiting, in order) give way to a new digest of `kind` whose parts are `texts`:
    same status, address and thread as the last of them, the last one's markup on the last
    text, as old as the oldest. The caller commits."""
    assert chat.id is not None and parts
    markup = next((p.reply_markup for p in reversed(parts) if p.reply_markup), None)
    digest = Digest(chat_id=chat.id, kind=kind, created_at=now)
    session.add(digest)
    await session.flush()
    assert digest.id is not None
    status, thread_id = parts[0].status, parts[-1].thread_id
    created = min(p.created_at for p in parts)
    for part in parts:
        await session.delete(part)
    await session.flush()
    for part_no, text in enumerate(texts):
        session.add(
            Delivery(
                digest_id=digest.id,
                part_no=part_no,
                chat_id=chat.id,
                telegram_chat_id=chat.telegram_id,
                thread_id=thread_id,
                text=text,
                parse_mode=parts[0].parse_mode,
                reply_markup=markup if part_no == len(texts) - 1 else None,
                status=status,
                next_attempt_at=now,
                created_at=created,
            )
        )
    await session.flush()
    return digest


# --- reading --------------------------------------------------------------------------------


async def delivery_counts(session: AsyncSession) -> dict[str, int]:
    """Parts per status (every status present, 0 when none), for /stats."""
    result = await session.exec(
        select(Delivery.status, func.count()).group_by(col(Delivery.status))
    )
    counts = {status.value: 0 for status in DeliveryStatus}
    for status, count in result.all():
        counts[str(status)] = int(count)
    return counts


async def failure_reasons(session: AsyncSession, *, limit: int = 5) -> list[tuple[str, int]]:
    """The commonest reasons parts failed, most frequent first."""
    result = await session.exec(
        select(Delivery.error, func.count())
        .where(col(Delivery.status) == DeliveryStatus.FAILED)
        .group_by(col(Delivery.error))
        .order_by(func.count().desc())
        .limit(limit)
    )
    return [(str(error or "unknown"), int(count)) for error, count in result.all()]


async def chat_parts(session: AsyncSession, *, chat_id: int) -> list[Delivery]:
    """Every part of a chat, oldest first."""
    result = await session.exec(
        select(Delivery)
        .where(col(Delivery.chat_id) == chat_id)
        .order_by(col(Delivery.id))
        .execution_options(populate_existing=True)
    )
    return list(result.all())


async def outbox_state(session: AsyncSession, *, now: datetime) -> tuple[int, float]:
    """Parts waiting (pending or in flight) and the age in seconds of the oldest one."""
    waiting = col(Delivery.status).in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])
    result = await session.exec(select(func.count(), func.min(Delivery.created_at)).where(waiting))
    count, oldest = result.one()
    if oldest is None:
        return int(count), 0.0
    if isinstance(oldest, str):
        oldest = datetime.fromisoformat(oldest)
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return int(count), max(0.0, (now - oldest).total_seconds())
