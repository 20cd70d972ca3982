"""Hostile feeds (issue 18, cases 1 and 2): impossible character references, NUL and lone
surrogates never lose a feed's valid entries, nor does a stray "<?", and both databases store
the same text."""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ingest.extract import extract_page
from ingest.fetch import Fetcher, FetchPolicy
from ingest.parse import parse_feed
from ingest.pipeline import ingest_document, refresh_feed
from ingest.tick import refresh_due_feeds
from storage import feeds as feed_store
from storage.models import Article, FeedCreate, FeedState
from storage.sanitize import clean_char_refs, clean_str
from tests.support.pages import BODY, paragraphs

URL = "https://hostile.example/rss"


def rss(*items: tuple[str, str]) -> bytes:
    """An RSS 2.0 feed of (title, description) items, each linking to its own page."""
    body = "".join(
        f"<item><title>{title}</title><description>{text}</description>"
        f"<link>https://hostile.example/{number}</link><guid>g{number}</guid></item>"
        for number, (title, text) in enumerate(items)
    )
    document = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>{body}'
    return (document + "</channel></rss>").encode()


def fetcher(content: bytes) -> Fetcher:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content, headers={"Content-Type": "application/xml"})

    return Fetcher(FetchPolicy(user_agent="digestbot-test"), transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    "reference", ["&#xD800;", "&#1114112;", "&#99999999999999999999;", "&#0;", "&#x0;"]
)
def test_an_impossible_character_reference_loses_nothing(reference: str, now: datetime) -> None:
    content = rss(
        (f"Ferry{reference} strike", f"Crews walk out{reference} at dawn."),
        ("Harbour reopens", "The harbour reopened on Monday."),
    )
    parsed = parse_feed(content, url=URL, now=now)
    assert [e.title for e in parsed.entries] == ["Ferry\ufffd strike", "Harbour reopens"]
    assert parsed.entries[0].text == "Crews walk out\ufffd at dawn."


@pytest.mark.parametrize("reference", ["&#1;", "&#xb;", "&#xFFFE;"])
def test_a_control_character_reference_in_markup_loses_nothing(
    reference: str, now: datetime
) -> None:
    # A description's markup, wrapped in the feed's source, and a page's split word: lxml
    # reads such a reference but refuses the character back into a text it rewrites.
    description = f"&lt;p&gt;Crews walk out{reference} at\n dawn.&lt;/p&gt;"
    parsed = parse_feed(rss(("Ferry strike", description)), url=URL, now=now)
    assert parsed.entries[0].text == "Crews walk out\ufffd at dawn."
    body = [*BODY[:2], f"{BODY[2]} Mater{reference}ials for it arrive on Monday.", *BODY[3:]]
    found = extract_page(f"<html><body><article>{paragraphs(body)}</article></body></html>")
    assert found is not None and "ials for it arrive on Monday." in found.text


@pytest.mark.parametrize("stray", ["<?", "a <? b", "x <?= y"])
def test_a_stray_processing_instruction_loses_nothing(stray: str, now: datetime) -> None:
    """An unescaped "<?" in a description used to swallow every entry after it (within its own
    description it starts what HTML reads as a bogus comment, as a browser would)."""
    content = rss(("Ferry strike", f"Crews walk out {stray} at dawn."), ("Harbour", "Reopened."))
    parsed = parse_feed(content, url=URL, now=now)
    assert [e.title for e in parsed.entries] == ["Ferry strike", "Harbour"]
    assert parsed.entries[0].text.startswith("Crews walk out")
    assert parsed.entries[1].text == "Reopened."


def test_real_processing_instructions_and_cdata_are_left_alone(now: datetime) -> None:
    content = rss(
        ("PHP tip", "Use <![CDATA[<? short tags ?> and <? more]]> sparingly."), ("B", "b")
    )
    content = content.replace(b"<rss", b'<?xml-stylesheet href="s.xsl"?><rss')
    parsed = parse_feed(content, url=URL, now=now)
    assert [e.title for e in parsed.entries] == ["PHP tip", "B"]
    assert parsed.entries[0].text.startswith("Use")
    assert "&lt;" not in parsed.entries[0].text


def test_valid_references_are_kept(now: datetime) -> None:
    content = rss(("Caf&#233; &#x1F600; &#65;", "ok &#10; fine"))
    assert parse_feed(content, url=URL, now=now).entries[0].title == "Café 😀 A"
    assert clean_char_refs(b"&#0000000065; &#x0000010FFFF;") == b"&#0000000065; &#x0000010FFFF;"


def test_clean_str_drops_nul_and_replaces_lone_surrogates() -> None:
    assert clean_str("a\x00b") == "ab"
    assert clean_str("a\ud800b\udfff") == "a\ufffdb\ufffd"
    assert clean_str("\ud83d\ude00") == "😀"  # a pair split by a lax decoder is one emoji
    assert clean_str("plain") == "plain"


async def test_a_bad_entry_does_not_lose_the_feed_on_either_database(
    session: AsyncSession, now: datetime
) -> None:
    content = rss(
        ("Ferry &#xD800; strike", "Crews walk out &#99999999999999999999; at dawn."),
        ("Nul &#0; in title", "Text with a NUL &#0; reference."),
        ("Raw \x00 byte", "A raw \x00 NUL byte in the text."),
        ("Harbour reopens", "The harbour reopened on Monday."),
    )
    feed, _ = await feed_store.add_feed(session, data=FeedCreate(url=URL, full_text=False))
    async with fetcher(content) as client:
        result = await refresh_feed(session, feed, fetcher=client, now=now)
    await session.commit()
    assert result.error is None
    assert result.new_articles == 4
    assert feed.state == FeedState.OK
    stored = (await session.exec(select(Article).order_by(col(Article.guid)))).all()
    assert [a.title for a in stored] == [
        "Ferry \ufffd strike",
        "Nul \ufffd in title",
        "Raw byte",
        "Harbour reopens",
    ]
    assert not any("\x00" in (a.text + a.title + a.summary) for a in stored)


PAGE = (
    "<html><head><title>Night trains return\x00 &#xD800;</title></head><body><article>"
    "<h1>Night trains return</h1>"
    + "<p>The sleeper service\x00 to the coast runs again from May &#0; with six carriages "
    "and a dining car, the operator said on Tuesday. &#99999999999999999999;</p>"
    * 3
    + "</article></body></html>"
)


@pytest.mark.parametrize("as_bytes", [True, False])
async def test_pages_and_text_files_are_cleaned_on_either_database(
    session: AsyncSession, now: datetime, as_bytes: bool
) -> None:
    content: bytes | str = PAGE.encode() if as_bytes else PAGE
    page = await ingest_document(
        session, content=content, url="https://hostile.example/night\x00", now=now, kind="html"
    )
    text = await ingest_document(
        session,
        content=b"Ferry\x00 news \xed\xa0\x80\n\nThe ferry\x00 runs again \xed\xbf\xbf today."
        if as_bytes
        else "Ferry\x00 news \ud800\n\nThe ferry\x00 runs again \udfff today.",
        url=None,
        now=now,
        kind="text",
    )
    await session.commit()
    assert "\x00" not in page.title + page.text + page.canonical_url
    assert "sleeper service to the coast" in page.text
    assert text.title.startswith("Ferry news")
    assert "\x00" not in text.text and "\ud800" not in text.title


async def test_feeds_are_fetched_side_by_side_and_all_stored(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    """On SQLite too (one writer): a slow server does not hold up the other feeds' fetches,
    and every feed's entries are written."""
    in_flight = 0
    most = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.2)
        in_flight -= 1
        number = request.url.path.strip("/")
        content = rss((f"Story {number}", f"Text of feed {number}."))
        content = content.replace(b"hostile.example/0", f"feed{number}.example/0".encode())
        return httpx.Response(200, content=content, headers={"Content-Type": "application/xml"})

    async with sessionmaker() as session:
        for number in range(4):
            await feed_store.add_feed(
                session,
                data=FeedCreate(url=f"https://slow.example/{number}", full_text=False),
            )
        await session.commit()
    client = Fetcher(FetchPolicy(user_agent="digestbot-test"), transport=httpx.MockTransport(slow))
    async with client:
        results = await refresh_due_feeds(sessionmaker, fetcher=client, now=now)
    assert sorted(r.new_articles for r in results) == [1, 1, 1, 1]
    assert all(r.error is None for r in results)
    assert most >= 2  # fetched side by side, not one after another
    async with sessionmaker() as session:
        assert len((await session.exec(select(Article))).all()) == 4
