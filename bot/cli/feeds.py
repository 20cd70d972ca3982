"""`digestbot feeds add|list|remove|import|export`, `digestbot refresh` and `digestbot ingest`:
the feed list, one refresh of every due feed, and one page or file into the database."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import UserError, echo, run, settings_or_exit
from bot.cli.db import open_database
from bot.durations import DurationError, format_duration, parse_duration
from bot.settings import Settings
from bot.ticks import make_fetcher, polling
from ingest.feeds import AddedFeed, AddFeedError, add_feed, feed_health
from ingest.fetch import FetchError, UnsafeURLError
from ingest.files import DocumentError, read_document
from ingest.health import RefreshResult
from ingest.opml import OPMLError, Outline, export_opml, read_opml
from ingest.pipeline import ingest_document, refresh_feed
from ingest.tick import refresh_due_feeds
from storage import feeds as feed_store
from storage.db import make_sessionmaker
from storage.models import Article, Feed, FeedCreate
from storage.types import utcnow

feeds_app = typer.Typer(
    help="The feed list: add, list, remove, import and export (OPML).", no_args_is_help=True
)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "text/markdown", "text/x-markdown")


# --- shared plumbing ------------------------------------------------------------------------


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The migrated database of the settings; its errors become one line."""
    engine = await open_database(settings.database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


def _checked_url(url: str) -> str:
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise UserError(f"not an http(s) URL: {url[:200]}")
    return url


# --- feeds ----------------------------------------------------------------------------------


@feeds_app.command("add")
def add_command(
    url: str = typer.Argument(..., help="The feed's URL, or a page that links to its feed."),
    full_text: bool | None = typer.Option(
        None,
        "--full-text/--no-full-text",
        help="Fetch each entry's linked page (default: only when the feed carries teasers).",
    ),
    check: bool = typer.Option(True, "--check/--no-check", help="Fetch it once to check it."),
) -> None:
    """Add a feed (checked once: it must be reachable and parse as RSS or Atom)."""
    settings = settings_or_exit()
    url = _checked_url(url)
    added = run(_add(settings, url, full_text=full_text, check=check))
    feed = added.feed
    if added.announced_by:
        echo(f"{added.announced_by} announces the feed {feed.url}")
    if added.created:
        echo(f"added feed #{feed.id}: {feed.title or feed.url} ({feed.url})")
    else:
        echo(f"feed #{feed.id} is already in the list: {feed.url}")


async def _add(settings: Settings, url: str, *, full_text: bool | None, check: bool) -> AddedFeed:
    async with (
        _database(settings) as sessionmaker,
        sessionmaker() as session,
        make_fetcher(settings) as fetcher,
    ):
        try:
            added = await add_feed(
                session, url=url, fetcher=fetcher, now=utcnow(), full_text=full_text, check=check
            )
        except AddFeedError as exc:
            raise UserError(str(exc)) from None
        await session.commit()
        return added


@feeds_app.command("list")
def list_command() -> None:
    """List the feeds with their health."""
    settings = settings_or_exit()
    feeds = run(_list(settings))
    if not feeds:
        echo("no feeds yet: digestbot feeds add URL")
        return
    realtime = run(_realtime_follows(settings))
    table = Table(
        "id", "health", "category", "title", "url", "every", "next check (UTC)", "last error"
    )
    for feed in feeds:
        health = feed_health(feed)
        table.add_row(
            str(feed.id),
            health.label,
            feed.category or "",
            feed.title or "",
            feed.url,
            _every(settings, feed, realtime=feed.id in realtime),
            _when(feed.next_check_at) or "now",
            health.last_error or "",
        )
    Console(width=200).print(table)


def _every(settings: Settings, feed: Feed, *, realtime: bool) -> str:
    """How often the feed is checked, and why: its own interval, realtime readers, default."""
    if feed.check_interval:
        return format_duration(timedelta(seconds=feed.check_interval))
    if realtime:
        return f"{format_duration(settings.fastest_feed_interval)} (realtime readers)"
    return f"{format_duration(settings.feed_interval)} (default)"


async def _realtime_follows(settings: Settings) -> feed_store.RealtimeFollows:
    async with _database(settings) as sessionmaker, sessionmaker() as session:
        return await feed_store.realtime_follows(session)


async def _list(settings: Settings) -> list[Feed]:
    async with _database(settings) as sessionmaker, sessionmaker() as session:
        return list(await feed_store.list_feeds(session))


@feeds_app.command("set")
def set_command(
    feed_id: int = typer.Argument(..., help="The feed's id (see feeds list)."),
    every: str = typer.Option(
        ...,
        "--every",
        help="Check it this often: 90s, 5m, 2h, 1d; 'default' for DIGESTBOT_FEED_INTERVAL.",
    ),
) -> None:
    """Set how often one feed is checked."""
    settings = settings_or_exit()
    interval: timedelta | None = None
    if every.strip().lower() != "default":
        try:
            interval = parse_duration(every)
        except DurationError as exc:
            raise UserError(str(exc)) from None
        fastest = settings.fastest_feed_interval
        if interval < fastest or interval > timedelta(days=1):
            raise UserError(
                f"--every must be from {format_duration(fastest)} (DIGESTBOT_FEED_MIN_INTERVAL)"
                " to 1d"
            )
    feed = run(_set(settings, feed_id, interval))
    if feed is None:
        raise UserError(f"no feed #{feed_id} (see digestbot feeds list)")
    default = f"{format_duration(settings.feed_interval)}, the default"
    shown = format_duration(interval) if interval else default
    next_check = _when(feed.next_check_at) or "now"
    echo(f"feed #{feed_id} is checked every {shown}; next check {next_check} (UTC)")


async def _set(settings: Settings, feed_id: int, interval: timedelta | None) -> Feed | None:
    async with _database(settings) as sessionmaker, sessionmaker() as session:
        feed = await feed_store.set_check_interval(session, feed_id=feed_id, interval=interval)
        await session.commit()
        return feed


@feeds_app.command("remove")
def remove_command(
    feed_id: int = typer.Argument(..., help="The feed's id (see feeds list)."),
) -> None:
    """Remove a feed (its stored articles stay)."""
    settings = settings_or_exit()
    if not run(_remove(settings, feed_id)):
        raise UserError(f"no feed #{feed_id} (see digestbot feeds list)")
    echo(f"removed feed #{feed_id}")


async def _remove(settings: Settings, feed_id: int) -> bool:
    async with _database(settings) as sessionmaker, sessionmaker() as session:
        removed = await feed_store.remove_feed(session, feed_id=feed_id)
        await session.commit()
        return removed


@feeds_app.command("import")
def import_command(path: Path = typer.Argument(..., help="An OPML file.")) -> None:
    """Add every feed of an OPML file with its category (the folders it is nested in). Every
    outline left out is named with the reason (malformed or private URLs, duplicates, the
    part of a broken file after the break); entities are never expanded."""
    settings = settings_or_exit()
    try:
        document = read_opml(path.read_bytes())
    except FileNotFoundError:
        raise UserError(f"no such file: {path}") from None
    except (OSError, OPMLError) as exc:
        raise UserError(f"cannot import {path}: {exc}") from None
    for note in document.notes:
        print(f"digestbot: {path}: {note}", file=sys.stderr)
    added, present, refused = run(_import(settings, document.outlines))
    skipped = document.skipped + refused
    for url, reason in skipped:
        print(f"digestbot: skipped {url}: {reason}", file=sys.stderr)
    echo(f"imported {added} new feeds ({present} already in the list, {len(skipped)} skipped)")


async def _import(
    settings: Settings, outlines: list[Outline]
) -> tuple[int, int, list[tuple[str, str]]]:
    refused: list[tuple[str, str]] = []
    accepted: list[Outline] = []
    async with make_fetcher(settings) as fetcher:
        for outline in outlines:
            try:
                await fetcher.check(outline.url)
            except FetchError as exc:
                refused.append((outline.url, str(exc)))
            else:
                accepted.append(outline)
    added = present = 0
    async with _database(settings) as sessionmaker, sessionmaker() as session:
        for outline in accepted:
            feed, created = await feed_store.add_feed(
                session,
                data=FeedCreate(
                    url=outline.url,
                    title=outline.title,
                    site_url=outline.site_url,
                    category=outline.category,
                ),
            )
            if not created and outline.category and not feed.category:
                feed.category = outline.category  # filed now, by a later import
            added += created
            present += not created
        await session.commit()
    return added, present, refused


@feeds_app.command("export")
def export_command() -> None:
    """Print the feed list as OPML."""
    settings = settings_or_exit()
    feeds = run(_list(settings))
    outlines = [
        Outline(url=f.url, title=f.title, site_url=f.site_url, category=f.category) for f in feeds
    ]
    sys.stdout.write(export_opml(outlines, now=utcnow()))


# --- refresh --------------------------------------------------------------------------------


def refresh_command(
    force: bool = typer.Option(False, "--force", help="Check every feed now, due or not."),
    feed_id: int | None = typer.Option(
        None, "--feed", metavar="ID", help="Only this feed (checked now, due or not)."
    ),
) -> None:
    """Refresh every due feed once (or all, or one, now), with a result per feed."""
    settings = settings_or_exit()
    results = run(_refresh(settings, force=force or feed_id is not None, feed_id=feed_id))
    if not results:
        echo("no feed is due")
        return
    table = Table("id", "feed", "new", "updated", "result", "next check (UTC)")
    for result in sorted(results, key=lambda r: r.feed_id):
        table.add_row(
            str(result.feed_id),
            result.title or result.url,
            str(result.new_articles),
            str(result.updated_articles),
            _outcome(result),
            _when(result.next_check_at),
        )
    Console(width=200).print(table)
    new = sum(r.new_articles for r in results)
    failed = sum(1 for r in results if r.error)
    echo(f"{len(results)} feeds refreshed, {new} new articles, {failed} failed")


async def _refresh(
    settings: Settings, *, force: bool = False, feed_id: int | None = None
) -> list[RefreshResult]:
    now = utcnow()
    async with _database(settings) as sessionmaker:
        if feed_id is not None:
            return [await _refresh_one(settings, sessionmaker, feed_id, now=now)]
        async with sessionmaker() as session:
            if force:  # the database stays the schedule: every feed is made due now
                await feed_store.make_due(session, now=now)
                await session.commit()
            total = len(await feed_store.due_feeds(session, now=now, limit=100_000))
        if not total:
            return []
        progress = Progress(
            TextColumn("refreshing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            transient=True,
        )
        with progress:
            task = progress.add_task("", total=total)

            def advance(result: RefreshResult) -> None:
                progress.update(task, advance=1, description=result.title or result.url)

            async with make_fetcher(settings) as fetcher:
                return await refresh_due_feeds(
                    sessionmaker,
                    fetcher=fetcher,
                    now=now,
                    limit=total,
                    on_result=advance,
                    polling=polling(settings),
                )


async def _refresh_one(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    feed_id: int,
    *,
    now: datetime,
) -> RefreshResult:
    async with sessionmaker() as session:
        feed = await feed_store.get_feed(session, feed_id=feed_id)
        if feed is None:
            raise UserError(f"no feed #{feed_id} (see digestbot feeds list)")
        realtime = feed_id in await feed_store.realtime_follows(session)
        interval = polling(settings).interval_for(feed, realtime=realtime)
        async with make_fetcher(settings) as fetcher:
            result = await refresh_feed(
                session, feed, fetcher=fetcher, now=now, clock=utcnow, interval=interval
            )
        await session.commit()
        return result


def _outcome(result: RefreshResult) -> str:
    if result.error:
        prefix = "FAILING: " if result.became_failing else "error: "
        return prefix + result.error
    parts = ["not modified" if result.not_modified else "ok"]
    if result.recovered:
        parts.append("recovered")
    if result.moved_to:
        parts.append(f"moved to {result.moved_to}")
    if result.warning:
        parts.append(f"broken feed: {result.warning[:80]}")
    return ", ".join(parts)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


# --- ingest ---------------------------------------------------------------------------------


def ingest_command(
    source: str = typer.Argument(..., metavar="PATH_OR_URL", help="A web page URL or a file."),
    as_json: bool = typer.Option(
        False,
        "--json",
        help='Print {"id", "title", "url", "source", "published", "summary", "topics", "text"}.',
    ),
) -> None:
    """Ingest one web page or local file (text, Markdown, saved HTML) as an article."""
    settings = settings_or_exit()
    if source.lower().startswith(("http://", "https://")):
        article = run(_ingest_url(settings, source))
    elif "://" in source:
        raise UserError(f"only http(s) URLs and local files can be ingested: {source[:200]}")
    else:
        content, url, kind = _read_file(source)
        article = run(_store(settings, content=content, url=url, kind=kind, source=source))
    topics = [t for t in article.keyphrases.split("; ") if t]
    if as_json:
        record = {
            "id": article.id,
            "title": article.title,
            "url": article.url or article.canonical_url,
            "source": article.source_name,
            "published": _iso(article.published_at, date_only=article.date_only),
            "summary": article.summary,
            "topics": topics,
            "text": article.text,
        }
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    echo(f"#{article.id} {article.title}")
    echo(article.url or article.canonical_url)
    echo(f"summary: {article.summary}")
    echo(f"topics: {', '.join(topics)}")


def _iso(moment: datetime | None, *, date_only: bool) -> str | None:
    """ISO 8601: "2026-11-30" for a day without a time, else "2026-11-30T09:15:00+00:00"."""
    if moment is None:
        return None
    return moment.date().isoformat() if date_only else moment.isoformat()


async def _ingest_url(settings: Settings, source: str) -> Article:
    content, url, kind = await _download(settings, source)
    return await _store(settings, content=content, url=url, kind=kind, source=source)


def _read_file(source: str) -> tuple[bytes, str, Literal["html", "text"]]:
    path = Path(source).expanduser()
    try:
        content, kind = read_document(path)
    except DocumentError as exc:
        raise UserError(str(exc)) from None
    return content, path.resolve().as_uri(), kind


async def _store(
    settings: Settings,
    *,
    content: bytes | str,
    url: str,
    kind: Literal["html", "text"],
    source: str,
) -> Article:
    async with _database(settings) as sessionmaker, sessionmaker() as session:
        try:
            article = await ingest_document(
                session, content=content, url=url, now=utcnow(), kind=kind
            )
        except DocumentError as exc:
            raise UserError(f"nothing to ingest in {source}: {exc}") from None
        await session.commit()
        return article


async def _download(
    settings: Settings, url: str
) -> tuple[bytes | str, str, Literal["html", "text"]]:
    async with make_fetcher(settings) as fetcher:
        try:
            fetched = await fetcher.fetch(url)
        except UnsafeURLError as exc:
            raise UserError(f"refused {url}: {exc}") from None
        except FetchError as exc:
            raise UserError(f"cannot fetch {url}: {exc}") from None
    media = fetched.content_type
    if media in _TEXT_TYPES:
        return fetched.text(), fetched.url, "text"
    if media and media not in _HTML_TYPES and ("xml" in media or "rss" in media):
        raise UserError(f"{url} is a feed, not a page: add it with digestbot feeds add")
    return fetched.text(), fetched.url, "html"  # decoded with the header's charset


def register(app: typer.Typer) -> None:
    app.add_typer(feeds_app, name="feeds")
    app.command("refresh")(refresh_command)
    app.command("ingest")(ingest_command)
