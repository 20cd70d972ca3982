"""Long polling: it waits without spinning, wakes on a new update, and ends at shutdown."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot, Update
from telegram.error import Conflict, NetworkError
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from telegram_emulator import Emulator


async def test_long_poll_waits_and_wakes_on_update() -> None:
    emulator = Emulator()
    poll = asyncio.create_task(emulator.call("getUpdates", {"timeout": "30"}))
    await asyncio.sleep(0.2)
    assert not poll.done()
    emulator.user(42).send("hello")
    status, body = await asyncio.wait_for(poll, 10)
    assert status == 200
    assert [u["message"]["text"] for u in body["result"]] == ["hello"]


async def test_long_poll_times_out_empty() -> None:
    emulator = Emulator()
    started = time.monotonic()
    status, body = await emulator.call("getUpdates", {"timeout": "1"})
    assert (status, body["result"]) == (200, [])
    assert time.monotonic() - started >= 0.9


async def test_newer_get_updates_terminates_older() -> None:
    emulator = Emulator()
    request = emulator.request()
    async with Bot(emulator.token, request=request, get_updates_request=request) as bot:
        first = asyncio.create_task(bot.get_updates(timeout=30))
        await asyncio.sleep(0.2)
        second = asyncio.create_task(bot.get_updates(timeout=30))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, 10)
        emulator.user(1).send("x")
        assert len(await asyncio.wait_for(second, 10)) == 1


async def test_allowed_updates_filter() -> None:
    emulator = Emulator()
    emulator.user(42).send("/start")
    emulator.set_chat_state(42, blocked=True)  # queues my_chat_member
    _, body = await emulator.call("getUpdates", {"allowed_updates": '["message"]'})
    assert [next(k for k in u if k != "update_id") for u in body["result"]] == ["message"]


async def test_shutdown_ends_a_long_poll_promptly() -> None:
    emulator = Emulator()
    request = emulator.request()
    async with Bot(emulator.token, request=emulator.request(), get_updates_request=request) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=60))
        await asyncio.sleep(0.2)
        await request.shutdown()
        with pytest.raises(NetworkError):
            await asyncio.wait_for(poll, 5)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "pong")


async def test_idle_polling_does_not_spin_and_stops_fast() -> None:
    emulator = Emulator()
    app = (
        ApplicationBuilder()
        .token(emulator.token)
        .request(emulator.request())
        .get_updates_request(emulator.request())
        .build()
    )
    app.add_handler(CommandHandler("ping", echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=30)
        await asyncio.sleep(1.0)
        assert emulator.stats.requests["getUpdates"] <= 2  # one long poll, not a busy loop
        emulator.user(42).send("/ping")
        await emulator.wait_for_messages(42, 1, timeout=10)
        started = time.monotonic()
        await app.updater.stop()
        await app.stop()
    assert time.monotonic() - started < 10
