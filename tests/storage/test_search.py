"""Full-text search on both backends: words match, user syntax never reaches the engine."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import articles
from storage.db import make_sessionmaker
from storage.models import ArticleCreate
from storage.search import SearchQuery, Term, compile_fts5, search_articles, words
from tests.support.db import database

DOCS = [
    ("https://n.com/1", "AI safety research gets funding", "Alignment labs expand.", "ai safety"),
    ("https://n.com/2", "Crypto markets fall", "Bitcoin and AI tokens drop.", "crypto"),
    ("https://n.com/3", "Rust 2.0 released", "The compiler is faster.", "rust; compilers"),
    ("https://n.com/4", "Café culture in Zürich", "Baristas debate. 😀", "coffee"),
]


async def _seed(session: AsyncSession) -> dict[str, int]:
    ids = {}
    for url, title, text, keyphrases in DOCS:
        a = await articles.add_article(
            session,
            data=ArticleCreate(canonical_url=url, title=title, text=text, keyphrases=keyphrases),
        )
        ids[url] = a.id or 0
    await session.commit()
    return ids


async def test_words_phrases_or_and_exclusions(session: AsyncSession) -> None:
    ids = await _seed(session)

    async def found(query: SearchQuery | str) -> set[int]:
        return {hit.article_id for hit in await search_articles(session, query)}

    assert await found("ai") == {ids["https://n.com/1"], ids["https://n.com/2"]}
    assert await found("AI safety") == {ids["https://n.com/1"]}
    phrase = SearchQuery(((Term(("safety", "research")),),))
    assert await found(phrase) == {ids["https://n.com/1"]}
    wrong_order = SearchQuery(((Term(("research", "safety")),),))
    assert await found(wrong_order) == set()
    either = SearchQuery(((Term(("rust",)),), (Term(("bitcoin",)),)))
    assert await found(either) == {ids["https://n.com/3"], ids["https://n.com/2"]}
    no_crypto = SearchQuery(((Term(("ai",)),),), exclude=(Term(("crypto",)),))
    assert await found(no_crypto) == {ids["https://n.com/1"]}
    assert await found("compilers") == {ids["https://n.com/3"]}  # keyphrases are indexed
    assert await found("ZÜRICH café") == {ids["https://n.com/4"]}
    only = [ids["https://n.com/2"]]
    assert await found("ai") & set(only) == {
        h.article_id for h in await search_articles(session, "ai", article_ids=only)
    }


async def test_title_matches_rank_above_body_matches(session: AsyncSession) -> None:
    ids = await _seed(session)
    hits = await search_articles(session, "ai")
    assert hits[0].article_id == ids["https://n.com/1"]  # "AI" in the title beats the body


async def test_search_sees_updated_and_deleted_articles(session: AsyncSession) -> None:
    ids = await _seed(session)
    article = await articles.get_article(session, article_id=ids["https://n.com/3"])
    assert article is not None
    article.title = "Zig 1.0 released"
    await session.commit()
    assert await search_articles(session, "rust 2.0") == []
    assert [h.article_id for h in await search_articles(session, "zig")] == [article.id]
    await session.delete(article)
    await session.commit()
    assert await search_articles(session, "zig") == []


HOSTILE = [
    '"',
    '"unclosed',
    "NEAR(ai safety",
    "ai*",
    "title:ai",
    "ai OR",
    "AND OR NOT",
    "((((",
    ")",
    "'; DROP TABLE article; --",
    "1=1 OR 'a'='a'",
    "-",
    "^ai",
    "ai & | ! safety <-> x",
    ":* :A",
    "😀🔥",
    "\x00",
    "   ",
    "ai" * 500,
]


#: What a few hostile queries find when their words are only words (an operator, a prefix, a
#: column filter or a NEAR group would find something else)
HOSTILE_HITS = {
    "ai*": {"https://n.com/1", "https://n.com/2"},  # "ai", not a prefix search
    "^ai": {"https://n.com/1", "https://n.com/2"},
    "title:ai": set(),  # the words "title" and "ai", not a column filter
    "NEAR(ai safety": set(),  # "near" is a word no article has
    "'; DROP TABLE article; --": set(),
}


@pytest.mark.parametrize("query", HOSTILE)
async def test_hostile_queries_are_words_not_syntax(session: AsyncSession, query: str) -> None:
    ids = await _seed(session)
    hits = await search_articles(session, query)
    found = {h.article_id for h in hits}
    assert len(found) == len(hits)
    plain = words(query)
    bare = SearchQuery((tuple(Term((w,)) for w in plain),)) if plain else None
    # exactly what the same words find when they are given as words
    assert found == (
        {h.article_id for h in await search_articles(session, bare)} if bare else set()
    )
    if query in HOSTILE_HITS:
        assert found == {ids[url] for url in HOSTILE_HITS[query]}
    # nothing was executed: every article is still there and found
    assert {h.article_id for h in await search_articles(session, "compilers")} == {
        ids["https://n.com/3"]
    }


@pytest.fixture
def sync_db(backend: str, tmp_path: Path) -> Iterator[tuple[asyncio.AbstractEventLoop, Any]]:
    """A seeded database driven from a synchronous hypothesis test through its own loop."""
    loop = asyncio.new_event_loop()
    manager = database(backend, tmp_path)
    _url, engine, _schema = loop.run_until_complete(manager.__aenter__())
    maker = make_sessionmaker(engine)

    async def seed() -> None:
        async with maker() as session:
            await _seed(session)

    loop.run_until_complete(seed())
    try:
        yield loop, maker
    finally:
        loop.run_until_complete(manager.__aexit__(None, None, None))
        loop.close()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    query=st.one_of(
        st.text(max_size=80),
        st.lists(
            st.sampled_from(
                [
                    '"',
                    "(",
                    ")",
                    "*",
                    ":",
                    "NEAR(",
                    "OR",
                    "AND",
                    "NOT",
                    "-",
                    "^",
                    "'",
                    ";",
                    "--",
                    "&",
                    "|",
                    "!",
                    "<->",
                    "ai",
                    "safety",
                    "😀",
                    "\u202e",
                    "\u200b",
                    "{",
                    "}",
                ]
            ),
            max_size=12,
        ).map(" ".join),
    ),
    excluded=st.text(max_size=20),
)
def test_generated_hostile_queries_never_raise(
    sync_db: tuple[asyncio.AbstractEventLoop, Any], query: str, excluded: str
) -> None:
    loop, maker = sync_db

    async def run() -> None:
        async with maker() as session:
            hits = await search_articles(session, query)
            assert len({h.article_id for h in hits}) == len(hits)
            structured = SearchQuery(
                ((t,) for t in [Term.of(query)] if t)
                and tuple((Term((w,)),) for w in words(query)),
                exclude=tuple(t for t in [Term.of(excluded)] if t),
            )
            await search_articles(session, structured)

    loop.run_until_complete(run())


def test_fts5_expression_quotes_every_word() -> None:
    query = SearchQuery(((Term(("near",)), Term(("a", "b"))),), exclude=(Term(("x",)),))
    # Each term also looks in the stems of non-English articles, quoted the same way.
    assert compile_fts5(query) == (
        '((("near" OR stems : "near") AND ("a b" OR stems : "a b"))) NOT ("x" OR stems : "x")'
    )
    # Only the stems of the languages searched: none for English-only news.
    assert compile_fts5(query, languages=set()) == '(("near" AND "a b")) NOT "x"'
    assert compile_fts5(query, languages={"ru"}) == '(("near" AND "a b")) NOT "x"'
    russian = SearchQuery(((Term(("выборах",)),),))
    assert compile_fts5(russian, languages={"ru", "es"}) == '((("выборах" OR stems : "выбор")))'
    assert words('NEAR("x" * title:y)') == ("near", "x", "title", "y")


async def test_newest_ranks_only_the_most_recent_matches(session: AsyncSession) -> None:
    """A news search over the newest matches: the old article that matches best gives way."""
    ids = []
    for n, title in enumerate(["Volcano volcano volcano erupts", "Volcano", "Volcano", "Volcano"]):
        a = await articles.add_article(
            session,
            data=ArticleCreate(canonical_url=f"https://v.com/{n}", title=title, text="lava"),
        )
        ids.append(a.id or 0)
    await session.commit()
    everything = await search_articles(session, "volcano", limit=10)
    assert everything[0].article_id == ids[0]  # the strongest match, though the oldest
    recent = await search_articles(session, "volcano", limit=10, newest=3)
    assert sorted(h.article_id for h in recent) == sorted(ids[1:])
    assert [h.article_id for h in await search_articles(session, "volcano", newest=1)] == [ids[3]]
    hostile = await search_articles(session, 'volcano" OR NEAR(', limit=10, newest=2)
    assert {h.article_id for h in hostile} <= set(ids)
