"""The SQLModel tables: feeds, articles and stories, chats and their settings, digests and the
delivery outbox. Unique constraints make every write idempotent; times are aware UTC."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


def _time(*, index: bool = False, nullable: bool = True) -> Any:
    return Field(default=None, sa_type=UTCDateTime, index=index, nullable=nullable)


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class FeedState(StrEnum):
    OK = "ok"
    FAILING = "failing"


class ChatType(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    SUPERGROUP = "supergroup"
    CHANNEL = "channel"


class ChatState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    BLOCKED = "blocked"


class SubscriptionKind(StrEnum):
    TOPIC = "topic"
    FEED = "feed"
    SECTION = "section"  # target: the section's name, then any narrowing words


class ScheduleKind(StrEnum):
    REALTIME = "realtime"
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"
    CRON = "cron"
    OFF = "off"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    PARKED = "parked"  # chat blocked or gone: kept, not sent, revived by /start


# --- sources and articles -------------------------------------------------------------------


class FeedBase(SQLModel):
    url: str = Field(sa_type=Text, unique=True, nullable=False)
    title: str | None = Field(default=None, sa_type=Text)
    site_url: str | None = Field(default=None, sa_type=Text)
    full_text: bool | None = None  # fetch the linked page; None = decide (teaser-only feeds)
    category: str | None = Field(default=None, sa_type=Text)  # OPML folder path, "News/Local"


class FeedCreate(FeedBase):
    added_by: int | None = Field(default=None, sa_type=BigInteger)


class Feed(FeedCreate, table=True):
    id: int | None = Field(default=None, primary_key=True)
    etag: str | None = Field(default=None, sa_type=Text)
    last_modified: str | None = Field(default=None, sa_type=Text)
    next_check_at: datetime | None = _time(index=True)
    last_checked_at: datetime | None = _time()
    error_count: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    state: str = Field(default=FeedState.OK, max_length=16)
    failing_notified_at: datetime | None = _time()
    created_at: datetime = _created()
    check_interval: int | None = None  # seconds between checks; None: the global setting
    hub_url: str | None = Field(default=None, sa_type=Text)  # WebSub hub the feed announces
    hub_topic: str | None = Field(default=None, sa_type=Text)  # its rel="self" URL
    websub_until: datetime | None = _time()  # the hub confirmed pushes until then
    websub_requested_at: datetime | None = _time()  # last subscription request sent


class Story(SQLModel, table=True):
    """One real-world story; the articles that report it point here."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(default="", sa_type=Text)
    first_article_id: int | None = None
    sources_count: int = 1
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ArticleBase(SQLModel):
    canonical_url: str = Field(sa_type=Text, unique=True, nullable=False)
    url: str = Field(default="", sa_type=Text)
    guid: str | None = Field(default=None, sa_type=Text)
    title: str = Field(default="", sa_type=Text)
    author: str | None = Field(default=None, sa_type=Text)
    source_name: str | None = Field(default=None, sa_type=Text)
    published_at: datetime | None = _time()
    # the source gave only the day of `published_at` (kept at 00:00 UTC): show a date, no time
    date_only: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    text: str = Field(default="", sa_type=Text)
    summary: str = Field(default="", sa_type=Text)
    language: str | None = Field(default=None, max_length=16)
    keyphrases: str = Field(default="", sa_type=Text)  # "; "-joined, indexed for search
    # Snowball stems of title, keyphrases and summary in a non-English `language`, indexed for
    # search (storage/stems.py); None for English and languages without a stemmer
    stems: str | None = Field(default=None, sa_type=Text)
    content_hash: str = Field(default="", max_length=64, index=True)
    signature: str | None = Field(default=None, max_length=64)  # near-duplicate fingerprint


class ArticleCreate(ArticleBase):
    feed_id: int | None = None


class Article(ArticleBase, table=True):
    __table_args__ = (UniqueConstraint("feed_id", "guid", name="uq_article_feed_guid"),)

    id: int | None = Field(default=None, primary_key=True)
    feed_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("feed.id", ondelete="SET NULL"), index=True),
    )
    story_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("story.id", ondelete="SET NULL"), index=True),
    )
    stored_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    updated_at: datetime | None = _time()
    # story clustering: the article's weighted terms (JSON, the index's input), the similarity
    # to the story it joined, and why (JSON: "copy" / "report" / "new" and the shared terms)
    story_terms: str | None = Field(default=None, sa_type=Text)
    story_similarity: float | None = None
    story_why: str | None = Field(default=None, sa_type=Text)


class ArticleSection(SQLModel, table=True):
    """A news section an article belongs to (technology, sport, ...) with the classifier's
    confidence; a section subscription reads it through the (section, article_id) index."""

    __tablename__ = "article_section"
    __table_args__ = (Index("ix_article_section_section", "section", "article_id"),)

    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    )
    section: str = Field(sa_column=Column(String(16), primary_key=True))
    score: float = Field(sa_column=Column(Float, nullable=False))


# --- subscribers ----------------------------------------------------------------------------


class Chat(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=BigInteger, unique=True, nullable=False)
    type: str = Field(default=ChatType.PRIVATE, max_length=16)
    title: str | None = Field(default=None, sa_type=Text)
    username: str | None = Field(default=None, sa_type=Text)
    language: str = Field(default="en", max_length=16)
    timezone: str = Field(default="UTC", max_length=64)
    state: str = Field(default=ChatState.ACTIVE, max_length=16)
    thread_id: int | None = None  # forum topic the chat subscribed from
    max_items: int = 10
    quiet_start: str | None = Field(default=None, max_length=5)  # "22:00", in the chat's zone
    quiet_end: str | None = Field(default=None, max_length=5)
    linked_by: int | None = Field(default=None, sa_type=BigInteger)  # channel: linking admin
    # a private chat: the channel its user manages from here (/channel), kept across restarts
    managing_chat_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("chat.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = _created()
    blocked_at: datetime | None = _time()


class Subscription(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("chat_id", "kind", "target", name="uq_subscription_chat_target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(
        sa_column=Column(Integer, ForeignKey("chat.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(default=SubscriptionKind.TOPIC, max_length=16)
    target: str = Field(sa_type=Text, nullable=False)  # normalised query, or "feed:<id>"
    query: str = Field(default="", sa_type=Text)  # as the user typed it
    feed_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("feed.id", ondelete="CASCADE"), nullable=True),
    )
    created_at: datetime = _created()


class Mute(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("chat_id", "word", name="uq_mute_chat_word"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(
        sa_column=Column(Integer, ForeignKey("chat.id", ondelete="CASCADE"), nullable=False)
    )
    word: str = Field(sa_type=Text, nullable=False)


class Schedule(SQLModel, table=True):
    """When a chat gets its digest; the digest tick claims rows whose `next_due_at` passed."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("chat.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    kind: str = Field(default=ScheduleKind.DAILY, max_length=16)
    time: str | None = Field(default=None, max_length=5)  # "HH:MM"
    weekday: str | None = Field(default=None, max_length=3)  # "mon".."sun"
    cron: str | None = Field(default=None, sa_type=Text)
    timezone: str = Field(default="UTC", max_length=64)
    next_due_at: datetime | None = _time(index=True)
    last_run_at: datetime | None = _time()
    watermark_stored_at: datetime | None = _time()  # stored_at of the last article included
    watermark_article_id: int = 0  # tie-break for articles stored in the same instant
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = _time()


# --- digests and the outbox -----------------------------------------------------------------


class Digest(SQLModel, table=True):
    """One digest sent (or on its way) to a chat. The articles it showed, best first, and the
    ones it held back for /more are comma-separated article ids: a tick writes 100 000 digests,
    and a row per item would be millions of rows for lists read only whole."""

    __table_args__ = (Index("ix_digest_chat", "chat_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(
        sa_column=Column(Integer, ForeignKey("chat.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(default="scheduled", max_length=16)  # scheduled/manual/more/catchup
    created_at: datetime = _created()
    items_count: int = 0
    overflow_count: int = 0
    article_ids: str = Field(default="", sa_type=Text, nullable=False)  # shown
    more_ids: str = Field(default="", sa_type=Text, nullable=False)  # held back, sent by /more


class Delivery(SQLModel, table=True):
    """One message part in the outbox."""

    __table_args__ = (
        UniqueConstraint("digest_id", "part_no", name="uq_delivery_digest_part"),
        Index("ix_delivery_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    digest_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("digest.id", ondelete="CASCADE"), nullable=True),
    )
    part_no: int = 0
    chat_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("chat.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    telegram_chat_id: int = Field(sa_type=BigInteger, nullable=False)
    thread_id: int | None = None
    text: str = Field(sa_type=Text, nullable=False)
    parse_mode: str | None = Field(default="HTML", max_length=16)
    reply_markup: str | None = Field(default=None, sa_type=Text)  # JSON
    status: str = Field(default=DeliveryStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = _time()
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _created()
    sent_at: datetime | None = _time()


class SentStory(SQLModel, table=True):
    """Nothing is sent twice to a chat: one row per (chat, story) once a digest includes it."""

    __tablename__ = "sent_story"
    # keyed by (chat, story) alone, a clustered table on SQLite: a tick writes a million rows
    __table_args__ = {"sqlite_with_rowid": False}

    chat_id: int = Field(
        sa_column=Column(Integer, ForeignKey("chat.id", ondelete="CASCADE"), primary_key=True)
    )
    story_id: int = Field(
        sa_column=Column(Integer, ForeignKey("story.id", ondelete="CASCADE"), primary_key=True)
    )
    digest_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("digest.id", ondelete="SET NULL"), nullable=True),
    )
    sent_at: datetime = _created()
