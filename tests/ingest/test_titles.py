"""Headlines on small excerpts of real pages (each names its page: L3S-GN1 pages by their id,
Kohlschuetter et al., WSDM 2010, research use; Mozilla Readability's test pages by folder),
and the publication's name of a feed."""

from __future__ import annotations

import lxml.html

from ingest.titles import (
    choose_title,
    clean_title,
    is_credit_line,
    is_date_line,
    page_names,
    source_name,
)
from tests.support.cases import parametrize
from tests.support.pages import titled


def headline(html: str, url: str | None, first_paragraph: str = "") -> str:
    root = lxml.html.document_fromstring(html)
    return page_names(root, url=url, first_paragraph=first_paragraph).title


@parametrize("ingest/titles", "site_names", ("title", "url", "expected"))
def test_site_names_and_their_section_paths_leave_the_headline(
    title: str, url: str, expected: str
) -> None:
    assert headline(titled(title), url) == expected


def test_a_headline_with_a_hyphen_or_a_colon_of_its_own_is_kept_whole() -> None:
    # Nothing names the site after the last glued hyphen: nothing is cut.
    assert headline(titled("Under-siege Kemble quits as Kiwi coach"), None) == (
        "Under-siege Kemble quits as Kiwi coach"
    )
    assert headline(titled("Dad: Child's MP3 player came with porn"), None) == (
        "Dad: Child's MP3 player came with porn"
    )


def test_a_logo_heading_is_the_site_not_the_headline() -> None:
    # Readability test page v8-blog: <h1>V8</h1> is the logo; the title ends "· V8".
    html = titled(
        "Outside the web: standalone WebAssembly binaries using Emscripten · V8",
        "<header><h1><a href='/'>V8</a></h1></header>"
        "<h1>Outside the web: standalone WebAssembly binaries using Emscripten</h1>",
    )
    assert headline(html, None) == (
        "Outside the web: standalone WebAssembly binaries using Emscripten"
    )


def test_a_platform_name_and_dangling_separators_never_win() -> None:
    # Readability test page pixnet: the platform's name is an <h1> and ends the title with
    # a dangling "::".
    title = "新竹尖石_美樹營地賞楓 (2) @ 史蒂文的家_藍天 :: 痞客邦 PIXNET ::"
    html = (
        "<html><head>"
        f'<meta property="og:title" content="{title}">'
        '<meta name="twitter:site" content="@pixnet">'
        f"<title>{title}</title></head>"
        "<body><h1>痞客邦 PIXNET</h1><h1>史蒂文的家_藍天</h1></body></html>"
    )
    found = headline(html, None)
    assert found.startswith("新竹尖石_美樹營地賞楓 (2)")
    assert "PIXNET" not in found and not found.endswith(":")


def test_a_metadata_title_that_one_title_segment_repeats_is_the_headline() -> None:
    # Readability test page ietf-1: dc.title names the document; <title> adds its draft name.
    html = (
        '<html><head><meta name="DC.Title" content="remoteStorage">'
        "<title>draft-dejong-remotestorage-04 - remoteStorage</title></head><body></body></html>"
    )
    assert headline(html, None) == "remoteStorage"


@parametrize("ingest/titles", "date_lines", "line")
def test_date_lines_and_datelines_are_recognised(line: str) -> None:
    assert is_date_line(line)


@parametrize("ingest/titles", "not_date_or_credit_lines", "line")
def test_headlines_with_a_date_or_a_role_word_are_not_taken_for_date_or_credit_lines(
    line: str,
) -> None:
    assert not is_date_line(line) and not is_credit_line(line)


def test_credit_lines_are_recognised() -> None:
    for line in ("News staff writer", "Express News Service", "CanWest News Service"):
        assert is_credit_line(line)  # L3S-GN1 8c392c86, 719433cf, fd4727e9


def test_the_heading_above_the_text_passes_over_date_and_byline_lines() -> None:
    # L3S-GN1 108204ab (onelocalnews.com): the heading, then the wire's date line, then the
    # text; and 8c392c86 (al.com): the heading, then "News staff writer".
    lead = (
        "COOKEVILLE, Tenn. - A father gave his 10-year-old daughter an MP3 player for "
        "Christmas and found it loaded with pornography, he said."
    )
    html = (
        "<html><body><div><a href='/'>Home</a></div>"
        "<div><b>Father finds pornography on daughter's new MP3 player</b></div>"
        "<div>Fri Dec 28, 7:05 AM ET</div><div>News staff writer</div>"
        f"<p>{lead}</p><p>The player was bought new at a store in town.</p></body></html>"
    )
    assert headline(html, None, first_paragraph=lead) == (
        "Father finds pornography on daughter's new MP3 player"
    )


def test_a_slogan_above_the_text_loses_to_the_title_that_names_the_article() -> None:
    # L3S-GN1 77c361ce: "Life is Local" (the site's slogan) sits right above the article.
    lead = (
        "Under-siege Kiwis coach Gary Kemble has resigned, saying a kidney complaint and the "
        "pressure of the job had taken their toll."
    )
    html = titled(
        "Under-siege Kemble quits as Kiwi coach - World - Sport - The Canberra Times",
        f"<div><span>Life is Local</span></div><p>{lead}</p>",
    )
    url = "http://canberra.yourguide.com.au/news/world/sport/undersiege-kemble/1165475.html"
    assert headline(html, url, first_paragraph=lead) == "Under-siege Kemble quits as Kiwi coach"


def test_a_dated_or_credited_candidate_never_beats_a_headline() -> None:
    assert (
        choose_title(
            ["Express News Service", "‘RSP to follow own policy’ - Newindpress.com"],
            sites=["newindpress"],  # L3S-GN1 719433cf, newindpress.com
        )
        == "‘RSP to follow own policy’"
    )


@parametrize("ingest/titles", "sources", ("feed_title", "url", "expected"))
def test_a_source_is_the_publication_not_the_feed_title_or_path(
    feed_title: str | None, url: str, expected: str
) -> None:
    assert source_name(feed_title, url=url) == expected


def test_a_bracketed_site_name_that_stays_keeps_its_closing_bracket() -> None:
    # Mozilla Readability test page archive-of-our-own: with no host to name the site, the
    # bracketed name stays, and stays whole; with the host, it goes.
    title = "Conversations with a Cryptid - Chapter 1 | My Hero Academia [Archive of Our Own]"
    assert clean_title(title).endswith("[Archive of Our Own]")
    assert clean_title("Kernel news [LWN.net]", sites=["lwn.net"]) == "Kernel news"
