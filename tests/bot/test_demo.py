"""`digestbot demo` from a fresh checkout: no token, no network, exits 0, prints a digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.test_cli import run


@pytest.mark.slow
def test_demo_prints_the_subscribers_digest(tmp_path: Path) -> None:
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "/start" in out and "/subscribe space OR rocket" in out and "/digest" in out
    assert "Your digest" in out
    assert "Offshore wind farm in the North Sea" in out  # climate
    # the same event from a second outlet is one story: shown once, with the other outlet
    assert "Also reported by" in out and "Coast Wire" in out
    assert "North Sea turbines replace" not in out
    assert "water vapour on a rocky planet" in out  # space
    assert "Central bank" not in out  # economy was not asked for
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # the temporary database is gone
