"""Headlines on small excerpts of real pages (each names its page: L3S-GN1 pages by their id,
Kohlschuetter et al., WSDM 2010, research use; Mozilla Readability's test pages by folder),
and the publication's name of a feed."""

from __future__ import annotations

import lxml.html
import pytest

from ingest.titles import (
    choose_title,
    clean_title,
    is_byline,
    is_credit_line,
    is_date_line,
    is_slug,
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


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # Reuters' feeds and pages: the wire's handling marks glued before the headline.
        ("UPDATE 2-Storm batters the coast", "Storm batters the coast"),
        ("REFILE-UPDATE 1-Storm batters the coast", "Storm batters the coast"),
        ("EXCLUSIVE-Minister to resign over expenses", "Minister to resign over expenses"),
        # A headline's own capitals and hyphen stay.
        ("NATO-Russia talks resume in Geneva", "NATO-Russia talks resume in Geneva"),
        ("COVID-19 cases rise again", "COVID-19 cases rise again"),
    ],
)
def test_a_wire_services_marks_before_the_headline_go(title: str, expected: str) -> None:
    assert clean_title(title) == expected
    assert headline(titled(title), None) == expected


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


@parametrize("ingest/titles", "date_tails", ("title", "expected"))
def test_a_time_stamp_after_the_headline_goes(title: str, expected: str) -> None:
    assert clean_title(title) == expected


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


@parametrize("ingest/titles", "page_headlines", ("html", "expected"))
def test_the_headline_of_a_page(html: str, expected: str) -> None:
    assert headline(html, None) == expected


def test_headlines_that_differ_by_a_number_are_not_one_headline() -> None:
    # A blog's series: "Issue 84" and "Issue 86" marked as headlines beside the page's own.
    assert choose_title(
        [
            "These Weeks in Firefox: Issue 85",
            "These Weeks in Firefox: Issue 85",
            "These Weeks in Firefox: Issue 84",
            "These Weeks in Firefox: Issue 86",
        ]
    ) == ("These Weeks in Firefox: Issue 85")
    assert choose_title(
        ["Storm closes schools in the north", "Storm closes 12 schools in the north"]
    ) == ("Storm closes schools in the north")


def test_of_several_title_segments_that_headings_repeat_the_story_wins_over_its_section() -> None:
    # L3S-GN1 2205dc57 (tv3.co.nz): a breadcrumb <title>; one h1 is the section, one the story.
    html = titled(
        "TV3 > News > National News > Story > Officials get down to planning Sir Ed's state "
        "funeral",
        "<h1>National News</h1><h1>Officials get down to planning Sir Ed's state funeral</h1>",
    )
    url = "http://www.tv3.co.nz/News/NationalNews/tabid/423/articleID/43376/Default.aspx"
    assert headline(html, url) == "Officials get down to planning Sir Ed's state funeral"


@pytest.mark.parametrize(
    ("title", "url", "expected"),
    [
        # L3S-GN1 2ee227fe, 6f945442 (edmontonsun.com): the section glued to its dash.
        (
            "edmontonsun.com - Music- Lavigne lawsuit settled",
            "http://www.edmontonsun.com/Entertainment/Music/2008/01/10/4765188-sun.html",
            "Lavigne lawsuit settled",
        ),
        (
            "edmontonsun.com - Other Entertainment- From our writers' mail bags...",
            "http://www.edmontonsun.com/Entertainment/OtherEntertainment/2008/01/06/4755029.html",
            "From our writers' mail bags...",
        ),
        # L3S-GN1 a0b5afad (winnipegsun.com): a two-word section after the site, before a
        # three-word headline.
        (
            "winnipegsun.com - Other Sports - Podium for Canuck",
            "http://winnipegsun.com/Sports/OtherSports/2008/01/14/4771511-sun.html",
            "Podium for Canuck",
        ),
        # A suspended hyphen is not a separator; a headline after its site keeps its words.
        (
            "Pre- and post-election polls disagree on turnout - CNN",
            "http://www.cnn.com/2008/POLITICS/01/10/polls/",
            "Pre- and post-election polls disagree on turnout",
        ),
        (
            "cnn.com - Clinton Wins - New Hampshire primary",
            "http://www.cnn.com/2008/POLITICS/01/09/primary/",
            "Clinton Wins - New Hampshire primary",
        ),
    ],
)
def test_a_section_between_the_site_and_the_headline_goes(
    title: str, url: str, expected: str
) -> None:
    assert headline(titled(title), url) == expected


def test_the_heading_above_the_text_passes_over_a_writer_and_their_publication() -> None:
    # L3S-GN1 10abe0fd (canada.com, Vancouver Sun): h2 headline, h4 "Name, Publication",
    # the date, then the text; no metadata, so the heading above the text is looked for.
    lead = (
        "BURNABY - A police officer crashed his cruiser into a car driving on the wrong side "
        "of Highway 1 on Thursday to prevent a potential head-on collision."
    )
    html = (
        "<html><body><div class='storyheader'><h2>Wrong-way driver halted</h2></div>"
        "<div class='feed_details'><h4>Erin Hitchcock,\n Burnaby Now</h4>"
        "<span>Published: Friday, January 11, 2008</span></div>"
        f"<p>{lead}</p><p>The driver was arrested at the scene.</p></body></html>"
    )
    assert headline(html, None, first_paragraph=lead) == "Wrong-way driver halted"


def test_the_heading_above_the_text_is_not_an_element_marked_as_the_author() -> None:
    # L3S-GN1 46fd5e71 (sportal.com.au): the agency credit sits in "article_author_name",
    # below the h1.
    lead = (
        "Robert Gamez birdied his final two holes to snatch a one-shot lead after three "
        "rounds of the Bob Hope Chrysler Classic."
    )
    html = (
        "<html><body><div><h1>Gamez the man to catch</h1></div>"
        "<div class='article_author_info'><div class='article_author_name'>PA Sport/Sportal"
        f"</div></div><p>{lead}</p><p>He was three under for the day.</p></body></html>"
    )
    assert headline(html, None, first_paragraph=lead) == "Gamez the man to catch"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Erin Hitchcock, Burnaby Now", True),  # L3S-GN1 10abe0fd
        ("Murray McCormick, Canwest News Service; Regina Leader-Post", True),  # 7cf90d2c
        ("George Mitchell, Bud Selig, Donald Fehr Head To Congress", False),  # 32221fe9
        ("Tiger Woods, back from injury, wins again", False),
    ],
)
def test_bylines_are_told_from_headlines(line: str, expected: bool) -> None:
    assert is_byline(line) is expected


def test_above_a_byline_a_heading_marked_by_its_class_is_taken() -> None:
    # L3S-GN1 62915fb3 (thetimes.co.za): <td class="ArticleHead">, then the writer in an
    # author-marked cell, then the date and the text; the <title> only says "Article".
    lead = (
        "PRESIDENT Thabo Mbeki has granted National Police Commissioner Jackie Selebi "
        "extended leave of absence."
    )
    html = titled(
        "The Times - Article",
        "<table><tr><td class='ArticleHead'>Mbeki puts top cop on leave</td></tr>"
        "<tr><td class='ArticleAuthor'>MPUMELELO MKHABELA</td></tr>"
        "<tr><td>Published: Jan 14, 2008</td></tr></table>"
        f"<p>{lead}</p><p>He did so after the prosecutors acted.</p>",
    )
    url = "http://www.thetimes.co.za/News/Article.aspx?id=678837"
    assert headline(html, url, first_paragraph=lead) == "Mbeki puts top cop on leave"


def test_a_brand_title_loses_a_tie_to_a_headline() -> None:
    # L3S-GN1 353b3de0 (supersport.co.za): <title> is the site's brand "SuperSoccer"; the
    # story's headline is an element marked "headline", one vote each.
    html = titled(
        "SuperSoccer",
        "<div class='headline'>McCarthy is not for sale - Hughes</div>"
        "<p>McCarthy spent Blackburn's last three matches on the substitutes bench.</p>",
    )
    url = "http://www.supersport.co.za/soccer/article.aspx?id=239438"
    assert headline(html, url) == "McCarthy is not for sale - Hughes"
    # A one-word headline that is not brand-shaped keeps its place in the order of trust.
    assert choose_title(["Brexit", "Ministers meet in Brussels again"]) == "Brexit"


@parametrize(
    "ingest/titles", "headings_above_the_text", ("title", "body", "lead", "url", "expected")
)
def test_the_headline_shown_above_the_text(
    title: str, body: str, lead: str, url: str, expected: str
) -> None:
    html = titled(title, f"{body}<p>{lead}</p><p>More followed on Tuesday.</p>")
    assert headline(html, url, first_paragraph=lead) == expected


def test_a_news_agencys_own_headline_wins_over_its_slug() -> None:
    # L3S-GN1 ec407a8c (citizen.co.za): the page carries AFP's NewsML inline, an empty
    # <title> and no h1; the slug line sits right above the text.
    lead = "Thailand's Supreme Court on Friday cleared the way for allies of Thaksin Shinawatra."
    html = titled(
        "",
        "<newslines><headline>Thai court clears way for Thaksin allies to form govt</headline>"
        "<byline>by Boonradom Chitradon</byline><dateline>BANGKOK (AFP)</dateline>"
        "<slugline>Thailand-politics 2ndlead-WRAP</slugline></newslines>"
        f"<p>{lead}</p><p>The party won general elections on December 23.</p>",
    )
    url = "http://www.citizen.co.za/index/Article.aspx?pDesc=1,1,22&Type=top&File=080118125"
    assert headline(html, url, first_paragraph=lead) == (
        "Thai court clears way for Thaksin allies to form govt"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thailand-politics 2ndlead-WRAP", True),  # L3S-GN1 ec407a8c
        ("Lifestyle-US-tourism-animal-horses FEATURE", True),  # L3S-GN1 5ee66caf
        ("Spider-Man", False),
        ("Under-siege Kemble quits as Kiwi coach", False),
    ],
)
def test_slugs_are_told_from_headlines(text: str, expected: bool) -> None:
    assert is_slug(text) is expected


def test_a_genre_word_the_metadata_adds_goes_when_the_page_shows_the_headline_without_it() -> None:
    lead = "Markets fell sharply on Monday as the central bank raised rates again in London."
    body = f"<div class='top'><span>Markets tumble as rates rise</span></div><p>{lead}</p>"
    meta = "<meta property='og:title' content='Markets tumble as rates rise - Analysis'>"
    html = f"<html><head>{meta}</head><body>{body}</body></html>"
    assert headline(html, None, first_paragraph=lead) == "Markets tumble as rates rise"
    # Shown with it, the last word is the headline's own (a speaker, as in L3S-GN1 353b3de0).
    quoted = html.replace("rise - Analysis", "rise - Hughes").replace("rise<", "rise - Hughes<")
    assert headline(quoted, None, first_paragraph=lead) == "Markets tumble as rates rise - Hughes"


def test_a_section_the_url_names_goes_after_the_headline() -> None:
    title = titled("Markets tumble as rates rise - Analysis")
    assert headline(title, "http://example.com/analysis/2008/01/markets.html") == (
        "Markets tumble as rates rise"
    )
    assert headline(title, "http://example.com/business/2008/01/markets.html") == (
        "Markets tumble as rates rise - Analysis"
    )


def test_a_headline_the_first_paragraph_opens_with_is_taken_when_nothing_names_one() -> None:
    # L3S-GN1 b89b4068 (presstv.ir): <title> is the site's name alone; the headline, its time
    # and the byline are spans of one cell, read as the first paragraph's start.
    lead = (
        "'No exceptions to settlement freeze' Sat, 29 Dec 2007 17:50:54 The Palestinian "
        "National Authority (PNA) will not accept any exceptions to Israeli settlement freeze."
    )
    html = titled(
        "Press TV",
        "<table><tr><td><span id='lblTitle'>'No exceptions to settlement freeze'</span><br>"
        "<span id='lblDateTime'>Sat, 29 Dec 2007 17:50:54</span><br>"
        "The Palestinian National Authority (PNA) will not accept any exceptions to Israeli "
        "settlement freeze.</td></tr></table>",
    )
    url = "http://www.presstv.ir/detail.aspx?id=36764&sectionid=351020202"
    assert headline(html, url, first_paragraph=lead) == "'No exceptions to settlement freeze'"
    # A heading that is only like the paragraph's first words is not its start (Readability
    # test page social-buttons: <h1>Lorem ipsum dolor</h1><p>Lorem ipsum dolor sit amet …).
    text = "Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor."
    page = titled("Share buttons removal test", f"<h1>Lorem ipsum dolor</h1><p>{text}</p>")
    assert headline(page, None, first_paragraph=text) == "Share buttons removal test"


_PAGE_TOOLS = "".join(
    f"<tr><td><a href='/{name}1.htm'><img src='{name}.gif'></a></td>"
    f"<td><font size='1'>{label}</font></td></tr>"
    for name, label in (("print", "Print article"), ("mail", "Refer to a friend"))
)


def test_a_page_tool_above_the_text_is_never_the_headline() -> None:
    # The shape of pr-inside.com's AP pages (L3S-GN1, 2008): the wire slug, then the page's
    # tools ("Print article", "Refer to a friend") right above the dateline; the page was saved
    # cut, without its <head>.
    lead = "WELLINGTON, New Zealand (AP) - New Zealand plans to honour Edmund Hillary, Clark said."
    slug = "<h3>BC-AS-GEN--New Zealand-Hillary, 1st Ld-Writethru,0520</h3>"
    page = f"<html><body>{slug}<table>{_PAGE_TOOLS}</table><p>{lead}</p></body></html>"
    assert headline(page, None, first_paragraph=lead) != "Refer to a friend"
