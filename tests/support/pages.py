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


def titled(title: str, body: str = "") -> str:
    """A page a test writes: its <title> and the markup of its body."""
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def paragraphs(lines: list[str], attributes: str = "") -> str:
    """Each line as a <p> element (with `attributes`, e.g. "class='body'")."""
    opening = f"<p {attributes}>" if attributes else "<p>"
    return "".join(f"{opening}{line}</p>" for line in lines)


def numbered(paragraph: str, times: int) -> str:
    """`paragraph` `times` over, each with its number for `{n}` (so that no two are the same):
    a synthetic article long enough to be read as one."""
    return "".join(paragraph.format(n=n) for n in range(times))


#: A short synthetic news article, one paragraph per item: the text the cleaning tests insert
#: boilerplate into and expect back unchanged.
BODY = [
    "Councillors voted on Monday night to approve a £48m tidal flood barrier, ending more than "
    "ten years of delays over who should pay for it.",
    "The barrier is designed to protect about 3,000 homes and 400 businesses from the storm "
    "surges that flooded the town centre in 2014 and again in 2020.",
    "The Environment Agency will pay two-thirds of the cost, with the rest coming from the "
    "council's capital budget and a levy on harbour businesses.",
    "Construction is expected to begin next spring and take about three years, engineers said.",
]
