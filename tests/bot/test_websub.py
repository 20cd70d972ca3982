"""WebSub push against a loopback hub (issue 19, item 1): the feed announces its hub, the
ingest tick asks the hub to push, the hub's challenge is answered, pushed content is stored
when its HMAC signature holds and ignored when not. Nothing leaves 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.demo import local_bot
from ingest.fetch import Fetcher, FetchPolicy
from ingest.websub import find_hub, signature_valid
from storage import articles as article_store
from storage import feeds as feed_store
from storage.models import FeedCreate
from storage.types import utcnow
from tests.support.harness import make_emulator, make_settings, sqlite_sessionmaker

__all__ = ["sqlite_sessionmaker"]

SECRET = "websub-test-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def atom(base: str, hub: str, entries: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f"<entry><id>urn:{n}</id><title>{title}</title><link href='{base}/a/{n}'/>"
        f"<updated>2026-11-30T10:00:00Z</updated><content>{text}</content></entry>"
        for n, (title, text) in enumerate(entries)
    )
    return (
        "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>Harbour Wire</title><id>urn:feed</id><updated>2026-11-30T10:00:00Z</updated>"
        f"<link rel='hub' href='{hub}'/><link rel='self' href='{base}/feed.atom'/>{items}</feed>"
    ).encode()


FIRST = ("Night ferry resumes after storm repairs", "The overnight ferry sails again on Friday.")
SECOND = (
    "Electric ferries double as harbour adds chargers",
    "Two new charging berths let the city run six battery ferries across the river.",
)
THIRD = (
    "Lake tickets frozen for students",
    "Regional lawmakers voted to keep student tickets at last year's price.",
)


@dataclass
class Hub:
    """A loopback hub: records subscription requests and verifies them at the callback."""

    requests: list[dict[str, str]] = field(default_factory=list)
    verified: list[tuple[int, str]] = field(default_factory=list)  # (status, body)

    async def handle(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.requests.append(form)
        asyncio.get_running_loop().create_task(self.verify(form))
        return web.Response(status=202)

    async def verify(self, form: dict[str, str]) -> None:
        params = {
            "hub.mode": "subscribe",
            "hub.topic": form["hub.topic"],
            "hub.challenge": "c-12345",
            "hub.lease_seconds": "3600",
        }
        async with httpx.AsyncClient() as client:
            answer = await client.get(form["hub.callback"], params=params)
        self.verified.append((answer.status_code, answer.text))


@pytest.fixture
async def servers() -> AsyncIterator[tuple[str, str, Hub, dict[str, bytes]]]:
    hub = Hub()
    pages: dict[str, bytes] = {}

    async def feed(_request: web.Request) -> web.Response:
        return web.Response(body=pages["feed"], content_type="application/atom+xml")

    app = web.Application()
    app.router.add_post("/hub", hub.handle)
    app.router.add_get("/feed.atom", feed)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    pages["feed"] = atom(base, f"{base}/hub", [FIRST])
    try:
        yield base, f"{base}/hub", hub, pages
    finally:
        await runner.cleanup()


async def test_feed_pushed_by_its_hub_is_stored_when_signed(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
    servers: tuple[str, str, Hub, dict[str, bytes]],
) -> None:
    base, hub_url, hub, _pages = servers
    port = free_port()
    callback = f"http://127.0.0.1:{port}/websub"
    settings = make_settings(
        allow_private_urls=True,
        websub_callback_url=callback,
        websub_port=port,
        websub_secret=SECRET,
    )
    async with sqlite_sessionmaker() as session:
        await feed_store.add_feed(session, data=FeedCreate(url=f"{base}/feed.atom"))
        await session.commit()
    async with (
        Fetcher(FetchPolicy(allow_private=True)) as fetcher,
        local_bot(
            make_emulator(), settings, sessionmaker=sqlite_sessionmaker, fetcher=fetcher
        ) as bot,
    ):
        assert await bot.ticks.ingest() == 1
        [asked] = hub.requests
        assert asked["hub.mode"] == "subscribe" and asked["hub.topic"] == f"{base}/feed.atom"
        assert asked["hub.callback"] == f"{callback}/1" and asked["hub.secret"]
        assert asked["hub.secret"] != SECRET  # a secret per feed, derived
        for _ in range(400):  # up to 20 s on a loaded machine
            if hub.verified:
                break
            await asyncio.sleep(0.05)
        assert hub.verified == [(200, "c-12345")]
        async with sqlite_sessionmaker() as session:
            feed = await feed_store.get_feed(session, feed_id=1)
            assert feed is not None and feed.hub_url == hub_url
            assert feed.websub_until is not None and feed.websub_until > utcnow()

        await bot.ticks.ingest()  # subscribed: not asked again
        assert len(hub.requests) == 1

        async with httpx.AsyncClient() as client:
            wrong = await client.get(
                f"{callback}/1",
                params={"hub.mode": "subscribe", "hub.topic": "http://x/", "hub.challenge": "n"},
            )
            assert wrong.status_code == 404

            pushed = atom(base, hub_url, [FIRST, SECOND])
            key = asked["hub.secret"].encode()
            good = "sha256=" + hmac.new(key, pushed, hashlib.sha256).hexdigest()
            headers = {"Content-Type": "application/atom+xml", "X-Hub-Signature": good}
            answer = await client.post(f"{callback}/1", content=pushed, headers=headers)
            assert answer.status_code == 202

            forged = atom(base, hub_url, [FIRST, SECOND, THIRD])
            bad = {"Content-Type": "application/atom+xml", "X-Hub-Signature": good}
            answer = await client.post(f"{callback}/1", content=forged, headers=bad)
            assert answer.status_code == 202  # acknowledged, ignored
            unsigned = {"Content-Type": "application/atom+xml"}
            answer = await client.post(f"{callback}/1", content=forged, headers=unsigned)
            assert answer.status_code == 202
    async with sqlite_sessionmaker() as session:
        titles = {a.title for a in await article_store.latest_articles(session, limit=10)}
    assert titles == {FIRST[0], SECOND[0]}


def test_hub_discovery_and_signatures() -> None:
    assert find_hub(atom("http://s", "http://h/hub", [])) == ("http://h/hub", "http://s/feed.atom")
    rss = (
        b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        b'<atom:link rel="hub" href="https://pubsubhubbub.appspot.com/"/>'
        b"<link>https://site.example/</link></channel></rss>"
    )
    assert find_hub(rss) == ("https://pubsubhubbub.appspot.com/", None)
    assert find_hub(b"<rss><channel><title>x</title></channel></rss>") == (None, None)
    assert find_hub(b"not xml at all") == (None, None)
    body = b"<feed/>"
    sha1 = "sha1=" + hmac.new(b"k", body, hashlib.sha1).hexdigest()
    assert signature_valid("k", body, sha1)
    assert not signature_valid("k", body + b" ", sha1)
    assert not signature_valid("other", body, sha1)
    assert not signature_valid("k", body, None) and not signature_valid("k", body, "md5=00")


async def test_a_second_process_on_the_same_port_still_starts(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from bot.websub import WebSubServer
    from ingest.health import Polling

    port = free_port()
    settings = make_settings(websub_callback_url="http://127.0.0.1/websub", websub_port=port)
    async with Fetcher() as fetcher:
        servers = [
            WebSubServer(
                settings,
                sessionmaker=sqlite_sessionmaker,
                fetcher=fetcher,
                clock=utcnow,
                polling=Polling(),
            )
            for _ in range(2)
        ]
        await servers[0].start()
        try:
            await servers[1].start()  # the port is taken: a warning, not a crash
            async with httpx.AsyncClient() as client:
                answer = await client.get(f"http://127.0.0.1:{port}/websub/9")
            assert answer.status_code == 404  # the first one answers: no feed #9
        finally:
            for server in servers:
                await server.stop()
