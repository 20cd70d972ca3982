"""Lines that trafilatura keeps from outside the article's main container (the element that holds
most of its prose) are not the article: a column of features after it, a column of other
stories' headlines before it. The article's own lead and subheadings outside that element stay.
Page excerpts keep the structure of the named L3S-GN1 pages (text shortened)."""

from __future__ import annotations

import lxml.html
import pytest

from ingest.clean import clean_text
from ingest.layout import (
    data_table,
    drop_edge_links,
    drop_link_tail,
    drop_outside,
    locate,
    main_container,
    page_layout,
)
from tests.support.cases import cases
from tests.support.pages import article, paragraphs, titled

STORY = [
    "Mourners gathered outside the cathedral on Tuesday morning for the state funeral of the "
    "mountaineer, with thousands more lining the streets of the city centre to watch.",
    "The service was led by the bishop and attended by the prime minister, the governor "
    "general and members of the expedition teams that climbed with him over fifty years.",
    "His family asked that donations be made to the trust he founded, which builds schools "
    "and hospitals in the villages of the valleys below the mountain he first climbed.",
    "Flags on government buildings flew at half mast for the day, and a minute's silence "
    "was held at noon in schools, offices and on the floor of the stock exchange.",
    "The funeral was broadcast live on television and radio, and the city council set up "
    "screens in the main square for the crowds who could not get into the cathedral.",
    "Police said the day passed without incident, although roads around the cathedral were "
    "closed from early morning and buses were diverted until the evening.",
    "Tributes have arrived from around the world since his death last week, from heads of "
    "state, fellow climbers and the people of the villages where his trust has worked.",
    "A memorial service will be held later in the year in the capital, where a statue of him "
    "is to be unveiled outside the museum that holds his expedition diaries.",
]
# radionz.co.nz, "summer_report" page of 2008-01-14: div#features follows the story's column.
FEATURES = [
    "Documentaries and other audio can be heard on the tribute page for the mountaineer.",
    "Our summer host is back for its sixth season of news, features and summer happenings "
    "all over the country.",
    "A selection of children's stories now available for download from the archive pages.",
]


def _radionz_page(features: list[str]) -> str:
    boxes = "".join(f"<h3>Feature {i}</h3><p>{p}</p>" for i, p in enumerate(features))
    return titled(
        "Thousands at state funeral",
        "<div id='pw'><div id='wrapper'><div id='cont-pri'><div class='newsstory'>"
        f"<h1>Thousands at state funeral</h1><div class='body'>{paragraphs(STORY)}</div></div>"
        f"</div><div id='features'><h2>Features</h2>{boxes}</div></div></div>",
    )


def test_a_column_of_features_after_the_article_goes() -> None:
    page = article(_radionz_page(FEATURES))
    for paragraph in STORY:
        assert paragraph in page.text
    for feature in FEATURES:
        assert feature not in page.text


def test_the_main_container_is_the_element_holding_the_prose() -> None:
    html = _radionz_page(FEATURES)
    tree = lxml.html.document_fromstring(html)
    text = "\n\n".join(STORY + FEATURES)
    lines = locate(text, page_layout(tree))
    container = main_container(lines)
    assert container is not None and container.get("class") == "body"
    assert [line.block is not None for line in lines] == [True] * len(lines)
    assert drop_outside(text, page_layout(tree)) == "\n\n".join(STORY)


def test_nothing_goes_when_the_rest_is_most_of_the_text() -> None:
    html = _radionz_page(FEATURES)
    tree = lxml.html.document_fromstring(html)
    # Two story paragraphs and three features: the features are over 40 % of the words.
    text = "\n\n".join(STORY[:2] + FEATURES)
    assert drop_outside(text, page_layout(tree)) == text


# ohio.com, news/12908806.html of 2008: div#left-story-page ("In This Section", "Most Read
# Stories", link headlines) comes before the story in the page.
HEADLINES = [
    "A crash course in aggravation",
    "Governor proposes worker buyouts",
    "County plans animal shelter near downtown",
    "Akron to sell Main St. buildings for project",
]
MOST = ["Akron climbs Mid-Major poll", "Will Lewis, Anderson be back?"]
LEAD = (
    "The city will close three of its five public pools next summer to save money, the mayor "
    "said on Monday."
)


def _ohio_page(subheading: str = "") -> str:
    links = "".join(f"<p><a href='/news/{i}.html'>{h}</a></p>" for i, h in enumerate(HEADLINES))
    most = "".join(f"<div><a href='/news/{i}0.html'>{h}</a></div>" for i, h in enumerate(MOST))
    return titled(
        "Pools to close",
        "<div id='content'>"
        f"<div id='left-story-page'><h2>In This Section</h2><div id='this_section'>{links}"
        f"</div><h2>Most Read Stories</h2><div id='most_read'>{most}</div></div>"
        f"<div id='story'><h1>Pools to close</h1><p class='lead'>{LEAD}</p>{subheading}"
        f"<div class='story-body'>{paragraphs(STORY)}</div></div></div>",
    )


def test_a_column_of_headlines_before_the_article_goes_and_its_lead_stays() -> None:
    tree = lxml.html.document_fromstring(_ohio_page())
    text = "\n\n".join(["In This Section", *HEADLINES, "Most Read Stories", *MOST, LEAD, *STORY])
    assert drop_outside(text, page_layout(tree)) == "\n\n".join([LEAD, *STORY])


def test_a_subheading_outside_the_article_body_stays() -> None:
    tree = lxml.html.document_fromstring(_ohio_page("<h2>Budget gap</h2>"))
    text = "\n\n".join([LEAD, "Budget gap", *STORY])
    assert drop_outside(text, page_layout(tree)) == text


# Time stamps of L3S-GN1 pages (tests/fixtures/cases/ingest/page_layout.toml names them).
STAMPS = cases("ingest/page_layout", "time_stamps", "line")


def test_time_stamp_lines_go_and_sentences_with_dates_stay() -> None:
    kept = [
        *STORY[:2],
        "Kick-off: 15:00",  # a time without a day: a fact of the article
        "Tuesday, 1 March",  # a day without a time or a year: a list's heading
        "The hearing is set for January 10, 2008 at 3:30 p.m.",
        "- Smith, John (2008-01-10). Report",  # a list item (a reference) stays
        *STORY[2:],
    ]
    text = "\n\n".join(kept[:2] + STAMPS + kept[2:])
    assert clean_text(text) == "\n\n".join(kept)


# computerworld.com.au, a story page of 2008-01 (L3S-GN1 tune half): the story's paragraphs are
# the children of div.art_lcol; the right column holds a box of promotions whose blurbs are
# sentences too, enough prose (over a fifth of it) that the element holding 80 % of the prose
# is the page's body, and more than half of the story's: the story's element is not widened.
PROMOS = [
    "Our editors have designed a half-day summit to help you employ and manage the new "
    "solutions with the servers you run today, with speakers from the industry.",
    "Attend this summit and learn how to make your data centre more manageable, and meet the "
    "people who run some of the largest data centres in the region over lunch.",
    "This special technology podcast, in four parts, takes a close look at unified "
    "communications with the vendors, the analysts and the people who bought them.",
    "Spam hidden in attached documents is the latest technique used to get past the filters; "
    "learn more about how it works and what you can do to stop it reaching your staff.",
    "Download the free report on storage for small offices, with the prices and the test "
    "results of twelve systems, from the smallest disk boxes to the largest arrays.",
]


def _computerworld_page(promos: list[str]) -> str:
    story = paragraphs(STORY, "class='storybody'")
    return titled(
        "State funeral",
        "<div id='threecolumns_main'><div id='contentcenter'><div class='article_box'>"
        f"<div class='art_lcol'>{story}</div></div></div>"
        "<div id='contentright_div'><div class='boxwrap'>"
        f"<h3>Events</h3>{paragraphs(promos)}</div></div></div>",
    )


def test_a_box_of_promotions_written_as_sentences_beside_the_article_goes() -> None:
    tree = lxml.html.document_fromstring(_computerworld_page(PROMOS))
    text = "\n\n".join(STORY + PROMOS)
    lines = locate(text, page_layout(tree))
    container = main_container(lines)
    # The widest element that holds the story without the column of promotions.
    assert container is not None and container.get("id") == "contentcenter"
    assert drop_outside(text, page_layout(tree)) == "\n\n".join(STORY)


# sportinglife.com-style match report of 2008 (L3S-GN1 tune half, 4db9677f-…): the report is
# split over sibling div.bodyText elements, each in boxes of its own; all of them stay.
def test_an_article_split_over_elements_of_one_kind_stays_whole() -> None:
    parts = "".join(
        f"<div><div class='bodyText'>{p}</div><div class='ad'>Advertisement</div></div>"
        for p in STORY
    )
    html = f"<html><body><div id='page'><div id='report'>{parts}</div></div></body></html>"
    tree = lxml.html.document_fromstring(html)
    text = "\n\n".join(STORY)
    assert drop_outside(text, page_layout(tree)) == text


# ars-1 (Readability's test pages, tune half): a long quotation inside the article, and a
# list of features (extraction set): neither is taken for the article's container.
def test_a_long_quotation_or_list_inside_the_article_does_not_narrow_it() -> None:
    quote = paragraphs(STORY[2:])
    items = "".join(f"<li>{p}</li>" for p in STORY[2:])
    for inner, shown in ((f"<blockquote>{quote}</blockquote>", ""), (f"<ul>{items}</ul>", "- ")):
        html = (
            "<html><body><div class='article-content'>"
            f"<p>{STORY[0]}</p><p>{STORY[1]}</p>{inner}<p>{PROMOS[0]}</p></div></body></html>"
        )
        tree = lxml.html.document_fromstring(html)
        text = "\n\n".join([STORY[0], STORY[1], *(shown + p for p in STORY[2:]), PROMOS[0]])
        assert drop_outside(text, page_layout(tree)) == text


# hindu.com, a story page of 2008-01 (L3S-GN1 tune half): after the story, in the same table
# cell, "Printer friendly page", "Send this article to Friends by E-Mail" and the site's menu of
# sections ("News: ePaper | National | …") as short lines mostly of links.
MENU = ["ePaper", "National", "Karnataka", "International", "Opinion", "Business", "Sport"]


def _hindu_page(menu: list[str]) -> str:
    links = "".join(f"<font><a href='/{m.lower()}/'>{m}</a> |</font>" for m in menu)
    return (
        f"<html><body><table><tr><td>{paragraphs(STORY)}"
        "<font>Printer friendly <a href='/print'>page</a></font>"
        f"<font>News:</font>{links}</td></tr></table></body></html>"
    )


def test_a_closing_tail_of_short_link_lines_goes() -> None:
    tree = lxml.html.document_fromstring(_hindu_page(MENU))
    tail = ["Printer friendly", "page", "News:", *(f"{m} |" for m in MENU)]
    text = "\n\n".join(STORY + tail)
    assert drop_link_tail(text, page_layout(tree)) == "\n\n".join(STORY)


def test_a_closing_tail_of_few_or_unlinked_short_lines_stays() -> None:
    tree = lxml.html.document_fromstring(_hindu_page(MENU[:3]))
    text = "\n\n".join([*STORY, "News:", *(f"{m} |" for m in MENU[:3])])
    assert drop_link_tail(text, page_layout(tree)) == text  # three lines: too few
    # A closing list of short lines without links (the article's own) stays.
    items = "".join(f"<li>{m} results</li>" for m in MENU)
    html = f"<html><body><div>{''.join(f'<p>{p}</p>' for p in STORY)}<ul>{items}</ul></div>"
    text = "\n\n".join([*STORY, *(f"- {m} results" for m in MENU)])
    assert drop_link_tail(text, page_layout(lxml.html.document_fromstring(html))) == text


# belfasttelegraph.co.uk, a sport brief of 2008-01 (L3S-GN1 tune half): a two-paragraph story in
# div.article, then boxes of teaser summaries (short lines) with more words than the story.
TEASERS = [
    "Our reporter meets the city's own soap star",
    "Ulster leads the way with a new food system",
    "A visit to a converted coaching house",
    "The pick of this year's finest concerts",
    "Our experts reveal their pick of the movies",
    "Authors reveal their pick of this year's books",
    "Special report on the worst house fire",
    "Celebrating excellence at the awards gala",
]


def test_short_teasers_outside_a_short_article_go_however_many() -> None:
    story = paragraphs(STORY[:2])
    boxes = "".join(f"<div><p class='summary'>{t}</p></div>" for t in TEASERS)
    html = (
        "<html><body><div id='bodyTable'><div class='centre'><div class='article'>"
        f"{story}</div></div><div class='editorsChoice'>{boxes}</div></div></body></html>"
    )
    tree = lxml.html.document_fromstring(html)
    text = "\n\n".join(STORY[:2] + TEASERS)
    assert sum(len(t.split()) for t in TEASERS) > sum(len(p.split()) for p in STORY[:2])
    assert drop_outside(text, page_layout(tree)) == "\n\n".join(STORY[:2])


# --- tables of data -------------------------------------------------------------------------

_FILMS = "".join(
    f"<tr><th><a href='/wiki/Film_{n}'>Film {n}</a></th><td>19{n}0</td>"
    f"<td>A scientist goes back to the night her brother disappeared, case {n}.</td></tr>"
    for n in range(5)
)
_HEAD = "<tr><th>Film</th><th>Year</th><th>Description</th></tr>"


def _table(html: str) -> lxml.html.HtmlElement:
    found = lxml.html.fragment_fromstring(html).xpath("//table")
    return found[0]


@pytest.mark.parametrize(
    ("markup", "data"),
    [
        # Wikipedia's list articles: a header row of <th>, rows of three cells; a <p> in one
        # cell or a <br> is a long entry, not layout.
        (f"<table>{_HEAD}{_FILMS}</table>", True),
        (
            f"<table>{_HEAD}{_FILMS}<tr><th>Remake</th><td>2001</td><td><p>Novel.</p></td></tr>"
            "</table>",
            True,
        ),
        (
            f"<table><thead>{_HEAD}</thead><tbody>{_FILMS.replace('Film 1', 'Film<br>1')}"
            "</tbody></table>",
            True,
        ),
        # LWN's figures: a title row spanning the columns over names and numbers.
        (
            "<table><tr><th colspan='3'>By changesets</th></tr>"
            + "<tr><td>Herbert Dürr</td><td>63</td><td>16.6%</td></tr>" * 4
            + "</table>",
            True,
        ),
        (f"<table>{_FILMS}</table>", False),  # no header row
        (f"<table>{_HEAD}{_FILMS.replace('<td>19', '<td><ul><li>19')}</table>", False),  # lists
        (
            "<table><tr><th>Most read</th><th></th></tr>"  # a box of links to other stories
            + "<tr><td>1</td><td><a href='/x'>Council votes to close the harbour</a></td></tr>" * 4
            + "</table>",
            False,
        ),
        # A page laid out by a table: the article's cell is longer than any cell of data.
        (
            f"<table>{_HEAD}<tr><td>Menu</td><td>Story</td><td>{'The council met. ' * 40}</td></tr>"
            f"{_FILMS}</table>",
            False,
        ),
        (f"<table>{_HEAD}<tr><td>Film</td><td>1990</td></tr></table>", False),  # too few rows
    ],
)
def test_a_table_of_data_is_told_from_a_table_that_lays_out_a_page(markup: str, data: bool) -> None:
    assert data_table(_table(f"<div>{markup}</div>")) is data


# summitdaily.com, an AP story of 2008-01-07 (L3S-GN1 tune half): the page's tools sit as
# links between the dateline and the story, and trafilatura keeps them over the lead.
_TOOLS = (
    "<span class='date'>January 7, 2008</span><br><span class='displaybody'>"
    "<img src='/comment.gif' alt='Comment'><a href='#commentbox'>Comments</a><br>"
    "<a href='/print?AID=1'>Print</a> <a href=\"javascript:NewWindow(320,500,'/tips')\">Email</a>"
    "</span><br>"
)
# hindu.com, a PTI story of 2008-01-01 (L3S-GN1 tune half): the headline again as a link and
# the section's link close the story's cell.
_SECTION_LINKS = (
    "<p><a href='/holnus/002200801012121.htm'>Council votes to close the harbour</a></p>"
    "<p><a href='/holnus/01hdline.htm'>National</a></p>"
)


def test_tools_and_menu_links_at_the_edges_of_the_text_go() -> None:
    body = f"<table><tr><td>{_TOOLS}{paragraphs(STORY)}{_SECTION_LINKS}</td></tr></table>"
    tree = lxml.html.document_fromstring(titled("Council votes to close the harbour", body))
    # The text as trafilatura gave it from the pages.
    edges = ["Comments", "Print Email", *STORY, "Council votes to close the harbour", "National"]
    assert drop_edge_links("\n\n".join(edges), page_layout(tree)) == "\n\n".join(STORY)


def test_a_closing_label_over_links_only_goes_with_them() -> None:
    # The scrapinghub extraction set (an Indonesian news site): the post's tags after it, as
    # "Filed under: <tag link> |"; and L3S-GN1's "Previous story: <link>".
    tags = "<p>Filed under: <a href='/tag/harbour'>Harbour</a> |</p>"
    previous = "<p>Previous story: <a href='/2008/01/09/roundup'>Sports roundup</a></p>"
    tree = lxml.html.document_fromstring(f"<div>{paragraphs(STORY)}{tags}{previous}</div>")
    text = "\n\n".join([*STORY, "Filed under: Harbour |", "Previous story: Sports roundup"])
    assert drop_edge_links(text, page_layout(tree)) == "\n\n".join(STORY)
    # A label over a value that is no link is the article's ("Radio: WONE-AM (980)").
    facts = "<p>Radio: WONE-AM (980)</p>"
    tree = lxml.html.document_fromstring(f"<div>{paragraphs(STORY)}{facts}</div>")
    kept = "\n\n".join([*STORY, "Radio: WONE-AM (980)"])
    assert drop_edge_links(kept, page_layout(tree)) == kept


def test_links_that_are_the_article_s_own_stay_at_its_edges() -> None:
    # A table of contents opening the text, and a closing pointer to a site.
    contents = "<ul><li><a href='#a'>The funeral</a></li><li><a href='#b'>Tributes</a></li></ul>"
    closing = "<p><a href='http://example.org/'>http://example.org</a></p>"
    tree = lxml.html.document_fromstring(f"<div>{contents}{paragraphs(STORY)}{closing}</div>")
    text = "\n\n".join(["- The funeral", "- Tributes", *STORY, "http://example.org"])
    assert drop_edge_links(text, page_layout(tree)) == text
