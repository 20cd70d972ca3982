"""The ingest pipeline: `refresh_feed()` takes one feed from a conditional GET to stored,
clean, summarised, tagged and de-duplicated articles and the feed's next check; `ingest_document`
does the same for one page or file. Feed health: `ingest.health`; the tick: `ingest.tick`.
Both orchestrators read top to bottom here with their steps, a little over 500 lines."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from ingest.clean import clean_text, drop_edge_lines
from ingest.dedup import canonicalize_url, content_hash, place_story, signature
from ingest.extract import extract_page
from ingest.fetch import Fetcher, FetchError, FetchResult
from ingest.files import DocumentError, text_document
from ingest.health import (
    CHECK_INTERVAL,
    PUSHED,
    RefreshResult,
    record_failure,
    record_success,
)
from ingest.parse import EntryIn, FeedParseError, ParsedFeed, parse_feed
from ingest.sections import classify
from ingest.summarize import summarize
from ingest.titles import source_name
from ingest.topics import detect_language, keyphrases
from ingest.websub import find_hub
from storage import articles as article_store
from storage import feeds as feed_store
from storage import sections as section_store
from storage import stories as story_store
from storage.db import dialect_name
from storage.models import Article, ArticleCreate, Feed
from storage.sanitize import clean_str
from storage.stems import stems_of

logger = logging.getLogger(__name__)

KEYPHRASES = 8
MAX_PAGES = 30  # linked pages fetched per refresh of a teaser feed; later entries keep teasers


def pushed_content(feed: Feed, content: bytes, *, content_type: str) -> FetchResult:
    """Pushed content as `refresh_feed(pushed=…)` takes it."""
    media, _, parameters = content_type.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return FetchResult(
        url=feed.url,
        status=PUSHED,
        content=content,
        content_type=media.strip().lower(),
        charset=charset,
        etag=None,
        last_modified=None,
        permanent_url=None,
        max_age=None,
    )


@dataclass(frozen=True)
class _Document:
    """What is about to be stored: an entry (with its linked page's text) or a page/file."""

    url: str
    canonical_url: str
    title: str
    text: str  # cleaned
    author: str | None
    published_at: datetime | None
    language: str | None
    date_only: bool = False  # the source gave only the day of `published_at`
    site_name: str | None = None  # the publication's name as its page gives it

    def __post_init__(self) -> None:
        # Every stored document passes here: both databases must store the same text.
        for name in ("url", "canonical_url", "title", "text", "author", "site_name"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, clean_str(value))


# --- one feed -------------------------------------------------------------------------------


async def refresh_feed(
    session: AsyncSession,
    feed: Feed,
    *,
    fetcher: Fetcher,
    now: datetime,
    clock: Callable[[], datetime] | None = None,
    before_writes: Callable[[], Awaitable[None]] | None = None,
    interval: timedelta = CHECK_INTERVAL,
    pushed: FetchResult | None = None,
) -> RefreshResult:
    """Conditional GET → parse → (linked pages) → clean → de-duplicate → summarise → tag →
    store what is new → update the feed's state and next check. The caller commits.

    New articles are stamped `stored_at` by `clock` when they are written, after the network
    (`now` without a clock): digests take articles a few seconds after their stamp, so the
    stamp must not be older than the commit by more than that — with refreshes running in
    parallel on PostgreSQL, a feed refreshed late in a tick would otherwise commit articles
    stamped at the tick's start behind a digest's watermark.

    `before_writes` is awaited once the network is done and before the first write (on
    SQLite, the tick's turn to write: feeds are fetched side by side, written one by one).
    `pushed`: the body a WebSub hub pushed, stored instead of fetching the feed."""
    assert feed.id is not None
    result = RefreshResult(feed_id=feed.id, url=feed.url, title=feed.title)
    try:
        fetched = pushed or await fetcher.fetch(
            feed.url, etag=feed.etag, last_modified=feed.last_modified
        )
        parsed: ParsedFeed | None = None
        full_text = False
        work: list[tuple[EntryIn, Article | None]] = []
        documents: list[_Document | None] = []
        if fetched.not_modified:
            result.not_modified = True
        else:
            parsed = parse_feed(
                fetched.content, url=fetched.url, now=now, content_type=_content_type(fetched)
            )
            result.warning = parsed.warning
            # Reads and page fetches first, writes after: on SQLite the write lock is held
            # only while storing, never across the network.
            full_text = feed.full_text if feed.full_text is not None else parsed.teaser_only
            work = await _plan_entries(session, feed, parsed.entries)
            documents = await _documents(work, fetcher=fetcher, full_text=full_text)
        if before_writes is not None:
            await before_writes()
        await _follow_permanent_redirect(session, feed, fetched, result)
        if parsed is not None:
            _update_metadata(feed, parsed)
            if pushed is None:  # a push may be a partial feed: the polled one names the hub
                feed.hub_url, feed.hub_topic = find_hub(fetched.content)
            taken: set[str] = set()  # canonical URLs stored by this refresh
            stamp = clock() if clock is not None else now
            for (entry, existing), document in zip(work, documents, strict=True):
                outcome = await _store_entry(
                    session,
                    feed,
                    entry,
                    existing,
                    document,
                    fetcher=fetcher,
                    full_text=full_text,
                    taken=taken,
                    now=stamp,
                )
                result.new_articles += outcome == "new"
                result.updated_articles += outcome == "updated"
    except (FetchError, FeedParseError) as exc:
        if before_writes is not None:
            await before_writes()
        record_failure(feed, result, exc, now=now)
        return result
    record_success(
        feed,
        result,
        fetched,
        ttl_minutes=parsed.ttl_minutes if parsed else None,
        interval=interval,
        now=now,
    )
    return result


def _content_type(fetched: FetchResult) -> str:
    if fetched.charset:
        return f"{fetched.content_type or 'application/xml'}; charset={fetched.charset}"
    return fetched.content_type


async def _plan_entries(
    session: AsyncSession, feed: Feed, entries: list[EntryIn]
) -> list[tuple[EntryIn, Article | None]]:
    """Each entry once, with the article already stored for it (same GUID in this feed, or
    the same canonical URL from any feed)."""
    assert feed.id is not None
    unique = list({entry.guid: entry for entry in reversed(entries)}.values())[::-1]
    by_guid = await article_store.by_guids(
        session, feed_id=feed.id, guids=[entry.guid for entry in unique]
    )
    by_url = await article_store.by_canonical_urls(
        session, urls=[canonicalize_url(entry.url) for entry in unique if entry.url]
    )
    return [
        (entry, by_guid.get(entry.guid) or by_url.get(canonicalize_url(entry.url)))
        for entry in unique
    ]


async def _documents(
    work: list[tuple[EntryIn, Article | None]], *, fetcher: Fetcher, full_text: bool
) -> list[_Document | None]:
    """The document of each new entry (None for entries already stored), linked pages
    fetched concurrently (the fetcher limits each host) for the first `MAX_PAGES` new
    entries (a first refresh of a long teaser feed must not take many minutes)."""
    new = [entry for entry, existing in work if existing is None]
    with_page = {id(entry) for entry in new[:MAX_PAGES]} if full_text else set()

    async def one(entry: EntryIn, existing: Article | None) -> _Document | None:
        if existing is not None:
            return None
        return await entry_document(entry, fetcher=fetcher, full_text=id(entry) in with_page)

    return list(await asyncio.gather(*(one(entry, existing) for entry, existing in work)))


async def entry_document(entry: EntryIn, *, fetcher: Fetcher, full_text: bool) -> _Document:
    """The entry's own text, or — for a teaser when `full_text` — the linked page's main text
    (the teaser stays when the page cannot be fetched or has less to say)."""
    text = _entry_text(entry)
    document = _Document(
        url=entry.url,
        canonical_url=canonicalize_url(entry.url) if entry.url else "",
        title=entry.title,
        text=text,
        author=entry.author,
        published_at=entry.published_at,
        language=None,
        date_only=entry.date_only,
    )
    if not (full_text and entry.teaser and entry.url):
        return document
    try:
        page = await fetcher.fetch(entry.url)
    except FetchError as exc:
        logger.info("full text unavailable url=%s error=%s", entry.url, exc)
        return document
    extracted = await asyncio.to_thread(extract_page, page.content, url=page.url)
    if extracted is None or len(extracted.text) <= len(text):
        return document
    return _Document(
        url=entry.url,
        canonical_url=canonicalize_url(extracted.canonical_url or page.url),
        title=entry.title or extracted.title,
        text=extracted.text,
        author=entry.author or extracted.author,
        published_at=entry.published_at,
        language=extracted.language,
        date_only=entry.date_only,
    )


def _entry_text(entry: EntryIn) -> str:
    """The entry's own text cleaned as a page's is, its edges too (the title repeated with its
    byline, an agency's or the site's name beside the prose)."""
    text = clean_text(entry.text, title=entry.title, author=entry.author)
    return drop_edge_lines(text, title=entry.title, url=entry.url or None)


async def _follow_permanent_redirect(
    session: AsyncSession, feed: Feed, fetched: FetchResult, result: RefreshResult
) -> None:
    new_url = fetched.permanent_url
    if not new_url or new_url == feed.url:
        return
    other = await feed_store.get_feed_by_url(session, url=new_url)
    if other is not None and other.id != feed.id:
        logger.info("feed=%s moved to %s, already stored as feed=%s", feed.id, new_url, other.id)
        return
    logger.info("feed=%s moved permanently from %s to %s", feed.id, feed.url, new_url)
    feed.url = new_url
    result.moved_to = new_url


def _update_metadata(feed: Feed, parsed: ParsedFeed) -> None:
    if parsed.title and not feed.title:
        feed.title = parsed.title[:300]
    if parsed.site_url and not feed.site_url:
        feed.site_url = parsed.site_url


async def _store_entry(
    session: AsyncSession,
    feed: Feed,
    entry: EntryIn,
    existing: Article | None,
    document: _Document | None,
    *,
    fetcher: Fetcher,
    full_text: bool,
    taken: set[str],
    now: datetime,
) -> Literal["new", "updated", "same"]:
    if existing is not None:
        if existing.feed_id != feed.id:
            return "same"  # another feed carries this very page: it is stored once
        return await _update_if_edited(
            session, entry, existing, fetcher=fetcher, full_text=full_text, now=now
        )
    assert document is not None and feed.id is not None
    if not document.canonical_url:  # an entry without a link: unique per feed and GUID
        key = hashlib.sha256(entry.guid.encode()).hexdigest()[:32]
        document = _replace_canonical(document, f"urn:digestbot:feed:{feed.id}:{key}")
    elif document.canonical_url in taken:
        return "same"  # two entries of this feed link to the same page
    elif document.canonical_url != canonicalize_url(entry.url) and (
        await article_store.get_by_canonical_url(session, canonical_url=document.canonical_url)
    ):
        return "same"  # the linked page names a canonical URL that is already stored
    taken.add(document.canonical_url)
    article = await store_document(
        session,
        document,
        feed_id=feed.id,
        guid=entry.guid,
        source=(source_name(entry.source) if entry.source else None) or _source(feed),
        now=now,
    )
    return "new" if article is not None else "same"


async def _update_if_edited(
    session: AsyncSession,
    entry: EntryIn,
    article: Article,
    *,
    fetcher: Fetcher,
    full_text: bool,
    now: datetime,
) -> Literal["updated", "same"]:
    """An entry its feed edited: the stored article takes the new title and text and keeps
    its `stored_at`, so it is not sent again as new."""
    if article.title == entry.title:
        if entry.teaser and full_text:
            return "same"  # a teaser of a page stored in full: its text says nothing new
        text = _entry_text(entry)
        if article.content_hash == content_hash(entry.title, text):
            return "same"
    document = await entry_document(entry, fetcher=fetcher, full_text=full_text)
    if article.content_hash == content_hash(document.title, document.text):
        return "same"
    _update(article, document, now=now)
    session.add(article)
    await _store_sections(session, article, document)
    return "updated"


# --- storing --------------------------------------------------------------------------------


async def store_document(
    session: AsyncSession,
    document: _Document,
    *,
    feed_id: int | None,
    guid: str | None,
    source: str | None,
    now: datetime,
) -> Article | None:
    """De-duplicate, summarise, tag and store one new document; None when the same text is
    already stored (content hash). A near-duplicate joins that article's story."""
    digest = content_hash(document.title, document.text)
    postgres = dialect_name(session) == "postgresql"
    if postgres:
        # Workers refreshing different feeds at once would each miss the other's uncommitted
        # copy of the same text: the second waits here until the first commits, then sees it.
        await article_store.lock_content_hash(session, content_hash=digest)
    if await article_store.get_by_content_hash(session, content_hash=digest):
        return None
    fingerprint = signature(document.title, document.text) or None
    placement = await place_story(
        session, title=document.title, text=document.text, fingerprint=fingerprint, now=now
    )
    story_id = placement.story_id
    data = ArticleCreate(
        canonical_url=document.canonical_url,
        url=document.url,
        guid=guid,
        feed_id=feed_id,
        source_name=source,
        **_derived(document, digest=digest, fingerprint=fingerprint),
    )
    if not postgres:  # SQLite: one writer, nobody can race us
        article = await article_store.add_article(
            session, data=data, stored_at=now, story_id=story_id
        )
    else:
        # Another worker may store the same page between our look-up and this insert: the
        # unique constraint refuses it and only this article is rolled back, not the refresh.
        try:
            async with session.begin_nested():
                article = await article_store.add_article(
                    session, data=data, stored_at=now, story_id=story_id
                )
        except IntegrityError:
            logger.info("stored meanwhile by another worker url=%s", document.canonical_url)
            return None
    await _store_sections(session, article, document)
    await story_store.record_decision(
        session,
        article=article,
        terms=placement.terms,
        similarity=placement.similarity,
        why=placement.why,
    )
    return article


async def _store_sections(session: AsyncSession, article: Article, document: _Document) -> None:
    """The article's news sections, from the classifier, replacing any it had."""
    assert article.id is not None
    await section_store.set_sections(
        session,
        article_id=article.id,
        sections=classify(document.title, document.text, language=article.language),
    )


def _derived(
    document: _Document, *, digest: str | None = None, fingerprint: str | None = None
) -> dict[str, Any]:
    """Title, text and everything derived from them: language, summary and keyphrases in
    that language, its Snowball stems for search (not for English), hashes."""
    language = document.language or detect_language(document.text)
    summary = summarize(document.text, title=document.title, language=language)
    phrases = "; ".join(
        keyphrases(document.title, document.text, limit=KEYPHRASES, language=language)
    )
    return {
        "title": document.title[:1000],
        "text": document.text,
        "author": document.author[:200] if document.author else None,
        "published_at": document.published_at,
        "date_only": document.date_only,
        "summary": summary,
        "keyphrases": phrases,
        "language": language,
        "stems": stems_of(language, document.title[:1000], phrases, summary),
        "content_hash": digest or content_hash(document.title, document.text),
        "signature": fingerprint or signature(document.title, document.text) or None,
    }


def _update(article: Article, document: _Document, *, now: datetime) -> None:
    """The article takes the document's text; `stored_at` stays, so it is not new again."""
    for name, value in _derived(document).items():
        setattr(article, name, value)
    article.updated_at = now


def _replace_canonical(document: _Document, canonical_url: str) -> _Document:
    return replace(document, canonical_url=canonical_url)


def _source(feed: Feed) -> str:
    """The publication's name: the feed's title without section paths or a personal view
    ("NYT > Business" -> "NYT", "myFT following" -> "FT"), else the site's host."""
    home = feed.site_url or feed.url
    return source_name(feed.title, url=home) or _host(home) or feed.url


# --- single documents -------------------------------------------------------------------------


async def ingest_document(
    session: AsyncSession,
    *,
    content: bytes | str,
    url: str | None,
    now: datetime,
    kind: Literal["html", "text"],
) -> Article:
    """Store one web page ("html": main text via trafilatura) or text/Markdown file ("text":
    first non-empty line is the title), cleaned, de-duplicated, summarised and tagged. The
    article already stored for the same URL or text is returned (updated when it changed).
    Raises `DocumentError` when there is no text. The caller commits."""
    if kind == "html":
        page = await asyncio.to_thread(extract_page, content, url=url)
        if page is None:
            raise DocumentError("no article text found in the page")
        canonical = page.canonical_url or url
        document = _Document(
            url=url or canonical or "",
            canonical_url=canonicalize_url(canonical) if canonical else "",
            title=page.title or _first_words(page.text),
            text=page.text,
            author=page.author,
            published_at=page.published_at or now,
            language=page.language,
            date_only=page.date_only and page.published_at is not None,
            site_name=page.site_name,
        )
    else:
        parsed = text_document(content)
        body = drop_edge_lines(clean_text(parsed.text, title=parsed.title), title=parsed.title)
        body = body or parsed.text
        if not body:
            raise DocumentError("the document has a title but no text")
        document = _Document(
            url=url or "",
            canonical_url=canonicalize_url(url) if url else "",
            title=parsed.title,
            text=body,
            author=None,
            published_at=now,
            language=None,
        )
    if not document.canonical_url:
        digest = content_hash(document.title, document.text)
        document = _replace_canonical(document, f"urn:digestbot:sha256:{digest[:32]}")
    existing = await article_store.get_by_canonical_url(
        session, canonical_url=document.canonical_url
    )
    if existing is not None:
        if existing.content_hash != content_hash(document.title, document.text):
            _update(existing, document, now=now)
            session.add(existing)
            await session.flush()
            await _store_sections(session, existing, document)
        return existing
    article = await store_document(
        session,
        document,
        feed_id=None,
        guid=None,
        source=document.site_name or _host(document.url),
        now=now,
    )
    if article is None:  # the same text is stored under another URL
        same = await article_store.get_by_content_hash(
            session, content_hash=content_hash(document.title, document.text)
        )
        assert same is not None
        return same
    return article


def _host(url: str) -> str | None:
    host = urlsplit(url).hostname if url.startswith(("http://", "https://")) else None
    return host[4:] if host and host.startswith("www.") else host


def _first_words(text: str, limit: int = 12) -> str:
    found = text.split()
    return " ".join(found[:limit]) + ("…" if len(found) > limit else "")
