"""The saved page excerpts of tests/fixtures/pages (each names its source), as extraction
reads them."""

from __future__ import annotations

from pathlib import Path

from ingest.extract import Page, extract_page

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


def extracted(name: str, url: str | None = None) -> Page:
    """The page `name` extracted (with the address it was fetched from, when given); a page
    that gives no article fails the test."""
    found = extract_page((PAGES / name).read_bytes(), url=url)
    assert found is not None, name
    return found
