"""`digestbot run` (the bot: polling or webhook, ticks, delivery) and `digestbot demo`
(the whole job on a temporary database against the in-process emulator, no token)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING

import typer

from bot.cli.common import UserError, echo, settings_or_exit
from bot.settings import Settings, webhook_url_problem

if TYPE_CHECKING:
    from bot.context import AppType

NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set: set it to the token @BotFather gave you, "
    "or run `digestbot demo` to try digestbot locally without one"
)


class RoleOption(StrEnum):
    ALL = "all"
    POLLER = "poller"
    WORKER = "worker"


def run_command(
    role: RoleOption = typer.Option(
        RoleOption.ALL,
        "--role",
        help="all: everything in one process; poller: only receive updates (polling or "
        "webhook); worker: only the ingest, digest and delivery ticks.",
    ),
    base_url: str | None = typer.Option(
        None, "--base-url", help="Bot API server, e.g. http://127.0.0.1:8081/bot (the emulator)."
    ),
) -> None:
    """Run the bot: long polling, or a webhook when DIGESTBOT_WEBHOOK_URL is set."""
    overrides = {"base_url": base_url} if base_url else {}
    settings = settings_or_exit(**overrides)
    if not settings.token:
        raise UserError(NO_TOKEN)
    check_webhook_url(settings)
    from bot.logs import configure_logging

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    configure_logging(
        log_format=settings.log_format, level=settings.log_level, secrets=[settings.token, secret]
    )
    try:
        asyncio.run(_run(settings, role.value))
    except KeyboardInterrupt:  # a second Ctrl-C while stopping
        sys.exit(130)


def check_webhook_url(settings: Settings) -> None:
    """Stop before starting when Telegram would refuse DIGESTBOT_WEBHOOK_URL. A `--base-url`
    server (the emulator, a local telegram-bot-api) decides for itself: local servers accept
    plain HTTP and other ports."""
    if not settings.webhook_url or settings.base_url:
        return
    problem = webhook_url_problem(settings.webhook_url)
    if problem:
        raise UserError(f"invalid setting DIGESTBOT_WEBHOOK_URL: {problem}")


async def _run(settings: Settings, role: str) -> None:
    from telegram.error import InvalidToken

    from bot.app import build_application, serve
    from bot.cli.db import open_database
    from bot.metrics import HealthServer
    from storage.db import make_sessionmaker

    engine = await open_database(settings.database_url)
    sessionmaker = make_sessionmaker(engine)
    application = build_application(settings, sessionmaker=sessionmaker, role=role)  # type: ignore[arg-type]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    health: HealthServer | None = None
    if settings.metrics_port is not None:
        health = HealthServer(
            sessionmaker=sessionmaker,
            telegram_check=_telegram_check(application),
            tick_intervals=(
                {}
                if role == "poller"
                else {"ingest": settings.ingest_interval, "digest": settings.digest_interval}
            ),
        )
        await health.start(settings.metrics_host, settings.metrics_port)
    try:
        await serve(application, role=role, stop=stop)  # type: ignore[arg-type]
    except InvalidToken:
        raise UserError(
            "Telegram refused TELEGRAM_BOT_TOKEN: check the token @BotFather gave you"
        ) from None
    finally:
        if health is not None:
            await health.stop()
        await engine.dispose()


def _telegram_check(application: AppType) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        await application.bot.get_me()
        return True

    return check


def demo_command(
    quiet: bool = typer.Option(False, "--quiet", help="Print only the transcript."),
    language: str = typer.Option(
        "en", "--language", help="The subscriber's language: en, ru, uk, es, pt_BR, de, fa, ar."
    ),
) -> None:
    """Try digestbot with no token: a temporary database, the built-in emulator, a sample feed
    and a scripted subscriber; prints what the subscriber sees (in --language)."""
    from bot.demo import run_demo
    from bot.settings import SettingsError
    from digests.i18n import LANGUAGES

    chosen = next((code for code in LANGUAGES if code.lower() == language.lower()), None)
    if chosen is None:
        raise UserError(f"--language: {language!r} is not one of {', '.join(LANGUAGES)}")
    try:
        transcript = asyncio.run(run_demo(verbose=not quiet, language=chosen))
    except SettingsError as exc:  # e.g. an invalid DIGESTBOT_… variable in the environment
        raise UserError(str(exc)) from None
    echo(transcript)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
    app.command("demo")(demo_command)
