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


def _rows(file: str, table: str, names: str | tuple[str, ...]) -> list[Any]:
    rows: list[Any] = _load(file)[table]
    if isinstance(names, str):
        return rows
    for row in rows:
        unknown = set(row) - {*names, "id"}
        assert not unknown, f"{file}.toml [{table}]: unknown keys {sorted(unknown)}"
    return rows


def cases(file: str, table: str, names: str | tuple[str, ...]) -> list[Any]:
    """The rows of `table` in tests/fixtures/cases/`file`.toml as a test takes them: for one
    argument (`names` a string) the values themselves; for several (a tuple), a table per row
    whose keys are `names`, given back as a tuple in that order (a key left out is None: TOML
    has no null). A row's `id`, if any, names the case in pytest's report."""
    rows = _rows(file, table, names)
    if isinstance(names, str):
        return rows
    return [tuple(row.get(name) for name in names) for row in rows]


def parametrize(file: str, table: str, names: str | tuple[str, ...]) -> pytest.MarkDecorator:
    """`pytest.mark.parametrize(names, …)` over the rows of `table` (see `cases`)."""
    rows = _rows(file, table, names)
    values = cases(file, table, names)
    ids = [row.get("id") if isinstance(row, dict) else None for row in rows]
    return pytest.mark.parametrize(names, values, ids=ids if any(ids) else None)
