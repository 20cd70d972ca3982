"""Property (issue 18, "done when"): arbitrary Unicode — lone surrogates, NUL, impossible
character references, stray markup — goes through parse → clean → store on SQLite and on
PostgreSQL without an exception, and both databases store exactly the same thing."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from sqlalchemy import text
from sqlmodel import col, select

from ingest.fetch import Fetcher, FetchPolicy
from ingest.pipeline import ingest_document, refresh_feed
from storage import feeds as feed_store
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import Article, FeedCreate
from tests.support.db import POSTGRES_URL, require_postgres
from tests.support.hostile import hostile_text, on_both_databases

hostile = hostile_text(piece=5, pieces=40)
_numbers = itertools.count()
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[tuple[str, str | None]]]:
    """A migrated SQLite file and a migrated PostgreSQL schema, kept for every example."""
    require_postgres()
    directory: Path = tmp_path_factory.mktemp("property")
    sqlite_url = f"sqlite:///{directory / 'property.db'}"
    schema = f"prop_{uuid.uuid4().hex[:10]}"

    async def prepare() -> None:
        admin = make_engine(POSTGRES_URL)
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        await admin.dispose()
        for url, name in ((sqlite_url, None), (POSTGRES_URL, schema)):
            engine = make_engine(url, schema=name)
            await upgrade(engine)
            await engine.dispose()

    async def drop() -> None:
        admin = make_engine(POSTGRES_URL)
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()

    asyncio.run(prepare())
    try:
        yield [(sqlite_url, None), (POSTGRES_URL, schema)]
    finally:
        asyncio.run(drop())


def feed_bytes(title: str, body: str, author: str, number: int) -> bytes:
    document = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title>"
        f"<item><title>{title}</title><author>{author}</author>"
        f"<description>{body}</description><guid>{title}{body}</guid>"
        f"<link>https://prop.example/{number}/{body}</link></item>"
        f"<item><title>A clean entry {number}</title><description>The harbour reopened on "
        f"Monday, day {number}.</description><link>https://prop.example/clean/{number}</link>"
        "</item>"
        "</channel></rss>"
    )
    return document.encode("utf-8", "surrogatepass")  # lone surrogates as the bad bytes they are


async def store_everywhere(
    databases: list[tuple[str, str | None]], content: bytes, page: str, number: int
) -> list[Any]:
    """What each database holds after refreshing the feed and ingesting the page."""
    stored: list[Any] = []
    for url, schema in databases:
        engine = make_engine(url, schema=schema)
        try:
            transport = httpx.MockTransport(
                lambda _request: httpx.Response(
                    200, content=content, headers={"Content-Type": "application/rss+xml"}
                )
            )
            async with (
                Fetcher(FetchPolicy(user_agent="digestbot-test"), transport=transport) as fetcher,
                make_sessionmaker(engine)() as session,
            ):
                feed, _ = await feed_store.add_feed(
                    session,
                    data=FeedCreate(url=f"https://prop.example/{number}.rss", full_text=False),
                )
                result = await refresh_feed(session, feed, fetcher=fetcher, now=NOW)
                await session.commit()
                articles = await session.exec(
                    select(Article)
                    .where(Article.feed_id == feed.id)
                    .order_by(col(Article.canonical_url))
                )
                rows = [
                    (a.guid, a.canonical_url, a.title, a.author, a.text, a.summary, a.keyphrases)
                    for a in articles.all()
                ]
                document = await ingest_document(
                    session,
                    content=page.encode("utf-8", "surrogatepass"),
                    url=None,
                    now=NOW,
                    kind="text",
                )
                await session.commit()
                stored.append((result.error, feed.title, rows, document.title, document.text))
        finally:
            await engine.dispose()
    return stored


@on_both_databases(15)
@given(title=hostile, body=hostile, author=hostile)
def test_hostile_text_is_stored_alike_on_both_databases(
    databases: list[tuple[str, str | None]], title: str, body: str, author: str
) -> None:
    number = next(_numbers)
    page = f"{title} {number}\n\n{body} and more words for the text file {author}."
    sqlite, postgres = asyncio.run(
        store_everywhere(databases, feed_bytes(title, body, author, number), page, number)
    )
    assert sqlite == postgres
    error, _title, rows, page_title, page_text = sqlite
    assert error is None or "nothing could be read" in error or "not a feed" in error
    if error is None:
        assert any(
            row[2] == f"A clean entry {number}" for row in rows
        )  # the clean entry is never lost
    for value in [*(v for row in rows for v in row if isinstance(v, str)), page_title, page_text]:
        assert "\x00" not in value
        value.encode("utf-8")  # no lone surrogate survives
