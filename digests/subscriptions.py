"""What a chat follows: subscribing to a news section, a keyword query or a known feed,
finding and removing a subscription from what the user typed, and the overview /list shows.
Use cases over storage, shared by the commands and the buttons; the caller commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from digests.i18n import _, ngettext
from digests.query import QueryError, normalize_query, parse_query, parse_section_topic
from digests.schedule import describe_schedule, ensure_schedule, next_digest_at
from storage import feeds as feed_store
from storage import subscriptions as sub_store
from storage.models import Chat, Subscription, SubscriptionKind


class SubscriptionLimits(Protocol):
    """The settings a subscription is checked against (`bot.settings.Settings` has them)."""

    @property
    def max_query_length(self) -> int: ...

    @property
    def max_subscriptions(self) -> int: ...


class SubscribeError(ValueError):
    """Why a topic cannot be added; `str()` is shown to the user (plain text, in the language
    current when it was raised: the handler has set the chat's)."""


def is_feed_url(text: str) -> bool:
    """A subscription text naming a feed by its address rather than a topic."""
    return text.lower().startswith(("http://", "https://"))


async def subscribe(
    session: AsyncSession, *, chat: Chat, text: str, limits: SubscriptionLimits, now: datetime
) -> tuple[Subscription, bool]:
    """/subscribe: a known feed by its URL, else a section or keyword query; the subscription
    and whether it is new."""
    if is_feed_url(text):
        return await subscribe_feed(session, chat=chat, url=text, limits=limits, now=now)
    return await subscribe_topic(session, chat=chat, text=text, limits=limits, now=now)


async def subscribe_topic(
    session: AsyncSession, *, chat: Chat, text: str, limits: SubscriptionLimits, now: datetime
) -> tuple[Subscription, bool]:
    """Subscribe the chat to a news section (`technology`, `tech`, `sports -cricket`) or else
    to a keyword query (`"technology"` quoted is the keyword); idempotent."""
    text = " ".join(text.split())
    if len(text) > limits.max_query_length:
        raise SubscribeError(
            ngettext(
                "That topic is too long (at most %(num)d character).",
                "That topic is too long (at most %(num)d characters).",
                limits.max_query_length,
            )
        )
    try:
        section = parse_section_topic(text, max_length=limits.max_query_length)
        if section is None:
            parse_query(text, max_length=limits.max_query_length)
            target = normalize_query(text, max_length=limits.max_query_length)
    except QueryError as exc:
        raise SubscribeError(str(exc)) from None
    kind = SubscriptionKind.TOPIC if section is None else SubscriptionKind.SECTION
    return await _add(
        session,
        chat=chat,
        limits=limits,
        now=now,
        kind=kind,
        target=target if section is None else section.target,
        query=text,
    )


async def subscribe_feed(
    session: AsyncSession, *, chat: Chat, url: str, limits: SubscriptionLimits, now: datetime
) -> tuple[Subscription, bool]:
    """Follow everything one known feed publishes (an admin added it with /addfeed)."""
    feed = await feed_store.get_feed_by_url(session, url=url)
    if feed is None or feed.id is None:
        raise SubscribeError(
            _("I don't know that feed. The bot's admins can add it with /addfeed.")
        )
    return await _add(
        session,
        chat=chat,
        limits=limits,
        now=now,
        kind=SubscriptionKind.FEED,
        target=sub_store.feed_target(feed.id),
        query=feed.title or feed.url,
        feed_id=feed.id,
    )


async def _add(
    session: AsyncSession,
    *,
    chat: Chat,
    limits: SubscriptionLimits,
    now: datetime,
    kind: SubscriptionKind,
    target: str,
    query: str,
    feed_id: int | None = None,
) -> tuple[Subscription, bool]:
    assert chat.id is not None
    existing = await sub_store.list_subscriptions(session, chat_id=chat.id)
    same = next((s for s in existing if s.kind == kind and s.target == target), None)
    if same is not None:
        return same, False
    if len(existing) >= limits.max_subscriptions:
        raise SubscribeError(
            ngettext(
                "You follow %(num)d topic, the most allowed. Remove one with /unsubscribe.",
                "You follow %(num)d topics, the most allowed. Remove one with /unsubscribe.",
                len(existing),
            )
        )
    added = await sub_store.add_subscription(
        session, chat_id=chat.id, kind=kind, target=target, query=query, feed_id=feed_id
    )
    await ensure_schedule(session, chat=chat, now=now)
    return added


async def toggle_topic(
    session: AsyncSession, *, chat: Chat, topic: str, limits: SubscriptionLimits, now: datetime
) -> bool:
    """A topic button: unfollow the topic when the chat follows it, else follow it. True
    when the chat follows it now."""
    assert chat.id is not None
    existing = (await topic_targets(session, chat)).get(target_of(topic))
    if existing is not None and existing.id is not None:
        await sub_store.remove_subscription(session, chat_id=chat.id, subscription_id=existing.id)
        return False
    await subscribe_topic(session, chat=chat, text=topic, limits=limits, now=now)
    return True


async def unsubscribe(
    session: AsyncSession, *, chat: Chat, subscriptions: Sequence[Subscription], text: str
) -> Subscription | None:
    """Remove the one of the chat's `subscriptions` that `text` names (by its topic, its
    section, its feed's URL or the words it was made with, in any case); None when none."""
    assert chat.id is not None
    target = await _feed_or_topic_target(session, text)
    match = next(
        (s for s in subscriptions if key_of(s) == target or s.query.lower() == text.lower()),
        None,
    )
    if match is None or match.id is None:
        return None
    await sub_store.remove_subscription(session, chat_id=chat.id, subscription_id=match.id)
    return match


async def _feed_or_topic_target(session: AsyncSession, text: str) -> str:
    if is_feed_url(text):
        feed = await feed_store.get_feed_by_url(session, url=text)
        if feed is not None and feed.id is not None:
            return f"{SubscriptionKind.FEED}:{sub_store.feed_target(feed.id)}"
    return target_of(text)


def key_of(subscription: Subscription) -> str:
    """What tells subscriptions apart: "topic:…", "section:…" or "feed:feed:…"."""
    return f"{subscription.kind}:{subscription.target}"


def target_of(text: str) -> str:
    """The `key_of` the subscription a topic text stands for would have: a section's, or a
    keyword query's (the text itself if it is no valid query)."""
    try:
        section = parse_section_topic(text)
        if section is not None:
            return f"{SubscriptionKind.SECTION}:{section.target}"
        return f"{SubscriptionKind.TOPIC}:{normalize_query(text)}"
    except QueryError:
        return f"{SubscriptionKind.TOPIC}:{text}"


async def topic_targets(session: AsyncSession, chat: Chat) -> dict[str, Subscription]:
    """The chat's topic and section subscriptions by `key_of` (what `target_of` gives)."""
    assert chat.id is not None
    subs = await sub_store.list_subscriptions(session, chat_id=chat.id)
    kinds = (SubscriptionKind.TOPIC, SubscriptionKind.SECTION)
    return {key_of(s): s for s in subs if s.kind in kinds}


def followed_names(names: Sequence[str], followed: dict[str, Subscription]) -> set[str]:
    """Which of these topic texts (buttons) the chat follows."""
    return {name for name in names if target_of(name) in followed}


def describe(subscription: Subscription) -> str:
    """How /list shows a subscription (plain text): a section (and what narrows it), keywords
    or a feed."""
    if subscription.kind == SubscriptionKind.SECTION:
        section = parse_section_topic(subscription.target, max_length=10_000)
        return section.describe() if section is not None else subscription.target
    shown = subscription.query or subscription.target
    if subscription.kind == SubscriptionKind.FEED:
        # Translators: a followed feed in /list, by its title or address
        return _("%(feed)s (feed)", feed=shown)
    # Translators: a keyword topic in /list, as the user typed it
    return _("%(words)s (keywords)", words=shown)


@dataclass(frozen=True)
class Overview:
    """Everything /list shows about a chat."""

    topics: list[Subscription]  # sections and keyword queries
    feeds: list[str]  # followed feeds by name
    mutes: list[str]
    schedule: str
    next_digest_at: datetime | None


async def overview(session: AsyncSession, *, chat: Chat, now: datetime) -> Overview:
    """What the chat follows, mutes and when its next digest is due."""
    assert chat.id is not None
    subs = await sub_store.list_subscriptions(session, chat_id=chat.id)
    return Overview(
        topics=[s for s in subs if s.kind != SubscriptionKind.FEED],
        feeds=[await _feed_name(session, s) for s in subs if s.kind == SubscriptionKind.FEED],
        mutes=list(await sub_store.list_mutes(session, chat_id=chat.id)),
        schedule=await describe_schedule(session, chat),
        next_digest_at=await next_digest_at(session, chat, now=now),
    )


async def _feed_name(session: AsyncSession, subscription: Subscription) -> str:
    """A followed feed as people know it: its current title, else its address."""
    feed = None
    if subscription.feed_id is not None:
        feed = await feed_store.get_feed(session, feed_id=subscription.feed_id)
    if feed is None:
        return subscription.query or subscription.target
    return feed.title or feed.url
