"""Feed health and check timing: when a feed is checked next (its interval, the server's
hints, exponential backoff after failures) and when it becomes failing or recovers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from ingest.fetch import FetchError, FetchResult
from storage.models import Feed, FeedState

logger = logging.getLogger(__name__)

CHECK_INTERVAL = timedelta(minutes=30)  # how often a healthy feed is checked (the default)
FASTEST_INTERVAL = timedelta(minutes=1)  # feeds realtime subscribers follow (the default)
MAX_INTERVAL = timedelta(days=1)  # no server hint (max-age, ttl, Retry-After) waits longer
RETRY_BASE = timedelta(minutes=5)  # first retry after a failure; doubles each time
FAILING_AFTER = 3  # consecutive failures before subscribers and admins are told
PUSHED = 299  # `FetchResult.status` of content a WebSub hub pushed (not fetched by us)


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


def record_success(
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
