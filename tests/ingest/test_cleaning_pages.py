"""Cleaning on real page excerpts (sources named in each fixture), feeds and plain text: the
article's own title and text stay, the page's furniture goes, nothing real is lost."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digests.render import ItemView, Renderer
from ingest.clean import clean_text
from ingest.parse import parse_feed, tidy_teaser
from ingest.titles import choose_title, clean_title, source_name
from tests.support.cases import parametrize
from tests.support.feeds import fixture
from tests.support.pages import PAGES, article, extracted, numbered, titled

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def page(name: str, url: str) -> tuple[str, str]:
    found = extracted(name, url)
    return found.title, found.text


# --- pages ----------------------------------------------------------------------------------


def test_a_page_in_a_layout_table_keeps_its_article_and_loses_the_lists_beside_it() -> None:
    title, text = page(
        "belfast_layout_table.html",
        "http://www.belfasttelegraph.co.uk/breaking-news/sport/soccer/article3322353.ece",
    )
    assert title == "Chelsea hoping to sign Anelka before weekend"  # not "… - Belfast Telegraph"
    assert text.startswith("Chelsea are hoping to complete the signing of Nicolas Anelka")
    assert "African Nations Cup." in text  # the last paragraph, in its own paragraph
    assert len(text.split("\n\n")) == 3
    for furniture in (
        "FAI unveils World Cup",  # "More articles in Soccer"
        "Liverpool owners insist",
        "Liam Neeson",  # "Don't Miss" teaser
        "Most Read",
        "Print Version",
        "Wednesday, January 09, 2008",  # a date line is not a sentence of the article
        "Entertainment",  # the menu
    ):
        assert furniture not in text


def test_a_list_of_sentences_whose_verbs_are_links_stays() -> None:
    # The shape of "These Weeks in Firefox" (blog.nightly.mozilla.org): each point names a
    # contributor and links what they did to the bug ("Gijs <a>made … later</a>").
    done = [
        ("Gijs", "made the bookmarks toolbar initialization occur later in the startup window"),
        ("Neil", "has patches up to improve the behaviour of the tab unloader"),
        ("mconley", "fixed a shutdown hang caused by the start-up cache of the home page"),
        ("Ankush", "fixed an issue with revoked permissions for developer tools extensions"),
    ]
    items = "".join(
        f"<li>{name} <a href='https://bugzilla.mozilla.org/{n}'>{what}</a></li>"
        for n, (name, what) in enumerate(done)
    )
    prose = numbered(
        "<p>Performance work continued across the browser this fortnight, part {n}, with "
        "several changes that shorten the time from launch to a usable window.</p>",
        4,
    )
    html = titled(
        "These Weeks in Firefox: Issue 85",
        f"<article><h1>These Weeks in Firefox: Issue 85</h1>{prose}<h2>Performance</h2>"
        f"<ul>{items}</ul><p>Thanks to everyone who contributed to this release of the "
        "browser, and to the volunteers who tested the nightly builds.</p></article>",
    )
    text = article(html, "https://blog.nightly.mozilla.org/2020/12/04/these-weeks-85/").text
    for name, what in done:
        assert f"{name} {what}" in text


def test_a_list_article_keeps_its_table_of_films_row_by_row_and_the_text_after_it() -> None:
    # The shape of Wikipedia's "List of films featuring time loops" (readability test page
    # wikipedia-4): an opening paragraph, a sortable table (a header row of <th>, one row per
    # film: its name in a <th>, the year, a description, one of them in a <p>), then "See
    # also". The table held a <p>, so it was read as layout and its rows lost as short lines.
    rows = numbered(
        "<tr><th><i><a href='/wiki/Film_{n}'>Film {n}</a></i></th><td>19{n}0</td><td>A "
        "scientist builds a machine, case {n}, that sends her back to the night her brother "
        "disappeared from the lighthouse.</td></tr>",
        8,
    )
    note = (
        "<tr><th>Remake</th><td>2001</td><td><p>Adapted from the novel by the same author, "
        "with the lighthouse moved to a northern island.</p></td></tr>"
    )
    html = titled(
        "List of time travel films",
        "<div id='content'><h1>List of time travel films</h1>"
        "<p>This is a list of films in which travel through time is a central theme of the "
        "story, in order of their first release in cinemas.</p>"
        "<table class='wikitable sortable'><thead><tr><th>Film</th><th>Year</th>"
        f"<th>Description</th></tr></thead><tbody>{rows}{note}</tbody></table>"
        "<h2>See also</h2><p>Time travel in fiction is older than film: the stories of the "
        "nineteenth century set the patterns that the cinema later followed.</p></div>",
    )
    text = article(html, "https://wiki.example/List_of_time_travel_films").text
    assert text.startswith("This is a list of films")
    assert "| Film | Year | Description |" in text  # the header row, a row of its own
    for n in range(8):  # each film's name, year and description stay on one row
        assert f"| Film {n} | 19{n}0 | A scientist builds a machine, case {n}," in text
    assert "| Remake | 2001 | Adapted from the novel" in text
    assert "the cinema later followed." in text  # the text after the table


def test_a_table_of_figures_inside_a_layout_table_keeps_its_rows() -> None:
    # The shape of LWN.net's weekly edition (readability test page lwn-1): the page laid out
    # by a table (a menu cell, the article's cell), the article's figures in small tables
    # inside its cell: a title row of <th> over rows of a name and its numbers.
    prose = numbered(
        "<p>In the one-year period studied, part {n}, the project committed its changes from "
        "a small group of developers, most of them employed by one company.</p>",
        5,
    )
    figures = (
        "<table><tr><th colspan='3'>Most active developers</th></tr>"
        "<tr><td>Herbert Dürr</td><td>63</td><td>16.6%</td></tr>"
        "<tr><td>Jürgen Schmidt</td><td>56</td><td>14.7%</td></tr>"
        "<tr><td>Armin Le Grand</td><td>56</td><td>14.7%</td></tr></table>"
    )
    html = titled(
        "Weekly edition",
        "<table class='Page'><tr><td class='LeftColumn'><p><a href='/kernel/'>Kernel</a><br>"
        "<a href='/security/'>Security</a></p></td>"
        f"<td class='MidColumn'><h2>Office suites a year on</h2>{prose}{figures}"
        "<p>The picture for the other project is a little different: it committed thousands "
        "of changesets from hundreds of developers.</p></td></tr></table>",
    )
    text = article(html, "https://lwn.net/Articles/637755/").text
    assert "part 4, the project committed" in text
    for row in ("| Herbert Dürr | 63 | 16.6% |", "| Armin Le Grand | 56 | 14.7% |"):
        assert row in text  # a name and its figures, a row of their own
    assert "hundreds of developers." in text
    assert "Security" not in text  # the menu's cell is still layout


def test_links_in_preformatted_text_are_the_text_not_a_menu() -> None:
    # The shape of an Internet-Draft as tools.ietf.org serves it (draft-dejong-remotestorage):
    # the whole document in one <pre>, its examples' and references' addresses made links.
    prose = numbered(
        "   The client sends the request of step {n} to the storage server, which checks the "
        "bearer token\n   against the scope that the user granted to the application.\n\n",
        6,
    )
    example = (
        "   GET /storage/michiel/myfavoritedrinks/ HTTP/1.1\n"
        "   Host: <a href='https://3pp.example:4439/'>https://3pp.example:4439</a>\n"
        "   Origin: <a href='https://drinks.example.com/'>https://drinks.example.com</a>\n\n"
    )
    reference = (
        '   [CORS]     van Kesteren, A., "Cross-Origin Resource Sharing",\n'
        "              <a href='http://www.w3.org/TR/cors/'>http://www.w3.org/TR/cors/</a>, "
        "January 2013.\n"
    )
    html = titled("draft-dejong-remotestorage-04", f"<pre>{prose}{example}{reference}</pre>")
    text = article(html, "https://tools.ietf.org/html/draft-dejong-remotestorage-04").text
    assert "step 5 to the storage server" in text
    assert "Origin: https://drinks.example.com" in text
    assert "http://www.w3.org/TR/cors/, January 2013." in text


def test_a_page_title_loses_the_site_name_and_the_prompts_around_the_article_go() -> None:
    found = extracted(
        "ars_minecraft.html",
        "https://arstechnica.com/information-technology/2015/04/minecraft-exploit/",
    )
    assert found.title == "Just-released Minecraft exploit makes it easy to crash game servers"
    assert found.site_name == "Ars Technica"
    assert found.text.startswith("A flaw in the wildly popular online game Minecraft")
    assert "hierarchical nests." in found.text
    assert '"I thought a lot before writing this post,"' in found.text  # quotes stay
    for furniture in ("Sign up or login", "Join the discussion", "Dan Goodin", "Biz & IT"):
        assert furniture not in found.text


def test_a_page_with_only_a_day_is_marked_date_only_and_one_with_a_time_is_not() -> None:
    found = extracted("ars_minecraft.html")
    assert found.published_at is not None
    assert found.date_only and found.published_at.date().isoformat() == "2015-04-16"
    timed = (
        (PAGES / "ars_minecraft.html")
        .read_bytes()
        .replace(
            b"</head>",
            b'<meta property="article:published_time" content="2015-04-16T20:02:00Z"></head>',
        )
    )
    precise = article(timed)
    assert not precise.date_only
    assert precise.published_at == datetime(2015, 4, 16, 20, 2, tzinfo=UTC)


def test_a_title_left_open_by_a_cut_page_does_not_swallow_the_article() -> None:
    # The shape of L3S-GN1's BBC Sport pages of 2008: "<title>BBC SPORT" never closed.
    body = numbered(
        "<p>India have withdrawn their threat to quit the tour of Australia, paragraph {n}, "
        "after the board met in Mumbai and the appeal against the spinner's ban was heard.</p>",
        8,
    )
    html = (
        "<html><head><title>BBC SPORT | Cricket | India withdraw tour quit threat\n"
        '<script src="http://newsimg.bbc.co.uk/sol/shared/js/sol3.js"></script></head>'
        f"<body><h1>India withdraw tour quit threat</h1>{body}</body></html>"
    )
    found = article(html, "http://news.bbc.co.uk/sport1/hi/cricket/7190000.stm")
    assert found.text.startswith("India have withdrawn their threat")
    assert found.title == "India withdraw tour quit threat"


def test_when_cleaning_leaves_too_little_the_page_is_read_again_not_lost() -> None:
    # The article sits in a layout table whose cells trafilatura's precision mode drops when
    # tables are left out: the fallback reads it again with them and in recall mode.
    cells = numbered(
        "<tr><td>Residents of the harbour district met on Tuesday evening, part {n}, to hear "
        "engineers explain how the bridge repairs will change their daily journeys.</td></tr>",
        6,
    )
    html = titled("Bridge meeting", f"<table class='story'>{cells}</table>")
    found = article(html, "https://ledger.example/bridge-meeting")
    assert found.text.count("Residents of the harbour district") == 6


# --- titles and sources ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidates", "sites", "expected"),
    [
        (["Why the sky is blue | WIRED", "Why the sky is blue"], ["wired"], "Why the sky is blue"),
        (["How to sleep better - SELF"], ["self"], "How to sleep better"),
        (
            ["Council cuts bus fares | Politics | The Ledger", "Follow us on Twitter"],
            ["The Ledger"],
            "Council cuts bus fares",
        ),
        (
            ["Join the Discussion Cancel reply", "Mayor resigns after audit finds gaps"],
            [],
            "Mayor resigns after audit finds gaps",
        ),
        (
            ["Get Slate in your inbox.", "Court blocks new rule on drones"],
            [],
            "Court blocks new rule on drones",
        ),
        (
            ["LWN.net Weekly Edition for March 26, 2015 [LWN.net]"],
            ["lwn"],
            "LWN.net Weekly Edition for March 26, 2015",
        ),
    ],
)
def test_titles_are_the_headline_without_site_names_sections_or_prompts(
    candidates: list[str], sites: list[str], expected: str
) -> None:
    assert choose_title(candidates, sites=sites) == expected


def test_a_title_that_is_all_headline_is_left_alone() -> None:
    assert (
        clean_title("Apple sues Google - and wins", sites=["ap"]) == "Apple sues Google - and wins"
    )
    assert clean_title("Fact-checkers: who checks them?") == "Fact-checkers: who checks them?"


def test_a_date_without_a_time_is_shown_as_a_date() -> None:
    renderer = Renderer()
    day = datetime(2026, 3, 2, tzinfo=UTC)
    item = ItemView(article_id=1, title="Bridge closes", url=None, source="Ledger", published=day)
    dated = ItemView(
        article_id=1,
        title="Bridge closes",
        url=None,
        source="Ledger",
        published=day,
        date_only=True,
    )
    # In New York the stored midnight would read as the evening before.
    timed = renderer.story(item, "America/New_York", "en")
    shown = renderer.story(dated, "America/New_York", "en")
    assert "19:00" in timed and "1 Mar" in timed
    assert "2 Mar" in shown and ":" not in shown.split("Ledger")[1].split("\n")[0]


# --- feeds ----------------------------------------------------------------------------------


def test_teasers_lose_read_on_markers_and_section_labels_and_read_as_sentences() -> None:
    labelled = (
        "Investors pulled record sums from funds as rates rose, prompting withdrawals Markets"
    )
    assert tidy_teaser(labelled, labels=frozenset({"markets"})) == labelled.removesuffix(" Markets")
    standfirst = (
        "Ministers say the plan will cut bills for millions\n\n"
        "The energy secretary said households would save £150 a year. Continue reading..."
    )
    assert tidy_teaser(standfirst) == (
        "Ministers say the plan will cut bills for millions.\n\n"
        "The energy secretary said households would save £150 a year."
    )
    assert tidy_teaser("Sleeper services resume after a decade [...]") == (
        "Sleeper services resume after a decade"
    )


def test_a_feed_section_label_shared_by_its_teasers_goes_and_titles_lose_the_site() -> None:
    feed = fixture("ft_section_labels.xml")
    parsed = parse_feed(feed, url="https://www.ft.com/myft/following.rss", now=NOW)
    texts = [e.text for e in parsed.entries]
    assert texts[0] == "Retail investors pulled money from bond funds"
    assert texts[1] == "Yields fell after the inflation figures surprised traders"
    assert texts[2].endswith("Companies")  # one teaser alone does not make a label
    assert parsed.entries[0].title == "Funds see outflows"


# --- plain text -----------------------------------------------------------------------------


def test_plain_text_loses_account_status_lines_and_an_on_topic_teaser_card() -> None:
    text = (
        "The city council approved the harbour budget on Tuesday after a long debate about "
        "repairs to the old bridge and the ferry terminal.\n\n"
        "You've successfully subscribed to The Harbour Ledger.\n\n"
        "Your billing was not updated.\n\n"
        "Council members said the repairs would start in May and last eight months, with the "
        "ferry running extra services.\n\n"
        "Harbour ferry fares to rise in spring\n"
        "The ferry operator said fares on the harbour route would rise by five percent.\n\n"
        "The mayor said the closure was regrettable but necessary, and promised updates."
    )
    cleaned = clean_text(text, title="Council approves harbour budget")
    assert "subscribed" not in cleaned and "billing" not in cleaned
    assert "Harbour ferry fares" not in cleaned and "five percent" not in cleaned
    assert cleaned.startswith("The city council approved")
    assert cleaned.endswith("promised updates.")
    assert "Council members said the repairs" in cleaned


def test_a_text_that_speaks_to_its_reader_keeps_its_second_person_sentences() -> None:
    advice = (
        "You should check the tyre pressure before a long drive.\n\n"
        "Your car's manual lists the right pressure for a full load, and you can find it "
        "inside the driver's door too.\n\n"
        "If you are unsure, you can ask at any garage; most will check it for free."
    )
    assert clean_text(advice) == advice


@parametrize("ingest/cleaning_pages", "closing_tails", ("text", "last", "gone"))
def test_what_follows_the_article_goes_a_closing_list_and_the_copyright_tail(
    text: str, last: str, gone: list[str]
) -> None:
    cleaned = clean_text(text)
    assert cleaned.endswith(last)
    for furniture in gone:
        assert furniture not in cleaned


def test_a_list_the_article_introduces_stays() -> None:
    # BBC News corpus (bbc-politics-052 shape): the closing list belongs to the article.
    text = (
        "The minister set out the plan to MPs on Tuesday, saying it would be paid for from "
        "the existing budget. The measures include:\n\n"
        "- Upgrading security at nuclear arms stores as a temporary measure\n"
        "- Creating a new global safety authority\n"
        "- Training more inspectors"
    )
    assert clean_text(text) == text


def test_a_feed_entry_dated_without_a_time_is_marked_date_only() -> None:
    feed = fixture("ledger_dates.xml")
    entries = parse_feed(feed, url="https://ledger.example/rss", now=NOW).entries
    assert [e.date_only for e in entries] == [True, False, False]
    assert entries[0].published_at == datetime(2026, 3, 2, tzinfo=UTC) and entries[0].dated
    assert [e.title for e in entries] == [
        "Bridge closes for repairs",
        "Ferry fares rise",
        "Library reopens",
    ]
    assert source_name("The Ledger > Local", url="https://ledger.example/") == "The Ledger"
