"""The ingest pipeline: `refresh_feed()` takes one feed from a conditional GET to stored,
clean, summarised, tagged and de-duplicated articles and the feed's next check; `ingest_document`
does the same for one page or file; `refresh_due_feeds` is the ingest tick's body."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ingest.clean import clean_text
from ingest.dedup import canonicalize_url, content_hash, place_story, signature
from ingest.extract import extract_page
from ingest.fetch import Fetcher, FetchError, FetchResult
from ingest.files import DocumentError, text_document
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
from storage.models import Article, ArticleCreate, Feed, FeedState
from storage.sanitize import clean_str

logger = logging.getLogger(__name__)

CHECK_INTERVAL = timedelta(minutes=30)  # how often a healthy feed is checked (the default)
FASTEST_INTERVAL = timedelta(minutes=1)  # feeds realtime subscribers follow (the default)
MAX_INTERVAL = timedelta(days=1)  # no server hint (max-age, ttl, Retry-After) waits longer
RETRY_BASE = timedelta(minutes=5)  # first retry after a failure; doubles each time
FAILING_AFTER = 3  # consecutive failures before subscribers and admins are told
CLAIM_LEASE = timedelta(minutes=10)  # a refresh that crashed is retried after this
DUE_SLACK = timedelta(seconds=2)  # checks due this soon after a tick are taken by it
KEYPHRASES = 8
RETRIES = 3  # attempts per feed when PostgreSQL reports a deadlock
MAX_PAGES = 30  # linked pages fetched per refresh of a teaser feed; later entries keep teasers
PARALLEL_FEEDS = 4  # feeds refreshed at once by one tick (on SQLite: fetched at once)


@dataclass
class RefreshResult:
    feed_id: int
    url: str
    title: str | None = None
    new_articles: int = 0
    updated_articles: int = 0
    not_modified: bool = False
    became_failing: bool = False  # tell its subscribers and the admins, once
    recovered: bool = False  # it was failing and works again
    error: str | None = None
    warning: str | None = None  # broken feed, entries recovered
    moved_to: str | None = None  # permanent redirect: the stored URL changed to this
    next_check_at: datetime | None = None


PUSHED = 299  # `FetchResult.status` of content a WebSub hub pushed (not fetched by us)


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
class Polling:
    """How often feeds are checked (DIGESTBOT_FEED_INTERVAL, DIGESTBOT_FEED_MIN_INTERVAL)."""

    interval: timedelta = CHECK_INTERVAL
    fastest: timedelta = FASTEST_INTERVAL

    def interval_for(self, feed: Feed, *, realtime: bool) -> timedelta:
        """The feed's own interval when one is set; the fastest when realtime subscribers
        follow it; else the global one."""
        if feed.check_interval:
            return timedelta(seconds=feed.check_interval)
        return min(self.fastest, self.interval) if realtime else self.interval


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
    _record_success(
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
    by_guid = await _stored_by_guid(
        session, feed_id=feed.id, guids=[entry.guid for entry in unique]
    )
    by_url = await _stored_by_url(
        session, urls=[canonicalize_url(entry.url) for entry in unique if entry.url]
    )
    return [
        (entry, by_guid.get(entry.guid) or by_url.get(canonicalize_url(entry.url)))
        for entry in unique
    ]


# One query per feed rather than per entry (a feed has up to hundreds of entries). Here rather
# than in storage.articles, which another module rewrites often; move them when it settles.
async def _stored_by_guid(
    session: AsyncSession, *, feed_id: int, guids: list[str]
) -> dict[str, Article]:
    found: dict[str, Article] = {}
    for start in range(0, len(guids), 500):
        statement = select(Article).where(
            Article.feed_id == feed_id, col(Article.guid).in_(guids[start : start + 500])
        )
        found.update((a.guid, a) for a in (await session.exec(statement)).all() if a.guid)
    return found


async def _stored_by_url(session: AsyncSession, *, urls: list[str]) -> dict[str, Article]:
    found: dict[str, Article] = {}
    for start in range(0, len(urls), 500):
        statement = select(Article).where(col(Article.canonical_url).in_(urls[start : start + 500]))
        found.update((a.canonical_url, a) for a in (await session.exec(statement)).all())
    return found


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
    text = clean_text(entry.text, title=entry.title, author=entry.author)
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
        session, document, feed_id=feed.id, guid=entry.guid, source=_source(feed), now=now
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
        text = clean_text(entry.text, title=entry.title, author=entry.author)
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
        connection = await session.connection()
        key = int.from_bytes(bytes.fromhex(digest[:16]), "big", signed=True)
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
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
        session, article_id=article.id, sections=classify(document.title, document.text)
    )


def _derived(
    document: _Document, *, digest: str | None = None, fingerprint: str | None = None
) -> dict[str, Any]:
    """Title, text and everything derived from them: summary, keyphrases, language, hashes."""
    return {
        "title": document.title[:1000],
        "text": document.text,
        "author": document.author[:200] if document.author else None,
        "published_at": document.published_at,
        "date_only": document.date_only,
        "summary": summarize(document.text, title=document.title),
        "keyphrases": "; ".join(keyphrases(document.title, document.text, limit=KEYPHRASES)),
        "language": document.language or detect_language(document.text),
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


# --- feed health ----------------------------------------------------------------------------


def _record_success(
    feed: Feed,
    result: RefreshResult,
    fetched: FetchResult,
    *,
    ttl_minutes: int | None,
    interval: timedelta = CHECK_INTERVAL,
    now: datetime,
) -> None:
    if feed.state == FeedState.FAILING:
        result.recovered = True
        logger.info("feed=%s recovered after %s failures", feed.id, feed.error_count)
    feed.state = FeedState.OK
    feed.error_count = 0
    feed.last_error = None
    feed.failing_notified_at = None
    feed.last_checked_at = now
    if fetched.status == PUSHED:
        pass  # the validators still describe the feed as last polled
    elif not fetched.not_modified:  # a new body comes with new validators (or none)
        feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    else:
        feed.etag = fetched.etag or feed.etag
        feed.last_modified = fetched.last_modified or feed.last_modified
    # Never sooner than the feed's interval; later when the server or the feed asks for it.
    wait = interval
    if fetched.max_age:
        wait = max(wait, timedelta(seconds=fetched.max_age))
    if ttl_minutes:
        wait = max(wait, timedelta(minutes=ttl_minutes))
    feed.next_check_at = now + min(wait, MAX_INTERVAL)
    result.next_check_at = feed.next_check_at
    result.url = feed.url


def record_failure(feed: Feed, result: RefreshResult, error: Exception, *, now: datetime) -> None:
    """Back off exponentially (capped at a day, longer when the server's Retry-After says so,
    up to the same cap); after `FAILING_AFTER` failures in a row, or at once on 410 Gone, the
    feed is failing and `result.became_failing` is set once until it works again."""
    feed.error_count += 1
    feed.last_error = (str(error) or type(error).__name__)[:500]
    feed.last_checked_at = now
    status = error.status if isinstance(error, FetchError) else None
    gone = status == 410
    wait = MAX_INTERVAL if gone else RETRY_BASE * 2 ** min(feed.error_count - 1, 20)
    retry_after = error.retry_after if isinstance(error, FetchError) else None
    if retry_after:
        wait = max(wait, timedelta(seconds=retry_after))
    feed.next_check_at = now + min(wait, MAX_INTERVAL)
    if gone or feed.error_count >= FAILING_AFTER:
        feed.state = FeedState.FAILING
        if feed.failing_notified_at is None:
            feed.failing_notified_at = now
            result.became_failing = True
    logger.warning("feed=%s failed count=%s error=%s", feed.id, feed.error_count, feed.last_error)
    result.error = feed.last_error
    result.next_check_at = feed.next_check_at


# --- the tick and single documents ----------------------------------------------------------


async def refresh_due_feeds(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    fetcher: Fetcher,
    now: datetime,
    limit: int = 50,
    on_result: Callable[[RefreshResult], None] | None = None,
    clock: Callable[[], datetime] | None = None,
    polling: Polling | None = None,
) -> list[RefreshResult]:
    """The ingest tick: claim due feeds, refresh each in a transaction of its own, several at
    once, each next check set by `polling`. On SQLite, which has one writer, they are fetched
    side by side and written one at a time (a stalled server delays only its own feed).
    `on_result` sees each result as it is committed (a progress bar)."""
    polling = polling or Polling()
    async with sessionmaker() as session:
        realtime = await feed_store.realtime_follows(session)
        if realtime:  # feeds newly followed in realtime: checked soon, not in half an hour
            await feed_store.hasten(
                session,
                realtime,
                now=now,
                interval=min(polling.fastest, polling.interval),
                normal=polling.interval,
                beyond=now + CLAIM_LEASE,
            )
        # A check due a moment after the tick is taken now: the tick starts a few ms after its
        # own schedule, and a 1-minute feed on a 1-minute tick would otherwise wait two ticks.
        claimed = await feed_store.claim_due_feeds(
            session, now=now + DUE_SLACK, until=now + CLAIM_LEASE, limit=limit
        )
        await session.commit()
        sqlite = session.get_bind().dialect.name != "postgresql"
    slots = asyncio.Semaphore(PARALLEL_FEEDS)
    write_turn = asyncio.Lock() if sqlite else None

    async def one(feed_id: int) -> RefreshResult | None:
        result = await refresh_one(feed_id)
        if result is not None and on_result is not None:
            on_result(result)
        return result

    async def refresh_one(feed_id: int) -> RefreshResult | None:
        async with slots:
            for attempt in range(1, RETRIES + 1):
                held = False
                async with contextlib.AsyncExitStack() as turn, sessionmaker() as session:

                    async def my_turn() -> None:
                        # SQLite: held from the first write until this session is closed.
                        nonlocal held
                        if write_turn is not None and not held:
                            await turn.enter_async_context(write_turn)
                            held = True

                    feed = await feed_store.get_feed(session, feed_id=feed_id)
                    if feed is None:
                        return None  # removed meanwhile
                    try:
                        pushed = bool(
                            feed.hub_url and feed.websub_until and feed.websub_until > now
                        )  # a hub pushes it: polling is only the safety net
                        interval = polling.interval_for(
                            feed,
                            realtime=not pushed and feed_id in realtime,
                        )
                        result = await refresh_feed(
                            session,
                            feed,
                            fetcher=fetcher,
                            now=now,
                            clock=clock,
                            before_writes=my_turn,
                            interval=interval,
                        )
                        await session.commit()
                        return result
                    except DBAPIError as exc:
                        if _retryable(exc) and attempt < RETRIES:
                            # Two refreshes updated the same stories in opposite orders: one
                            # was rolled back by PostgreSQL; doing it again succeeds.
                            logger.info("feed=%s deadlock, retrying attempt=%s", feed_id, attempt)
                            await session.rollback()
                            await asyncio.sleep(0.05 * attempt)
                            continue
                        error: Exception = exc
                    except Exception as exc:  # a bug or a database error: keep the others going
                        error = exc
                    logger.error("refresh failed feed=%s", feed_id, exc_info=error)
                    await session.rollback()
                    await my_turn()
                    return await _record_crash(session, feed_id, error, now=now)
        return None

    results = await asyncio.gather(*(one(feed.id) for feed in claimed if feed.id is not None))
    return [r for r in results if r is not None]


def _retryable(error: DBAPIError) -> bool:
    """A deadlock or serialization failure: PostgreSQL rolled us back; try again."""
    return getattr(error.orig, "sqlstate", None) in {"40P01", "40001"}


async def _record_crash(
    session: AsyncSession, feed_id: int, error: Exception, *, now: datetime
) -> RefreshResult | None:
    feed = await feed_store.get_feed(session, feed_id=feed_id)
    if feed is None:
        return None
    result = RefreshResult(feed_id=feed_id, url=feed.url, title=feed.title)
    record_failure(feed, result, error, now=now)
    await session.commit()
    return result


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
        body = clean_text(parsed.text, title=parsed.title) or parsed.text
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
