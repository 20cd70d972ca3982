"""The `digestbot` command line as a person runs it: exit codes, output, one-line errors (in
this process through the console script's `main()`; tests/bot/test_cli_operator.py starts the
real console script)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import run_here as run
from tests.support.db import POSTGRES_URL, require_postgres


def test_help_lists_the_subcommands(tmp_path: Path) -> None:
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "db" in result.stdout


def test_db_upgrade_creates_the_sqlite_file(tmp_path: Path) -> None:
    result = run("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "digestbot.db").exists()
    assert "is at revision" in result.stdout
    again = run("db", "revision", cwd=tmp_path)
    assert again.returncode == 0 and "head" in again.stdout


def test_bad_setting_is_one_line_without_traceback(tmp_path: Path) -> None:
    result = run("db", "upgrade", cwd=tmp_path, env={"DIGESTBOT_DATABASE_URL": "mysql://x/y"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DIGESTBOT_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = "postgresql://postgres@127.0.0.1:1/none"
    result = run("db", "upgrade", cwd=tmp_path, env={"DIGESTBOT_DATABASE_URL": url})
    assert result.returncode == 2
    assert "cannot reach the database" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.postgres
def test_db_upgrade_on_postgresql(tmp_path: Path) -> None:
    require_postgres()
    schema = "cli_" + os.urandom(4).hex()
    subprocess.run(["psql", POSTGRES_URL, "-qc", f"CREATE SCHEMA {schema}"], check=False)
    url = f"{POSTGRES_URL}?schema={schema}"
    try:
        result = run("db", "upgrade", cwd=tmp_path, env={"DIGESTBOT_DATABASE_URL": url})
        assert result.returncode == 0, result.stderr
        assert "is at revision" in result.stdout
    finally:
        subprocess.run(["psql", POSTGRES_URL, "-qc", f"DROP SCHEMA {schema} CASCADE"], check=False)
