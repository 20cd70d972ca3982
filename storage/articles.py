"""Article and story rows: look-ups for de-duplication, idempotent insert, and reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import defer
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import dialect_name
from storage.models import Article, ArticleCreate, Story
from storage.reads import count, first
from storage.rows import RecentValue
from storage.types import utcnow


async def get_article(session: AsyncSession, *, article_id: int) -> Article | None:
    return await session.get(Article, article_id)


async def get_by_canonical_url(session: AsyncSession, *, canonical_url: str) -> Article | None:
    return await first(session, Article, col(Article.canonical_url) == canonical_url)


async def get_by_guid(session: AsyncSession, *, feed_id: int, guid: str) -> Article | None:
    result = await session.exec(
        select(Article).where(Article.feed_id == feed_id, Article.guid == guid)
    )
    return result.first()


async def get_by_content_hash(session: AsyncSession, *, content_hash: str) -> Article | None:
    result = await session.exec(
        select(Article).where(Article.content_hash == content_hash).order_by(col(Article.id))
    )
    return result.first()


async def by_guids(
    session: AsyncSession, *, feed_id: int, guids: Sequence[str]
) -> dict[str, Article]:
    """The feed's stored articles with these guids (one query per 500, not one per entry)."""
    found: dict[str, Article] = {}
    for start in range(0, len(guids), 500):
        statement = select(Article).where(
            Article.feed_id == feed_id, col(Article.guid).in_(list(guids[start : start + 500]))
        )
        found.update((a.guid, a) for a in (await session.exec(statement)).all() if a.guid)
    return found


async def by_canonical_urls(session: AsyncSession, *, urls: Sequence[str]) -> dict[str, Article]:
    """The stored articles with these canonical URLs."""
    found: dict[str, Article] = {}
    for start in range(0, len(urls), 500):
        statement = select(Article).where(
            col(Article.canonical_url).in_(list(urls[start : start + 500]))
        )
        found.update((a.canonical_url, a) for a in (await session.exec(statement)).all())
    return found


async def lock_content_hash(session: AsyncSession, *, content_hash: str) -> None:
    """PostgreSQL: wait until no other transaction is storing the same text (held until this
    one ends), so workers refreshing different feeds at once never both store it. SQLite has
    one writer: nothing to do."""
    if dialect_name(session) != "postgresql":
        return
    connection = await session.connection()
    key = int.from_bytes(bytes.fromhex(content_hash[:16]), "big", signed=True)
    await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def add_article(
    session: AsyncSession,
    *,
    data: ArticleCreate,
    stored_at: datetime | None = None,
    story_id: int | None = None,
) -> Article:
    """Insert a new article, in a story of its own unless `story_id` names one. Caller commits.

    The caller has checked it is new (canonical URL, GUID); the unique constraints still refuse
    a duplicate that slipped past, so a re-run can never store an article twice."""
    now = stored_at or utcnow()
    if story_id is None:
        story = Story(title=data.title, created_at=now, updated_at=now)
        session.add(story)
        await session.flush()
        story_id = story.id
    else:
        story_row = await session.get(Story, story_id)
        if story_row is not None:
            story_row.sources_count += 1
            story_row.updated_at = now
    article = Article.model_validate(data, update={"stored_at": now, "story_id": story_id})
    session.add(article)
    await session.flush()
    if story_id is not None:
        story_row = await session.get(Story, story_id)
        if story_row is not None and story_row.first_article_id is None:
            story_row.first_article_id = article.id
    return article


def _heads() -> Any:
    """Leave out what lists never show (the full text and keyphrases): reading them would
    raise, and loading them costs more than the rest of the row."""
    return defer(Article.text), defer(Article.keyphrases)  # type: ignore[arg-type]


async def articles_by_ids(
    session: AsyncSession, *, ids: Sequence[int], with_text: bool = True
) -> Sequence[Article]:
    if not ids:
        return []
    statement = select(Article).where(col(Article.id).in_(list(ids)))
    if not with_text:
        statement = statement.options(*_heads())
    result = await session.exec(statement)
    return result.all()


async def stored_since(
    session: AsyncSession,
    *,
    after: datetime | None,
    after_id: int = 0,
    limit: int = 10_000,
) -> Sequence[Article]:
    """Articles stored after the watermark `(after, after_id)`, in stored order."""
    statement = select(Article)
    if after is not None:
        statement = statement.where(
            (col(Article.stored_at) > after)
            | ((col(Article.stored_at) == after) & (col(Article.id) > after_id))
        )
    statement = statement.order_by(col(Article.stored_at), col(Article.id)).limit(limit)
    result = await session.exec(statement)
    return result.all()


async def latest_articles(
    session: AsyncSession, *, limit: int = 10, with_text: bool = True
) -> Sequence[Article]:
    statement = (
        select(Article).order_by(col(Article.stored_at).desc(), col(Article.id).desc()).limit(limit)
    )
    if not with_text:
        statement = statement.options(*_heads())
    result = await session.exec(statement)
    return result.all()


async def latest_keyphrases(session: AsyncSession, *, limit: int = 200) -> list[str]:
    """The keyphrases of the newest `limit` articles, newest first (no article bodies)."""
    result = await session.exec(
        select(Article.keyphrases)
        .order_by(col(Article.stored_at).desc(), col(Article.id).desc())
        .limit(limit)
    )
    return list(result.all())


async def count_articles(session: AsyncSession) -> int:
    return await count(session, Article)


async def recent_signatures(
    session: AsyncSession, *, since: datetime, after_id: int = 0, limit: int = 20_000
) -> Sequence[RecentValue]:
    """The signatures (`value`) of articles stored since `since` (and with
    an id above `after_id`), newest first: near-duplicate look-ups compare against these."""
    return await recent_values(
        session, column="signature", since=since, after_id=after_id, limit=limit, newest_first=True
    )


async def recent_values(
    session: AsyncSession,
    *,
    column: str,
    since: datetime,
    after_id: int,
    limit: int,
    newest_first: bool,
) -> Sequence[RecentValue]:
    """The text `column` (as `value`) of articles in a story, stored since `since`
    with an id above `after_id`, whose text `column` is set: the windows that de-duplication
    and story clustering read."""
    value = getattr(Article, column)
    order = col(Article.id).desc() if newest_first else col(Article.id)
    result = await session.exec(
        select(Article.id, Article.story_id, value, Article.stored_at)
        .where(
            col(Article.stored_at) >= since,
            col(Article.id) > after_id,
            col(value).is_not(None),
            col(Article.story_id).is_not(None),
        )
        .order_by(order)
        .limit(limit)
    )
    return [
        RecentValue(int(article_id), int(story_id), str(found), stored_at)
        for article_id, story_id, found, stored_at in result.all()
        if article_id and story_id and found
    ]


async def story_articles(
    session: AsyncSession, *, story_ids: Sequence[int], limit: int = 500
) -> Sequence[Article]:
    """The articles of these stories (every outlet that reported them), oldest first, without
    their text."""
    if not story_ids:
        return []
    result = await session.exec(
        select(Article)
        .where(col(Article.story_id).in_(list(story_ids)))
        .order_by(col(Article.id))
        .limit(limit)
        .options(*_heads())
    )
    return result.all()
