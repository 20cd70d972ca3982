"""Announcements: /broadcast (admins, after a confirmation button) and `digestbot broadcast
FILE` put one message per chat in the outbox; every active chat gets it exactly once, chats
that blocked the bot keep it parked (sent when they come back), paused chats and channels are
left alone, and nothing is lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.announcements import AnnouncementError, announcement_html
from storage import chats as chat_store
from storage import deliveries as delivery_store
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import ChatState, ChatType, DeliveryStatus
from tests.conftest import BACKENDS  # noqa: F401 (the sessionmaker fixture runs on both)
from tests.support.cli import Outcome, run_here
from tests.support.harness import ADMIN, running, stored_chat_id

READERS = [301, 302, 303]
GONE, LEAVES_LATER, RESTING = 310, 311, 312
GROUP, OWNER = -100500, 320
NEWS = "Maintenance tonight <b>22:00</b>\nBack by midnight & later"


async def parts_of(
    sessionmaker: async_sessionmaker[AsyncSession], telegram_id: int
) -> list[tuple[str, str]]:
    async with sessionmaker() as session:
        chat_id = await stored_chat_id(session, telegram_id)
        parts = await delivery_store.chat_parts(session, chat_id=chat_id)
    return [(p.status, p.text) for p in parts]


async def test_broadcast_reaches_every_active_chat_once_and_parks_the_blocked(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with running(sessionmaker) as bot:
        emulator = bot.emulator
        emulator.group(GROUP, "Harbour club", admins=[OWNER])
        for user in [*READERS, GONE, LEAVES_LATER, RESTING, ADMIN]:
            await bot.say(user, "/start")
        await bot.say(OWNER, "/start", chat_id=GROUP)
        await bot.say(RESTING, "/pause")
        emulator.set_chat_state(GONE, blocked=True)  # the bot hears of it
        await bot.settle()

        [refused] = await bot.say(READERS[0], f"/broadcast {NEWS}")
        assert "for the bot's admins" in refused.text
        [empty] = await bot.say(ADMIN, "/broadcast")
        assert "Usage: /broadcast" in empty.text
        [preview] = await bot.say(ADMIN, f"/broadcast {NEWS}")
        # three readers, the one who leaves later, the group and the admin; GONE keeps it
        assert preview.text.startswith("Announcement to 6 chats")
        assert "1 chat that blocked the bot" in preview.text
        assert NEWS in preview.text  # shown as typed: the admin's text is not markup
        [send, _cancel] = [b["callback_data"] for b in preview.buttons()]
        assert await bot.press(ADMIN, "Cancel") == "Cancelled"
        assert "nothing was sent" in emulator.chat(ADMIN).last.text
        expired = await bot.press_data(ADMIN, preview.message_id, send)
        assert expired is not None and "expired" in expired

        [preview] = await bot.say(ADMIN, f"/broadcast {NEWS}")
        [send, _cancel] = [b["callback_data"] for b in preview.buttons()]
        assert await bot.press(ADMIN, "Send to 6 chats") == "Queued"
        again = await bot.press_data(ADMIN, preview.message_id, send)  # a second tap
        assert again is not None and "expired" in again
        emulator.chats[LEAVES_LATER].blocked = True  # blocks before the worker gets to it
        await bot.deliver(drain=True)

        for chat_id in [*READERS, GROUP, ADMIN]:
            got = [m.text for m in emulator.chat(chat_id).messages if m.text == NEWS]
            assert len(got) == 1, chat_id
        for chat_id in (GONE, LEAVES_LATER, RESTING):
            assert NEWS not in emulator.chat(chat_id).texts
        assert await parts_of(sessionmaker, RESTING) == []  # paused: not written at all
        for chat_id in (GONE, LEAVES_LATER):
            [(status, _text)] = await parts_of(sessionmaker, chat_id)
            assert status == DeliveryStatus.PARKED

        await bot.say(GONE, "/start")  # back again (unblocked): the announcement follows
        await bot.deliver(drain=True)
        assert emulator.chat(GONE).texts.count(NEWS) == 1


async def run(*args: str, cwd: Path) -> Outcome:
    """`digestbot *args` in-process, on a thread of its own (it runs its own event loop)."""
    return await asyncio.to_thread(run_here, *args, cwd=cwd)


async def test_broadcast_from_the_command_line(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'digestbot.db'}")
    sessionmaker = make_sessionmaker(engine)
    try:
        await upgrade(engine)
        async with sessionmaker() as session:
            for telegram_id in (1, 2, 3):
                await chat_store.upsert_chat(session, telegram_id=telegram_id)
            blocked, _ = await chat_store.upsert_chat(session, telegram_id=4)
            await chat_store.set_state(session, chat=blocked, state=ChatState.BLOCKED)
            paused, _ = await chat_store.upsert_chat(session, telegram_id=5)
            await chat_store.set_state(session, chat=paused, state=ChatState.PAUSED)
            await chat_store.upsert_chat(session, telegram_id=-1001, type=ChatType.CHANNEL)
            await session.commit()
        notice = tmp_path / "notice.txt"
        notice.write_text("New sources added: <3 per day & more\n", encoding="utf-8")

        dry = await run("broadcast", "--dry-run", str(notice), cwd=tmp_path)
        assert dry.returncode == 0, dry.stderr
        assert dry.stdout.strip() == (
            "announcement would be sent to 3 chats; "
            "kept for 1 chat that blocked the bot, if they return"
        )
        result = await run("broadcast", str(notice), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("announcement queued for 3 chats")
        texts = {i: await parts_of(sessionmaker, i) for i in (1, 2, 3, 4, 5, -1001)}
        escaped = "New sources added: &lt;3 per day &amp; more"
        assert all(texts[i] == [(DeliveryStatus.PENDING, escaped)] for i in (1, 2, 3))
        assert texts[4] == [(DeliveryStatus.PARKED, escaped)]
        assert texts[5] == [] and texts[-1001] == []

        notice.write_text("x" * 5000, encoding="utf-8")
        too_long = await run("broadcast", str(notice), cwd=tmp_path)
        assert too_long.returncode == 2 and "5000" in too_long.stderr
        assert too_long.stderr.strip().count("\n") == 0 and "Traceback" not in too_long.stderr
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "empty"), ("  \n \n", "empty"), ("x" * 4097, "4097 characters"), ("😀" * 2049, "4098")],
)
def test_an_announcement_that_is_no_single_message_is_refused(text: str, problem: str) -> None:
    with pytest.raises(AnnouncementError, match=problem):
        announcement_html(text)


def test_an_announcement_keeps_its_lines_and_is_escaped() -> None:
    assert announcement_html(" a < b  \r\n\r\nc & d\n") == "a &lt; b\n\nc &amp; d"
