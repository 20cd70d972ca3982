"""Test databases: a temporary SQLite file, or a fresh schema in the real PostgreSQL server.

PostgreSQL tests skip with a clear reason when the server is absent, unless
DIGESTBOT_REQUIRE_POSTGRES=1 (set by .ci/run), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from functools import cache
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine, upgrade

POSTGRES_URL = os.environ.get(
    "DIGESTBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("DIGESTBOT_REQUIRE_POSTGRES") == "1"


@cache
def _postgres_problem() -> str | None:
    import asyncio

    async def probe() -> None:
        connection = await asyncpg.connect(POSTGRES_URL, timeout=3)
        await connection.close()

    # Called from inside running event loops: probe on a thread with a loop of its own.
    try:
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, probe()).result()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def require_postgres() -> None:
    problem = _postgres_problem()
    if problem is None:
        return
    message = f"PostgreSQL unavailable at {POSTGRES_URL} ({problem})"
    if REQUIRE_POSTGRES:
        pytest.fail(message + "; DIGESTBOT_REQUIRE_POSTGRES=1 forbids skipping", pytrace=False)
    pytest.skip(message)


@asynccontextmanager
async def database(
    backend: str, tmp_path: Path, *, migrate: bool = True
) -> AsyncIterator[tuple[str, AsyncEngine, str | None]]:
    """Yield `(url, engine, schema)` for an isolated, migrated database."""
    isolated: AbstractAsyncContextManager[str | None]
    if backend == "sqlite":
        url, isolated = f"sqlite:///{tmp_path / 'test.db'}", nullcontext(None)
    else:
        require_postgres()
        url, isolated = POSTGRES_URL, scratch_schema(POSTGRES_URL)
    async with isolated as schema:
        engine = make_engine(url, schema=schema)
        try:
            if migrate:
                await upgrade(engine)
            yield url, engine, schema
        finally:
            await engine.dispose()


@asynccontextmanager
async def scratch_schema(postgres_url: str, *, prefix: str = "t") -> AsyncIterator[str]:
    """A throwaway schema in the PostgreSQL database at `postgres_url`, dropped at the end
    (tests and benchmarks); yields its name."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield schema
    finally:
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()


def schema_url(url: str, schema: str) -> str:
    """`url` with the `schema` query parameter the engine factory reads."""
    return make_url(url).update_query_dict({"schema": schema}).render_as_string(False)


async def redis_or_skip(url: str, *, clear: str | None = None) -> None:
    """Skip the test when no Redis answers at `url`; `clear` deletes the keys under that
    prefix first (a previous run's budget would make this one wait)."""
    import redis.asyncio as redis

    client = redis.Redis.from_url(url)
    try:
        await client.ping()
        if clear is not None:
            keys = [k async for k in client.scan_iter(match=f"{clear}:*")]
            if keys:
                await client.delete(*keys)
    except Exception as exc:
        pytest.skip(f"Redis unavailable at {url}: {exc}")
    finally:
        await client.aclose()
