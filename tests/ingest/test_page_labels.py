"""A section's label above the article, left by extraction as the text's first line, is the
site's menu entry, not the article's heading: it goes when the page links it as a menu does
(the same words link again elsewhere in the page), and a one-word heading of the article's own
stays. Markup after The Hindu's story pages of the L3S-GN1 set (hindu.com, 2008-01-15
"stories/2008011554711900.htm"; text shortened and reworded)."""

from __future__ import annotations

import lxml.html

from ingest.layout import drop_closing_labels, drop_opening_labels, page_layout
from tests.support.pages import article, paragraphs, titled

LEAD = [
    "NEW DELHI: The Union Minister for Communications said on Monday that the spectrum for "
    "third generation mobile services would be auctioned before the end of the financial year.",
    "He told reporters that the department had finished its consultations with the operators "
    "and the regulator, and that the rules for the auction would be published within weeks.",
    "The operators have asked for a reserve price lower than the one the regulator proposed, "
    "saying that the cost of building the networks would otherwise be passed on to users.",
]
MENU = (
    "<div class='leftnavi'><a href='../02hdline.htm'>National</a> | "
    "<a href='../03hdline.htm'>International</a> | <a href='../06hdline.htm'>Business</a> | "
    "<a href='../07hdline.htm'>Sport</a></div>"
)


def hindu_page(label: str) -> str:
    return titled(
        "The Hindu : Business : Spectrum auction this year",
        f"<table><tr><td><font class='pagehead'><b>Business</b></font></td></tr></table>{MENU}"
        f"<div><p><p>{label} <a href='print.pl'><img src='print.png'></a></p>"
        f"<p><font class='storyhead'>Spectrum auction this year</font></p>"
        f"{paragraphs(LEAD)}</div>",
    )


def test_a_section_label_linking_to_its_menu_entry_goes() -> None:
    text = article(hindu_page("<a href='../06hdline.htm'>Business</a>")).text
    assert text.split("\n")[0] == LEAD[0]
    assert "Business" not in text


def test_the_labels_second_part_in_its_block_goes_too() -> None:
    label = (
        "<a href='../03hdline.htm'>International</a><br>"
        "<font class='leftnavi' color='red'>India &amp; World</font>"
    )
    text = article(hindu_page(label)).text
    assert text.split("\n")[0] == LEAD[0]


def test_a_one_word_heading_of_the_articles_own_stays() -> None:
    # readability's test pages: <h1>Lorem</h1> above the paragraphs, no link.
    page = titled("Test document title", f"<article><h1>Lorem</h1>{paragraphs(LEAD)}</article>")
    assert article(page).text.split("\n")[0] == "Lorem"


def test_a_linked_word_heading_that_no_menu_repeats_stays() -> None:
    page = titled(
        "Notes",
        f"<article><h1><a href='/2008/spectrum'>Spectrum</a></h1>{paragraphs(LEAD)}</article>",
    )
    assert article(page).text.split("\n")[0] == "Spectrum"


def bbc_page(tail: str) -> str:
    # news.bbc.co.uk/sport2/low football story pages (L3S-GN1): after the story, a bold label
    # over links to other stories, each with its date and section in a span, and a bold label
    # over links to other sites with the BBC's disclaimer.
    return titled("BBC SPORT | Football | Spectrum auction", f"<div>{paragraphs(LEAD)}</div>{tail}")


RELATED = (
    "<p><b>Related to this story:</b><br>"
    + "".join(
        f"<a href='/sport2/low/{n}.stm'>Minister rules out a delay to the auction {n}</a>"
        f"<span class='sad'>({n} Dec 07 | Business)</span><br>"
        for n in (31, 30, 24)
    )
    + "<hr><b>RELATED INTERNET LINKS:</b><br><a href='http://example.org/a'>Spectrum rules</a>"
    "<br><a href='http://example.org/b'>The regulator</a><br>"
    "The BBC is not responsible for the content of external internet sites<hr></p>"
)


def closing(tail: str, kept: list[str]) -> str:
    """What `drop_closing_labels` leaves of the text extraction kept from `bbc_page(tail)`:
    the story and the `kept` lines of its tail."""
    layout = page_layout(lxml.html.document_fromstring(bbc_page(tail)))
    return drop_closing_labels("\n\n".join([*LEAD, *kept]), layout)


def test_a_label_over_links_after_the_article_goes_with_what_is_left_of_its_list() -> None:
    left = ["Related to this story:", "(31 Dec 07 |", "Business", "(30 Dec 07 |", "Business"]
    left += ["RELATED INTERNET LINKS:"]
    left += ["The BBC is not responsible for the content of external internet sites"]
    assert closing(RELATED, left) == "\n\n".join(LEAD)


def test_a_label_over_lines_that_are_not_links_stays() -> None:
    tail = "<p><b>Key dates:</b><br>31 Dec: bids open<br>24 Jan: bids close<br>2 Feb: results</p>"
    kept = ["Key dates:", "31 Dec: bids open", "24 Jan: bids close", "2 Feb: results"]
    assert closing(tail, kept) == "\n\n".join(LEAD + kept)


def test_a_label_closing_the_text_over_nothing_stays() -> None:
    # AP's "On the Net:" over the address it gives, the address gone: what it headed may be
    # the article's (L3S-GN1 labels it so).
    tail = "<p>On the Net:</p><p><a href='http://www.oscars.org'>http://www.oscars.org</a></p>"
    assert closing(tail, ["On the Net:"]).endswith("On the Net:")


def opening(body: str, kept: list[str]) -> str:
    """What `drop_opening_labels` leaves of the text extraction kept from a page: the `kept`
    lines above the story."""
    layout = page_layout(lxml.html.document_fromstring(titled("Spectrum auction", body)))
    return drop_opening_labels("\n\n".join([*kept, *LEAD]), layout)


def teaser_box(heading: str, n: int) -> str:
    # canada.com story pages (L3S-GN1, vancouversun/news/westcoastnews): boxes of the paper's
    # other stories beside the article, each a heading over headline links and blurbs.
    items = "".join(
        f"<li><a href='/story{n}{k}.html'>Ferry fares rise again in spring {k}</a>"
        f"<p>Up four per cent.</p><a href='/more{k}'>more</a></li>"
        for k in range(3)
    )
    box = f"<div class='center'><h4>{heading}</h4><ul>{items}</ul></div>"
    return f"<div class='rightnewslinkbox'>{box}</div>"


def test_headings_of_boxes_of_other_stories_go_above_the_article() -> None:
    boxes = teaser_box("Today's Sun", 1) + teaser_box("Latest News", 2)
    body = f"<div id='article'>{boxes}"
    body += f"<div class='story'>{paragraphs(LEAD)}</div></div>"
    assert opening(body, ["Today's Sun", "Latest News"]) == "\n\n".join(LEAD)


def test_the_articles_own_heading_over_its_list_of_links_stays() -> None:
    # blog.nightly.mozilla.org (readability's firefox-nightly-blog): "Highlights" heads the
    # post's own list of links, beside its paragraphs.
    links = "".join(
        f"<li><a href='https://blog.example.org/{k}'>Our year {k}</a></li>" for k in range(3)
    )
    body = f"<div class='entry-content'><h3>Highlights</h3><ul>{links}</ul>{paragraphs(LEAD)}</div>"
    assert opening(body, ["Highlights"]).startswith("Highlights\n\n")
