"""Shared fixtures: every storage-backed test runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import make_sessionmaker
from tests.support.db import database

# as `digestbot` itself runs (bot/cli): python-telegram-bot's times as timedeltas, no warnings
os.environ.setdefault("PTB_TIMEDELTA", "1")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def engine(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated database of the parametrized backend, private to this test."""
    async with database(backend, tmp_path) as (_url, engine, _schema):
        yield engine


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def session(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
