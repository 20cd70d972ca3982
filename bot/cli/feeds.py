"""`digestbot feeds add|list|remove|import|export`, `digestbot refresh` and `digestbot ingest`:
the feed list, one refresh of every due feed, and one page or file into the database."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import UserError, echo, run, settings_or_exit
from bot.settings import Settings
from ingest.fetch import Fetcher, FetchError, FetchResult, UnsafeURLError
from ingest.files import DocumentError, read_document
from ingest.opml import OPMLError, Outline, export_opml, parse_opml
from ingest.parse import FeedParseError, ParsedFeed, discover_feeds, parse_feed
from ingest.pipeline import RefreshResult, ingest_document, refresh_due_feeds
from storage import feeds as feed_store
from storage.db import DatabaseURLError, display_url, make_engine, make_sessionmaker, upgrade
from storage.models import Article, Feed, FeedCreate, FeedState
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
    url = settings.database_url
    try:
        engine = make_engine(url)
    except DatabaseURLError as exc:
        raise UserError(f"invalid setting DIGESTBOT_DATABASE_URL: {exc}") from None
    try:
        try:
            await upgrade(engine)
        except Exception as exc:  # driver errors vary by backend; the message says enough
            raise UserError(f"cannot reach the database at {display_url(url)}: {exc}") from None
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


def _fetcher(settings: Settings) -> Fetcher:
    return Fetcher(
        user_agent=settings.user_agent,
        timeout=settings.fetch_timeout,
        max_body_bytes=settings.max_body_bytes,
        allow_private=settings.allow_private_urls,
    )


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
    feed, created = run(_add(settings, url, full_text=full_text, check=check))
    if created:
        echo(f"added feed #{feed.id}: {feed.title or feed.url} ({feed.url})")
    else:
        echo(f"feed #{feed.id} is already in the list: {feed.url}")


async def _add(
    settings: Settings, url: str, *, full_text: bool | None, check: bool
) -> tuple[Feed, bool]:
    title: str | None = None
    site_url: str | None = None
    async with _fetcher(settings) as fetcher:
        try:
            await fetcher.check(url)
            if check:
                url, title, site_url = await _probe(fetcher, url)
        except UnsafeURLError as exc:
            raise UserError(f"refused {url}: {exc}") from None
        except FetchError as exc:
            raise UserError(f"cannot fetch {url}: {exc}") from None
    async with _database(settings) as sessionmaker, sessionmaker() as session:
        feed, created = await feed_store.add_feed(
            session,
            data=FeedCreate(url=url, title=title, site_url=site_url, full_text=full_text),
        )
        await session.commit()
        return feed, created


async def _probe(fetcher: Fetcher, url: str) -> tuple[str, str | None, str | None]:
    """(feed URL, title, site URL): the URL itself when it is a feed, else the first feed
    the page announces."""
    fetched = await fetcher.fetch(url)
    try:
        parsed = _parse(fetched)
    except FeedParseError as error:
        candidates = discover_feeds(fetched.content, url=fetched.url)
        if not candidates:
            raise UserError(f"{url} is not a feed and links to none ({error})") from None
        url = candidates[0]
        fetched = await fetcher.fetch(url)
        try:
            parsed = _parse(fetched)
        except FeedParseError as exc:
            raise UserError(f"{url} is not a feed: {exc}") from None
    return fetched.permanent_url or url, parsed.title, parsed.site_url


def _parse(fetched: FetchResult) -> ParsedFeed:
    content_type = fetched.content_type
    if fetched.charset:
        content_type += f"; charset={fetched.charset}"
    return parse_feed(fetched.content, url=fetched.url, now=utcnow(), content_type=content_type)


@feeds_app.command("list")
def list_command() -> None:
    """List the feeds with their health."""
    settings = settings_or_exit()
    feeds = run(_list(settings))
    if not feeds:
        echo("no feeds yet: digestbot feeds add URL")
        return
    table = Table("id", "state", "title", "url", "next check (UTC)", "last error")
    for feed in feeds:
        state = feed.state
        if feed.state == FeedState.FAILING or feed.error_count:
            state = f"{feed.state} ×{feed.error_count}"
        table.add_row(
            str(feed.id),
            state,
            feed.title or "",
            feed.url,
            _when(feed.next_check_at) or "now",
            feed.last_error or "",
        )
    Console(width=200).print(table)


async def _list(settings: Settings) -> list[Feed]:
    async with _database(settings) as sessionmaker, sessionmaker() as session:
        return list(await feed_store.list_feeds(session))


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
    """Add every feed of an OPML file (URLs that would reach private addresses are skipped)."""
    settings = settings_or_exit()
    try:
        outlines = parse_opml(path.read_bytes())
    except FileNotFoundError:
        raise UserError(f"no such file: {path}") from None
    except (OSError, OPMLError) as exc:
        raise UserError(f"cannot import {path}: {exc}") from None
    added, present, refused = run(_import(settings, outlines))
    for url, reason in refused:
        print(f"digestbot: skipped {url}: {reason}", file=sys.stderr)
    echo(f"imported {added} new feeds ({present} already in the list, {len(refused)} skipped)")


async def _import(
    settings: Settings, outlines: list[Outline]
) -> tuple[int, int, list[tuple[str, str]]]:
    refused: list[tuple[str, str]] = []
    accepted: list[Outline] = []
    async with _fetcher(settings) as fetcher:
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
            _feed, created = await feed_store.add_feed(
                session,
                data=FeedCreate(url=outline.url, title=outline.title, site_url=outline.site_url),
            )
            added += created
            present += not created
        await session.commit()
    return added, present, refused


@feeds_app.command("export")
def export_command() -> None:
    """Print the feed list as OPML."""
    settings = settings_or_exit()
    feeds = run(_list(settings))
    outlines = [Outline(url=f.url, title=f.title, site_url=f.site_url) for f in feeds]
    sys.stdout.write(export_opml(outlines, now=utcnow()))


# --- refresh --------------------------------------------------------------------------------


def refresh_command() -> None:
    """Refresh every due feed once, with a progress bar and a result per feed."""
    settings = settings_or_exit()
    results = run(_refresh(settings))
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


async def _refresh(settings: Settings) -> list[RefreshResult]:
    now = utcnow()
    async with _database(settings) as sessionmaker:
        async with sessionmaker() as session:
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

            async with _fetcher(settings) as fetcher:
                return await refresh_due_feeds(
                    sessionmaker, fetcher=fetcher, now=now, limit=total, on_result=advance
                )


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
    async with _fetcher(settings) as fetcher:
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
