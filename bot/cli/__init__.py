"""The one `digestbot` command line: each module here adds its subcommands to `app`."""

from __future__ import annotations

import os
import sys

import typer

from bot.cli.common import UserError

app = typer.Typer(
    name="digestbot",
    help="digestbot: a Telegram digest publisher. Feeds in, short topic digests out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # One line per command module; each defines `register(app)`.
    from bot.cli import db

    db.register(app)

    from bot.cli import emulator

    emulator.register(app)

    from bot.cli import run

    run.register(app)

    from bot.cli import text

    text.register(app)

    from bot.cli import feeds

    feeds.register(app)

    from bot.cli import sections

    sections.register(app)


_register()


def main() -> None:
    """Console-script entry point: a user error is one line on stderr, never a traceback."""
    # python-telegram-bot warns on every 429 until told that its times are timedeltas; ours
    # are read as timedeltas already (bot/delivery.py, bot/replylimit.py)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    try:
        app()
    except UserError as exc:
        print(f"digestbot: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
