"""Headlines on small excerpts of real pages (each names its page: L3S-GN1 pages by their id,
Kohlschuetter et al., WSDM 2010, research use; Mozilla Readability's test pages by folder),
and the publication's name of a feed."""

from __future__ import annotations

import lxml.html
import pytest

from ingest.titles import (
    choose_title,
    clean_title,
    is_credit_line,
    is_date_line,
    page_names,
    source_name,
)


def headline(html: str, url: str | None, first_paragraph: str = "") -> str:
    root = lxml.html.document_fromstring(html)
    return page_names(root, url=url, first_paragraph=first_paragraph).title


def titled(title: str, body: str = "") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("title", "url", "expected"),
    [
        # L3S-GN1 022b482d: a section path that leads to the site's name, " - " between.
        (
            "Chelsea hoping to sign Anelka before weekend - Soccer - Sport - Breaking News - "
            "Belfast Telegraph",
            "http://www.belfasttelegraph.co.uk/breaking-news/sport/soccer/article3322353.ece",
            "Chelsea hoping to sign Anelka before weekend",
        ),
        # L3S-GN1 e8f75e89: the same, the site named by its town (the host's first label).
        (
            "Toni Collette gives birth to baby girl - National - General - Wollondilly Advertiser",
            "http://wollondilly.yourguide.com.au/news/national/general/toni-collette/1160691.html",
            "Toni Collette gives birth to baby girl",
        ),
        # L3S-GN1 77c361ce: "The Canberra Times" is named by the host's "canberra".
        (
            "Under-siege Kemble quits as Kiwi coach - World - Sport - The Canberra Times",
            "http://canberra.yourguide.com.au/news/world/sport/undersiege-kemble/1165475.html",
            "Under-siege Kemble quits as Kiwi coach",
        ),
        # L3S-GN1 f3114a41: the site's name inside the title ends the headline; its slogan
        # after it goes too.
        (
            "Moon Learns From His Mistake - HOOPSWORLD | NBA News, Rumors and Information",
            "http://www.hoopsworld.com/Story.asp?story_id=6895",
            "Moon Learns From His Mistake",
        ),
        # L3S-GN1 05547ae6: a segment that starts with the site's name.
        (
            "White Scores 22 Points In Women's Basketball Loss - SJSUSpartans.com—Official Web "
            "Site of San Jose State Athletics",
            "http://www.sjsuspartans.com/ViewArticle.dbml?DB_OEM_ID=5600&ATCLID=1366611",
            "White Scores 22 Points In Women's Basketball Loss",
        ),
        # L3S-GN1 302e53f4: the site and its sections in front, whatever the last separator.
        (
            "SignOnSanDiego.com &gt; News &gt; World -- Judges in Liberian ex-president's trial "
            "allow video of victims",
            "http://www.signonsandiego.com/news/world/20080108-0356-warcrimes-taylor.html",
            "Judges in Liberian ex-president's trial allow video of victims",
        ),
        # L3S-GN1 70b430c4, c0804a24, 18a04371: separators written without spaces, trusted
        # only because the site's name follows the last one; hyphenated words stay.
        (
            "Starbucks founder back at helm amid sliding sales_English_Xinhua",
            "http://news.xinhuanet.com/english/2008-01/08/content_7382664.htm",
            "Starbucks founder back at helm amid sliding sales",
        ),
        (
            "Kat to go to London... with Sallu-India Buzz-Entertainment-The Times of India",
            "http://timesofindia.indiatimes.com/India_Buzz/Kat_to_go/articleshow/2696265.cms",
            "Kat to go to London... with Sallu",
        ),
        (
            "Lukla Airport to be named as Hillary Tenzing Airport- Travel-Services-News By "
            "Industry-News-The Economic Times",
            "http://economictimes.indiatimes.com/News/News_By_Industry/articleshow/2701212.cms",
            "Lukla Airport to be named as Hillary Tenzing Airport",
        ),
        # L3S-GN1 fffdcc2c: the site's name before a colon.
        (
            "NDTV.com: Modi, BJP leaders discuss poll strategies",
            "http://www.ndtv.com/convergence/ndtv/story.aspx?id=NEWEN20070037530",
            "Modi, BJP leaders discuss poll strategies",
        ),
    ],
)
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


@pytest.mark.parametrize(
    "line",
    [
        "Fri Dec 28, 7:05 AM ET",  # L3S-GN1 108204ab
        "BEVERLY HILLS, Calif., Jan. 8, 2008",  # L3S-GN1 0a30f3dc
        "Wednesday, January 16, 2008",  # L3S-GN1 30cfde24
        "2 days ago",  # L3S-GN1 39edc13b
        "Associated Press - January 10, 2008 3:23 PM ET",  # L3S-GN1 5ee7902b
        "First Published: Jan 09, 2008",  # L3S-GN1 82f835a8
    ],
)
def test_date_lines_and_datelines_are_recognised(line: str) -> None:
    assert is_date_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Stocks fall on Jan. 8 as banks report losses",
        "Clemson coach Tommy Bowden has no ill feelings toward Auburn",
        "Nine aboard Air Canada flight hurt after Airbus hits turbulence",
    ],
)
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


@pytest.mark.parametrize(
    ("feed_title", "url", "expected"),
    [
        ("BBC News - World", "https://www.bbc.co.uk/news/world", "BBC News"),
        ("Top stories - Google News", "https://news.google.com/rss", "Google News"),
        ("Latest news | Reuters", "https://www.reuters.com/", "Reuters"),
        ("FT.com - Markets", "https://www.ft.com/markets?format=rss", "FT.com"),
        ("NYT > Business > Economy", "https://www.nytimes.com/section/business/economy", "NYT"),
        ("myFT following", "https://www.ft.com/myft/following/abc.rss", "FT"),
        ("World news | The Guardian", "https://www.theguardian.com/world", "The Guardian"),
        ("Krebs on Security", "https://krebsonsecurity.com/", "Krebs on Security"),
        (None, "https://www.bbc.co.uk/news", "bbc.co.uk"),
    ],
)
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
