"""Extraction: a saved news page gives its article text and metadata, without boilerplate."""

from __future__ import annotations

from datetime import UTC, datetime

from ingest.extract import extract_page
from tests.support.pages import extracted


def test_article_text_and_metadata() -> None:
    page = extracted("harbour_council.html")
    assert page.title == "Harbour council approves flood barrier after decade of delays"
    assert page.author == "Helen Marsh"
    assert page.published_at == datetime(2026, 3, 1, 13, 30, tzinfo=UTC)
    assert page.canonical_url == "https://coastalcourier.example/news/2026/03/harbour-flood-barrier"
    assert page.language == "en"
    paragraphs = page.text.split("\n\n")
    assert paragraphs[0].startswith("Councillors in Port Alder voted on Monday night")
    assert "\u00a0" not in page.text
    assert paragraphs[-1].startswith("Residents will be able to see the final designs")
    assert len(paragraphs) == 7


def test_boilerplate_is_gone() -> None:
    page = extracted("harbour_council.html")
    for unwanted in [
        "billing",
        "newsletter",
        "Follow us",
        "free articles",
        "cookies",
        "Read more",
        "Trawler owners",  # the teaser's blurb
        "By Helen Marsh",
        "Related stories",
        "All rights reserved",
    ]:
        assert unwanted not in page.text, unwanted


def test_a_page_without_an_article_gives_none() -> None:
    assert extract_page(b"") is None
    assert extract_page("<html><body><nav><a href='/'>Home</a></nav></body></html>") is None


def test_a_second_site_with_other_wording() -> None:
    page = extracted(
        "water_rates.html",
        "https://valleyledger.example/local/2026/02/27/water-rate-increase/?utm_source=tw",
    )
    assert page.author == "Jordan Alvarez"
    assert page.published_at == datetime(2026, 2, 27, 18, 5, tzinfo=UTC)
    assert (
        page.canonical_url == "https://valleyledger.example/local/2026/02/27/water-rate-increase/"
    )
    paragraphs = page.text.split("\n\n")
    assert paragraphs[0].startswith("Millbrook Water Company customers will pay about 9% more")
    assert paragraphs[-1] == "The new rates take effect April 1."
    assert len(paragraphs) == 7
    for unwanted in [
        "Thanks for subscribing",
        "logged in",
        "ADVERTISEMENT",
        "Lawmakers push",  # labelled teaser ...
        "A bill in the state Senate",  # ... and its blurb
        "Share on Facebook",
        "Bike Lanes",  # unlabelled teaser about something else ...
        "Cyclists will get",  # ... and its sentence
        "Click here",
        "subscribers only",
        "By Jordan Alvarez",
    ]:
        assert unwanted not in page.text, unwanted


def test_summary_of_an_extracted_page_is_the_news() -> None:
    from ingest.summarize import summarize

    page = extracted("water_rates.html")
    summary = summarize(page.text, title=page.title)
    assert summary.startswith("Millbrook Water Company customers will pay about 9% more")
    assert len(summary) <= 300


# Drawn from hemeltoday.co.uk (l3s-gn1): the template drops its ad slot into a word.
_AD_IN_A_WORD = (
    "<html><body><div id='viewarticle'><h1>Tug boats refloat grounded ship</h1>"
    "<div id='va-bodytext' class='va-bodytext'>A 90,000-tonne sea tanker that ran aground in "
    "the Dover Strait has been refloated and tugged away, the Maritime and Coastguard Agency "
    "has said.<br /><br />A spokeswoman said the container ship was registered as carrying "
    "hazardous cargo, but the exact nature of the mater<div id='ds-mpu'></div>ials on board "
    "was unknown.<br /><br />She said all vessels entering the strait must report to the"
    "<div class='slot'><span></span></div> coastguard if they carry hazardous goods, even a "
    "single container.<br /><br />Surveyors will board<br />the ship once it is anchored and "
    "carry out their investigations into the grounding.<br /><br />Crews must register to be "
    "eligibl<div class='ad'>\n  </div>e for the salvage work, the agency said on Thursday."
    "</div></div></body></html>"
)


def test_an_empty_element_inside_a_word_does_not_split_it() -> None:
    page = extract_page(_AD_IN_A_WORD)
    assert page is not None
    assert "the exact nature of the materials on board was unknown." in page.text
    assert "mater ials" not in page.text and "mater\n" not in page.text
    assert "to be eligible for the salvage work" in page.text  # blank space in the slot
    # An empty element between words, and a <br>, still part them.
    assert "report to the coastguard" in page.text.replace("\n", " ")
    assert "boardthe" not in page.text


# Drawn from canada.com (l3s-gn1): UTF-8 that was once read as Windows-1252 and saved again,
# served under a Latin-1 declaration.
_MOJIBAKE_PAGE = (
    "<html><head><meta http-equiv='Content-Type' content='text/html; charset=iso-8859-1'>"
    "<title>Canadaâ€™s top weather story</title></head><body><article><h1>Canadaâ€™s top "
    "weather story</h1><p>OTTAWA -- The disappearance of Arctic sea ice was Environment "
    "Canadaâ€™s No. 1 weather story of 2007, ahead of the floods in British Columbia.</p>"
    "<p>The record loss of ice was one of the worldâ€™s biggest events, and the thinning of "
    "the ice had a profound impact on the North, its people, plants and wildlife alike.</p>"
    "<p>Tickets to the forecastersâ€™ dinner cost Â£25, the cafÃ© said.</p></article>"
    "</body></html>"
).encode()


def test_mojibake_in_the_page_is_decoded_again() -> None:
    page = extract_page(_MOJIBAKE_PAGE)
    assert page is not None
    assert page.title == "Canada’s top weather story"
    assert "Environment Canada’s No. 1 weather story" in page.text
    assert "the world’s biggest events" in page.text
    assert "cost £25, the café said." in page.text
    assert "â€" not in page.text and "Â" not in page.text


def test_text_that_only_looks_like_mojibake_stays() -> None:
    text = (
        "<html><body><article><p>At the café’s door in São Paulo, Ãngel and the Â-team "
        "fans waited for the results of the vote, which came late on Sunday night.</p><p>The "
        "count in Düsseldorf and Malmö went on until the morning, officials said after it.</p>"
        "</article></body></html>"
    )
    page = extract_page(text)
    assert page is not None
    assert "At the café’s door in São Paulo, Ãngel and the Â-team fans" in page.text
    assert "Düsseldorf and Malmö" in page.text
