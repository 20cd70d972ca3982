"""The emulator is a package of its own: it imports nothing of digestbot's, no private module of
python-telegram-bot, and its Bot API methods go through the emulator's public interface."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
# digestbot's own top-level packages and folders: none may be imported from here
OURS = frozenset({"bot", "digests", "storage", "ingest", "tests", "training", "benchmarks"})
MODULES = sorted(PACKAGE.rglob("*.py"))


def imported_modules(path: Path) -> list[str]:
    """Every module `path` imports, as written (relative imports resolved to the package)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.append("telegram_emulator" if node.level else node.module or "")
    # code run in a subprocess (`python -c "..."`) counts as an import too
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = node.value.split()
            if len(words) >= 2 and words[0] in ("from", "import") and "\n" not in node.value:
                names.append(words[1].rstrip(";"))
    return names


def test_the_scan_sees_imports() -> None:
    # the walk itself works: it finds what core.py certainly imports
    found = imported_modules(PACKAGE / "core.py")
    assert "telegram_emulator.methods" in found and "asyncio" in found
    tests = imported_modules(PACKAGE / "tests" / "test_package.py")
    assert "ast" in tests and "pytest" in tests


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_nothing_of_digestbot_nor_private_ptb(path: Path) -> None:
    for name in imported_modules(path):
        top = name.split(".")[0]
        assert top not in OURS, f"{path.name} imports {name}"
        assert not name.startswith("telegram._"), f"{path.name} imports private {name}"


def test_methods_use_only_the_public_interface() -> None:
    """`methods.py` reads and changes the emulator (`em`) only through public names."""
    tree = ast.parse((PACKAGE / "methods.py").read_text(encoding="utf-8"))
    private = sorted(
        {
            f"em.{node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "em"
            and node.attr.startswith("_")
        }
    )
    assert private == []


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if "tests" not in p.parts],
    ids=lambda p: p.name,
)
def test_modules_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 500
