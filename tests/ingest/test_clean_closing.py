"""Cleaning the text's edges: rights notices, closing credit/contact/bio lines, and closing
teaser runs or lists about other things go; the article's own closing lines stay."""

from __future__ import annotations

from ingest.clean import clean_text
from tests.support.cases import parametrize
from tests.support.pages import BODY as OPENING
from tests.support.pages import article, paragraphs, titled

# A synthetic article of about 200 words (long enough to stand alone without its tail).
BODY = [
    *OPENING[:3],
    "Harbour traders had argued that the levy would fall hardest on the smallest firms, and "
    "several of them spoke against it at the meeting before the vote was taken.",
    "The council's engineers said the barrier's gates would close about twenty times a year "
    "at first, rising as sea levels climb over the coming decades.",
    "Residents on the lower streets, whose homes flooded twice in six years, welcomed the "
    "decision but said the barrier should have been built long ago.",
    OPENING[3],
]
ARTICLE = "\n\n".join(BODY)


def after_body(*lines: str) -> str:
    return "\n\n".join([*BODY, *lines])


@parametrize("ingest/clean_closing", "rights_notices", "notice")
def test_a_rights_notice_goes_wherever_it_stands(notice: str) -> None:
    assert clean_text(after_body(notice)) == ARTICLE
    middle = "\n\n".join([*BODY[:3], notice, *BODY[3:]])
    assert clean_text(middle) == ARTICLE


@parametrize("ingest/clean_closing", "closing_lines", "credit")
def test_closing_credit_contact_and_bio_lines_go(credit: str) -> None:
    assert clean_text(after_body(credit)) == ARTICLE


def test_lines_like_those_inside_the_article_stay() -> None:
    text = "\n\n".join(
        [
            *BODY[:2],
            "The mayor is a former engineer who worked on the harbour wall in the 1990s.",
            "A local band once sued over the copyright of a song about the 2014 flood.",
            '"You have let us down for ten years," one trader told the meeting.',
            *BODY[2:],
        ]
    )
    assert clean_text(text) == text


@parametrize("ingest/clean_closing", "closing_runs_that_go", ("lines",))
def test_a_closing_run_about_other_things_goes(lines: list[str]) -> None:
    assert clean_text(after_body(*lines)) == ARTICLE


@parametrize("ingest/clean_closing", "closing_runs_that_stay", ("lines",))
def test_the_article_s_own_closing_lines_stay(lines: list[str]) -> None:
    text = after_body(*lines)
    assert clean_text(text) == text


# The shape of a project's weekly notes ("These Weeks in Firefox", blog.nightly.mozilla.org):
# the whole article is short section labels over lists of one-sentence points, each section
# about another part of the product.
ROUNDUP = [
    "Highlights",
    "- The new tab page now loads its top sites from a cache, so it opens faster after a restart.",
    "- Picture-in-picture windows remember their size and position between videos.",
    "- Several crashes on start-up with older graphics drivers were fixed this week.",
    "Add-ons",
    "- Extensions can now ask for permissions at run time instead of at installation.",
    "- The add-ons manager shows why an extension was disabled, with a link to its details.",
    "- Reviewers cleared a backlog of more than two hundred submissions in ten days.",
    "Developer Tools",
    "- The network monitor can block requests by pattern and replay them with edited headers.",
    "- The console keeps its filters when the page reloads, a long-standing request.",
    "- Breakpoints in minified files now map to the original sources more reliably.",
]
CLOSING_SECTION = [
    "Search and Navigation",
    "- Fixed regressions in input method editing that lost the last typed token of a query.",
    "- A new preference keeps the address bar's results open while composing characters.",
    "- Regional defaults can follow a geolocation monitor without an extra network request.",
]


def test_an_article_written_as_lists_keeps_its_last_section() -> None:
    text = "\n\n".join([*ROUNDUP, *CLOSING_SECTION])
    assert clean_text(text) == text
    # The same closing list after an article of prose is a list about other things.
    assert clean_text(after_body(*CLOSING_SECTION)) == ARTICLE


# Toolbars and menus opening the text, shaped as l3s-gn1's pages have them (wjla.com's text
# size buttons, cbs news's sharing tools, an empty layout row).
OPENINGS = [
    ["text size:", "A |", "A |", "A"],
    ["Digg |", "Facebook |", "E-mail", "|", "Print"],
    ["| | |", "| | |"],
]


def test_a_toolbar_opening_the_text_goes_with_the_title_repeated_under_it() -> None:
    title = "Harbour council approves flood barrier"
    for opening in OPENINGS:
        assert clean_text("\n\n".join([*opening, *BODY]), title=title) == ARTICLE
        assert clean_text("\n\n".join([*opening, title, *BODY]), title=title) == ARTICLE


def test_labels_with_their_values_opening_the_text_stay() -> None:
    text = "\n\n".join(["Director:", "Jane Doe", "Cast:", "John Roe", *BODY])
    assert clean_text(text).startswith("Director:\n\nJane Doe\n\nCast:\n\nJohn Roe\n\n")


def test_a_table_s_rows_stay_and_its_empty_rows_go() -> None:
    rows = ["| Year | Floods |", "|---|---|", "| 2014 | 2 |", "| | |", "| 2020 | 1 |"]
    assert clean_text(after_body(*rows)) == after_body(*rows[:3], rows[4])


@parametrize("ingest/clean_closing", "notes_about_the_text", "note")
def test_a_closing_note_about_the_article_or_its_publication_goes(note: str) -> None:
    assert clean_text(after_body(note)) == ARTICLE


@parametrize("ingest/clean_closing", "closing_lines_about_the_news", "closing")
def test_a_closing_line_about_the_news_naming_a_report_or_an_article_stays(closing: str) -> None:
    text = after_body(closing)
    assert clean_text(text) == text


def test_a_page_s_closing_note_about_its_first_publication_goes() -> None:
    # The shape of CityLab's pages (Readability's citylab-1): the note is the last paragraph.
    note = "This article originally appeared on The Atlantic."
    page = article(titled("Council approves flood barrier", paragraphs([*BODY, note])))
    assert page.text == ARTICLE
