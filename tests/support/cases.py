"""Test cases kept as data: the tables of inputs and expectations in tests/fixtures/cases/
(TOML, one file per test module, one array per test), read here."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "cases"


@cache
def _load(file: str) -> dict[str, Any]:
    with (CASES / f"{file}.toml").open("rb") as f:
        return tomllib.load(f)


def cases(file: str, table: str, names: str | tuple[str, ...]) -> list[Any]:
    """The rows of `table` in tests/fixtures/cases/`file`.toml as a test takes them: for one
    argument (`names` a string) the values themselves; for several, a table per row whose
    keys are `names`, given back as a tuple in that order (a key left out is None: TOML has
    no null)."""
    rows: list[Any] = _load(file)[table]
    if isinstance(names, str):
        return rows
    for row in rows:
        unknown = set(row) - set(names)
        assert not unknown, f"{file}.toml [{table}]: unknown keys {sorted(unknown)}"
    return [tuple(row.get(name) for name in names) for row in rows]


def parametrize(file: str, table: str, names: str | tuple[str, ...]) -> pytest.MarkDecorator:
    """`pytest.mark.parametrize(names, …)` over the rows of `table` (see `cases`)."""
    return pytest.mark.parametrize(names, cases(file, table, names))
