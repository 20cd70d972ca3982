"""A second instance polling with the same token (issue 18, "also seen"): said once,
clearly, then waited out (or, with DIGESTBOT_ON_CONFLICT=exit, the bot stops); polling
errors are one line per back-off step, never a traceback per retry."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot
from telegram.error import Conflict, NetworkError

from bot.app import PollingErrors
from tests.support.harness import make_emulator, running, sqlite_sessionmaker

__all__ = ["sqlite_sessionmaker"]

CONFLICT_LINE = "another instance is polling with this bot token"


@contextlib.asynccontextmanager
async def other_instance(emulator: object) -> AsyncIterator[None]:
    """Another process polling the same bot: its long polls and ours end each other's."""
    em: Any = emulator
    other = Bot(em.token, request=em.request(), get_updates_request=em.request())

    async def poll() -> None:
        while True:
            with contextlib.suppress(Conflict):
                await other.get_updates(timeout=1)
            await asyncio.sleep(0.05)

    async with other:
        task = asyncio.create_task(poll())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_a_second_instance_is_said_once_and_waited_out(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emulator = make_emulator()
    async with running(sqlite_sessionmaker, emulator=emulator) as bot:
        async with other_instance(emulator):
            for _ in range(200):
                if sum(CONFLICT_LINE in r.getMessage() for r in caplog.records) and any(
                    "still in conflict" in r.getMessage() for r in caplog.records
                ):
                    break
                await asyncio.sleep(0.05)
        # once the other instance is gone, commands are answered again
        [reply] = await bot.say(501, "/help")
        assert "/subscribe" in reply.text
    said = [r for r in caplog.records if CONFLICT_LINE in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.WARNING
    assert any("still in conflict" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info and "polling" in r.getMessage()]


async def test_on_conflict_exit_stops_the_bot(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    emulator = make_emulator()
    async with (
        running(sqlite_sessionmaker, emulator=emulator, on_conflict="exit") as bot,
        other_instance(emulator),
    ):
        for _ in range(200):
            if not bot.application.running:
                break
            await asyncio.sleep(0.05)
        assert not bot.application.running or any(
            "stopping (DIGESTBOT_ON_CONFLICT=exit)" in r.getMessage() for r in caplog.records
        )
    said = [r for r in caplog.records if CONFLICT_LINE in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.ERROR


def test_network_errors_are_one_line_per_step(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.app")
    errors = PollingErrors("wait", asyncio.Event())
    for _ in range(3):
        errors(NetworkError("Connection refused"))
    lines = [r for r in caplog.records if r.name == "bot.app"]
    assert [r.getMessage() for r in lines] == [
        "polling failed (NetworkError: Connection refused); backing off"
    ] * 3
    assert not any(r.exc_info for r in lines)
