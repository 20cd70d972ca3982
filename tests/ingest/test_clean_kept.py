"""Article text that read as boilerplate and stays: a sentence reporting on others in a
notice's words, a sentence whose names are links, a table's linked rows. A list of other
stories and the site's own notice still go."""

from __future__ import annotations

from ingest.clean import clean_text, link_texts
from tests.support.pages import BODY

# Shaped on aclu.org (readability's aclu): the article reports on consent and data collection,
# in the words of a cookie notice.
REPORTED = (
    "Facebook and other tech companies often deflect accusations of excessive data collection "
    'by arguing "consent" — that they use the data with the consent of the users involved.'
)
NOTICE = "This site uses cookies. By continuing you consent to our cookies and privacy policy."


def test_a_sentence_reporting_on_consent_stays_and_the_site_s_notice_goes() -> None:
    text = "\n\n".join([*BODY[:2], REPORTED, *BODY[2:]])
    assert clean_text(text) == text
    assert clean_text("\n\n".join([*BODY, NOTICE])) == "\n\n".join(BODY)


# Shaped on foxnews.com (extraction set): the story's opening sentence links its names.
NAMED = "Councillor Jane Doe has voted against the Harbour Flood Barrier Scheme."
TEASER = "Harbour businesses count the cost of the storm"


def test_a_sentence_whose_names_are_links_stays_and_a_teaser_link_goes() -> None:
    links = link_texts(["Councillor Jane Doe", "Harbour Flood Barrier Scheme", TEASER])
    text = "\n\n".join([NAMED, *BODY])
    assert clean_text(text, links=links) == text
    teased = "\n\n".join([*BODY[:2], TEASER + ".", *BODY[2:]])
    assert clean_text(teased, links=links) == "\n\n".join(BODY)


# Shaped on Wikipedia's lists of works (readability's wikipedia-4, time travel films): a row
# whose title and remark are links, among rows that are not.
FILMS = [
    "| Title | Year | Notes |",
    "| The Long Tide | 1967 | A keeper's diary of the great flood |",
    "| Harbour Lights | 1972 | Remake of Storm Over the Harbour |",
    "| Salt Marsh | 1985 | Filmed on the estuary over one winter |",
    "| The Barrier | 2006 | A town divided over its sea wall |",
]
OTHER_STORIES = [
    "| Story | Date |",
    "| Harbour businesses count the cost of the storm | 3 May |",
    "| Engineers warn of rising seas along the coast | 4 May |",
    "| Council elects a new leader after a long night | 5 May |",
]


def test_a_table_row_of_linked_names_stays_with_its_table_and_a_links_table_goes() -> None:
    links = link_texts(["Harbour Lights", "Storm Over the Harbour"])
    films = "\n\n".join([*BODY, *FILMS])
    assert clean_text(films, links=links) == films
    stories = link_texts([row.split(" | ")[0].strip("| ") for row in OTHER_STORIES[1:]])
    listed = "\n\n".join([*BODY[:2], *OTHER_STORIES, *BODY[2:]])
    assert "rising seas" not in clean_text(listed, links=stories)
