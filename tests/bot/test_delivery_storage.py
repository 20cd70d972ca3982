"""The outbox contract (storage/deliveries.py) on SQLite and PostgreSQL: idempotent enqueue,
one claimable part per chat in order, leases, outcomes, parking and folding a backlog."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from digests import backlog
from storage import chats as chat_store
from storage import deliveries as store
from storage.models import Chat, ChatState, Delivery, Digest

LEASE = timedelta(seconds=30)


async def _chat(session: AsyncSession, telegram_id: int) -> Chat:
    chat, _ = await chat_store.upsert_chat(session, telegram_id=telegram_id)
    return chat


async def _queued(session: AsyncSession, telegram_id: int, parts: list[str], now: datetime) -> Chat:
    """A chat with `parts` queued (no digest), committed."""
    chat = await _chat(session, telegram_id)
    await store.enqueue_parts(session, chat=chat, digest_id=None, parts=parts, now=now)
    await session.commit()
    return chat


async def _digest(session: AsyncSession, chat: Chat, now: datetime) -> int:
    digest = Digest(chat_id=chat.id or 0, created_at=now)
    session.add(digest)
    await session.flush()
    assert digest.id is not None
    return digest.id


async def _claim(session: AsyncSession, now: datetime, owner: str = "w1") -> list[Delivery]:
    parts = await store.claim_due_parts(session, now=now, owner=owner, lease=LEASE, limit=100)
    await session.commit()
    return parts


Rng = random.Random | None


async def _send_failed(
    session: AsyncSession, part: Delivery, at: datetime, error: str, give_up: timedelta, rng: Rng
) -> str:
    """w1's send of `part` failed `at` with `error`: back it off (committed); the status."""
    status = await store.backoff(
        session, delivery=part, owner="w1", now=at, error=error, give_up_after=give_up, rng=rng
    )
    await session.commit()
    return status


async def test_enqueue_is_idempotent_per_digest_part(session: AsyncSession, now: datetime) -> None:
    chat = await _chat(session, 100)
    digest_id = await _digest(session, chat, now)
    first = await store.enqueue_parts(
        session, chat=chat, digest_id=digest_id, parts=["a", "b"], now=now
    )
    again = await store.enqueue_parts(
        session, chat=chat, digest_id=digest_id, parts=["a", "b"], now=now
    )
    await session.commit()
    assert [p.id for p in first] == [p.id for p in again]
    assert [(p.part_no, p.text, p.telegram_chat_id) for p in again] == [
        (0, "a", 100),
        (1, "b", 100),
    ]
    counts = await store.delivery_counts(session)
    assert counts["pending"] == 2 and counts["sent"] == 0


async def test_claims_one_part_per_chat_in_order(session: AsyncSession, now: datetime) -> None:
    alice, bob = await _chat(session, 1), await _chat(session, 2)
    for chat in (alice, bob):
        digest_id = await _digest(session, chat, now)
        await store.enqueue_parts(
            session, chat=chat, digest_id=digest_id, parts=["p0", "p1", "p2"], now=now
        )
    await session.commit()
    seen: dict[int, list[str]] = {1: [], 2: []}
    for _round in range(3):
        claimed = await _claim(session, now)
        assert sorted(p.telegram_chat_id for p in claimed) == [1, 2]
        assert await _claim(session, now, owner="w2") == []  # leased, next parts blocked behind
        for part in claimed:
            seen[part.telegram_chat_id].append(part.text)
            assert part.id is not None
            assert await store.mark_sent(
                session, delivery_id=part.id, owner="w1", message_id=7, now=now
            )
        await session.commit()
    assert seen == {1: ["p0", "p1", "p2"], 2: ["p0", "p1", "p2"]}
    assert await _claim(session, now) == []
    assert (await store.delivery_counts(session))["sent"] == 6


async def test_expired_lease_is_taken_over_and_old_owner_cannot_record(
    session: AsyncSession, now: datetime
) -> None:
    chat = await _queued(session, 5, ["x"], now)
    [part] = await _claim(session, now, owner="crashed")
    assert await _claim(session, now + timedelta(seconds=10), owner="w2") == []
    [again] = await _claim(session, now + LEASE + timedelta(seconds=1), owner="w2")
    assert again.id == part.id
    assert part.id is not None
    assert not await store.mark_sent(
        session, delivery_id=part.id, owner="crashed", message_id=1, now=now
    )
    assert await store.mark_sent(session, delivery_id=part.id, owner="w2", message_id=2, now=now)
    await session.commit()
    [row] = await store.chat_parts(session, chat_id=chat.id or 0)
    assert (row.status, row.telegram_message_id) == ("sent", 2)


async def test_flood_wait_keeps_attempts_and_blocks_later_parts(
    session: AsyncSession, now: datetime
) -> None:
    chat = await _chat(session, 9)
    await store.enqueue_parts(
        session, chat=chat, digest_id=await _digest(session, chat, now), parts=["1", "2"], now=now
    )
    await session.commit()
    [head] = await _claim(session, now)
    assert head.id is not None
    await store.retry_at(session, delivery_id=head.id, owner="w1", at=now + timedelta(seconds=30))
    await session.commit()
    assert await _claim(session, now + timedelta(seconds=29)) == []  # part 2 waits behind 1
    [again] = await _claim(session, now + timedelta(seconds=30))
    assert (again.id, again.attempts) == (head.id, 0)


async def test_backoff_grows_and_fails_only_after_give_up_time(
    session: AsyncSession, now: datetime
) -> None:
    chat = await _queued(session, 11, ["x", "y"], now)
    give_up = timedelta(hours=2)
    rng = random.Random(1)
    clock = now
    delays = []
    status = "pending"
    while status == "pending":
        [part] = await _claim(session, clock)
        assert part.text == "x"
        status = await _send_failed(session, part, clock, "TimedOut: timed out", give_up, rng)
        if status == "pending":
            [row, _] = await store.chat_parts(session, chat_id=chat.id or 0)
            delays.append(row.next_attempt_at - clock)
            assert await _claim(session, row.next_attempt_at - timedelta(seconds=1)) == []
            clock = row.next_attempt_at
    assert clock - now >= give_up
    assert delays[0] < timedelta(seconds=10) < delays[3]  # exponential, capped
    assert timedelta(minutes=30) < max(delays) <= store.BACKOFF_CAP * 1.5
    [failed, nxt] = await store.chat_parts(session, chat_id=chat.id or 0)
    assert failed.status == "failed" and failed.error == "TimedOut: timed out"
    assert failed.attempts == len(delays) + 1
    [claimed] = await _claim(session, clock)  # the next part is not stuck behind a failed one
    assert claimed.id == nxt.id
    assert await store.failure_reasons(session) == [("TimedOut: timed out", 1)]


async def test_park_and_unpark_keep_every_part(session: AsyncSession, now: datetime) -> None:
    chat = await _chat(session, 12)
    await store.enqueue_parts(
        session, chat=chat, digest_id=await _digest(session, chat, now), parts=["a", "b"], now=now
    )
    await session.commit()
    await _claim(session, now)
    assert await store.park_chat_parts(session, chat=chat) == 2
    await chat_store.set_state(session, chat=chat, state=ChatState.BLOCKED, now=now)
    later = await store.enqueue_parts(
        session, chat=chat, digest_id=await _digest(session, chat, now), parts=["c"], now=now
    )
    await session.commit()
    assert later[0].status == "parked"
    assert await _claim(session, now + timedelta(hours=1)) == []
    await chat_store.set_state(session, chat=chat, state=ChatState.ACTIVE)
    assert await store.unpark_chat_parts(session, chat=chat, now=now + timedelta(hours=1)) == 3
    await session.commit()
    texts = []
    clock = now + timedelta(hours=1)
    while claimed := await _claim(session, clock):
        [part] = claimed
        texts.append(part.text)
        await store.mark_sent(session, delivery_id=part.id or 0, owner="w1", message_id=1, now=now)
        await session.commit()
    assert texts == ["a", "b", "c"]


async def test_migrated_chat_parts_are_readdressed(session: AsyncSession, now: datetime) -> None:
    chat = await _chat(session, -100)
    await store.enqueue_parts(session, chat=chat, digest_id=None, parts=["a"], now=now)
    await chat_store.move_chat(session, chat=chat, new_telegram_id=-1001234)
    assert await store.readdress_chat_parts(session, chat=chat) == 1
    await session.commit()
    [part] = await _claim(session, now)
    assert part.telegram_chat_id == -1001234


async def test_a_long_backlog_is_folded_into_one_digest(
    session: AsyncSession, now: datetime
) -> None:
    chat = await _chat(session, 13)
    other = await _chat(session, 14)
    await store.enqueue_parts(
        session, chat=other, digest_id=await _digest(session, other, now), parts=["o"], now=now
    )
    for hour in range(6):
        at = now + timedelta(hours=hour)
        parts = [f"<b>digest {hour}</b> part {n}" for n in range(2)]
        await store.enqueue_parts(
            session, chat=chat, digest_id=await _digest(session, chat, at), parts=parts, now=at
        )
    assert await backlog.fold_backlog(session, chat=chat, now=now + timedelta(hours=6)) == 6
    await session.commit()
    rows = await store.chat_parts(session, chat_id=chat.id or 0)
    assert len(rows) < 12  # not queued one message per part
    text = "\n".join(r.text for r in rows)
    for hour in range(6):  # nothing lost, still in order
        for n in range(2):
            assert f"<b>digest {hour}</b> part {n}" in text
    positions = [text.index(f"digest {h}</b> part 1") for h in range(6)]
    assert positions == sorted(positions)
    assert len({r.digest_id for r in rows}) == 1
    assert rows[0].text.startswith("<b>📬 6 digests while you were away</b>")
    assert len(await store.chat_parts(session, chat_id=other.id or 0)) == 1


async def test_fold_respects_message_limits(session: AsyncSession, now: datetime) -> None:
    chat = await _chat(session, 15)
    await store.park_chat_parts(session, chat=chat)
    await chat_store.set_state(session, chat=chat, state=ChatState.BLOCKED, now=now)
    big = "<i>x</i>" + "y" * 3000
    for _ in range(5):
        await store.enqueue_parts(
            session, chat=chat, digest_id=await _digest(session, chat, now), parts=[big], now=now
        )
    await chat_store.set_state(session, chat=chat, state=ChatState.ACTIVE)
    assert await backlog.revive_chat(session, chat=chat, now=now) == 5
    await session.commit()
    rows = await store.chat_parts(session, chat_id=chat.id or 0)
    assert len(rows) == 5  # each too big to share a message, all kept
    assert all(len(r.text.encode("utf-16-le")) // 2 <= 4096 for r in rows)
    assert all(r.status == "pending" for r in rows)


async def test_a_backlog_at_the_threshold_is_left_alone(
    session: AsyncSession, now: datetime
) -> None:
    chat = await _chat(session, 16)
    for _ in range(backlog.FOLD_THRESHOLD):
        await store.enqueue_parts(
            session, chat=chat, digest_id=await _digest(session, chat, now), parts=["a"], now=now
        )
    assert await backlog.fold_backlog(session, chat=chat, now=now) == 0
    await store.enqueue_parts(
        session, chat=chat, digest_id=await _digest(session, chat, now), parts=["b"], now=now
    )
    assert await backlog.fold_backlog(session, chat=chat, now=now) == 4
    await session.commit()
    [part] = await store.chat_parts(session, chat_id=chat.id or 0)
    assert part.text.endswith("a\n\na\n\na\n\nb")


async def test_many_parts_are_marked_sent_at_once(session: AsyncSession, now: datetime) -> None:
    chats = [await _chat(session, 200 + n) for n in range(3)]
    for chat in chats:
        await store.enqueue_parts(session, chat=chat, digest_id=None, parts=["a"], now=now)
    await session.commit()
    claimed = await _claim(session, now)
    await store.mark_many_sent(
        session, sent=[(p.id or 0, 1000 + n) for n, p in enumerate(claimed)], owner="w1", now=now
    )
    await store.mark_many_sent(session, sent=[(claimed[0].id or 0, 1)], owner="other", now=now)
    await session.commit()
    rows = [r for chat in chats for r in await store.chat_parts(session, chat_id=chat.id or 0)]
    assert sorted(r.telegram_message_id or 0 for r in rows) == [1000, 1001, 1002]
    assert {(r.status, r.lease_owner, r.sent_at) for r in rows} == {("sent", None, now)}


async def test_an_old_part_is_not_given_up_at_its_first_failures(
    session: AsyncSession, now: datetime
) -> None:
    chat = await _queued(session, 17, ["old"], now)
    later = now + timedelta(days=5)  # parked for days, then revived
    for _ in range(3):
        [part] = await _claim(session, later)
        status = await _send_failed(
            session, part, later, "NetworkError: Bad Gateway", timedelta(hours=48), None
        )
        assert status == "pending"
        later = (await store.chat_parts(session, chat_id=chat.id or 0))[0].next_attempt_at
