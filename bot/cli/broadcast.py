"""`digestbot broadcast FILE`: an operator's announcement to every chat, queued in the outbox
for the running bot's delivery worker (the same message and limits as /broadcast)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import UserError, echo, run, settings_or_exit
from bot.settings import Settings
from digests import texts
from digests.announcements import AnnouncementError, announcement_html
from storage import broadcasts as broadcast_store
from storage.types import utcnow


def _read(file: Path) -> str:
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"no such file: {file}") from None
    except UnicodeDecodeError:
        raise UserError(f"{file} is not UTF-8 text") from None
    except OSError as exc:
        raise UserError(f"cannot read {file}: {exc.strerror or exc}") from None


def broadcast_command(
    file: Annotated[
        Path, typer.Argument(help="The announcement, a UTF-8 plain-text file ('-': stdin).")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only say how many chats would get it.")
    ] = False,
) -> None:
    """Send one message to every active chat through the outbox (blocked chats get it if
    they come back; paused chats and channels are left out). The running bot sends it."""
    try:
        html = announcement_html(_read(file))
    except AnnouncementError as exc:
        raise UserError(str(exc)) from None
    run(_broadcast(settings_or_exit(), html, dry_run=dry_run))


async def _broadcast(settings: Settings, html: str, *, dry_run: bool) -> None:
    from bot.cli.feeds import _database  # the one way the CLI opens the database

    async with _database(settings) as sessionmaker, sessionmaker() as session:
        if dry_run:
            reached = await broadcast_store.audience(session)
        else:
            reached = await broadcast_store.enqueue_broadcast(session, text=html, now=utcnow())
            await session.commit()
    verb = "would be sent to" if dry_run else "queued for"
    line = f"announcement {verb} {texts.chats(reached.active)}"
    if reached.blocked:
        line += f"; kept for {texts.chats(reached.blocked)} that blocked the bot, if they return"
    echo(line)


def register(app: typer.Typer) -> None:
    app.command("broadcast")(broadcast_command)
