"""The lines at the text's edges a subscriber would still see: a closing contact line with an
address written against harvesters, the title repeated at the top with its date and byline,
and a line that is only a publication's, agency's or section's name opening or closing the
text. The article's own headings and closing lines stay."""

from __future__ import annotations

import pytest

from ingest.clean import clean_text, drop_edge_lines
from tests.support.pages import BODY, article, paragraphs, titled

ARTICLE = "\n\n".join(BODY)
TITLE = "Council approves flood barrier"


def text(*lines: str) -> str:
    return "\n\n".join(lines)


# Closing contact lines (the first from a Pittsburgh Post-Gazette film review on l3s-gn1).
@pytest.mark.parametrize(
    "contact",
    [
        "(Pittsburgh Post-Gazette movie editor Barbara Vancheri can be reached at "
        "bvancheri(at)post-gazette.com.)",
        "Jane Roe covers the council. Write to her at jroe [at] ledger [dot] com",
        "Reach the author at jroe at ledger dot co dot uk.",
    ],
)
def test_a_closing_contact_line_with_a_spelled_out_address_goes(contact: str) -> None:
    assert clean_text(text(ARTICLE, contact)) == ARTICLE


def test_a_closing_sentence_with_at_but_no_address_stays() -> None:
    closing = "The council will meet again at the harbour office in March."
    assert clean_text(text(ARTICLE, closing)) == text(ARTICLE, closing)


# The title repeated at the top (the glued form from an IANS story on l3s-gn1's pattern).
@pytest.mark.parametrize(
    "first",
    [
        TITLE,
        f"{TITLE} Published on January 12, 2008 by IANSViewed 124 times",
        f"{TITLE} | Posted Monday, 14 January 2008",
        f"{TITLE} By Jane Roe",
    ],
)
def test_the_title_repeated_first_with_only_its_date_or_byline_goes(first: str) -> None:
    assert drop_edge_lines(text(first, ARTICLE), title=TITLE) == ARTICLE


def test_a_first_sentence_that_opens_with_the_title_stays() -> None:
    first = f"{TITLE} on Monday, ending ten years of delays over who should pay for it."
    assert drop_edge_lines(text(first, ARTICLE), title=TITLE) == text(first, ARTICLE)


# Names at the edges: an agency credit after the last paragraph (AAP, AFP, Reuters on
# l3s-gn1), the site's own name as the last line ("The Nation"), a syndicating paper's name
# above the lead ("Pittsburgh Post-Gazette").
@pytest.mark.parametrize(
    "credit", ["- AAP", "— AFP", "(Agencies)", "IANS", "Reuters/Billboard", "| TEAMtalk.com"]
)
def test_an_agency_line_after_the_last_paragraph_goes(credit: str) -> None:
    assert drop_edge_lines(text(ARTICLE, credit)) == ARTICLE


# A word left alone after the last paragraph: a comments widget's label without its count
# (morebikes.co.uk, extraction set), a teaser cut off ("All..."), a stray "One" (onelocalnews.com
# on l3s-gn1). Over a closing block of facts ("Tickets") no prose stands: it stays (below).
@pytest.mark.parametrize("stray", ["comments", "All...", "One", "More…"])
def test_a_word_alone_after_the_last_paragraph_goes(stray: str) -> None:
    assert drop_edge_lines(text(ARTICLE, stray)) == ARTICLE
    # Words alone after words alone: a comments box's heading over its counter's label
    # (indiapost.com, extraction set), after a last line whose agency tag lost its stop.
    assert drop_edge_lines(text(f"{ARTICLE} PTI", "Comments", stray)) == f"{ARTICLE} PTI"


def test_the_title_after_a_wire_mark_goes_at_the_top() -> None:
    # Reuters via L3S-GN1 35ab6379: "FACTBOX-<headline>" over the story.
    assert drop_edge_lines(text(f"FACTBOX-{TITLE}", ARTICLE), title=TITLE) == ARTICLE
    assert drop_edge_lines(text(f"Exclusive: {TITLE}", ARTICLE), title=TITLE) == ARTICLE


@pytest.mark.parametrize("name", ["Pittsburgh Post-Gazette", "CanWest News Service", "(AP)"])
def test_a_paper_or_agency_line_above_the_lead_goes(name: str) -> None:
    assert drop_edge_lines(text(name, ARTICLE)) == ARTICLE


def test_the_sites_own_name_goes_at_either_edge() -> None:
    assert drop_edge_lines(text("The Nation", ARTICLE, "The Nation"), site="The Nation") == ARTICLE


def test_a_section_label_named_in_the_address_goes_above_the_lead() -> None:
    url = "http://www.example.com/English/Security/?id=1.0.17"
    assert drop_edge_lines(text("Security", ARTICLE), url=url) == ARTICLE
    # Without the address one capitalised word may be the article's own heading: it stays.
    assert drop_edge_lines(text("Security", ARTICLE)) == text("Security", ARTICLE)


@pytest.mark.parametrize(
    "kept",
    [
        text("Background", ARTICLE),  # a one-word heading opening the article
        text("Mirror, Mirror", ARTICLE),  # a kicker with punctuation
        text("TO KEVIN WILLIAMSON", ARTICLE),  # a letter's addressee, not a name line
        text(ARTICLE, "Tickets", "Adults £12"),  # a closing block of facts, not after prose
        text(*BODY[:2], "Who Pays", *BODY[2:]),  # a subheading inside the text
        text("Lorem\nipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod.", *BODY),
    ],
)
def test_headings_kickers_and_wrapped_lines_stay(kept: str) -> None:
    assert drop_edge_lines(kept) == kept


def test_a_stored_article_loses_its_edge_names() -> None:
    html = titled(
        TITLE,
        '<meta property="og:site_name" content="The Daily Ledger">'
        f"<article><p>The Daily Ledger</p>{paragraphs([*BODY, '- AAP'])}</article>",
    )
    page = article(html, url="https://ledger.example/news/1")
    assert page.text == ARTICLE


def test_a_byline_of_names_and_services_above_the_lead_goes() -> None:
    # The shape of l3s-gn1's canada.com bylines: reporters, the wire service, the paper.
    byline = "Jane Roe and John Doe, CanWest News Service; Ottawa Citizen"
    assert drop_edge_lines(text(byline, ARTICLE)) == ARTICLE


def test_an_agency_line_above_a_dateline_crediting_it_goes() -> None:
    lead = "HARBOURTON (Reuters) - " + BODY[0]
    assert drop_edge_lines(text("Reuters", lead, *BODY[1:])) == text(lead, *BODY[1:])


def test_the_title_printed_again_under_the_article_goes() -> None:
    # The Hindu's story pages on l3s-gn1 (2008) end with their headline once more.
    assert drop_edge_lines(text(ARTICLE, TITLE), title=TITLE) == ARTICLE
    # A closing line that only shares the title's words stays.
    closing = "Council approves flood barrier plans for the harbour next year."
    assert drop_edge_lines(text(ARTICLE, closing), title=TITLE) == text(ARTICLE, closing)
