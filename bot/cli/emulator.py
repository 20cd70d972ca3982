"""`digestbot emulator`: run the local Telegram Bot API emulator as an HTTP server."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re

import typer

from bot.cli.common import UserError
from telegram_emulator import ApiLimits, Emulator
from telegram_emulator.server import run_forever

_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")


def emulator_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8081, help="TCP port (0 picks a free one)."),
    token: str = typer.Option("123:ABC", help="The bot token clients must use."),
    bot_username: str = typer.Option("digest_test_bot", help="The bot's @username."),
    no_flood_limits: bool = typer.Option(
        False, "--no-flood-limits", help="Switch Telegram's flood control off."
    ),
    per_chat_rate: float = typer.Option(1.0, help="Messages per second to one private chat."),
    per_chat_burst: int = typer.Option(3, help="Burst allowed to one private chat."),
    group_per_minute: int = typer.Option(20, help="Messages per minute to one group/channel."),
    global_per_second: int = typer.Option(30, help="Messages per second overall."),
    paid_per_second: int = typer.Option(1000, help="Overall limit with allow_paid_broadcast."),
    no_privacy_mode: bool = typer.Option(
        False, "--no-privacy-mode", help="Deliver every group message to the bot."
    ),
    allow_local_webhooks: bool = typer.Option(
        False,
        "--allow-local-webhooks",
        help="Accept setWebhook with a loopback URL (plain http, any port) and deliver to it; "
        "Telegram itself accepts only public https URLs on ports 80, 88, 443 or 8443.",
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
    if per_chat_rate <= 0 or min(per_chat_burst, group_per_minute, global_per_second) < 1:
        raise UserError("flood limits must be positive")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    limits = ApiLimits(
        per_chat_rate=per_chat_rate,
        per_chat_burst=per_chat_burst,
        group_per_minute=group_per_minute,
        global_per_second=global_per_second,
        paid_per_second=paid_per_second,
        enabled=not no_flood_limits,
    )
    emulator = Emulator(
        token=token,
        bot_username=bot_username,
        limits=limits,
        privacy_mode=not no_privacy_mode,
        allow_local_webhooks=allow_local_webhooks,
    )
    try:
        asyncio.run(run_forever(emulator, host=host, port=port))
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def register(app: typer.Typer) -> None:
    app.command("emulator")(emulator_command)
