"""`digestbot demo` from a fresh checkout: no token, no network, exits 0, prints a digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_here as run


@pytest.mark.slow
def test_demo_prints_the_subscribers_digest(tmp_path: Path) -> None:
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "/start" in out and "/subscribe space OR rocket" in out and "/digest" in out
    assert "Your digest" in out
    # climate: the same event from two outlets is one story, shown once (by whichever report
    # matches best) with the other outlet under "Also reported by"
    reports = ["Offshore wind farm in the North Sea", "North Sea turbines replace"]
    assert sum(title in out for title in reports) == 1
    also = ("Also reported by Coast Wire", "Also reported by The Demo Newsroom")
    assert sum(line in out for line in also) == 1
    assert "water vapour on a rocky planet" in out  # space
    assert "Central bank" not in out  # economy was not asked for
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # the temporary database is gone
