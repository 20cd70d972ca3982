"""`digestbot extract` as a person runs it: a saved page in, its main text out."""

from __future__ import annotations

import gzip
from pathlib import Path

from tests.support.cli import run_here as digestbot
from tests.support.pages import PAGES


def test_cli_extract_prints_the_main_text(tmp_path: Path) -> None:
    result = digestbot("extract", str(PAGES / "harbour_council.html"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Councillors in Port Alder")
    assert "billing" not in result.stdout


def test_cli_extract_reads_gzip(tmp_path: Path) -> None:
    packed = tmp_path / "page.html.gz"
    packed.write_bytes(gzip.compress((PAGES / "harbour_council.html").read_bytes()))
    result = digestbot("extract", str(packed), "--url", "https://example.org/x", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Councillors in Port Alder" in result.stdout


def test_cli_extract_errors_are_one_line(tmp_path: Path) -> None:
    missing = digestbot("extract", str(tmp_path / "nope.html"), cwd=tmp_path)
    assert missing.returncode == 2
    assert "no such file" in missing.stderr and "Traceback" not in missing.stderr
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body></body></html>")
    nothing = digestbot("extract", str(empty), cwd=tmp_path)
    assert nothing.returncode == 1
    assert "no main text" in nothing.stderr and nothing.stderr.count("\n") == 1
