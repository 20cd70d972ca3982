"""The one `digestbot` command line: each module here adds its subcommands to `app`."""

from __future__ import annotations

import os
import sys

import typer

# typer (0.29) carries its own copy of click; these are the errors its parser raises
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from bot.cli.common import UserError, flush_notes

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

    from bot.cli import stories

    stories.register(app)

    from bot.cli import broadcast

    broadcast.register(app)

    from bot.cli import reports

    reports.register(app)

    from bot.cli import sections

    sections.register(app)


_register()


def main() -> None:
    """Console-script entry point: a user error is one line on stderr, never a traceback."""
    # python-telegram-bot warns on every 429 until told that its times are timedeltas; ours
    # are read as timedeltas already (bot/telegram_compat.py)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    try:
        code = app(prog_name="digestbot", standalone_mode=False)
    except UserError as exc:
        flush_notes(succeeded=False)
        print(f"digestbot: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except NoArgsIsHelpError as exc:  # a bare group: its help is the answer
        exc.show()
        sys.exit(exc.exit_code)
    except ClickException as exc:  # typer's usage errors: one line, not a box
        print(f"digestbot: {usage_line(exc)}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except SystemExit as exc:
        flush_notes(succeeded=not exc.code)
        raise
    failed = isinstance(code, int) and code != 0  # typer.Exit(code) from a command
    flush_notes(succeeded=not failed)
    if failed:
        sys.exit(code)


def usage_line(error: ClickException) -> str:
    """The error in one line, with where to read more: `--help` of the command it concerns."""
    message = " ".join(error.format_message().split())
    context = getattr(error, "ctx", None)
    if isinstance(error, UsageError) and context is not None:
        return f"{message} (see {context.command_path} --help)"
    return message
