"""A site's name given as a navigation string ("Autoracing | F1 | Indy | NASCAR") is no name: the
name comes from the next source (JSON-LD's publisher, the title's segment that names the host,
then the host, which the pipeline shows when the page names none). A name with a slogan after
one separator is still the name's."""

from __future__ import annotations

import json

import lxml.html
import pytest

from ingest.titles import is_menu, page_names
from tests.support.pages import BODY, article, paragraphs

MENU = "Autoracing | F1 | Indy | NASCAR"


def _head(site: str, publisher: str | None = None) -> str:
    item = {"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": publisher}}
    ld = f'<script type="application/ld+json">{json.dumps(item)}</script>' if publisher else ""
    return (
        f"<head><title>Council approves tidal flood barrier</title>"
        f'<meta property="og:site_name" content="{site}">{ld}</head>'
    )


def _page(site: str, publisher: str | None = None) -> str:
    return (
        f"<html>{_head(site, publisher)}<body><article><h1>Council approves tidal flood barrier"
        f"</h1>{paragraphs(BODY)}</article></body></html>"
    )


def test_a_menu_for_a_site_name_gives_way_to_the_publisher() -> None:
    tree = lxml.html.document_fromstring(_page(MENU, publisher="Harbour Gazette"))
    names = page_names(tree, url="https://www.harbourgazette.example/news/1")
    assert names.site == "Harbour Gazette"


def test_a_menu_and_nothing_else_names_no_site() -> None:
    page = article(_page(MENU), url="https://www.harbourgazette.example/news/1")
    assert page.site_name is None  # the pipeline shows the host
    assert page.title == "Council approves tidal flood barrier"


def test_a_real_name_is_kept_before_the_publisher() -> None:
    tree = lxml.html.document_fromstring(_page("The Gazette", publisher="Gazette Media Group"))
    assert page_names(tree, url=None).site == "The Gazette"


@pytest.mark.parametrize(
    ("name", "menu"),
    [
        (MENU, True),
        ("Home » News » Local", True),
        ("News / Sport / Weather / Travel", True),
        # Readability's test pages (aktualne, simplyfound-1, heise): a name and a slogan or a
        # byline after one separator, and names with signs inside them.
        ("Aktuálně.cz - Víte, co se právě děje", False),
        ("SIMPLYFOUND.COM | BY: JOE WEE", False),
        ("Mac & i", False),
        ("Wikimedia Foundation, Inc.", False),
    ],
)
def test_a_menu_has_two_separators_or_more(name: str, menu: bool) -> None:
    assert is_menu(name) is menu


@pytest.mark.parametrize(
    ("title", "url", "site"),
    [
        # L3S-GN1 pages (2008) that give no site name in their metadata: the name as the
        # title writes it at its end, after the sections.
        (
            "Britain's fastest supercomputer unveiled | Technology | Reuters",
            "http://www.reuters.com/article/technologyNews/idUSL1484372220080114",
            "Reuters",
        ),
        (
            "Blu-Ray group claims victory in DVD format war - Telegraph",
            "http://www.telegraph.co.uk/news/main.jhtml?xml=/news/2008/01/14/nbluray114.xml",
            "Telegraph",
        ),
        # The name without the colon that was its separator.
        (
            "Council approves tidal flood barrier - Star-Telegram.com:",
            "http://www.star-telegram.com/local/story/1.html",
            "Star-Telegram.com",
        ),
        # A section at the end is no name: the host's is not it.
        ("Council approves tidal flood barrier - Sports", "https://sportsnetwork.example/a", None),
        # No address to compare with: no name.
        ("Britain's fastest supercomputer unveiled | Technology | Reuters", None, None),
    ],
)
def test_a_page_without_a_site_name_takes_the_titles_segment_naming_its_host(
    title: str, url: str | None, site: str | None
) -> None:
    tree = lxml.html.document_fromstring(
        f"<html><head><title>{title}</title></head><body>{paragraphs(BODY)}</body></html>"
    )
    assert page_names(tree, url=url).site == site


def test_a_menu_gives_way_to_the_titles_segment() -> None:
    html = _page(MENU).replace(
        "<title>Council approves tidal flood barrier</title>",
        "<title>Council approves tidal flood barrier | Harbour Gazette</title>",
    )
    page = article(html, url="https://www.harbourgazette.example/news/1")
    assert page.site_name == "Harbour Gazette"
