"""The walls between the layers: SQL is written in `storage/` only.

Scanned with `ast`, so comments and docstrings that talk about SQL are fine; statements built
with SQLAlchemy/SQLModel (`select`, `insert`, `update`, `delete`, `text`) and raw SQL strings
are not. Tests and migrations may write SQL.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.support.cases import parametrize
from tests.support.source import docstring_ids

ROOT = Path(__file__).resolve().parent.parent
#: The product's packages outside storage (benchmarks are scripts that build their own schemas).
PACKAGES = ("bot", "digests", "ingest", "training", "telegram_emulator")
SQL_BUILDERS = {"select", "insert", "update", "delete", "text"}
SQL_MODULES = ("sqlalchemy", "sqlmodel")
RAW_SQL = re.compile(
    r"\b(SELECT\s+(\S.*\bFROM\b|\d|\w+\s*\()|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
    r"|CREATE\s+(TABLE|INDEX|SCHEMA)|DROP\s+(TABLE|INDEX|SCHEMA)|ALTER\s+TABLE|PRAGMA\s+\w)",
    re.DOTALL,
)


def sql_in(source: str) -> list[str]:
    """What in this module's source writes SQL: imported statement builders, attribute uses
    such as `sqlalchemy.select`, and string literals that are SQL (docstrings aside)."""
    tree = ast.parse(source)
    docstrings = docstring_ids(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(SQL_MODULES):
            found += [
                f"line {node.lineno}: from {node.module} import {alias.name}"
                for alias in node.names
                if alias.name in SQL_BUILDERS
            ]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in SQL_BUILDERS
            and isinstance(node.value, ast.Name)
            and node.value.id in {"sqlalchemy", "sqlmodel", "sa"}
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and RAW_SQL.search(node.value)
        ):
            found.append(f"line {node.lineno}: {node.value[:60]!r}")
    return found


def modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_sql_is_written_in_storage_only() -> None:
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in modules()
        if (found := sql_in(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


@parametrize("layers", "sql", "source")
def test_the_scan_finds_sql(source: str) -> None:
    assert sql_in(source)


@parametrize("layers", "not_sql", "source")
def test_the_scan_leaves_other_code_alone(source: str) -> None:
    assert sql_in(source) == []


def imported_test_modules(source: str) -> list[str]:
    """The test modules (`tests.….test_*`) this source imports."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found += [
            n
            for n in names
            if n.startswith(("tests.", "telegram_emulator.tests."))
            and n.split(".")[-1].startswith("test_")
        ]
    return found


def test_no_test_module_imports_another() -> None:
    """Shared helpers live in `tests/support/` and `telegram_emulator/tests/support.py`."""
    paths = [*(ROOT / "tests").rglob("*.py"), *(ROOT / "telegram_emulator" / "tests").rglob("*.py")]
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted(paths)
        if (found := imported_test_modules(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
    assert imported_test_modules("from tests.bot.test_cli import run\n")
    assert imported_test_modules("from tests.support.cli import run\n") == []
