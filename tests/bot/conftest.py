"""Fixtures of the command tests: the bot, running on a fresh SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.demo import LocalBot
from tests.support.harness import running, sqlite_sessionmaker

__all__ = ["sqlite_sessionmaker"]


@pytest.fixture
async def bot(sqlite_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[LocalBot]:
    """The real Application polling the default emulator with the test settings (`running`),
    on the test's `sqlite_sessionmaker`; stopped after the test."""
    async with running(sqlite_sessionmaker) as local:
        yield local
