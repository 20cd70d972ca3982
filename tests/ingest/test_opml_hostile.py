"""OPML files as a careless or hostile exporter writes them (issue 18, case 5; issue 19,
item 14): entities are refused and never expanded, deep nesting loses nothing, a broken file
keeps what comes before the break, and every outline left out is reported with the reason.
Categories (nested folders) survive import and export."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.opml import OPMLError, Outline, export_opml, read_opml

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def laughs(levels: int = 9) -> str:
    lines = ['<!ENTITY lol "lol">']
    for level in range(1, levels + 1):
        previous = "lol" if level == 1 else f"lol{level - 1}"
        lines.append(f'<!ENTITY lol{level} "{("&" + previous + ";") * 10}">')
    return "\n".join(lines)


def test_billion_laughs_in_the_head_is_refused_and_the_feeds_are_imported() -> None:
    content = f"""<?xml version="1.0"?>
    <!DOCTYPE opml [{laughs()}]>
    <opml version="2.0"><head><title>&lol9;</title></head><body>
      <outline text="A" xmlUrl="https://a.example/rss"/>
      <outline text="B &lol9;" xmlUrl="https://b.example/rss"/>
    </body></opml>""".encode()
    document = read_opml(content)
    assert [o.url for o in document.outlines] == ["https://a.example/rss", "https://b.example/rss"]
    assert document.outlines[1].title == "B"  # the entity is empty, never expanded
    assert any("entity declarations refused" in note for note in document.notes)


def test_external_and_parameter_entities_are_never_read() -> None:
    content = b"""<?xml version="1.0"?>
    <!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd"> <!ENTITY % p SYSTEM "http://x/">
    %p;]>
    <opml><body><outline text="&x;" xmlUrl="https://e.example/rss"/></body></opml>"""
    document = read_opml(content)
    assert [o.url for o in document.outlines] == ["https://e.example/rss"]
    assert "root:" not in (document.outlines[0].title or "")


def test_a_feed_nested_300_levels_deep_and_those_after_it_are_kept() -> None:
    depth = 300
    nested = '<outline text="f">' * depth
    nested += '<outline text="Deep" xmlUrl="https://deep.example/rss"/>'
    nested += "</outline>" * depth
    content = (
        '<opml version="2.0"><body><outline text="First" xmlUrl="https://first.example/rss"/>'
        f'{nested}<outline text="After" xmlUrl="https://after.example/rss"/></body></opml>'
    ).encode()
    document = read_opml(content)
    assert [o.url for o in document.outlines] == [
        "https://first.example/rss",
        "https://deep.example/rss",
        "https://after.example/rss",
    ]
    deep = document.outlines[1].category
    assert deep is not None and deep.startswith("f/f/f/") and len(deep) <= 300
    assert document.skipped == [] and document.notes == []


def test_every_outline_left_out_is_reported_with_the_reason() -> None:
    content = b"""<opml version="2.0"><body>
      <outline text="Good" xmlUrl="https://good.example/rss"/>
      <outline text="Again" xmlUrl="https://good.example/rss"/>
      <outline text="Markup" xmlUrl="http://&lt;b&gt;x&lt;/b&gt;/"/>
      <outline text="Gopher" xmlUrl="gopher://old.example/"/>
      <outline text="Nowhere" type="rss"/>
      <outline text="Later" xmlUrl="https://later.example/rss"/>
      <outline text="Broken" xmlUrl="https://broken.example/rss">
    </body></opml>"""
    document = read_opml(content)
    assert [o.url for o in document.outlines] == [
        "https://good.example/rss",
        "https://later.example/rss",
        "https://broken.example/rss",
    ]
    reasons = dict(document.skipped)
    assert reasons["https://good.example/rss"] == "listed earlier in the file"
    assert "not a valid host name" in reasons["http://<b>x</b>/"]
    assert "only http and https" in reasons["gopher://old.example/"]
    assert reasons["outline #5 (Nowhere)"] == "it has no xmlUrl"
    [note] = document.notes
    assert "broken at line 9" in note and "not read" in note


def test_not_opml_is_one_clear_error() -> None:
    for content in (b"<rss></rss>", b"not xml at all", b""):
        with pytest.raises(OPMLError, match="not an OPML file"):
            read_opml(content)


def test_categories_survive_export_and_import() -> None:
    outlines = [
        Outline("https://a.example/rss", "A", None, "News/Local"),
        Outline("https://b.example/rss", "B & co", "https://b.example/", "News"),
        Outline("https://c.example/rss", "C", None, None),
        Outline("https://d.example/rss", "D", None, "News/Local"),
    ]
    exported = export_opml(outlines, now=NOW)
    assert exported.count('<outline text="News"') == 1  # one folder, nested, not repeated
    again = read_opml(exported.encode())
    assert sorted(again.outlines, key=lambda o: o.url) == outlines
    assert again.skipped == [] and again.notes == []


def test_the_category_attribute_is_used_when_there_are_no_folders() -> None:
    content = b"""<opml version="2.0"><body>
      <outline text="A" xmlUrl="https://a.example/rss" category="/Tech/Linux,/Other"/>
    </body></opml>"""
    assert read_opml(content).outlines[0].category == "Tech/Linux"
