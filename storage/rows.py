"""Named, typed records that storage's bulk reads hand to the layers above: a few columns of a
row as plain attributes (a digest tick reads hundreds of thousands; ORM objects cost)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, NamedTuple, Self

from sqlmodel import SQLModel, col

from storage.models import Article, Chat, Schedule

Watermark = tuple[datetime, int]  # (stored_at, article id) of the last article considered


class _ColumnsOf:
    """A row of some of `model`'s columns, its fields named as the model's columns."""

    __slots__: tuple[str, ...] = ()
    model: ClassVar[type[SQLModel]]

    @classmethod
    def columns(cls) -> tuple[Any, ...]:
        """The model's columns, in the order of this row's fields."""
        return tuple(col(getattr(cls.model, name)) for name in cls.__slots__)

    @classmethod
    def of(cls, record: SQLModel) -> Self:
        """The row of a loaded record."""
        return cls(*(getattr(record, name) for name in cls.__slots__))


@dataclass(slots=True)
class ArticleRow(_ColumnsOf):
    """The columns of an article that selection and rendering need."""

    id: int
    story_id: int | None
    feed_id: int | None
    stored_at: datetime
    published_at: datetime | None
    title: str
    url: str
    canonical_url: str
    source_name: str | None
    summary: str
    keyphrases: str = ""
    date_only: bool = False  # `published_at` is only a day
    language: str | None = None  # ISO 639-1, None when unknown
    model: ClassVar[type[SQLModel]] = Article

    @property
    def story_key(self) -> int:
        """The story it belongs to (an article without one is a story of its own)."""
        return self.story_id if self.story_id is not None else -self.id

    @property
    def mark(self) -> Watermark:
        return (self.stored_at, self.id)

    @classmethod
    def of_values(cls, values: Any) -> ArticleRow:
        """A row of `columns()`, NULL texts as empty strings."""
        (
            article_id,
            story_id,
            feed_id,
            stored_at,
            published_at,
            title,
            url,
            canonical_url,
            source_name,
            summary,
            keyphrases,
            date_only,
            language,
        ) = values
        return cls(
            id=int(article_id),
            story_id=story_id,
            feed_id=feed_id,
            stored_at=stored_at,
            published_at=published_at,
            title=title or "",
            url=url or "",
            canonical_url=canonical_url or "",
            source_name=source_name,
            summary=summary or "",
            keyphrases=keyphrases or "",
            date_only=bool(date_only),
            language=language,
        )


@dataclass(frozen=True, slots=True)
class ScheduleRow(_ColumnsOf):
    """The columns of a claimed schedule the digest builder reads."""

    id: int
    chat_id: int
    kind: str
    time: str | None
    weekday: str | None
    cron: str | None
    next_due_at: datetime | None
    watermark_stored_at: datetime | None
    watermark_article_id: int
    model: ClassVar[type[SQLModel]] = Schedule


@dataclass(frozen=True, slots=True)
class ChatRow(_ColumnsOf):
    """The columns of a chat the digest builder reads."""

    id: int
    telegram_id: int
    thread_id: int | None
    state: str
    language: str
    timezone: str
    max_items: int
    quiet_start: str | None
    quiet_end: str | None
    model: ClassVar[type[SQLModel]] = Chat


class RecentValue(NamedTuple):
    """A recent article's stored text `value` (its signature, its story terms) with its story,
    for the near-duplicate and story windows."""

    article_id: int
    story_id: int
    value: str
    stored_at: datetime


class SubscriptionRow(NamedTuple):
    """One subscription of a chat, as the digest builder reads it."""

    chat_id: int
    kind: str
    target: str
    query: str
    feed_id: int | None


class ScheduleAdvance(NamedTuple):
    """A built schedule's next state: due time, last run, zone and watermark; its lease is
    released (only while `owner` still holds it)."""

    id: int
    owner: str
    next_due_at: datetime | None
    last_run_at: datetime
    timezone: str
    watermark: Watermark | None


class DigestIn(NamedTuple):
    """A digest row to insert; the article ids in digest order."""

    chat_id: int
    kind: str
    created_at: datetime
    article_ids: tuple[int, ...]
    more_ids: tuple[int, ...]


class SentStoryIn(NamedTuple):
    """A story sent to a chat in a digest."""

    chat_id: int
    story_id: int
    digest_id: int


class OutboxPart(NamedTuple):
    """One message part of a digest for the outbox (`storage.deliveries.insert_parts`)."""

    digest_id: int
    part_no: int
    chat_id: int
    telegram_chat_id: int
    thread_id: int | None
    text: str
    blocked: bool  # the chat blocked us: the part is parked
    now: datetime
