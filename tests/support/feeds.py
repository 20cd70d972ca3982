"""A tiny internet for ingest tests (httpx.MockTransport), fixture feeds, feeds added and
pages about to be stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from ingest.fetch import Fetcher, FetchPolicy
from ingest.pipeline import _Document, refresh_feed
from storage import feeds as feed_store
from storage.models import Feed, FeedCreate

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def fixture(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


class Web:
    """A tiny internet: URL → response, and a log of every request made."""

    def __init__(self, pages: dict[str, Reply] | None = None) -> None:
        self.pages: dict[str, Reply] = dict(pages or {})
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url.copy_with(query=None))
        reply = self.pages.get(str(request.url)) or self.pages.get(url)
        if reply is None:
            return httpx.Response(404)
        return reply(request) if callable(reply) else reply

    def fetcher(self) -> Fetcher:
        return Fetcher(
            FetchPolicy(user_agent="digestbot-test"), transport=httpx.MockTransport(self.handler)
        )

    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


def xml(body: bytes, **headers: str) -> httpx.Response:
    return httpx.Response(
        200, content=body, headers={"Content-Type": "application/rss+xml", **headers}
    )


def rss(items: list[tuple[str, str]], *, site: str = "https://example.org") -> bytes:
    """An RSS 2.0 feed of (title, description markup) items, each linking to its own page of
    `site`, the markup in CDATA as feeds write it."""
    body = "".join(
        f"<item><title>{title}</title><link>{site}/{n}</link><guid>e{n}</guid>"
        f"<description><![CDATA[{text}]]></description></item>"
        for n, (title, text) in enumerate(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Links</title><link>{site}/</link>'
        f"{body}</channel></rss>"
    ).encode()


async def refreshed(session: AsyncSession, url: str, body: bytes, *, now: datetime) -> Feed:
    """The feed at `url`, serving `body`, added (entries' own text, no page fetched) and
    refreshed once; its entries are stored and committed."""
    web = Web({url: lambda request: xml(body)})
    feed = await add(session, url, full_text=False)
    async with web.fetcher() as fetcher:
        await refresh_feed(session, feed, fetcher=fetcher, now=now)
    await session.commit()
    return feed


async def add(session: AsyncSession, url: str, **fields: object) -> Feed:
    feed, _ = await feed_store.add_feed(session, data=FeedCreate(url=url, **fields))  # type: ignore[arg-type]
    await session.commit()
    return feed


def page_document(url: str, *, title: str, text: str, published_at: datetime | None) -> _Document:
    """A page about to be stored (`store_document`): at its own canonical address, with no
    author and its language not known."""
    return _Document(
        url=url,
        canonical_url=url,
        title=title,
        text=text,
        author=None,
        published_at=published_at,
        language=None,
    )
