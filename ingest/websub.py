"""WebSub (PubSubHubbub) push, the subscriber's side: the hub a feed announces, asking it to
push (through the fetcher's guarded client), checking the hub's challenge, and the HMAC
`X-Hub-Signature` of pushed content (https://www.w3.org/TR/websub/)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from lxml import etree
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from ingest.fetch import Fetcher, FetchError, UnsafeURLError
from storage import feeds as feed_store
from storage.models import Feed

logger = logging.getLogger(__name__)

LEASE = timedelta(days=10)  # asked of the hub; it may grant another
RENEW_BEFORE = timedelta(days=1)  # renew a subscription this long before it lapses
RETRY_AFTER = timedelta(hours=1)  # a request the hub never confirmed is repeated after this
_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384}
_ALGORITHMS["sha512"] = hashlib.sha512
_ATOM = "http://www.w3.org/2005/Atom"


def find_hub(content: bytes) -> tuple[str | None, str | None]:
    """(hub URL, topic URL) from the feed's `<link rel="hub">` and `<link rel="self">` (Atom,
    or atom:link inside RSS); (None, None) when it announces no hub."""
    try:
        root = etree.fromstring(content, etree.XMLParser(recover=True, resolve_entities=False))
    except etree.XMLSyntaxError:
        return None, None
    if root is None:
        return None, None
    hub = topic = None
    for link in root.iter(f"{{{_ATOM}}}link", "link"):
        rel = (link.get("rel") or "").strip().lower()
        href = (link.get("href") or "").strip()
        if not href.lower().startswith(("http://", "https://")):
            continue
        if rel == "hub" and hub is None:
            hub = href
        elif rel == "self" and topic is None:
            topic = href
    return hub, topic if hub else None


def feed_secret(secret: str, feed_id: int) -> str:
    """The secret one feed's hub signs with: derived, so one leaked hub secret is one feed's."""
    return hmac.new(secret.encode(), f"websub-feed:{feed_id}".encode(), "sha256").hexdigest()


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    """`X-Hub-Signature: sha256=<hex>` (or sha1/sha384/sha512) matches the body's HMAC."""
    if not header or "=" not in header:
        return False
    method, _, given = header.strip().partition("=")
    algorithm = _ALGORITHMS.get(method.lower())
    if algorithm is None:
        return False
    expected = hmac.new(secret.encode(), body, algorithm).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def callback_url(base: str, feed_id: int) -> str:
    return f"{base.rstrip('/')}/{feed_id}"


def topic_of(feed: Feed) -> str:
    return feed.hub_topic or feed.url


async def subscribe(
    fetcher: Fetcher, feed: Feed, *, callback_base: str, secret: str | None
) -> None:
    """Ask the feed's hub to push to us (the hub then confirms with a challenge to our
    callback). Raises `FetchError`; the hub's address passes the same guard as any fetch."""
    assert feed.id is not None and feed.hub_url is not None
    data = {
        "hub.mode": "subscribe",
        "hub.topic": topic_of(feed),
        "hub.callback": callback_url(callback_base, feed.id),
        "hub.lease_seconds": str(int(LEASE.total_seconds())),
    }
    if secret:
        data["hub.secret"] = feed_secret(secret, feed.id)
    await fetcher.check(feed.hub_url)
    try:
        response = await fetcher.client.post(feed.hub_url, data=data)
    except Exception as exc:  # httpx's transport errors, and our guard's refusals inside it
        raise FetchError(f"hub {feed.hub_url}: {exc or type(exc).__name__}") from None
    if response.status_code not in (202, 204):
        raise FetchError(f"hub {feed.hub_url} answered HTTP {response.status_code}")


async def renew_subscriptions(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    fetcher: Fetcher,
    callback_base: str,
    secret: str | None,
    now: datetime,
) -> int:
    """Ask for push for every feed with a hub and no subscription that lasts another day (one
    request per feed and hour at most); returns the requests the hubs accepted."""
    async with sessionmaker() as session:
        feeds = await feed_store.feeds_to_subscribe(
            session, lapse=now + RENEW_BEFORE, asked_before=now - RETRY_AFTER
        )
        accepted = 0
        for feed in feeds:
            feed.websub_requested_at = now
            session.add(feed)
            try:
                await subscribe(fetcher, feed, callback_base=callback_base, secret=secret)
            except (FetchError, UnsafeURLError) as exc:
                logger.warning("websub subscribe failed feed=%s: %s", feed.id, exc)
                continue
            accepted += 1
            logger.info("websub subscribe requested feed=%s hub=%s", feed.id, feed.hub_url)
        await session.commit()
    return accepted


def verification(feed: Feed | None, params: Mapping[str, str], *, now: datetime) -> tuple[int, str]:
    """(HTTP status, body) for the hub's verification of intent, updating the feed: the
    challenge echoed for a subscription we asked for (same topic), 404 otherwise."""
    mode = params.get("hub.mode", "")
    if feed is None or params.get("hub.topic") != topic_of(feed):
        return 404, "unknown topic"
    if mode == "denied":
        feed.websub_until = None
        logger.warning("websub denied feed=%s: %s", feed.id, params.get("hub.reason", ""))
        return 200, ""
    if mode != "subscribe" or not feed.hub_url or "hub.challenge" not in params:
        return 404, "not requested"  # we never unsubscribe a feed we still hold
    try:
        lease = timedelta(seconds=int(params.get("hub.lease_seconds", "")))
    except ValueError:
        lease = LEASE
    feed.websub_until = now + lease
    logger.info("websub subscribed feed=%s until=%s", feed.id, feed.websub_until)
    return 200, params["hub.challenge"]
