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
from sqlalchemy import event, text
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


def sqlite_path(url: str) -> Path | None:
    """The absolute file of a SQLite URL; None for PostgreSQL and in-memory databases."""
    try:
        parsed = make_url(url)
    except Exception:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if str(parsed.database).startswith("file:"):
        return None  # a URI filename: SQLite decides
    return Path(str(parsed.database)).expanduser().resolve()


_SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_file_problem(url: str) -> str | None:
    """Why the SQLite file of `url` cannot be opened, found before connecting (a failed
    connection leaves aiosqlite's thread behind): a directory, an unreadable file, a file
    that is not a database. None when it is fine or does not exist yet."""
    path = sqlite_path(url)
    if path is None or not path.exists():
        return None
    if path.is_dir():
        return f"{path} is a directory, not a SQLite database: correct the path"
    try:
        with path.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError as exc:
        return f"cannot read the SQLite database {path}: {exc.strerror or exc}"
    if header and header != _SQLITE_HEADER:
        return f"{path} is not a SQLite database: correct the path, or move the file away"
    return None


def database_problem(error: BaseException, *, url: str) -> str:
    """One line saying what is wrong with the database and how to fix it, for an error
    raised while connecting or migrating (never SQLAlchemy's "Background on this error")."""
    original = getattr(error, "orig", None) or error
    cause = getattr(original, "__cause__", None)
    message = " ".join(str(original).split()) or type(original).__name__
    state = getattr(original, "sqlstate", None) or getattr(cause, "sqlstate", None)
    shown = display_url(url)
    path = sqlite_path(url)
    if path is not None:
        lowered = message.lower()
        if "not a database" in lowered or "malformed" in lowered:
            return f"{path} is not a SQLite database (or it is damaged): {message}"
        if path.is_dir():
            return f"{path} is a directory, not a SQLite database: correct the path"
        if "unable to open" in lowered or isinstance(original, PermissionError):
            return f"cannot open the SQLite database {path}: check its permissions ({message})"
        if "readonly" in lowered or "read-only" in lowered:
            return f"the SQLite database {path} is read-only: check its permissions"
        return f"the SQLite database {path} failed: {message}"
    schema = _schema_of(url)
    if state == "3F000" and schema:  # invalid_schema_name: the server was reached
        return missing_schema_message(url)
    if state is not None:
        return f"the database at {shown} refused: {message} (SQLSTATE {state})"
    return f"cannot reach the database at {shown}: {message}"


def missing_schema_message(url: str) -> str:
    schema = _schema_of(url)
    return (
        f"the schema {schema!r} does not exist in {display_url(url)}: run `digestbot db "
        f"upgrade` to create it (or CREATE SCHEMA {schema} yourself)"
    )


def _schema_of(url: str) -> str | None:
    try:
        value = make_url(url).query.get("schema")
    except Exception:
        return None
    return str(value) if value else None


async def create_schema(url: str, *, create: bool = True) -> bool:
    """Create the `?schema=` of a PostgreSQL URL when it is missing (`digestbot db upgrade`
    does this; the bot and the other commands only say it is missing); True if it was
    missing. With `create=False`, only whether it is missing."""
    schema = _schema_of(url)
    if not schema or async_url(url).get_backend_name() != "postgresql":
        return False
    engine = create_async_engine(async_url(url).difference_update_query(["schema"]))
    try:
        async with engine.begin() as connection:
            exists = await connection.scalar(
                text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :name"),
                {"name": schema},
            )
            if exists:
                return False
            if create:
                quoted = connection.dialect.identifier_preparer.quote_identifier(schema)
                await connection.execute(text(f"CREATE SCHEMA {quoted}"))
            return True
    finally:
        await engine.dispose()


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
        path = sqlite_path(url)
        if path is not None and not path.parent.is_dir():
            # A typo must not silently create a tree of directories and an empty database.
            raise DatabaseURLError(
                f"the directory {path.parent} does not exist (the SQLite database would be "
                f"{path}): create it first, or correct the path"
            )
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


async def ping(session: AsyncSession) -> None:
    """A round trip to the database (raises when it cannot answer)."""
    await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
