#!/usr/bin/env python3
"""Set up `.venv` on first use and run a project task inside it.

    python3 dev.py demo    # the main job on the embedded default (no token: local demo)
    python3 dev.py test    # lint, types and the test suite
    python3 dev.py run ... # any `digestbot` subcommand

Needs only Python >= 3.11 and pip; nothing is installed globally.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".digestbot-installed"


def _ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (run by whatever python3 is on PATH)
        sys.exit("digestbot needs Python 3.11 or newer")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("dev.py: installing digestbot and its dev tools into .venv", file=sys.stderr)
    subprocess.run(
        [str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]"],
        check=True,
    )
    STAMP.write_text(wanted)


def _run(*args: str) -> int:
    return subprocess.run(list(args), cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    task = argv[0] if argv else "help"
    rest = argv[1:]
    if task not in {"demo", "test", "lint", "run", "help"}:
        print(__doc__)
        return 2
    if task == "help":
        print(__doc__)
        return 0
    _ensure_venv()
    py = str(BIN / "python")
    if task == "demo":
        return _run(str(BIN / "digestbot"), "demo", *rest)
    if task == "run":
        return _run(str(BIN / "digestbot"), *rest)
    lint = [
        [py, "-m", "ruff", "check", "."],
        [py, "-m", "ruff", "format", "--check", "."],
        [py, "-m", "mypy"],
    ]
    for command in lint:
        code = _run(*command)
        if code:
            return code
    if task == "lint":
        return 0
    return _run(py, "-m", "pytest", "-q", *rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
