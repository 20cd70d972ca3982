"""The delivery worker end to end: the real PTB `Bot` against the in-process Bot API emulator,
on SQLite and PostgreSQL, with one manual clock for the emulator, the limiter and the outbox —
nothing sleeps. Each test is an outcome of the "Delivery outcomes" table in docs/architecture.md."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot

from bot.delivery import DeliveryWorker
from digests.split import plain_text, split_html
from storage import chats as chat_store
from storage import deliveries as store
from storage.models import ChatState, ChatType, Delivery
from telegram_emulator import ApiLimits, Emulator, parse_html
from tests.support.delivery import RETRY_AFTER_WARNING, Rig, make_rig, settings_of

pytestmark = pytest.mark.filterwarnings(RETRY_AFTER_WARNING)


@pytest.fixture
async def rig(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[Rig]:
    yield await make_rig(sessionmaker)


def _seen(html_part: str) -> str:
    """The text a subscriber sees for one HTML part."""
    return parse_html(html_part)[0].strip()


async def test_a_long_digest_is_split_and_arrives_in_order(rig: Rig) -> None:
    items = [
        f"<b>{n}. Story number {n}</b>\n<i>Source {n}</i> — "
        + ("a fairly long summary sentence &amp; more. " * 12)
        + f'<a href="https://example.com/{n}">read</a>'
        for n in range(40)
    ]
    parts = split_html("\n\n".join(items))
    assert len(parts) >= 3
    alice = await rig.chat(42)
    bob = await rig.chat(43)
    await rig.enqueue(alice, parts)
    await rig.enqueue(bob, parts[:1])
    await rig.drain()
    view = rig.emulator.chat(42)
    assert view.texts == [_seen(p) for p in parts]
    assert all(m.parse_mode == "HTML" and m.entities for m in view.messages)
    assert rig.emulator.chat(43).texts == [_seen(parts[0])]
    rows = await rig.parts(alice)
    assert [r.status for r in rows] == ["sent"] * len(parts)
    assert [r.telegram_message_id for r in rows] == [m.message_id for m in view.messages]
    assert rig.emulator.stats.too_many_requests == 0  # our own pacing kept us under the limits


async def test_a_429_storm_loses_and_repeats_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # our limiter far faster than Telegram allows: the emulator refuses most sends
    rig = await make_rig(
        sessionmaker,
        settings=settings_of(rate_global=1000, rate_per_chat=50, rate_per_group_minute=600),
        emulator_limits=ApiLimits(global_per_second=10),
    )
    chats = [await rig.chat(1000 + n) for n in range(12)]
    group = await rig.chat(-777, type=ChatType.GROUP)
    expected: dict[int, list[str]] = {}
    for n, chat in enumerate(chats):
        expected[chat.telegram_id] = [f"chat {n} part {k}" for k in range(5)]
        await rig.enqueue(chat, expected[chat.telegram_id][:3])
        await rig.enqueue(chat, expected[chat.telegram_id][3:])
    expected[-777] = [f"group part {k}" for k in range(25)]
    await rig.enqueue(group, expected[-777])
    await rig.drain()
    assert rig.emulator.stats.too_many_requests > 20
    for telegram_id, texts in expected.items():
        assert rig.emulator.chat(telegram_id).texts == texts, telegram_id
    counts = await rig.counts()
    assert counts["sent"] == 12 * 5 + 25 and counts["pending"] == counts["failed"] == 0
    async with rig.sessionmaker() as session:
        attempts = (await session.exec(select(func.max(Delivery.attempts)))).one()
    assert attempts == 0  # flood waits are not failures


@pytest.mark.parametrize(
    "state",
    [{"blocked": True}, {"deactivated": True}, {"exists": False}],
    ids=["blocked", "deactivated", "chat-not-found"],
)
async def test_an_unreachable_chat_is_blocked_and_parked_then_revived(
    rig: Rig, state: dict[str, bool]
) -> None:
    alice = await rig.chat(50)
    other = await rig.chat(51)
    rig.emulator.set_chat_state(50, **state)
    await rig.enqueue(alice, ["one", "two"])
    await rig.enqueue(other, ["hello"])
    await rig.drain()
    assert rig.emulator.chat(51).texts == ["hello"]
    assert [r.status for r in await rig.parts(alice)] == ["parked", "parked"]
    async with rig.sessionmaker() as session:
        chat = await chat_store.get_chat(session, chat_id=alice.id or 0)
        assert chat is not None and chat.state == ChatState.BLOCKED
    await rig.enqueue(alice, ["three"])  # digests built meanwhile wait too
    await rig.drain()
    assert (await rig.counts())["parked"] == 3
    # the user comes back: /start revives the chat and its parts (bot/handlers/start.py)
    rig.emulator.set_chat_state(50, **{k: not v for k, v in state.items()})
    async with rig.sessionmaker() as session:
        chat = await chat_store.get_chat(session, chat_id=alice.id or 0)
        assert chat is not None
        await chat_store.set_state(session, chat=chat, state=ChatState.ACTIVE)
        assert await store.unpark_chat_parts(session, chat=chat, now=rig.now()) == 3
        await session.commit()
    await rig.drain()
    assert rig.emulator.chat(50).texts == ["one", "two", "three"]


async def test_a_kicked_bot_parks_a_group(rig: Rig) -> None:
    group = await rig.chat(-300, type=ChatType.GROUP)
    rig.emulator.set_chat_state(-300, kicked=True)
    await rig.enqueue(group, ["x"])
    await rig.drain()
    assert [r.status for r in await rig.parts(group)] == ["parked"]
    assert "kicked" in ((await rig.parts(group))[0].error or "")


async def test_a_migrated_group_moves_and_gets_its_parts_at_once(rig: Rig) -> None:
    group = await rig.chat(-400, type=ChatType.GROUP)
    rig.emulator.set_chat_state(-400, migrate_to_chat_id=-100400)
    await rig.enqueue(group, ["first", "second", "third"])
    await rig.drain()
    assert rig.emulator.chat(-100400).texts == ["first", "second", "third"]
    assert rig.emulator.chat(-400).messages == []
    async with rig.sessionmaker() as session:
        chat = await chat_store.get_chat(session, chat_id=group.id or 0)
        assert chat is not None
        assert (chat.telegram_id, chat.type) == (-100400, ChatType.SUPERGROUP)
    assert {r.telegram_chat_id for r in await rig.parts(group)} == {-100400}
    assert rig.emulator.stats.requests["sendMessage"] == 4  # one refused, three sent


@pytest.mark.parametrize("kind", ["500", "502", "timeout", "drop"])
async def test_server_errors_back_off_and_then_succeed(rig: Rig, kind: str) -> None:
    alice = await rig.chat(60)
    await rig.enqueue(alice, ["news", "more news"])
    rig.emulator.inject_faults(kind, next_n=4, methods=["sendMessage"])
    start = rig.now()
    await rig.worker.run_once()
    [head, _] = await rig.parts(alice)
    assert (head.status, head.attempts) == ("pending", 1)
    assert head.next_attempt_at - start >= timedelta(seconds=5)
    await rig.drain()
    assert rig.emulator.chat(60).texts == ["news", "more news"]
    [head, _] = await rig.parts(alice)
    assert (head.status, head.attempts) == ("sent", 4)
    assert rig.now() - start >= timedelta(seconds=5 + 10 + 20 + 40)  # exponential waits


async def test_a_part_fails_only_after_the_give_up_time_with_its_reason(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    rig = await make_rig(sessionmaker, settings=settings_of(delivery_give_up_hours=6))
    alice = await rig.chat(70)
    await rig.enqueue(alice, ["doomed", "after"])
    faults = rig.emulator.inject_faults("502", fraction=1.0, methods=["sendMessage"])
    start = rig.now()
    while (await rig.parts(alice))[0].status == "pending":
        await rig.step()
        if rig.now() - start < timedelta(hours=6):
            assert (await rig.parts(alice))[0].status == "pending"
    failed, after = await rig.parts(alice)
    assert (failed.status, failed.error) == ("failed", "NetworkError: Bad Gateway")
    assert rig.now() - start >= timedelta(hours=6)
    assert faults.injected == failed.attempts
    assert (await rig.counts())["failed"] == 1
    rig.emulator.clear_faults()
    await rig.drain()  # the rest of the chat's outbox is not stuck behind it
    assert rig.emulator.chat(70).texts == ["after"]
    assert after.id is not None


async def test_invalid_html_is_sent_as_plain_text_and_logged(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    alice = await rig.chat(80)
    broken = "<b>Top story</b> <div>from a bad template</div> &amp; 3 &lt; 4"
    await rig.enqueue(alice, [broken, "<i>fine</i>"])
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        await rig.drain()
    [first, second] = rig.emulator.chat(80).messages
    assert first.text == "Top story from a bad template & 3 < 4" == plain_text(broken)
    assert first.parse_mode is None
    assert second.text == "fine" and second.parse_mode == "HTML"
    assert any("template bug" in r.getMessage() for r in caplog.records)
    assert [p.status for p in await rig.parts(alice)] == ["sent", "sent"]


async def test_forum_parts_go_to_their_thread_or_the_chat_when_it_is_gone(rig: Rig) -> None:
    rig.emulator.group(-100900, "Forum", forum=True, topics={1: "General", 7: "News"})
    forum = await rig.chat(-100900, type=ChatType.SUPERGROUP)
    async with rig.sessionmaker() as session:
        chat = await chat_store.get_chat(session, chat_id=forum.id or 0)
        assert chat is not None
        chat.thread_id = 7
        session.add(chat)
        await session.commit()
        forum = chat
    await rig.enqueue(forum, ["in the news topic"])
    await rig.drain()
    assert [m.message_thread_id for m in rig.emulator.chat(-100900).messages] == [7]
    del rig.emulator.chats[-100900].topics[7]
    await rig.enqueue(forum, ["topic deleted"])
    await rig.drain()
    assert rig.emulator.chat(-100900).texts == ["in the news topic", "topic deleted"]
    assert rig.emulator.chat(-100900).messages[-1].message_thread_id is None


async def test_close_gives_back_what_was_not_sent(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    emulator = Emulator()
    bot = Bot(emulator.token, request=emulator.request())
    await bot.initialize()
    settings = settings_of(rate_global=2.0)  # real time: one send now, the next in 0.5 s
    worker = DeliveryWorker(bot=bot, sessionmaker=sessionmaker, settings=settings, owner="w1")
    async with sessionmaker() as session:
        for telegram_id in range(90, 96):
            emulator.private_chat(telegram_id)
            chat, _ = await chat_store.upsert_chat(session, telegram_id=telegram_id)
            await store.enqueue_parts(
                session, chat=chat, digest_id=None, parts=["hi"], now=datetime.now(UTC)
            )
        await session.commit()
    stop = asyncio.Event()
    loop = asyncio.create_task(worker.run_forever(stop))
    await emulator.wait_for_messages(90, 1, timeout=10)
    stop.set()
    await loop
    await worker.close()
    sent = emulator.stats.sent_per_chat.total()
    assert 1 <= sent < 6
    async with sessionmaker() as session:
        rows = (await session.exec(select(Delivery))).all()
        assert sum(r.status == "sent" for r in rows) == sent
        assert all(r.lease_owner is None for r in rows)
        # another worker takes the rest at once, without waiting for a lease to expire
        claimed = await store.claim_due_parts(
            session, now=datetime.now(UTC), owner="w2", lease=timedelta(seconds=10), limit=10
        )
        assert len(claimed) == 6 - sent


async def test_a_frozen_test_clock_never_stalls_the_worker(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Handlers' tests inject a clock that stands still; the default limiter must not wait for
    time to pass (here: more sends than one second's budget, all at the same instant)."""
    frozen = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    emulator = Emulator(limits=ApiLimits(enabled=False))
    bot = Bot(emulator.token, request=emulator.request())
    await bot.initialize()
    worker = DeliveryWorker(
        bot=bot, sessionmaker=sessionmaker, settings=settings_of(), owner="w1", clock=lambda: frozen
    )
    async with sessionmaker() as session:
        for telegram_id in range(1, 41):
            emulator.private_chat(telegram_id)
            chat, _ = await chat_store.upsert_chat(session, telegram_id=telegram_id)
            await store.enqueue_parts(session, chat=chat, digest_id=None, parts=["x"], now=frozen)
        await session.commit()
    async with asyncio.timeout(20):
        assert await worker.run_once() == 40
    assert emulator.stats.sent_per_chat.total() == 40
