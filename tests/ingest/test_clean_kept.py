"""Article text that read as boilerplate and stays: the entries of a reference list citing the
article's sources (links, most of their words, but not to other stories). A list of other
stories beside them still goes."""

from __future__ import annotations

from tests.support.pages import BODY, article, paragraphs, titled

# Shaped on Wikipedia's "References" (readability's wikipedia-2, New Zealand): each entry an
# author and a year, or a quoted title, its publisher and the day it was read; the titles link
# to the sources.
REFERENCES = [
    'Wilson, John (March 2009). "<a href="/a">Tidal defences – the early schemes</a>". '
    '<a href="/b">Coastal Encyclopedia</a>. Retrieved 24 January 2011.',
    '"<a href="/c">Flood barrier costs and benefits</a>". <a href="/d">Harbour Council '
    "Papers</a>. 6 July 2007. Retrieved 6 March 2017.",
    'Doe, Jane (1998). <a href="/e">Storm surges of the northern coast</a>. '
    '<a href="/f">Royal Geographical Society</a>.',
]
RELATED = [
    '<a href="/g">Harbour businesses count the cost of the storm</a>',
    '<a href="/h">Council elects a new leader after a long night</a>',
    '<a href="/i">Engineers warn of rising seas along the coast</a>',
]


def items(lines: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"


def test_a_reference_list_citing_sources_stays_and_related_links_go() -> None:
    body = BODY * 3
    page = article(
        titled(
            "Flood barrier approved",
            "<article>"
            + paragraphs(body)
            + "<h2>References</h2>"
            + items(REFERENCES)
            + "</article><aside><h2>Related stories</h2>"
            + items(RELATED)
            + "</aside>",
        )
    )
    assert "Wilson, John (March 2009)." in page.text
    assert "Flood barrier costs and benefits" in page.text
    assert "Doe, Jane (1998). Storm surges of the northern coast." in page.text
    assert "Harbour businesses count the cost" not in page.text
    assert "rising seas" not in page.text
