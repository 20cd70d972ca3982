"""Cleaning the text's edges: rights notices, closing credit/contact/bio lines, and closing
teaser runs or lists about other things go; the article's own closing lines stay."""

from __future__ import annotations

from ingest.clean import clean_text
from tests.support.cases import parametrize
from tests.support.pages import BODY as OPENING

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


def test_a_closing_run_of_teaser_headlines_goes() -> None:
    teasers = [
        "Maureen Smith meets the town's own soap star",
        "Ulster leads the way with new food system",
        "Our critics pick the year's best films",
        "Spring fashion",
        "Gardening",
        "Watch our interview with a golf prodigy",
    ]
    assert clean_text(after_body(*teasers)) == ARTICLE


def test_a_closing_block_of_facts_stays() -> None:
    facts = ["Tickets", "www.example-theatre.com", "VIP: 60,000", "Stalls: 40,000", "Enquiries"]
    text = after_body(*facts)
    assert clean_text(text) == text


def test_an_unlabelled_closing_list_about_other_things_goes() -> None:
    others = [
        "- An inquest into a teenager's death recommends changes to the child-welfare agency.",
        "- Environmental groups urge the province's insurer to price cover by distance driven.",
        "- A committee approved spending on an indoor water park in the capital.",
    ]
    assert clean_text(after_body(*others)) == ARTICLE


def test_a_closing_list_on_the_article_s_subject_stays() -> None:
    own = [
        "- The barrier's gates will protect 3,000 homes on the harbour.",
        "- The Environment Agency will pay two-thirds of the barrier's cost.",
        "- Construction of the barrier begins next spring, engineers said.",
    ]
    text = after_body(*own)
    assert clean_text(text) == text


def test_a_closing_quote_to_the_reader_stays() -> None:
    text = after_body('"You have let us down for ten years," one trader told the meeting.')
    assert clean_text(text) == text


def test_a_closing_run_on_the_article_s_subject_stays() -> None:
    own = [
        "Barrier gates on the harbour: twenty closures a year",
        "Homes protected by the barrier: 3,000",
        "Businesses protected by the barrier: 400",
        "Environment Agency share of the cost: two-thirds",
        "Construction of the barrier: next spring",
    ]
    text = after_body(*own)
    assert clean_text(text) == text
