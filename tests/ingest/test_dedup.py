# ruff: noqa: E501
"""De-duplication: one spelling per URL, exact hashes, and one story from several outlets."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from ingest.dedup import canonicalize_url, content_hash, find_story, signature, similarity
from storage.articles import add_article
from storage.models import ArticleCreate

# The same story as two outlets wrote it (BBC-corpus style), and another story.
OUTLET_A = (
    "Rail fares to rise by 4% in January",
    """Rail fares in England, Scotland and Wales will rise by an average of 4% from January, the industry has announced.

The Association of Train Operating Companies said the increase was needed to pay for improvements to the network, including new carriages and longer platforms.

Season tickets on some commuter routes into London will go up by more than 6%, adding hundreds of pounds a year to travellers' costs.

Passenger groups condemned the rise, saying commuters were paying more for overcrowded and unreliable services. The Rail Passengers' Council said fares had risen faster than inflation for three years running.

Transport Secretary Alistair Darling said the government was investing record sums in the railways and that passengers would see the benefits.""",
)
OUTLET_B = (
    "Commuters face 4% average rail fare increase",
    """Train passengers will pay an average of 4% more for tickets from January, train operators said on Tuesday.

Some season tickets for London commuters will rise by over 6%, costing travellers hundreds of pounds more every year, according to the Association of Train Operating Companies.

Operators argued the money would fund improvements such as new carriages and longer platforms across the network.

The Rail Passengers' Council criticised the increase, pointing out that fares had outpaced inflation for the third year in a row while services remained overcrowded and unreliable.

Alistair Darling, the Transport Secretary, insisted record government investment in the railways would benefit passengers.""",
)
OTHER = (
    "Chancellor promises help for first-time buyers",
    """The Chancellor has promised new help for first-time buyers struggling to get on the housing ladder, in a speech to business leaders in London.

He said the government would consider raising the stamp duty threshold and would work with lenders to offer smaller deposits.

House prices have risen sharply over the past three years, and the average age of a first-time buyer is now over 30.

The opposition said the plans were too little, too late, and accused the government of failing to build enough homes.""",
)


def test_canonical_url_strips_tracking_and_normalises() -> None:
    assert (
        canonicalize_url("HTTP://WWW.Example.com:80/news/story?utm_source=rss&b=2&a=1&fbclid=x#top")
        == "https://example.com/news/story?a=1&b=2"
    )
    assert canonicalize_url("https://example.com") == "https://example.com/"
    assert canonicalize_url("https://example.com/a?gclid=1&utm_medium=x") == "https://example.com/a"
    assert canonicalize_url("https://example.com:8443/a?id=7") == "https://example.com:8443/a?id=7"
    assert canonicalize_url("https://example.com/a//b/") == "https://example.com/a/b/"
    assert canonicalize_url("mailto:someone@example.com") == "mailto:someone@example.com"


def test_content_hash_ignores_spacing_and_case_only() -> None:
    title, text = OUTLET_A
    same = content_hash(title.upper(), text.replace(" ", "  ").replace("\n\n", "\n"))
    assert content_hash(title, text) == same
    assert content_hash(title, text + " Extra.") != same
    assert len(same) == 64


def test_signature_fits_the_column_and_is_stable() -> None:
    value = signature(*OUTLET_A)
    assert len(value) == 64
    assert value == signature(*OUTLET_A)
    assert signature("", "") == ""


def test_paraphrase_is_near_unrelated_story_is_far() -> None:
    a, b, other = signature(*OUTLET_A), signature(*OUTLET_B), signature(*OTHER)
    assert similarity(a, a) == 1.0
    assert similarity(a, b) >= 0.3
    assert similarity(a, other) < 0.15
    assert similarity(b, other) < 0.15


def _article(title_text: tuple[str, str], url: str, feed: None = None) -> ArticleCreate:
    title, text = title_text
    return ArticleCreate(
        canonical_url=url,
        url=url,
        title=title,
        text=text,
        content_hash=content_hash(title, text),
        signature=signature(title, text),
    )


async def test_the_same_story_from_two_outlets_becomes_one_story(
    session: AsyncSession, now: datetime
) -> None:
    first = await add_article(
        session, data=_article(OUTLET_A, "https://a.example/rail"), stored_at=now
    )
    await add_article(session, data=_article(OTHER, "https://a.example/homes"), stored_at=now)
    await session.commit()

    later = now + timedelta(hours=5)
    story = await find_story(session, signature=signature(*OUTLET_B), now=later)
    assert story == first.story_id
    second = await add_article(
        session, data=_article(OUTLET_B, "https://b.example/fares"), stored_at=later, story_id=story
    )
    await session.commit()
    assert second.story_id == first.story_id

    unrelated = ("Snow closes schools", "Heavy snow closed hundreds of schools in Scotland today.")
    assert await find_story(session, signature=signature(*unrelated), now=later) is None


async def test_old_stories_are_not_matched(session: AsyncSession, now: datetime) -> None:
    await add_article(session, data=_article(OUTLET_A, "https://a.example/rail"), stored_at=now)
    await session.commit()
    assert (
        await find_story(session, signature=signature(*OUTLET_B), now=now + timedelta(days=10))
        is None
    )
    assert await find_story(session, signature="not a signature", now=now) is None


async def test_articles_stored_after_a_look_up_are_found_in_the_same_session(
    session: AsyncSession, now: datetime
) -> None:
    assert await find_story(session, signature=signature(*OUTLET_B), now=now) is None
    first = await add_article(
        session, data=_article(OUTLET_A, "https://a.example/rail"), stored_at=now
    )
    later = now + timedelta(minutes=5)
    assert await find_story(session, signature=signature(*OUTLET_B), now=later) == first.story_id


async def test_a_rolled_back_story_is_never_returned(session: AsyncSession, now: datetime) -> None:
    await add_article(session, data=_article(OTHER, "https://a.example/homes"), stored_at=now)
    await session.commit()
    assert await find_story(session, signature=signature(*OUTLET_B), now=now) is None
    nested = await session.begin_nested()
    await add_article(session, data=_article(OUTLET_A, "https://a.example/rail"), stored_at=now)
    assert await find_story(session, signature=signature(*OUTLET_B), now=now) is not None
    await nested.rollback()
    assert await find_story(session, signature=signature(*OUTLET_B), now=now) is None
    # ... and a story stored afterwards is found again.
    kept = await add_article(
        session, data=_article(OUTLET_A, "https://c.example/rail"), stored_at=now
    )
    assert await find_story(session, signature=signature(*OUTLET_B), now=now) == kept.story_id
