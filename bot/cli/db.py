"""`digestbot db upgrade|revision`: the schema, brought up to date by Alembic migrations; and
`open_database()`, how every command opens the settings' database (errors as one line)."""

from __future__ import annotations

import sys

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import UserError, echo, note_after, run, settings_or_exit
from storage.db import (
    DatabaseURLError,
    create_schema,
    current_revision,
    database_problem,
    display_url,
    head_revision,
    make_engine,
    missing_schema_message,
    sqlite_file_problem,
    sqlite_path,
    upgrade,
)

db_app = typer.Typer(help="Database schema: upgrade it, show its revision.", no_args_is_help=True)


def _engine(url: str) -> AsyncEngine:
    """An engine for `url` once the SQLite file (if any) looks like a database."""
    problem = sqlite_file_problem(url)
    if problem is not None:
        raise UserError(problem)
    try:
        return make_engine(url)
    except DatabaseURLError as exc:
        raise UserError(f"invalid setting DIGESTBOT_DATABASE_URL: {exc}") from None


async def open_database(url: str, *, create: bool = False) -> AsyncEngine:
    """The migrated database at `url`. A new SQLite file is created only in an existing
    directory, and said where; `create` also creates a missing PostgreSQL `?schema=` (as
    `digestbot db upgrade` does). Every problem is a `UserError` of one line."""
    path = sqlite_path(url)
    new_file = path is not None and not path.exists()
    engine = _engine(url)
    try:
        if create and await create_schema(url):
            print(f"digestbot: created the schema of {display_url(url)}", file=sys.stderr)
        await upgrade(engine)
    except Exception as exc:  # driver errors vary by backend: said in one line
        await engine.dispose()
        raise UserError(database_problem(exc, url=url)) from None
    if new_file:
        note_after(f"created a new database at {path}")
    return engine


async def _upgrade(url: str) -> str | None:
    engine = await open_database(url, create=True)
    try:
        return await current_revision(engine)
    finally:
        await engine.dispose()


async def _revision(url: str) -> str | None:
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise UserError(f"no database at {path}: create it with digestbot db upgrade")
    engine = _engine(url)
    try:
        if await create_schema(url, create=False):
            raise UserError(missing_schema_message(url))
        return await current_revision(engine)
    except UserError:
        raise
    except Exception as exc:
        raise UserError(database_problem(exc, url=url)) from None
    finally:
        await engine.dispose()


def _url() -> str:
    return settings_or_exit().database_url


def _where(url: str) -> str:
    path = sqlite_path(url)
    return str(path) if path is not None else display_url(url)


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Create the database (a PostgreSQL ?schema= too) or bring it to the newest schema (also
    done at every start)."""
    url = _url()
    revision = run(_upgrade(url))
    echo(f"database {_where(url)} is at revision {revision} (head {head_revision()})")


@db_app.command("revision")
def revision_command() -> None:
    """Print the schema revision of the database."""
    url = _url()
    revision = run(_revision(url))
    echo(f"{revision or 'empty'} (head {head_revision()})")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
