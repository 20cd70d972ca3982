"""The news sections stored per article (written at ingest and by the backfill command; read
by section subscriptions and trending). The caller commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Article, ArticleSection


async def set_sections(
    session: AsyncSession, *, article_id: int, sections: Iterable[tuple[str, float]]
) -> None:
    """Replace an article's sections with these (name, score) pairs."""
    await session.exec(delete(ArticleSection).where(col(ArticleSection.article_id) == article_id))
    for name, score in dict(sections).items():
        session.add(ArticleSection(article_id=article_id, section=name, score=float(score)))
    await session.flush()


async def sections_of(
    session: AsyncSession, *, article_ids: Sequence[int]
) -> dict[int, dict[str, float]]:
    """Each article's {section: score} (articles with none are absent)."""
    found: dict[int, dict[str, float]] = {}
    for start in range(0, len(article_ids), 500):
        chunk = list(article_ids[start : start + 500])
        result = await session.exec(
            select(ArticleSection.article_id, ArticleSection.section, ArticleSection.score).where(
                col(ArticleSection.article_id).in_(chunk)
            )
        )
        for article_id, section, score in result.all():
            found.setdefault(article_id, {})[section] = score
    return found


async def articles_in_section(
    session: AsyncSession, *, section: str, after_id: int = 0, limit: int = 1000
) -> list[tuple[int, float]]:
    """(article id, score) of the section's articles with an id above `after_id`, newest first."""
    result = await session.exec(
        select(ArticleSection.article_id, ArticleSection.score)
        .where(ArticleSection.section == section, col(ArticleSection.article_id) > after_id)
        .order_by(col(ArticleSection.article_id).desc())
        .limit(limit)
    )
    return [(int(a), float(s)) for a, s in result.all()]


async def articles_without_sections(
    session: AsyncSession, *, after_id: int = 0, limit: int = 500
) -> Sequence[tuple[int, str, str, str | None]]:
    """(id, title, text, language) of articles never classified, by id (the backfill's
    batches).
    An article the classifier put in no section is picked up again: cheap, and harmless."""
    classified = select(ArticleSection.article_id).where(
        col(ArticleSection.article_id) == col(Article.id)
    )
    result = await session.exec(
        select(Article.id, Article.title, Article.text, Article.language)
        .where(col(Article.id) > after_id, ~classified.exists())
        .order_by(col(Article.id))
        .limit(limit)
    )
    return [(int(i or 0), t or "", x or "", language) for i, t, x, language in result.all()]
