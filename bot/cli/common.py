"""Helpers every subcommand shares: settings, errors as one line, running coroutines."""

from __future__ import annotations

import asyncio
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


def settings_or_exit(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        raise UserError(str(exc)) from None


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def echo(message: str) -> None:
    typer.echo(message)
