"""`digestbot feeds …`, `digestbot refresh` and `digestbot ingest` as a person runs them:
exit codes, output, one-line errors (in-process through the console script's `main()`), a
loopback HTTP server for the feeds and pages."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from ingest.opml import parse_opml
from tests.support.cli import Invoke, cli, import_opml, one_line_error, site

__all__ = ["cli", "site"]

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def test_feed_list_add_refresh_export_import_remove(site: str, tmp_path: Path, cli: Invoke) -> None:
    added = cli("feeds", "add", f"{site}/home", private=True)  # discovers /rss
    assert added.returncode == 0, added.stderr
    assert f"added feed #1: Harbour City Courier ({site}/rss)" in added.stdout
    again = cli("feeds", "add", f"{site}/rss", private=True)
    assert "already in the list" in again.stdout

    refreshed = cli("refresh", private=True)
    assert refreshed.returncode == 0, refreshed.stderr
    assert "Harbour City Courier" in refreshed.stdout
    assert "1 feeds refreshed, 2 new articles, 0 failed" in refreshed.stdout
    assert "no feed is due" in cli("refresh", private=True).stdout

    listed = cli("feeds", "list")
    assert "Harbour City Courier" in listed.stdout and f"{site}/rss" in listed.stdout

    exported = cli("feeds", "export")
    assert [o.url for o in parse_opml(exported.stdout.encode())] == [f"{site}/rss"]
    imported = import_opml(
        cli,
        tmp_path / "more.opml",
        '<opml version="2.0"><body>'
        f'<outline text="same" xmlUrl="{site}/rss"/>'
        '<outline text="Public" xmlUrl="http://93.184.216.34/rss"/>'
        '<outline text="Internal" xmlUrl="http://10.0.0.8/rss"/>'
        "</body></opml>",
    )
    assert "imported 1 new feeds (0 already in the list, 2 skipped)" in imported.stdout
    assert "skipped http://10.0.0.8/rss" in imported.stderr

    removed = cli("feeds", "remove", "1")
    assert removed.returncode == 0 and "removed feed #1" in removed.stdout
    one_line_error(cli("feeds", "remove", "1"), "no feed #1")


@pytest.mark.parametrize(
    ("args", "private", "needle"),
    [
        (("feeds", "add", "{site}/rss"), False, "refused"),  # loopback
        (("feeds", "add", "http://localhost:1/rss"), False, "refused"),
        (("feeds", "add", "http://[::ffff:10.0.0.1]/rss"), False, "refused"),
        (("feeds", "add", "file:///etc/passwd"), False, "not an http(s) URL"),
        (("feeds", "add", "http://127.0.0.1:1/rss"), True, "cannot fetch"),
        (("feeds", "add", "{site}/nothing"), True, "HTTP 404"),
        (("feeds", "add", "{site}/story"), True, "is not a feed and links to none"),
        (("feeds", "import", "missing.opml"), False, "no such file"),
        (("feeds", "remove", "7"), False, "no feed #7"),
        (("ingest", "missing.md"), False, "no such file"),
        (("ingest", "{site}/rss"), True, "is a feed"),
        (("ingest", "http://169.254.169.254/latest"), False, "refused"),
        (("ingest", "ftp://files.example/a.txt"), False, "only http(s) URLs"),
    ],
)
def test_user_errors_are_one_line(
    site: str, cli: Invoke, args: tuple[str, ...], private: bool, needle: str
) -> None:
    result = cli(*(a.format(site=site) for a in args), private=private)
    assert result.returncode == 2
    assert result.stderr.startswith("digestbot: ") and result.stderr.count("\n") == 1
    assert needle in result.stderr and "Traceback" not in result.stderr


def test_ingest_a_file_and_a_page_as_json(site: str, tmp_path: Path, cli: Invoke) -> None:
    note = tmp_path / "note.md"
    note.write_text(
        "# Lisbon trams get new batteries\n\nThe city's historic trams will run on batteries "
        "through the old town from next year, the transport company said on Monday.\n"
    )
    from_file = cli("ingest", str(note), "--json")
    assert from_file.returncode == 0, from_file.stderr
    record = json.loads(from_file.stdout)
    assert set(record) == {
        "id",
        "title",
        "url",
        "source",
        "published",
        "summary",
        "topics",
        "text",
    }
    assert datetime.fromisoformat(record["published"]).tzinfo is not None  # a time: "now"
    assert record["title"] == "Lisbon trams get new batteries"
    assert record["url"] == note.resolve().as_uri() and record["summary"]
    assert isinstance(record["topics"], list) and record["topics"]

    page = cli("ingest", f"{site}/story", "--json", private=True)
    assert page.returncode == 0, page.stderr
    story = json.loads(page.stdout)
    assert story["title"] == "Night trains return to the coast line"
    assert story["text"].startswith("Sleeper trains will run again") and story["id"] == 2
    plain = cli("ingest", f"{site}/story", private=True)
    assert plain.stdout.startswith("#2 Night trains return to the coast line")


def test_ingest_json_gives_the_publication_and_a_date_without_an_invented_time(
    tmp_path: Path, cli: Invoke
) -> None:
    saved = tmp_path / "page.html"
    paragraph = (
        "<p>The harbour bridge will close for eight months from May while engineers replace "
        "its rusted cables, the council said, and ferries will run every ten minutes.</p>"
    )
    saved.write_text(
        "<html><head><title>Harbour bridge to close for repairs | The Daily Ledger</title>"
        '<meta property="og:site_name" content="The Daily Ledger">'
        '<meta property="article:published_time" content="2026-03-02"></head>'
        f"<body><article><h1>Harbour bridge to close for repairs</h1>{paragraph * 3}"
        "</article></body></html>"
    )
    result = cli("ingest", str(saved), "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["title"] == "Harbour bridge to close for repairs"
    assert record["source"] == "The Daily Ledger"
    assert record["published"] == "2026-03-02"  # the page gives a day, so no "T00:00"
