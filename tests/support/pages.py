"""Pages as extraction reads them: the saved excerpts of tests/fixtures/pages (each names its
source) and pages a test writes."""

from __future__ import annotations

from pathlib import Path

from ingest.extract import Page, extract_page

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


def article(html: str | bytes, url: str | None = None) -> Page:
    """The page extracted (with the address it was fetched from, when given); a page that
    gives no article fails the test."""
    found = extract_page(html, url=url)
    assert found is not None, "no article found"
    return found


def extracted(name: str, url: str | None = None) -> Page:
    """The saved page `name` extracted, as `article`."""
    return article((PAGES / name).read_bytes(), url)
