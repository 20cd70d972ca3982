"""Engines, sessions and schema upgrades for SQLite (aiosqlite) and PostgreSQL (asyncpg).

Nothing here reads the environment: the composition root passes the database URL in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseURLError(ValueError):
    """The database URL names no backend digestbot supports."""


def async_url(url: str) -> URL:
    """Map a plain `sqlite:///` or `postgresql://` URL onto its async driver."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with the URL in it
        raise DatabaseURLError("not a database URL (expected sqlite:/// or postgresql://)") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in {"postgresql", "postgres"}:
        return parsed.set(drivername="postgresql+asyncpg")
    raise DatabaseURLError(f"unsupported database backend {backend!r} (use sqlite or postgresql)")


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<invalid database URL>"


def is_postgres(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"


def make_engine(url: str, *, schema: str | None = None, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; `schema` (or `?schema=` in the URL) puts every table of a
    PostgreSQL database in that schema."""
    target = async_url(url)
    if "schema" in target.query:  # postgresql://…/db?schema=name keeps digestbot in one schema
        schema = schema or str(target.query["schema"])
        target = target.difference_update_query(["schema"])
    connect_args: dict[str, Any] = {}
    if target.get_backend_name() == "sqlite":
        connect_args["timeout"] = 30
        if target.database and target.database != ":memory:":
            Path(target.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    elif schema:
        connect_args["server_settings"] = {"search_path": schema}
    engine = create_async_engine(target, connect_args=connect_args, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def dialect_name(session: AsyncSession) -> str:
    """ "sqlite" or "postgresql": the backend a session talks to."""
    return session.get_bind().dialect.name


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent; run at every start)."""
    await _migrate(engine, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the schema back to `revision` (rolling back a release), keeping the data."""
    await _migrate(engine, lambda config: command.downgrade(config, revision))


class MigrationError(RuntimeError):
    """A migration left rows that point nowhere; it was rolled back."""


async def _migrate(engine: AsyncEngine, step: Callable[[Config], None]) -> None:
    """Run an Alembic command in one transaction. On SQLite, foreign keys are off meanwhile:
    a migration there rebuilds a table by copying it and dropping the old one, and with them on
    the drop would cascade into every table that refers to it (a chat's subscriptions, a
    digest's outbox parts). They are checked before the commit instead."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        before = MigrationContext.configure(connection).get_current_revision()
        step(config)
        after = MigrationContext.configure(connection).get_current_revision()
        if connection.dialect.name == "sqlite" and after != before:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise MigrationError(f"migration left {len(broken)} dangling references")

    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # outside a transaction, or SQLite ignores it
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            async with connection.begin():
                await connection.run_sync(run)
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()


async def current_revision(engine: AsyncEngine) -> str | None:
    def _read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(_read)
