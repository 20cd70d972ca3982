"""News on demand, end to end: the sample feed ingested by the ingest tick, then /digest,
/more, /latest and /search as a subscriber uses them (both database backends)."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.demo import FEED_URL, local_bot, sample_transport
from ingest.fetch import Fetcher
from storage import feeds as feed_store
from storage.models import FeedCreate
from tests.bot.test_handlers_harness import NOW, make_emulator, make_settings

USER = 640


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_digest_more_latest_and_search(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        await feed_store.add_feed(session, data=FeedCreate(url=FEED_URL, full_text=False))
        await session.commit()
    clock = Clock(NOW)
    fetcher = Fetcher(transport=httpx.MockTransport(sample_transport(NOW).handle_request))
    async with (
        fetcher,
        local_bot(
            make_emulator(),
            make_settings(),
            sessionmaker=sessionmaker,
            clock=clock,
            fetcher=fetcher,
        ) as bot,
    ):
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
    async with sessionmaker() as session:
        await feed_store.add_feed(session, data=FeedCreate(url=FEED_URL, full_text=False))
        await session.commit()
    clock = Clock(NOW)  # Monday 08:00 UTC
    fetcher = Fetcher(transport=httpx.MockTransport(sample_transport(NOW).handle_request))
    async with (
        fetcher,
        local_bot(
            make_emulator(),
            make_settings(),
            sessionmaker=sessionmaker,
            clock=clock,
            fetcher=fetcher,
        ) as bot,
    ):
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
