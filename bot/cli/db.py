"""`digestbot db upgrade|revision`: the schema, brought up to date by Alembic migrations."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from bot.cli.common import UserError, echo, run, settings_or_exit
from storage.db import (
    DatabaseURLError,
    current_revision,
    display_url,
    head_revision,
    make_engine,
    upgrade,
)

db_app = typer.Typer(help="Database schema: upgrade it, show its revision.", no_args_is_help=True)


async def _upgrade(url: str) -> str | None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
        return await current_revision(engine)
    finally:
        await engine.dispose()


async def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return await current_revision(engine)
    finally:
        await engine.dispose()


def _url() -> str:
    return settings_or_exit().database_url


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Create the database or bring it to the newest schema (also done at every start)."""
    url = _url()
    try:
        revision = run(_upgrade(url))
    except DatabaseURLError as exc:
        raise UserError(f"invalid setting DIGESTBOT_DATABASE_URL: {exc}") from None
    except Exception as exc:  # driver errors vary by backend; the message says enough
        raise UserError(f"cannot reach the database at {display_url(url)}: {exc}") from None
    echo(f"database {display_url(url)} is at revision {revision} (head {head_revision()})")


@db_app.command("revision")
def revision_command() -> None:
    """Print the schema revision of the database."""
    url = _url()
    missing = _missing_sqlite_file(url)
    if missing is not None:  # connecting would create an empty file: only upgrade does that
        raise UserError(f"no database at {missing}: create it with digestbot db upgrade")
    try:
        revision = run(_revision(url))
    except Exception as exc:
        raise UserError(f"cannot read the database at {display_url(url)}: {exc}") from None
    echo(f"{revision or 'empty'} (head {head_revision()})")


def _missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file the URL names when it does not exist yet (None otherwise)."""
    try:
        parsed = make_url(url)
    except Exception:  # an invalid URL: the usual path reports it
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
