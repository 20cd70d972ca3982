"""Story clustering's rows: the recent articles' terms the online index is built from, the
decision recorded on each article, and the reads and writes of `digestbot stories --rebuild`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.articles import recent_values
from storage.models import Article, Story
from storage.rows import RecentValue


async def recent_story_terms(
    session: AsyncSession, *, since: datetime, after_id: int = 0, limit: int = 100_000
) -> Sequence[RecentValue]:
    """The story terms (`value`) of articles stored since `since` with an
    id above `after_id`, oldest first (the order the index takes them in)."""
    return await recent_values(
        session,
        column="story_terms",
        since=since,
        after_id=after_id,
        limit=limit,
        newest_first=False,
    )


async def record_decision(
    session: AsyncSession, *, article: Article, terms: str, similarity: float | None, why: str
) -> None:
    """Keep what the clustering saw and decided on the article. Caller commits."""
    article.story_terms = terms
    article.story_similarity = similarity
    article.story_why = why
    session.add(article)
    await session.flush()


async def articles_since(session: AsyncSession, *, since: datetime) -> Sequence[Article]:
    """Articles stored since `since`, in the order they were stored (for a re-clustering)."""
    result = await session.exec(
        select(Article)
        .where(col(Article.stored_at) >= since)
        .order_by(col(Article.stored_at), col(Article.id))
    )
    return list(result.all())


async def new_story(session: AsyncSession, *, article: Article, now: datetime) -> int:
    """A story of its own for `article` (re-clustering). Caller commits."""
    story = Story(title=article.title, first_article_id=article.id, created_at=now, updated_at=now)
    session.add(story)
    await session.flush()
    assert story.id is not None
    article.story_id = story.id
    session.add(article)
    return story.id


async def join_story(
    session: AsyncSession, *, article: Article, story_id: int, now: datetime
) -> None:
    """Move `article` into `story_id` (re-clustering) and count it there. Caller commits."""
    story = await session.get(Story, story_id)
    if story is not None:
        story.sources_count += 1
        story.updated_at = now
        session.add(story)
    article.story_id = story_id
    session.add(article)
