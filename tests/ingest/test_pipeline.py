"""`refresh_feed` end to end on SQLite and PostgreSQL, with feeds and pages served by
httpx.MockTransport: what is stored, what is not stored twice, edits, full text for teaser
feeds, near-duplicate stories across feeds, and feed health (backoff, failing once, recovery,
410, permanent redirects, Retry-After, TTL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ingest.fetch import Fetcher, FetchPolicy
from ingest.files import DocumentError
from ingest.pipeline import ingest_document, refresh_feed
from ingest.tick import refresh_due_feeds
from storage import feeds as feed_store
from storage.models import Article, FeedState, Story
from tests.support.feeds import Web, add, fixture, page_document, refreshed, xml


async def articles(session: AsyncSession) -> list[Article]:
    return list((await session.exec(select(Article).order_by(Article.id))).all())  # type: ignore[arg-type]


async def test_new_entries_are_stored_once_and_304_changes_nothing(
    session: AsyncSession, now: datetime
) -> None:
    def courier(request: httpx.Request) -> httpx.Response:
        if request.headers.get("If-None-Match") == '"c1"':
            return httpx.Response(304, headers={"ETag": '"c1"'})
        return xml(fixture("rss2.xml"), ETag='"c1"')

    web = Web({"https://courier.example/feeds/all.rss": courier})
    feed = await add(session, "https://courier.example/feeds/all.rss")
    async with web.fetcher() as fetcher:
        first = await refresh_feed(session, feed, fetcher=fetcher, now=now)
        await session.commit()
        assert feed.next_check_at == now + timedelta(minutes=60)  # the feed's <ttl>
        later = now + timedelta(hours=2)
        second = await refresh_feed(session, feed, fetcher=fetcher, now=later)
        await session.commit()

    assert first.new_articles == 2 and first.error is None and not first.not_modified
    assert second.not_modified and second.new_articles == 0
    stored = await articles(session)
    assert [a.title for a in stored] == [
        "Harbour City opens its first tidal energy plant",
        "Ferry timetable changes for the spring season",
    ]
    tidal, ferry = stored
    assert tidal.canonical_url == "https://courier.example/news/2026/03/tidal-energy-plant"
    assert ferry.canonical_url == "https://courier.example/news/2026/03/ferry-timetable"
    assert 0 < len(tidal.summary) <= 300 and tidal.summary.split()[0] in tidal.text
    assert tidal.keyphrases and "; " in tidal.keyphrases and tidal.language == "en"
    assert tidal.source_name == "Harbour City Courier" and tidal.author == "Aoife Brennan"
    assert ferry.published_at == now  # undated: first seen
    assert all(a.stored_at == now and a.story_id for a in stored)
    assert feed.title == "Harbour City Courier" and feed.etag == '"c1"'
    assert feed.next_check_at == later + timedelta(minutes=30)  # the default interval
    assert web.requests[1].headers["If-None-Match"] == '"c1"'


async def test_an_edited_entry_updates_the_article_without_making_it_new(
    session: AsyncSession, now: datetime
) -> None:
    original = fixture("rss2.xml")
    edited = original.replace(
        b"supply a tenth of the city's electricity once it runs at full power",
        b"supply an eighth of the city's electricity once it runs at full power",
    ).replace(b"<title>Harbour City opens its", b"<title>Harbour City switches on its")
    body = {"now": original}
    web = Web({"https://courier.example/feeds/all.rss": lambda r: xml(body["now"])})
    feed = await add(session, "https://courier.example/feeds/all.rss")
    async with web.fetcher() as fetcher:
        await refresh_feed(session, feed, fetcher=fetcher, now=now)
        await session.commit()
        body["now"] = edited
        later = now + timedelta(hours=1)
        result = await refresh_feed(session, feed, fetcher=fetcher, now=later)
        await session.commit()
    assert result.new_articles == 0 and result.updated_articles == 1
    tidal = (await articles(session))[0]
    assert tidal.title == "Harbour City switches on its first tidal energy plant"
    assert "an eighth of the city's electricity" in tidal.text
    assert tidal.stored_at == now and tidal.updated_at == later  # not sent again as new
    assert len(await articles(session)) == 2


async def test_teaser_only_feeds_get_the_linked_pages_full_text(
    session: AsyncSession, now: datetime
) -> None:
    web = Web(
        {
            "https://daily.example/rss": xml(fixture("teaser.xml")),
            "https://daily.example/story/harbour-bridge": httpx.Response(
                200,
                content=fixture("pages/harbour-bridge.html"),
                headers={"Content-Type": "text/html"},
            ),
            "https://daily.example/story/night-trains": httpx.Response(
                200,
                content=fixture("pages/night-trains.html"),
                headers={"Content-Type": "text/html"},
            ),
        }
    )
    feed = await add(session, "https://daily.example/rss")
    async with web.fetcher() as fetcher:
        result = await refresh_feed(session, feed, fetcher=fetcher, now=now)
        await session.commit()
        assert result.new_articles == 2
        bridge, trains = await articles(session)
        assert bridge.canonical_url == "https://daily.example/story/harbour-bridge"
        assert "corroded steel cables" in bridge.text and "cookies" not in bridge.text
        assert "Sign up" not in bridge.text and "Related" not in bridge.text
        assert bridge.author == "Priya Natarajan" and bridge.text.count("\n\n") >= 3
        assert "Sleeper trains will run again" in trains.text
        # a second look at the same feed fetches no page again
        pages_before = len(web.requests)
        feed.next_check_at = None
        await refresh_feed(session, feed, fetcher=fetcher, now=now + timedelta(hours=1))
        await session.commit()
    assert web.urls()[pages_before:] == ["https://daily.example/rss"]


async def test_full_text_can_be_switched_off_per_feed(session: AsyncSession, now: datetime) -> None:
    web = Web({"https://daily.example/rss": xml(fixture("teaser.xml"))})
    feed = await add(session, "https://daily.example/rss", full_text=False)
    async with web.fetcher() as fetcher:
        result = await refresh_feed(session, feed, fetcher=fetcher, now=now)
        await session.commit()
    assert result.new_articles == 2 and web.urls() == ["https://daily.example/rss"]
    bridge = (await articles(session))[0]
    assert bridge.text.startswith("The bridge will be closed for eight months")


async def test_near_duplicates_from_two_feeds_become_one_story(
    session: AsyncSession, now: datetime
) -> None:
    web = Web(
        {
            "https://northernpost.example/rss": xml(fixture("outlet_a.xml")),
            "https://valleyherald.example/rss": xml(fixture("outlet_b.xml")),
        }
    )
    north = await add(session, "https://northernpost.example/rss")
    valley = await add(session, "https://valleyherald.example/rss")
    async with web.fetcher() as fetcher:
        assert (await refresh_feed(session, north, fetcher=fetcher, now=now)).new_articles == 2
        await session.commit()
        later = now + timedelta(minutes=5)
        assert (await refresh_feed(session, valley, fetcher=fetcher, now=later)).new_articles == 2
        await session.commit()
    stored = {a.title: a for a in await articles(session)}
    fire_a = stored["Wildfire forces evacuation of three mountain villages in Valdera"]
    fire_b = stored["Three Valdera mountain villages evacuated as wildfire spreads"]
    assert fire_a.story_id == fire_b.story_id
    assert len({a.story_id for a in stored.values()}) == 3  # fire, chess, library
    story = await session.get(Story, fire_a.story_id)
    assert story is not None and story.sources_count == 2 and story.first_article_id == fire_a.id


async def test_the_same_page_from_two_feeds_is_stored_once(
    session: AsyncSession, now: datetime
) -> None:
    copy = fixture("rss2.xml").replace(b"Harbour City Courier", b"Aggregator")
    web = Web(
        {
            "https://courier.example/feeds/all.rss": xml(fixture("rss2.xml")),
            "https://aggregator.example/rss": xml(copy),
        }
    )
    first = await add(session, "https://courier.example/feeds/all.rss")
    second = await add(session, "https://aggregator.example/rss")
    async with web.fetcher() as fetcher:
        await refresh_feed(session, first, fetcher=fetcher, now=now)
        result = await refresh_feed(session, second, fetcher=fetcher, now=now)
        await session.commit()
    assert result.new_articles == 0 and result.error is None
    assert len(await articles(session)) == 2


async def test_failures_back_off_mark_failing_once_and_recover(
    session: AsyncSession, now: datetime
) -> None:
    state = {"up": False}

    def flaky(request: httpx.Request) -> httpx.Response:
        return xml(fixture("rss2.xml")) if state["up"] else httpx.Response(500)

    web = Web({"https://courier.example/feeds/all.rss": flaky})
    feed = await add(session, "https://courier.example/feeds/all.rss")
    waits: list[timedelta] = []
    failing_flags: list[bool] = []
    clock = now
    async with web.fetcher() as fetcher:
        for _ in range(12):
            result = await refresh_feed(session, feed, fetcher=fetcher, now=clock)
            await session.commit()
            assert result.error == "HTTP 500 Internal Server Error" and result.new_articles == 0
            assert feed.next_check_at is not None
            waits.append(feed.next_check_at - clock)
            failing_flags.append(result.became_failing)
            clock = feed.next_check_at
        assert waits[:4] == [timedelta(minutes=m) for m in (5, 10, 20, 40)]
        assert max(waits) == timedelta(days=1) == waits[-1]  # capped
        assert failing_flags == [False, False, True] + [False] * 9  # told exactly once
        assert feed.state == FeedState.FAILING and feed.failing_notified_at is not None
        state["up"] = True
        back = await refresh_feed(session, feed, fetcher=fetcher, now=clock)
        await session.commit()
        assert back.recovered and back.new_articles == 2 and not back.became_failing
        assert feed.state == FeedState.OK and feed.error_count == 0 and feed.last_error is None
        again = await refresh_feed(session, feed, fetcher=fetcher, now=clock + timedelta(hours=1))
        assert not again.recovered
        # failing again later is told again
        state["up"] = False
        flags = []
        for step in range(3):
            later = clock + timedelta(days=2 + step)
            flags.append(
                (await refresh_feed(session, feed, fetcher=fetcher, now=later)).became_failing
            )
        assert flags == [False, False, True]


async def test_gone_feeds_fail_at_once_and_retry_after_is_honoured(
    session: AsyncSession, now: datetime
) -> None:
    web = Web(
        {
            "https://gone.example/rss": httpx.Response(410),
            "https://busy.example/rss": httpx.Response(503, headers={"Retry-After": "7200"}),
            "https://broken.example/rss": xml(fixture("not_a_feed.html")),
        }
    )
    gone = await add(session, "https://gone.example/rss")
    busy = await add(session, "https://busy.example/rss")
    junk = await add(session, "https://broken.example/rss")
    async with web.fetcher() as fetcher:
        gone_result = await refresh_feed(session, gone, fetcher=fetcher, now=now)
        busy_result = await refresh_feed(session, busy, fetcher=fetcher, now=now)
        junk_result = await refresh_feed(session, junk, fetcher=fetcher, now=now)
        await session.commit()
    assert gone_result.became_failing and gone.state == FeedState.FAILING
    assert gone.next_check_at == now + timedelta(days=1)
    assert busy_result.error == "HTTP 503 Service Unavailable" and not busy_result.became_failing
    assert busy.next_check_at == now + timedelta(hours=2)
    assert junk_result.error is not None and junk_result.error.startswith("not a feed")


async def test_permanent_redirect_updates_the_feed_url_and_max_age_delays(
    session: AsyncSession, now: datetime
) -> None:
    web = Web(
        {
            "https://old.example/rss": httpx.Response(
                301, headers={"Location": "https://new.example/feed.xml"}
            ),
            "https://new.example/feed.xml": xml(
                fixture("rss2.xml"), **{"Cache-Control": "max-age=14400"}
            ),
        }
    )
    feed = await add(session, "https://old.example/rss")
    async with web.fetcher() as fetcher:
        result = await refresh_feed(session, feed, fetcher=fetcher, now=now)
        await session.commit()
    assert result.moved_to == "https://new.example/feed.xml" and result.new_articles == 2
    assert feed.url == "https://new.example/feed.xml"
    assert feed.next_check_at == now + timedelta(hours=4)
    assert await feed_store.get_feed_by_url(session, url="https://old.example/rss") is None


async def test_broken_feeds_keep_what_parses(session: AsyncSession, now: datetime) -> None:
    web = Web({"https://broken.example/rss": xml(fixture("broken.xml"))})
    feed = await add(session, "https://broken.example/rss", full_text=False)
    async with web.fetcher() as fetcher:
        result = await refresh_feed(session, feed, fetcher=fetcher, now=now)
    assert result.error is None and result.warning and result.new_articles >= 2
    assert feed.state == FeedState.OK


async def test_refresh_due_feeds_claims_only_due_feeds(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    web = Web(
        {
            "https://courier.example/feeds/all.rss": xml(fixture("rss2.xml")),
            "https://science.example/blog/atom.xml": xml(fixture("atom.xml")),
            "https://lab.example/rss": xml(fixture("rdf.xml")),
        }
    )
    async with sessionmaker() as session:
        await add(session, "https://courier.example/feeds/all.rss", full_text=False)
        await add(session, "https://science.example/blog/atom.xml", full_text=False)
        later = await add(session, "https://lab.example/rss")
        later.next_check_at = now + timedelta(hours=1)
        await session.commit()
    async with web.fetcher() as fetcher:
        results = await refresh_due_feeds(sessionmaker, fetcher=fetcher, now=now)
        again = await refresh_due_feeds(sessionmaker, fetcher=fetcher, now=now)
    assert sorted(r.url for r in results) == [
        "https://courier.example/feeds/all.rss",
        "https://science.example/blog/atom.xml",
    ]
    assert sum(r.new_articles for r in results) == 4 and again == []
    async with sessionmaker() as session:
        assert len(await articles(session)) == 4


async def test_ingest_document_html_and_text(session: AsyncSession, now: datetime) -> None:
    page = fixture("pages/night-trains.html")
    article = await ingest_document(
        session,
        content=page,
        url="https://daily.example/story/night-trains?utm_source=x",
        now=now,
        kind="html",
    )
    await session.commit()
    assert article.id and article.title == "Night trains return to the coast line"
    assert article.canonical_url == "https://daily.example/story/night-trains"
    assert article.summary and article.keyphrases and article.stored_at == now
    same = await ingest_document(session, content=page, url=None, now=now, kind="html")
    assert same.id == article.id
    note = await ingest_document(
        session,
        content="# Garden notes\n\nThe tomatoes ripened early because the summer was warm.",
        url=None,
        now=now,
        kind="text",
    )
    await session.commit()
    assert note.title == "Garden notes" and note.canonical_url.startswith("urn:digestbot:sha256:")
    with pytest.raises(DocumentError):
        await ingest_document(
            session, content=b"<html><body></body></html>", url=None, now=now, kind="html"
        )


async def test_linked_pages_on_internal_addresses_are_never_fetched(
    session: AsyncSession, now: datetime
) -> None:
    teaser = fixture("teaser.xml").replace(
        b"https://daily.example/story/harbour-bridge?utm_source=rss&amp;utm_campaign=feed",
        b"http://169.254.169.254/latest/meta-data/",
    )
    web = Web(
        {
            "https://daily.example/rss": xml(teaser),
            "https://huge.example/rss": xml(b"<rss>" + b" " * 3_000_000),
        }
    )
    feed = await add(session, "https://daily.example/rss")
    huge = await add(session, "https://huge.example/rss")
    async with Fetcher(
        FetchPolicy(max_body_bytes=1_000_000), transport=httpx.MockTransport(web.handler)
    ) as f:
        result = await refresh_feed(session, feed, fetcher=f, now=now)
        too_big = await refresh_feed(session, huge, fetcher=f, now=now)
        await session.commit()
    assert result.new_articles == 2 and result.error is None
    assert "169.254.169.254" not in " ".join(web.urls())
    bridge = next(a for a in await articles(session) if "bridge" in a.title)
    assert bridge.text.startswith("The bridge will be closed")  # the teaser, nothing more
    assert too_big.error == "the response is larger than 1 MB" and huge.error_count == 1


@pytest.mark.postgres
async def test_a_page_stored_meanwhile_by_another_worker_is_skipped(
    sessionmaker: async_sessionmaker[AsyncSession], backend: str, now: datetime
) -> None:
    """Two workers (PostgreSQL) can both find a page new; the second insert is refused by the
    unique constraint and only that article is skipped — the rest of its refresh is kept."""
    if backend != "postgres":
        pytest.skip("SQLite has one writer")
    from ingest.pipeline import _Document, store_document

    document = page_document(
        "https://race.example/a",
        title="Race",
        text="One worker stores this page while another one is about to store it too.",
        published_at=now,
    )
    async with sessionmaker() as first, sessionmaker() as second:
        other = _Document(**{**document.__dict__, "text": "The same page, edited a little."})
        assert await store_document(first, document, feed_id=None, guid=None, source=None, now=now)
        await first.commit()
        kept = _Document(
            **{**document.__dict__, "canonical_url": "https://race.example/b", "text": "Else."}
        )
        assert await store_document(second, kept, feed_id=None, guid=None, source=None, now=now)
        lost = await store_document(second, other, feed_id=None, guid=None, source=None, now=now)
        assert lost is None
        await second.commit()
    async with sessionmaker() as session:
        assert sorted(a.canonical_url for a in await articles(session)) == [
            "https://race.example/a",
            "https://race.example/b",
        ]


async def test_an_unexpected_error_fails_only_its_feed(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    """A bug (here: the transport raising something no fetcher expects) is recorded as that
    feed's failure; the other feeds of the tick are refreshed and committed."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "buggy.example":
            raise RuntimeError("boom")
        return xml(fixture("rss2.xml"))

    async with sessionmaker() as session:
        await add(session, "https://buggy.example/rss")
        await add(session, "https://courier.example/feeds/all.rss", full_text=False)
    async with Fetcher(transport=httpx.MockTransport(handler)) as fetcher:
        results = await refresh_due_feeds(sessionmaker, fetcher=fetcher, now=now)
    by_url = {r.url: r for r in results}
    assert by_url["https://buggy.example/rss"].error == "boom"
    assert by_url["https://courier.example/feeds/all.rss"].new_articles == 2
    async with sessionmaker() as session:
        buggy = await feed_store.get_feed_by_url(session, url="https://buggy.example/rss")
        assert buggy is not None and buggy.error_count == 1 and buggy.last_error == "boom"
        assert buggy.next_check_at == now + timedelta(minutes=5)
        assert len(await articles(session)) == 2


async def test_articles_are_stamped_when_written_not_when_the_tick_began(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    """A feed refreshed late in a long tick: its articles carry the time they were written, so
    a digest waiting a few seconds after each stamp cannot have moved past them meanwhile."""
    written = now + timedelta(minutes=3)  # the tick has been busy with other feeds
    web = Web({"https://courier.example/feeds/all.rss": xml(fixture("rss2.xml"))})
    async with sessionmaker() as session:
        await add(session, "https://courier.example/feeds/all.rss", full_text=False)
    async with web.fetcher() as fetcher:
        results = await refresh_due_feeds(
            sessionmaker, fetcher=fetcher, now=now, clock=lambda: written
        )
    assert results[0].new_articles > 0
    async with sessionmaker() as session:
        assert {a.stored_at for a in await articles(session)} == {written}


async def test_a_feed_entry_with_only_a_day_is_stored_date_only(
    session: AsyncSession, now: datetime
) -> None:
    day = now.strftime("%a, %d %b %Y")  # a day, no time: "Mon, 02 Mar 2026"
    body = fixture("rss2.xml").replace(b"Sun, 01 Mar 2026 09:30:00 +0000", day.encode())
    assert body != fixture("rss2.xml")
    web = Web({"https://courier.example/feeds/all.rss": xml(body)})
    feed = await add(session, "https://courier.example/feeds/all.rss")
    async with web.fetcher() as fetcher:
        await refresh_feed(session, feed, fetcher=fetcher, now=now)
        await session.commit()
    tidal, ferry = await articles(session)
    assert tidal.date_only and tidal.published_at.replace(tzinfo=None) == datetime(
        now.year, now.month, now.day
    )
    assert not ferry.date_only  # undated: first seen, a real moment


_WIRE_RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Coast Wire</title><link>https://wire.example/</link>
<item><title>Storm closes the coast road for a week</title>
<link>https://wire.example/news/storm</link><guid>storm-1</guid>
<description><![CDATA[<p>Storm closes the coast road for a week Published on January 12, 2008 by
Coast Wire</p><p>The coast road between the two harbours will stay closed for a week after the
storm washed away a section of the embankment, the council said on Monday. Buses will run
inland instead, and the ferry adds two crossings a day.</p><p>Engineers expect to begin repairs
once the tides ease at the end of the month, and the council will meet residents on Thursday to
explain the work.</p><p>- AAP</p>]]></description></item></channel></rss>"""

_WIRE_TEXT = (
    "# Storm closes the coast road for a week\n\n"
    "Storm closes the coast road for a week Published on January 12, 2008 by Coast Wire\n\n"
    "The coast road between the two harbours will stay closed for a week after the storm "
    "washed away a section of the embankment, the council said on Monday.\n\n"
    "Engineers expect to begin repairs once the tides ease at the end of the month.\n\n"
    "- AAP"
)


async def test_feed_entries_and_text_files_lose_the_lines_at_their_edges_as_pages_do(
    session: AsyncSession, now: datetime
) -> None:
    # The title repeated with only its date and byline, and a wire credit after the last
    # sentence (shapes of L3S-GN1 pages, 2008), as a feed entry's text and as a text file.
    await refreshed(session, "https://wire.example/rss", _WIRE_RSS, now=now)
    note = await ingest_document(session, content=_WIRE_TEXT, url=None, now=now, kind="text")
    entry = next(a for a in await articles(session) if a.title.startswith("Storm"))
    for article in (entry, note):
        assert article.text.startswith("The coast road between the two harbours"), article.text
        assert article.text.endswith(".") and "AAP" not in article.text, article.text
