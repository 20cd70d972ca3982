"""The two reads every table module makes: the first row of a model where conditions hold, and
how many rows hold them."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

M = TypeVar("M", bound=SQLModel)


async def first(session: AsyncSession, model: type[M], *where: Any) -> M | None:
    """The first row of `model` where every condition holds; None when there is none."""
    result = await session.exec(select(model).where(*where))
    return result.first()


async def count(session: AsyncSession, model: type[SQLModel], *where: Any) -> int:
    """How many rows of `model` every condition holds for (all rows without one)."""
    result = await session.exec(select(func.count()).select_from(model).where(*where))
    return int(result.one())
