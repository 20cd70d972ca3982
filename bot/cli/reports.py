"""`digestbot digests list [--chat ID] [--since 1d]`, `digestbot outbox` and `digestbot stats`:
what was sent to whom, what waits or failed and why, and the figures `/stats` shows."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import UserError, echo, run, settings_or_exit
from bot.cli.feeds import _database as database
from bot.durations import DurationError, parse_duration
from bot.settings import Settings
from storage import chats as chat_store
from storage import reports
from storage.models import Chat, Delivery, DeliveryStatus
from storage.types import utcnow

digests_app = typer.Typer(help="Digests built for the chats.", no_args_is_help=True)
STATUSES = [status.value for status in DeliveryStatus]


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return utcnow() - parse_duration(text)
    except DurationError as exc:
        raise UserError(f"--since: {exc}") from None


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _print(table: Table) -> None:
    Console(width=200).print(table)


# --- digests list ---------------------------------------------------------------------------


@digests_app.command("list")
def digests_list_command(
    chat: int | None = typer.Option(None, "--chat", metavar="ID", help="Telegram chat id."),
    since: str | None = typer.Option(
        None, "--since", metavar="AGE", help="Only digests this recent: 90m, 1d, 2w."
    ),
    limit: int = typer.Option(200, "--limit", min=1, help="At most this many, newest first."),
) -> None:
    """List digests, newest first: chat, items, and what became of their messages."""
    settings = settings_or_exit()
    lines = run(_digests(settings, chat=chat, since=_since(since), limit=limit))
    if not lines:
        echo("no digests" + (f" for chat {chat}" if chat is not None else "") + " in that time")
        return
    table = Table("id", "built (UTC)", "chat", "kind", "items", "more", "messages", "reason")
    for line in lines:
        digest, who = line.digest, line.chat
        table.add_row(
            str(digest.id),
            _when(digest.created_at),
            f"{who.telegram_id} {who.title or who.username or ''}".strip(),
            digest.kind,
            str(digest.items_count),
            str(digest.overflow_count),
            ", ".join(f"{n} {status}" for status, n in sorted(line.parts.items())) or "none",
            line.error or "",
        )
    _print(table)


async def _digests(
    settings: Settings, *, chat: int | None, since: datetime | None, limit: int
) -> list[reports.DigestLine]:
    async with database(settings) as sessionmaker, sessionmaker() as session:
        chat_id = None
        if chat is not None:
            found = await chat_store.get_chat_by_telegram_id(session, telegram_id=chat)
            if found is None:
                raise UserError(f"no chat {chat} (the Telegram chat id, e.g. from digests list)")
            chat_id = found.id
        return await reports.digests_since(session, since=since, chat_id=chat_id, limit=limit)


# --- outbox ---------------------------------------------------------------------------------


def outbox_command(
    status: list[str] = typer.Option(
        [], "--status", help=f"Only parts in this status ({', '.join(STATUSES)}); repeatable."
    ),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many parts, newest first."),
) -> None:
    """The outbox: counts per status, then the parts, newest first, with their reasons."""
    settings = settings_or_exit()
    unknown = [s for s in status if s not in STATUSES]
    if unknown:
        raise UserError(f"--status {unknown[0]!r}: use one of {', '.join(STATUSES)}")
    counts, parts = run(_outbox(settings, statuses=status, limit=limit))
    echo("outbox: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES))
    if not parts:
        return
    table = Table("id", "status", "chat", "digest", "part", "tries", "next try / sent", "reason")
    for part, chat in parts:
        table.add_row(
            str(part.id),
            part.status,
            f"{chat.telegram_id} {chat.title or chat.username or ''}".strip(),
            str(part.digest_id) if part.digest_id is not None else "notice",
            str(part.part_no + 1),
            str(part.attempts),
            _moment(part),
            part.error or "",
        )
    _print(table)


def _moment(part: Delivery) -> str:
    if part.status == DeliveryStatus.SENT:
        return f"sent {_when(part.sent_at)}"
    if part.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING):
        return _when(part.next_attempt_at)
    return ""


async def _outbox(
    settings: Settings, *, statuses: list[str], limit: int
) -> tuple[dict[str, int], list[tuple[Delivery, Chat]]]:
    async with database(settings) as sessionmaker, sessionmaker() as session:
        figures = await reports.stats(session)
        return figures.deliveries, await reports.outbox(session, statuses=statuses, limit=limit)


# --- stats ----------------------------------------------------------------------------------


def stats_command() -> None:
    """Subscribers, subscriptions, articles, digests, the outbox and feed health in figures."""
    settings = settings_or_exit()
    figures = run(_stats(settings))
    for line in reports.stats_lines(figures):
        echo(line)


async def _stats(settings: Settings) -> reports.Stats:
    async with database(settings) as sessionmaker, sessionmaker() as session:
        return await reports.stats(session)


def register(app: typer.Typer) -> None:
    app.add_typer(digests_app, name="digests")
    app.command("outbox")(outbox_command)
    app.command("stats")(stats_command)
