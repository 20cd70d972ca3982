"""Feed bytes into entries (RSS 0.91/1.0/2.0, Atom, broken XML, wrong charset), OPML in and
out, and local text/Markdown documents."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.files import DocumentError, kind_of, read_document, text_document
from ingest.opml import OPMLError, Outline, export_opml, parse_opml
from ingest.parse import FeedParseError, html_to_text, is_teaser, parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def load(name: str, url: str = "https://courier.example/feeds/all.rss"):  # type: ignore[no-untyped-def]
    return parse_feed((FEEDS / name).read_bytes(), url=url, now=NOW)


def test_rss2_entries_with_relative_links_and_first_seen_dates() -> None:
    feed = load("rss2.xml")
    assert feed.title == "Harbour City Courier" and feed.site_url == "https://courier.example/"
    assert feed.ttl_minutes == 60 and feed.warning is None
    tidal, ferry = feed.entries
    assert tidal.url == "https://courier.example/news/2026/03/tidal-energy-plant"
    assert tidal.guid == "courier-2026-0301-tidal" and tidal.author == "Aoife Brennan"
    assert tidal.published_at == datetime(2026, 3, 1, 9, 30, tzinfo=UTC) and tidal.dated
    assert tidal.text.startswith("Harbour City switched on its first tidal energy plant")
    assert "\n\n" in tidal.text and "<p>" not in tidal.text
    assert not tidal.teaser and not feed.teaser_only
    # no pubDate: the time it was first seen
    assert ferry.published_at == NOW and not ferry.dated


def test_atom_with_xml_base_and_html_titles() -> None:
    feed = load("atom.xml", url="https://science.example/blog/atom.xml")
    bees, river = feed.entries
    assert bees.title == "Bees & the city: counting pollinators on rooftops"
    assert bees.url == "https://science.example/blog/posts/rooftop-bees"  # xml:base
    assert river.url == "https://science.example/notes/river-almonds"
    assert bees.published_at == datetime(2026, 3, 1, 16, 45, tzinfo=UTC)  # +01:00 to UTC
    assert bees.author == "Dr. Lena Vogt"
    assert river.published_at == datetime(2026, 2, 27, 8, 0, tzinfo=UTC)  # only <updated>
    assert river.teaser and not bees.teaser


def test_rdf_and_rss091() -> None:
    rdf = load("rdf.xml", url="https://lab.example/rss")
    assert [e.title for e in rdf.entries] == [
        "New electron microscope arrives",
        "Seminar series resumes",
    ]
    assert rdf.entries[0].published_at == datetime(2026, 2, 28, 10, 15, tzinfo=UTC)
    assert rdf.teaser_only  # one-line descriptions only
    old = load("rss091.xml", url="http://gazette.example/rss.xml")
    assert old.entries[0].url == "http://gazette.example/stories/repaving.html"
    assert old.entries[0].published_at == NOW


def test_broken_xml_keeps_what_parses_and_says_what_was_wrong() -> None:
    feed = load("broken.xml", url="https://broken.example/rss")
    titles = [e.title for e in feed.entries]
    assert titles[:2] == [
        "Council approves bike lanes & wider pavements",
        "Library extends opening hours",
    ]
    assert feed.warning and "not well-formed" in feed.warning


def test_nothing_parseable_is_a_clear_error() -> None:
    with pytest.raises(FeedParseError, match="not a feed"):
        load("not_a_feed.html")
    with pytest.raises(FeedParseError):
        parse_feed(b"\x00\x01garbage", url="https://x.example/", now=NOW)
    with pytest.raises(FeedParseError):
        parse_feed(b"", url="https://x.example/", now=NOW)


def test_wrong_declared_charset_is_survived() -> None:
    feed = load("wrong_charset.xml", url="https://cafe.example/rss")
    assert feed.title == "Café Société"
    entry = feed.entries[0]
    assert entry.title == "“Naïve” espresso tasting draws a crowd"
    assert entry.text == "The café’s baristas served 300 cups – a record."


def test_charset_from_the_http_header_wins_over_a_missing_declaration() -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Zürich Zeitung</title>'
        "<item><title>Grüezi</title><link>https://z.example/1</link></item></channel></rss>"
    ).encode("iso-8859-1")
    feed = parse_feed(
        body, url="https://z.example/rss", now=NOW, content_type="text/xml; charset=iso-8859-1"
    )
    assert feed.title == "Zürich Zeitung" and feed.entries[0].title == "Grüezi"


def test_future_dates_become_first_seen() -> None:
    body = (
        b'<rss version="2.0"><channel><title>T</title><item><title>From the future</title>'
        b"<link>https://t.example/f</link><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate>"
        b"</item></channel></rss>"
    )
    entry = parse_feed(body, url="https://t.example/rss", now=NOW).entries[0]
    assert entry.published_at == NOW and not entry.dated


def test_teasers_and_html_to_text() -> None:
    assert is_teaser("A short line about something.")
    long_text = " ".join(["word"] * 200) + "."
    assert not is_teaser(long_text)
    assert is_teaser(long_text + " Continue reading »")
    assert is_teaser(long_text + " […]")
    text = html_to_text("<p>One<br>two</p><ul><li>three</li><li>four</li></ul><script>x()</script>")
    assert text == "One\ntwo\n\nthree\n\nfour"


def test_opml_round_trip_with_nested_categories() -> None:
    opml = b"""<?xml version="1.0"?>
    <opml version="1.0"><head><title>mine</title></head><body>
      <outline text="News">
        <outline text="Courier" type="rss" xmlUrl="https://courier.example/feeds/all.rss"
                 htmlUrl="https://courier.example/"/>
        <outline title="Field Notes" xmlurl="https://science.example/blog/atom.xml"/>
      </outline>
      <outline text="dupe" xmlUrl="https://courier.example/feeds/all.rss"/>
      <outline text="no url"/>
    </body></opml>"""
    outlines = parse_opml(opml)
    assert outlines == [
        Outline(
            "https://courier.example/feeds/all.rss", "Courier", "https://courier.example/", "News"
        ),
        Outline("https://science.example/blog/atom.xml", "Field Notes", None, "News"),
    ]
    exported = export_opml(
        [*outlines, Outline("https://q.example/?a=1&b=<2>", 'Quotes "&" more')], now=NOW
    )
    assert parse_opml(exported.encode()) == [
        *outlines,
        Outline("https://q.example/?a=1&b=<2>", 'Quotes "&" more'),
    ]


def test_opml_errors_and_entities_are_not_expanded() -> None:
    with pytest.raises(OPMLError):
        parse_opml(b"<rss></rss>")
    with pytest.raises(OPMLError):
        parse_opml(b"not xml at all")
    evil = b"""<?xml version="1.0"?>
    <!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
    <opml><body><outline text="&x;" xmlUrl="https://e.example/rss"/></body></opml>"""
    outlines = parse_opml(evil)
    assert [o.url for o in outlines] == ["https://e.example/rss"]
    assert "root:" not in (outlines[0].title or "")


def test_text_and_markdown_documents(tmp_path: Path) -> None:
    markdown = (
        "\n\n# The *first* heading\n\n"
        "Some **bold** text with a [link](https://x.example).\n\n- item one\n- item_two\n"
    )
    document = text_document(markdown)
    assert document.title == "The first heading"
    assert document.text == "Some bold text with a link.\n\nitem one\nitem_two"
    plain = text_document("Title line\nBody line one.\n\nBody two.")
    assert plain.title == "Title line" and plain.text == "Body line one.\n\nBody two."
    with pytest.raises(DocumentError):
        text_document("  \n\n ")
    page = tmp_path / "saved.html.gz"
    page.write_bytes(gzip.compress(b"<html><body><p>hi</p></body></html>"))
    assert read_document(page) == (b"<html><body><p>hi</p></body></html>", "html")
    assert kind_of(Path("notes.md")) == "text" and kind_of(Path("a.HTM")) == "html"
    with pytest.raises(DocumentError, match="no such file"):
        read_document(tmp_path / "missing.txt")


def test_entry_titles_lose_the_site_and_the_section_their_link_sits_in() -> None:
    # A feed that writes "Site - Section - Headline": "Local News" is a section because the
    # entry's link path names it; the headline is shorter than twice the section.
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour City Courier</title>'
        b"<link>https://courier.example/</link>"
        b"<item><title>Harbour City Courier - Local News - Ferry fares rise</title>"
        b"<link>https://courier.example/local-news/2026/03/ferry-fares</link>"
        b"<description>Fares on the harbour ferry rise by ten cents in April.</description>"
        b"</item></channel></rss>"
    )
    entry = parse_feed(body, url="https://courier.example/rss", now=NOW).entries[0]
    assert entry.title == "Ferry fares rise"


def test_line_breaks_in_a_descriptions_markup_are_spaces_except_in_pre() -> None:
    # A feed's description wrapped in its source: the reader sees one paragraph, not three lines.
    text = html_to_text(
        "<p>The coast road will stay closed\n  for a week after the storm,\nthe council said.</p>"
        "<pre>line one\nline two</pre>"
    )
    assert text == (
        "The coast road will stay closed for a week after the storm, the council said."
        "\n\nline one\nline two"
    )


def test_control_characters_in_a_descriptions_markup_are_dropped() -> None:
    # Found by the hostile-input property test: an escape character inside inline markup.
    assert html_to_text("<p>Storm <b>\x1b</b>warning\n for the coast</p>") == (
        "Storm warning for the coast"
    )
