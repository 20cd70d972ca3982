"""`digestbot emulator`: run the local Telegram Bot API emulator as an HTTP server."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re

import typer

from bot.cli.common import UserError
from bot.emulator import Emulator, Limits
from bot.emulator.server import run_forever

_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")


def emulator_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8081, help="TCP port (0 picks a free one)."),
    token: str = typer.Option("123:ABC", help="The bot token clients must use."),
    bot_username: str = typer.Option("digest_test_bot", help="The bot's @username."),
    no_flood_limits: bool = typer.Option(
        False, "--no-flood-limits", help="Switch Telegram's flood control off."
    ),
) -> None:
    """Serve a local Telegram Bot API (base_url http://HOST:PORT/bot) and its /_emulator/ driver."""
    if not _TOKEN_RE.match(token):
        raise UserError(f"invalid --token {token!r}: expected digits, a colon, then letters")
    if not 0 <= port <= 65535:
        raise UserError(f"invalid --port {port}: must be 0..65535")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host != "localhost":
            raise UserError(f"invalid --host {host!r}: give an IP address") from None
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    emulator = Emulator(
        token=token, bot_username=bot_username, limits=Limits(enabled=not no_flood_limits)
    )
    try:
        asyncio.run(run_forever(emulator, host=host, port=port))
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def register(app: typer.Typer) -> None:
    app.command("emulator")(emulator_command)
