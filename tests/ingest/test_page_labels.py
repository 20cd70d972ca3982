"""A section's label above the article, left by extraction as the text's first line, is the
site's menu entry, not the article's heading: it goes when the page links it as a menu does
(the same words link again elsewhere in the page), and a one-word heading of the article's own
stays. Markup after The Hindu's story pages of the L3S-GN1 set (hindu.com, 2008-01-15
"stories/2008011554711900.htm"; text shortened and reworded)."""

from __future__ import annotations

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
