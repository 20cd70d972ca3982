"""Kinds of boilerplate a reader still saw in the text, in plain text and on pages: contributor
lines, picture captions and credits, numbered source notes closing the text, and a time stamp
glued to a repeated headline or a byline. Lines of the article alike in shape stay."""

from __future__ import annotations

from ingest.clean import clean_text
from tests.support.cases import parametrize
from tests.support.pages import BODY, article, paragraphs, titled

ARTICLE = "\n\n".join(BODY)
MIDDLE = 2  # a line inserted mid-text stands before this paragraph


def with_line(line: str, at: int) -> str:
    return "\n\n".join([*BODY[:at], line, *BODY[at:]])


@parametrize("ingest/clean_kinds", "contributor_lines", "line")
def test_a_contributor_line_goes_wherever_it_stands(line: str) -> None:
    assert clean_text(with_line(line, len(BODY))) == ARTICLE
    assert clean_text(with_line(line, MIDDLE)) == ARTICLE


def test_a_closing_with_names_line_goes() -> None:
    assert clean_text(with_line("With Jane Doe and John Roe in Dover.", len(BODY))) == ARTICLE


@parametrize("ingest/clean_kinds", "caption_lines", "line")
def test_a_picture_caption_or_credit_line_goes(line: str) -> None:
    assert clean_text(with_line(line, 0)) == ARTICLE
    assert clean_text(with_line(line, MIDDLE)) == ARTICLE


@parametrize("ingest/clean_kinds", "bracketed_lines_that_stay", "line")
def test_the_article_s_own_bracketed_and_credit_lines_stay(line: str) -> None:
    text = with_line(line, MIDDLE)
    assert clean_text(text) == text


# Shaped on spiked-online.com (2008, l3s-gn1): the text marks its sources "(1)", "(2)" and
# lists them, numbered, under a label at its end.
CITED = [
    BODY[0] + " The plan had been called “a barrier to nowhere” (1).",
    BODY[1],
    BODY[2] + " The levy was agreed last year (2).",
    BODY[3],
]
NOTES = [
    "Notes:",
    "(1) Barrier to nowhere, Coastal Courier, 4 January 2008",
    "(2) View the council's minutes",
]


def test_numbered_source_notes_closing_the_text_go() -> None:
    cited = "\n\n".join(CITED)
    assert clean_text("\n\n".join([*CITED, *NOTES])) == cited


def test_numbered_notes_naming_dated_sources_go_unmarked() -> None:
    # Shaped on trinicenter.com (2008, l3s-gn1): "1. Globe and Mail, January 11, 2008."
    notes = ["1. Coastal Courier, January 11, 2008.", "2. Harbour Times, December 5, 2007."]
    assert clean_text("\n\n".join([*BODY, *notes])) == ARTICLE


def test_the_article_s_own_numbered_list_at_its_end_stays() -> None:
    ranked = ["Streets most often flooded:", "1. Quay Street", "2. Mill Lane", "3. Harbour Row"]
    text = "\n\n".join([*BODY, *ranked])
    assert clean_text(text) == text


def test_a_time_stamp_glued_to_the_repeated_headline_or_a_byline_goes() -> None:
    # Shaped on presstv.ir and icwales.co.uk (2008, l3s-gn1): two of the page's blocks joined.
    title = "Council approves tidal barrier"
    glued = "'Council approves tidal barrier' Sat, 29 Dec 2007 17:50:54"
    assert clean_text(with_line(glued, 0), title=title) == ARTICLE
    dated = "Jan 14 2008 by Jane Doe, Coastal Courier"
    assert clean_text(with_line(dated, 0)) == ARTICLE


def test_a_sentence_with_a_date_and_by_stays() -> None:
    line = "On Jan 14 2008 by the harbour wall, the first gate was tested."
    text = with_line(line, MIDDLE)
    assert clean_text(text) == text


LONG_BODY = paragraphs(BODY * 2)


def test_a_caption_beside_its_picture_above_the_text_goes() -> None:
    # Built on wldcup.com (2008, l3s-gn1): the caption is the page's first long line.
    caption = (
        "The harbour master watches the flood gates close during a test at the quay in Dover on "
        "Tuesday, January 8. The gates held."
    )
    page = article(
        titled(
            "Council approves tidal barrier",
            "<div class='article'><h2>Council approves tidal barrier</h2>"
            f"<div class='pictureCaption'><a href='/p.jpg'><img src='/p.jpg' alt=''></a>"
            f"<p>{caption}</p></div>{LONG_BODY}</div>",
        )
    )
    assert caption not in page.text
    assert BODY[0] in page.text


def test_a_photo_credit_by_its_element_s_name_goes() -> None:
    # Built on canada.com (2008, l3s-gn1): <h6 id="storyphotocredit">.
    page = article(
        titled(
            "Council approves tidal barrier",
            "<div class='story'><h4 id='storyphotocaption'>The gates close in a test.</h4>"
            "<h6 id='storyphotocredit'>Courier/Jane Doe</h6>"
            f"{LONG_BODY}</div>",
        )
    )
    assert "Jane Doe" not in page.text
    assert BODY[-1] in page.text


def test_a_story_in_an_element_named_photo_stays() -> None:
    page = article(
        titled("Council approves tidal barrier", f"<div class='photo-story'>{LONG_BODY}</div>")
    )
    assert all(line in page.text for line in BODY)


def test_a_caption_in_a_plain_wrapper_beside_its_picture_goes() -> None:
    # A figure without <figure> or a caption class: a picture and one short line in a <div>.
    caption = "The flood gates at the quay close during the first test on Tuesday morning."
    figure = f"<div><img src='/gates.jpg' alt=''><p>{caption}</p></div>"
    page = article(titled("Council approves tidal barrier", f"<div>{figure}{LONG_BODY}</div>"))
    assert caption not in page.text
    assert all(line in page.text for line in BODY)


def test_a_reader_s_quote_beside_their_picture_stays() -> None:
    review = "“The barrier saved our shop, and the council listened to us all along.”"
    card = f"<div><img src='/face.jpg' alt=''><p>{review}</p></div>"
    page = article(titled("Council approves tidal barrier", f"<div>{LONG_BODY}{card}</div>"))
    assert review in page.text


def test_teaser_cards_flattened_into_lines_go() -> None:
    # Shaped on computerworld.com.au (2008, l3s-gn1): headline, time stamp and blurb in one line.
    cards = [
        "Harbour trust seeks injunction against dredging firm 08/10/2007 16:03:26 A three-year "
        "dispute returns as the firm plans to bid again.",
        "Flood week, part 2 20/12/2007 11:52:11 Our podcast asks engineers what a barrier costs.",
    ]
    assert clean_text("\n\n".join([*BODY, *cards])) == ARTICLE


def test_a_paragraph_with_one_time_stamp_inside_stays() -> None:
    line = "The gates were first closed at 08/10/2007 16:03 and held through the night."
    text = with_line(line, MIDDLE)
    assert clean_text(text) == text


def test_a_byline_glued_to_the_dateline_is_split_off_and_goes() -> None:
    # Shaped on news.yahoo.com AP pages (2008, l3s-gn1): byline, age and dateline in one line.
    glued = "By JANE DOE, AP Business Writer 47 minutes ago DOVER, England - " + BODY[0]
    expected = "\n\n".join(["DOVER, England - " + BODY[0], *BODY[1:]])
    assert clean_text("\n\n".join([glued, *BODY[1:]])) == expected


def test_a_subheading_glued_to_a_dateline_becomes_its_own_line() -> None:
    glued = "Ten years of delaysDOVER (Reuters) - " + BODY[0]
    cleaned = clean_text("\n\n".join([glued, *BODY[1:]]))
    assert cleaned.startswith("Ten years of delays\nDOVER (Reuters) - " + BODY[0])


def test_a_place_in_capitals_mid_sentence_stays_whole() -> None:
    for line in [
        "NEW YORK - " + BODY[0],
        "Talks with the NATO - Both sides agreed to meet again in spring.",
        '- ^ "About RIANZ – Introduction". Recording Industry Association, 2011.',
    ]:
        text = with_line(line, MIDDLE)
        assert clean_text(text) == text
