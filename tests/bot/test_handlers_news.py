"""News on demand, end to end: the sample feed ingested by the ingest tick, then /digest,
/more, /latest and /search as a subscriber uses them (both database backends)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.settings import Settings
from digests import tick
from storage.db import make_sessionmaker
from tests.conftest import BACKENDS
from tests.support.db import database
from tests.support.harness import (
    NOW,
    Clock,
    LocalBot,
    add_sample_feed,
    fetching,
    make_settings,
)

USER = 640


@asynccontextmanager
async def news_bot(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings | None = None
) -> AsyncIterator[LocalBot]:
    """A local bot with the sample feed added, fetched from `bot.demo`'s transport."""
    await add_sample_feed(sessionmaker)
    async with fetching(sessionmaker, settings=settings, clock=clock) as bot:
        yield bot


async def test_digest_more_latest_and_search(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock(NOW)
    async with news_bot(sessionmaker, clock) as bot:
        [reply] = await bot.say(USER, "/digest")
        assert "Follow a topic first" in reply.text
        assert await bot.ticks.ingest() == 8
        clock.now += timedelta(minutes=5)
        [topics] = await bot.say(USER, "/topics")
        assert "Trending now:" in topics.text and "central bank" in topics.text
        assert "central bank" in [b.get("text") for b in topics.buttons()]
        assert await bot.press(USER, "central bank") == "Following central bank"
        assert await bot.press(USER, "✅ central bank") == "Unfollowed central bank"
        await bot.say(USER, "/subscribe climate")
        await bot.say(USER, "/max 1")
        await bot.say(USER, "/digest", replies=0)
        assert await bot.deliver() >= 1
        digest = bot.emulator.chat(USER).last.text
        assert "climate" in digest and "+1 more" in digest
        await bot.say(USER, "/more", replies=0)
        assert await bot.deliver() >= 1
        more = bot.emulator.chat(USER).last.text
        first_titles = {"Offshore wind farm", "Glacier melt"}
        assert sum(t in digest for t in first_titles) == 1
        assert sum(t in more for t in first_titles) == 1
        [reply] = await bot.say(USER, "/more")
        assert "Nothing more" in reply.text
        [reply] = await bot.say(USER, "/digest")
        assert "Nothing new on your topics" in reply.text
        [reply] = await bot.say(USER, '/latest "interest rate" OR inflation')
        assert "Central bank holds interest rates" in reply.text
        [reply] = await bot.say(USER, "/latest -")
        assert "Usage: /latest [topic]" in reply.text
        [reply] = await bot.say(USER, '/search NEAR( "" * ) OR; DROP TABLE article')
        assert "Nothing found" in reply.text or "Latest" not in reply.text
        [reply] = await bot.say(USER, "/search MRI scans")
        assert "waiting times" in reply.text


async def test_the_digest_tick_sends_on_schedule_and_not_while_paused(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock(NOW)  # Monday 08:00 UTC
    async with news_bot(sessionmaker, clock) as bot:
        await bot.ticks.ingest()
        await bot.say(USER, "/subscribe space OR rocket")
        await bot.say(USER, "/schedule daily 09:00")
        await bot.say(USER + 1, "/subscribe space")
        await bot.say(USER + 1, "/schedule daily 09:00")
        await bot.say(USER + 1, "/pause")
        assert await bot.ticks.digest() == 0  # not due yet
        clock.now += timedelta(hours=1, minutes=1)
        assert await bot.ticks.digest() == 1  # the paused chat gets none
        assert await bot.ticks.digest() == 0  # and nobody gets one twice
        await bot.deliver()
        digest = bot.emulator.chat(USER).last.text
        assert "Reusable rocket" in digest and "water vapour" in digest
        assert bot.emulator.chat(USER + 1).last.text.startswith("Paused")


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_large_digest_tick_uses_helper_processes(
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The tick's helpers open the database the settings name and render with the bot's
    templates; every subscriber gets one digest (a tick counts as large from one due here)."""
    monkeypatch.setattr(tick, "HELPERS_FROM", 1)
    caplog.set_level(logging.INFO, logger="digests.tick")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "digest_header.html.j2").write_text("<b>Morning news</b>\n")
    async with database(backend, tmp_path) as (url, engine, schema):
        sessionmaker = make_sessionmaker(engine)
        settings = make_settings(
            database_url=f"{url}?schema={schema}" if schema else url,
            templates_dir=str(tmp_path / "templates"),
            digest_helpers=1,
            digest_batch=2,
            max_subscriptions=5,
        )
        clock = Clock(NOW)
        users = [USER + n for n in range(7)]
        async with news_bot(sessionmaker, clock, settings) as bot:
            await bot.ticks.ingest()
            for user in users:
                await bot.say(user, "/subscribe space OR rocket")
                await bot.say(user, "/schedule daily 09:00")
            clock.now += timedelta(hours=1, minutes=1)
            assert await bot.ticks.digest() == len(users)
            assert await bot.ticks.digest() == 0
            while await bot.deliver():
                pass
            for user in users:
                digest = bot.emulator.chat(user).last.text
                assert digest.startswith("Morning news") and "Reusable rocket" in digest
    batches = [re.search(r"helper_batches=(\d+)", r.getMessage()) for r in caplog.records]
    assert sum(int(m.group(1)) for m in batches if m) > 0
