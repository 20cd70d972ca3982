"""`/addfeed` and `/feeds` through the emulator (issue 19, items 8 and 9): the feed a site's
page announces is found, an article page is refused, the same source is never listed twice,
and a feed whose last fetch failed is not "ok"."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import feeds as feed_store
from tests.support.harness import ADMIN, fetching, sqlite_sessionmaker

__all__ = ["sqlite_sessionmaker"]

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
SITE = "https://93.184.215.14"  # a public address literal: served by the MockTransport below
PAGES = {
    "/": (
        "text/html",
        b'<html><head><title>Courier</title><link rel="alternate" '
        b'type="application/rss+xml" href="/news/rss.xml"></head><body>Front page</body></html>',
    ),
    "/news/rss.xml": ("application/rss+xml", (FEEDS / "rss2.xml").read_bytes()),
    "/2026/night-trains": ("text/html", (FEEDS / "pages" / "night-trains.html").read_bytes()),
}


def site_transport(served: dict[str, int]) -> httpx.MockTransport:
    """The site above; every other path is a 404. `served` counts requests per path."""

    def handle(request: httpx.Request) -> httpx.Response:
        served[request.url.path] = served.get(request.url.path, 0) + 1
        found = PAGES.get(request.url.path)
        if found is None:
            return httpx.Response(404, text="not found")
        kind, body = found
        return httpx.Response(200, content=body, headers={"Content-Type": kind})

    return httpx.MockTransport(handle)


async def test_addfeed_discovers_refuses_and_never_lists_twice(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    served: dict[str, int] = {}
    async with fetching(sqlite_sessionmaker, site_transport(served)) as bot:
        [reply] = await bot.say(ADMIN, f"/addfeed {SITE}/")
        assert f"The page announces {SITE}/news/rss.xml" in reply.text
        assert "Added feed #1: Harbour City Courier, 2 entries now" in reply.text
        assert served == {"/": 1, "/news/rss.xml": 1}  # fetched once

        [reply] = await bot.say(ADMIN, f"/addfeed {SITE}/")  # the site again
        assert "already here as #1" in reply.text
        [reply] = await bot.say(ADMIN, f"/addfeed {SITE}/news/rss.xml")  # the feed itself
        assert "already here as #1" in reply.text

        [reply] = await bot.say(ADMIN, f"/addfeed {SITE}/2026/night-trains")
        assert "Not added:" in reply.text and "is not a feed and links to none" in reply.text
        [reply] = await bot.say(ADMIN, f"/addfeed {SITE}/gone.xml")
        assert "Not added: cannot fetch" in reply.text and "404" in reply.text

        async with sqlite_sessionmaker() as session:
            assert [f.url for f in await feed_store.list_feeds(session)] == [f"{SITE}/news/rss.xml"]
            feed = await feed_store.get_feed(session, feed_id=1)
            assert feed is not None
            feed.url = f"{SITE}/moved.xml"  # the server now answers 404 for it
            session.add(feed)
            await session.commit()
        [reply] = await bot.say(ADMIN, "/feeds")
        assert "#1 Harbour City Courier — 🕓 not checked yet" in reply.text
        await bot.ticks.ingest()
        [reply] = await bot.say(ADMIN, "/feeds")
        assert "#1 Harbour City Courier — ⚠️ error ×1: HTTP 404" in reply.text
        assert "✅" not in reply.text


async def test_addfeed_by_a_non_admin_is_refused_without_fetching(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    served: dict[str, int] = {}
    async with fetching(sqlite_sessionmaker, site_transport(served)) as bot:
        [reply] = await bot.say(ADMIN + 1, f"/addfeed {SITE}/")
        assert "for the bot's admins" in reply.text
    assert served == {}
