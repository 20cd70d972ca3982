"""The CLI against hostile feeds, OPML files and broken database settings (issue 18, cases
1, 5 and 6; issue 19 item 14): feeds served from loopback, on SQLite and PostgreSQL; every
error one line on stderr, never a traceback."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.opml import read_opml
from tests.conftest import BACKENDS
from tests.support.cli import Invoke, cli, import_opml, one_line_error, serve
from tests.support.db import POSTGRES_URL, require_postgres

__all__ = ["cli"]

HOSTILE_FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile Herald</title>'
    "<item><title>Ferry &#xD800; strike</title><link>{site}/1</link>"
    "<description>Crews walk out &#99999999999999999999; at dawn.</description></item>"
    "<item><title>Nul &#0; title</title><link>{site}/2</link>"
    "<description>A raw \x00 NUL and &#1114112; here.</description></item>"
    "<item><title>Harbour reopens</title><link>{site}/3</link>"
    "<description>The harbour reopened on Monday.</description></item>"
    "</channel></rss>"
)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    def feed(host: str) -> tuple[str, bytes]:
        return "application/rss+xml", HOSTILE_FEED.format(site=host).encode()

    with serve({"/hostile.xml": feed}) as url:
        yield url


def psql(command: str) -> None:
    subprocess.run(["psql", POSTGRES_URL, "-qc", command], check=False, capture_output=True)


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The CLI's database: a SQLite file, or a PostgreSQL schema that does not exist yet
    (`digestbot db upgrade` creates it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.db'}"
        return
    require_postgres()
    schema = f"cli_{uuid.uuid4().hex[:10]}"
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        psql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def use(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DIGESTBOT_DATABASE_URL", url)


def test_a_feed_with_bad_references_is_added_and_refreshed(
    site: str, cli: Invoke, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGESTBOT_DATABASE_URL", database_url)
    if database_url.startswith("postgresql"):
        # the schema is missing: one line saying so, then db upgrade creates it
        missing = cli("feeds", "list")
        one_line_error(missing, "does not exist")
        assert "digestbot db upgrade" in missing.stderr
        upgraded = cli("db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr
        assert "created the schema" in upgraded.stderr
    added = cli("feeds", "add", f"{site}/hostile.xml", private=True)
    assert added.returncode == 0, added.stderr
    assert "added feed #1: Hostile Herald" in added.stdout
    refreshed = cli("refresh", private=True)
    assert refreshed.returncode == 0, refreshed.stderr
    assert "1 feeds refreshed, 3 new articles, 0 failed" in refreshed.stdout
    assert "Traceback" not in added.stderr + refreshed.stderr


def test_opml_import_with_laughs_deep_nesting_and_categories(
    cli: Invoke, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DIGESTBOT_DATABASE_URL", database_url)
    if database_url.startswith("postgresql"):
        assert cli("db", "upgrade").returncode == 0
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    deep = '<outline text="f">' * 300 + '<outline text="Deep" xmlUrl="http://93.184.216.34/deep"/>'
    imported = import_opml(
        cli,
        tmp_path / "hostile.opml",
        f'<?xml version="1.0"?><!DOCTYPE opml [{entities}]>'
        '<opml version="2.0"><head><title>&lol9;</title></head><body>'
        '<outline text="News"><outline text="Local">'
        '<outline text="Courier" xmlUrl="http://93.184.216.34/courier"/>'
        "</outline></outline>"
        f"{deep}{'</outline>' * 300}"
        '<outline text="After" xmlUrl="http://93.184.216.34/after"/>'
        '<outline text="Again" xmlUrl="http://93.184.216.34/after"/>'
        '<outline text="Bad" xmlUrl="http://[::1"/>'
        "</body></opml>",
    )
    assert "imported 3 new feeds (0 already in the list, 2 skipped)" in imported.stdout
    assert "entity declarations refused" in imported.stderr
    assert "skipped http://93.184.216.34/after: listed earlier in the file" in imported.stderr
    assert "skipped http://[::1: not a valid URL" in imported.stderr
    listed = cli("feeds", "list")
    assert "News/Local" in listed.stdout
    exported = cli("feeds", "export")
    assert '<outline text="News" title="News">' in exported.stdout
    categories = {o.url: o.category for o in read_opml(exported.stdout.encode()).outlines}
    assert categories["http://93.184.216.34/courier"] == "News/Local"
    assert categories["http://93.184.216.34/after"] is None
    assert (categories["http://93.184.216.34/deep"] or "").startswith("f/f/f")


def test_database_errors_are_one_line(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("shopping list\n" * 100)
    use(monkeypatch, f"sqlite:///{not_a_database}")
    result = cli("feeds", "list")
    one_line_error(result, "notes.db is not a SQLite database")
    assert "Background on this error" not in result.stderr

    (tmp_path / "folder.db").mkdir()
    use(monkeypatch, f"sqlite:///{tmp_path / 'folder.db'}")
    one_line_error(cli("feeds", "list"), "is a directory")

    typo = tmp_path / "no-such-dir" / "deeper" / "digestbot.db"
    use(monkeypatch, f"sqlite:///{typo}")
    one_line_error(cli("db", "upgrade"), f"the directory {typo.parent} does not exist")
    assert not (tmp_path / "no-such-dir").exists()

    fresh = tmp_path / "fresh.db"
    use(monkeypatch, f"sqlite:///{fresh}")
    created = cli("db", "upgrade")
    assert created.returncode == 0 and f"created a new database at {fresh}" in created.stderr
    assert str(fresh) in created.stdout
    assert "created" not in cli("feeds", "list").stderr  # said once, when it was created


@pytest.mark.postgres
def test_a_missing_postgresql_schema_is_named_with_the_fix(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_postgres()
    schema = f"missing_{uuid.uuid4().hex[:8]}"
    use(monkeypatch, f"{POSTGRES_URL}?schema={schema}")
    try:
        for command in (("feeds", "list"), ("refresh",), ("db", "revision")):
            result = cli(*command)
            one_line_error(result, f"the schema '{schema}' does not exist")
            assert "run `digestbot db upgrade` to create it" in result.stderr
    finally:
        psql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
