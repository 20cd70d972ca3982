"""Helpers every subcommand shares: settings, errors as one line, running coroutines."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

import typer

from bot.settings import Settings, SettingsError, load_settings

T = TypeVar("T")


class UserError(Exception):
    """Bad input from the person at the terminal: printed as one line, exit code 2."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# Lines for stderr once the command succeeded (an error stays the only line when it fails).
_notes: list[str] = []


def note_after(message: str) -> None:
    """Say `message` on stderr after the command's output, unless the command fails."""
    _notes.append(message)


def flush_notes(*, succeeded: bool) -> None:
    if succeeded:
        for message in _notes:
            print(f"digestbot: {message}", file=sys.stderr)
    _notes.clear()


def settings_or_exit(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        raise UserError(str(exc)) from None


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def echo(message: str) -> None:
    typer.echo(message)
