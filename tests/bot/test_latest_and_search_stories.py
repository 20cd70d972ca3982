"""/latest and /search list stories, not articles: a story four outlets reported is one entry
naming the others ("Also reported by …"), and /latest is in the order stories were reported
(published time, else when stored), not the order feeds happened to be fetched."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.results import reported_at, story_items
from storage.models import Article
from tests.conftest import BACKENDS  # noqa: F401 (the sessionmaker fixture runs on both)
from tests.support.digests import make_article
from tests.support.harness import NOW, running

USER = 812


async def _add(
    session: AsyncSession,
    url: str,
    title: str,
    at: tuple[datetime, datetime],
    *,
    text: str = "",
    story_id: int | None = None,
) -> int | None:
    """An article at `url` (its outlet the source), (published, stored) `at`; returns its
    story."""
    article = await make_article(
        session,
        title=title,
        stored_at=at[1],
        summary=text or title,
        published_at=at[0],
        story_id=story_id,
        source=url.split("/")[2].split(".")[0].title(),
        url=url,
    )
    return article.story_id


async def seed(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Fetched in this order: the harbour feed (two stories), then a wire feed that also has
    the ferry story and an older one, then two more outlets with the ferry story."""
    ago = lambda hours: NOW - timedelta(hours=hours)  # noqa: E731
    async with sessionmaker() as session:
        ferry = await _add(
            session,
            "https://harbour.example/ferry",
            "Ferry strike halts island crossings",
            (ago(2), ago(1)),
            text="Ferry crews walked out over pay; no crossings today.",
        )
        await _add(
            session,
            "https://harbour.example/bridge",
            "Bridge repairs finish early",
            (ago(30), ago(1)),
        )
        for outlet, title in [
            ("wire.example", "Island ferries stop as crews strike"),
            ("courier.example", "Ferry strike: what travellers need to know"),
            ("daily.example", "Strike leaves ferry passengers stranded"),
        ]:
            await _add(
                session,
                f"https://{outlet}/ferry-strike",
                title,
                (ago(1.5), ago(0.5)),
                text="The ferry strike stopped every crossing.",
                story_id=ferry,
            )
        await _add(
            session,
            "https://wire.example/market",
            "Fish market reopens after storm",
            (ago(5), ago(0.5)),
        )
        # a clock running ahead: published "tomorrow", stored now
        await _add(
            session,
            "https://courier.example/future",
            "Harbour festival dates announced",
            (NOW + timedelta(days=1), ago(3)),
        )
        await session.commit()


async def test_latest_lists_each_story_once_newest_first(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessionmaker)
    async with running(sessionmaker) as bot:
        [reply] = await bot.say(USER, "/latest")
        lines = reply.text.splitlines()
        titles = [line.split(". ", 1)[1] for line in lines if line[:2] in {"1.", "2.", "3.", "4."}]
        assert titles == [
            "Ferry strike halts island crossings",  # 2 h ago, first reported by Harbour
            "Harbour festival dates announced",  # stored 3 h ago (its date is in the future)
            "Fish market reopens after storm",  # 5 h ago
            "Bridge repairs finish early",  # 30 h ago, though fetched with the ferry story
        ]
        assert "5." not in reply.text
        assert "Also reported by Wire, Courier, Daily" in reply.text
        assert reply.text.count("Ferry") + reply.text.count("ferry") == 1

        [reply] = await bot.say(USER, "/latest ferry")
        assert reply.text.count("\n1. ") == 1 and "\n2. " not in reply.text
        assert "Ferry strike halts island crossings" in reply.text
        assert "Also reported by Wire, Courier, Daily" in reply.text

        [reply] = await bot.say(USER, "/search ferry strike")
        assert "\n2. " not in reply.text
        assert "Also reported by" in reply.text and "Courier" in reply.text
        [reply] = await bot.say(USER, "/search storm OR bridge")
        assert "Nothing found" in reply.text  # /search wants every word
        [reply] = await bot.say(USER, "/latest market OR bridge")
        assert reply.text.index("Fish market") < reply.text.index("Bridge repairs")


def test_a_story_is_shown_by_its_first_report_with_each_other_outlet_once() -> None:
    def article(article_id: int, outlet: str, hours_ago: float, story: int | None) -> Article:
        return Article(
            id=article_id,
            canonical_url=f"https://{outlet}/{article_id}",
            url=f"https://{outlet}/{article_id}",
            title=f"story {story} at {outlet}",
            published_at=NOW - timedelta(hours=hours_ago),
            stored_at=NOW,
            story_id=story,
        )

    matches = [
        article(5, "b.example", 1, 7),
        article(4, "a.example", 3, 7),
        article(3, "c.example", 2, None),
        article(2, "b.example", 4, 9),
    ]
    outlets = [article(6, "a.example", 0.5, 7), article(8, "d.example", 0.2, 7)]
    items = story_items(matches, outlets=outlets, limit=2)
    assert [i.article_id for i in items] == [3, 4]  # two stories, newest first
    assert [s.name for s in items[1].also] == ["b.example", "d.example"]
    assert reported_at(matches[0]) == NOW - timedelta(hours=1)
