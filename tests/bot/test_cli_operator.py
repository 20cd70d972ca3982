"""The operator's command line (issue 19): usage errors in one line, `db revision` that creates
nothing, feed intervals, forced refreshes, what was sent to whom."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.bot.test_cli import run as run_subprocess


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


Invoke = Callable[..., Outcome]


@pytest.fixture
def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Invoke:
    """`digestbot …` in-process, through the console script's own `main()`."""
    from bot.cli import main

    for name in [k for k in os.environ if k.startswith("DIGESTBOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGESTBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("DIGESTBOT_ALLOW_PRIVATE_URLS", "true")

    def invoke(*args: str) -> Outcome:
        monkeypatch.setattr(sys, "argv", ["digestbot", *args])
        capsys.readouterr()
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return invoke


def assert_one_line(result: Outcome | object, needle: str) -> None:
    stderr: str = getattr(result, "stderr")  # noqa: B009
    assert getattr(result, "returncode") == 2, stderr  # noqa: B009
    assert stderr.startswith("digestbot: ") and stderr.count("\n") == 1, stderr
    assert needle in stderr and "Traceback" not in stderr and "╭" not in stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("feeds", "remove", "abc"), "Invalid value for 'feed_id'"),
        (("run", "--role", "boss"), "'boss' is not one of"),
        (("bogus",), "No such command 'bogus'"),
        (("feeds", "add"), "Missing argument"),
        (("feeds", "list", "--colour"), "No such option: --colour"),
    ],
)
def test_usage_errors_are_one_line_naming_the_help(
    cli: Invoke, args: tuple[str, ...], needle: str
) -> None:
    result = cli(*args)
    assert_one_line(result, needle)
    assert "--help)" in result.stderr


def test_usage_error_of_the_console_script_is_one_line(tmp_path: Path) -> None:
    result = run_subprocess("run", "--role", "boss", cwd=tmp_path)
    assert_one_line(result, "(see digestbot run --help)")


def test_db_revision_in_an_empty_folder_creates_no_database(cli: Invoke, tmp_path: Path) -> None:
    result = cli("db", "revision")
    assert_one_line(result, "create it with digestbot db upgrade")
    assert not (tmp_path / "cli.db").exists()
    assert cli("db", "upgrade").returncode == 0
    assert "(head " in cli("db", "revision").stdout


def test_a_bare_group_still_shows_its_help(cli: Invoke) -> None:
    result = cli("feeds")
    assert "Usage: digestbot feeds" in result.stdout + result.stderr
