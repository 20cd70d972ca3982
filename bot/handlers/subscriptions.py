"""/topics, /subscribe, /unsubscribe and /list: what a chat follows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from bot.context import CustomContext
from bot.handlers import keyboards
from bot.handlers.common import (
    args_text,
    chat_label,
    esc,
    managed_chat,
    may_change,
    remember_thread,
    reply,
    usage,
)
from bot.handlers.keyboards import SUGGESTED_TOPICS
from bot.handlers.parsing import zone_label
from bot.handlers.schedules import describe_schedule, ensure_schedule, next_digest_at
from bot.settings import Settings
from digests import texts
from digests.query import (
    SECTION_ALIASES,
    QueryError,
    normalize_query,
    parse_query,
    parse_section_topic,
)
from digests.render import local_time
from storage import articles as article_store
from storage import feeds as feed_store
from storage import subscriptions as sub_store
from storage.models import Chat, ChatState, Subscription, SubscriptionKind

TRENDING_FROM = 200  # recent articles whose keyphrases make the trending list
TRENDING_COUNT = 6
MAX_TOPIC = 40  # longer phrases make poor buttons


class SubscribeError(ValueError):
    """Why a topic cannot be added; `str()` is shown to the user."""


async def subscribe_topic(
    session: AsyncSession, *, chat: Chat, text: str, settings: Settings, now: datetime
) -> tuple[Subscription, bool]:
    """Subscribe the chat to a news section (`technology`, `tech`, `sports -cricket`) or else
    to a keyword query (`"technology"` quoted is the keyword); idempotent. Caller commits."""
    text = " ".join(text.split())
    if len(text) > settings.max_query_length:
        raise SubscribeError(
            f"That topic is too long (at most {settings.max_query_length} characters)."
        )
    try:
        section = parse_section_topic(text, max_length=settings.max_query_length)
        if section is None:
            parse_query(text, max_length=settings.max_query_length)
            target = normalize_query(text, max_length=settings.max_query_length)
    except QueryError as exc:
        raise SubscribeError(str(exc)) from None
    kind = SubscriptionKind.TOPIC if section is None else SubscriptionKind.SECTION
    return await _add(
        session,
        chat=chat,
        settings=settings,
        now=now,
        kind=kind,
        target=target if section is None else section.target,
        query=text,
    )


async def subscribe_feed(
    session: AsyncSession, *, chat: Chat, url: str, settings: Settings, now: datetime
) -> tuple[Subscription, bool]:
    """Follow everything one known feed publishes (an admin added it with /addfeed)."""
    feed = await feed_store.get_feed_by_url(session, url=url)
    if feed is None or feed.id is None:
        raise SubscribeError("I don't know that feed. The bot's admins can add it with /addfeed.")
    return await _add(
        session,
        chat=chat,
        settings=settings,
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
    settings: Settings,
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
    if len(existing) >= settings.max_subscriptions:
        raise SubscribeError(
            f"You follow {texts.topics(len(existing))}, the most allowed. "
            "Remove one with /unsubscribe."
        )
    added = await sub_store.add_subscription(
        session, chat_id=chat.id, kind=kind, target=target, query=query, feed_id=feed_id
    )
    await ensure_schedule(session, chat=chat, now=now)
    return added


def key_of(subscription: Subscription) -> str:
    """What tells subscriptions apart: "topic:…", "section:…" or "feed:feed:…"."""
    return f"{subscription.kind}:{subscription.target}"


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
    """How /list shows a subscription: a section (and what narrows it), keywords or a feed."""
    if subscription.kind == SubscriptionKind.SECTION:
        section = parse_section_topic(subscription.target, max_length=10_000)
        return section.describe() if section is not None else subscription.target
    shown = subscription.query or subscription.target
    if subscription.kind == SubscriptionKind.FEED:
        return f"{shown} (feed)"
    return f"{shown} (keywords)"


async def trending_topics(session: AsyncSession, *, limit: int = TRENDING_COUNT) -> list[str]:
    """The keyphrases recent articles share most; ties go to each article's leading phrase,
    newest article first (so a quiet day still shows what is new)."""
    counts: Counter[str] = Counter()
    order: dict[str, tuple[int, int]] = {}
    for age, keyphrases in enumerate(
        await article_store.latest_keyphrases(session, limit=TRENDING_FROM)
    ):
        phrases = [p.strip().lower() for p in keyphrases.split(";") if p.strip()]
        for rank, phrase in enumerate(dict.fromkeys(phrases)):
            counts[phrase] += 1
            order.setdefault(phrase, (rank, age))
    ranked = sorted(counts, key=lambda p: (-counts[p], *order[p]))
    return [
        p
        for p in ranked
        if len(p) <= MAX_TOPIC and p not in SUGGESTED_TOPICS and p not in _SECTION_WORDS
    ][:limit]


# a keyphrase such as "sport" or "technology" is better followed as its section (a button)
_SECTION_WORDS = frozenset(alias for aliases in SECTION_ALIASES.values() for alias in aliases)


async def topics(update: Update, context: CustomContext) -> None:
    """Suggested and trending topics, with toggle buttons."""
    async with context.services.session() as session:
        chat = await managed_chat(update, context, session)
        if chat is None:
            return
        followed = await topic_targets(session, chat)
        trending = await trending_topics(session)
        await session.commit()
    names = list(dict.fromkeys([*keyboards.SUGGESTED_TOPICS, *trending]))
    subscribed = followed_names(names, followed)
    lines = ["<b>Topics</b> — tap to follow or unfollow."]
    if trending:
        lines.append("Trending now: " + ", ".join(esc(t) for t in trending))
    lines.append("News sections: " + ", ".join(SECTION_ALIASES) + " (/subscribe <i>section</i>).")
    lines.append(
        "Narrow one with words (<i>science space</i>, <i>sport -cricket</i>), or follow any "
        'words: /subscribe <i>words</i> (OR, "quotes", -minus; quoted, a section name is a '
        "keyword)."
    )
    await reply(update, "\n".join(lines), markup=keyboards.topics_keyboard(names, subscribed))


async def _feed_or_topic_target(session: AsyncSession, text: str) -> str:
    if text.lower().startswith(("http://", "https://")):
        feed = await feed_store.get_feed_by_url(session, url=text)
        if feed is not None and feed.id is not None:
            return f"{SubscriptionKind.FEED}:{sub_store.feed_target(feed.id)}"
    return target_of(text)


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


async def subscribe(update: Update, context: CustomContext) -> None:
    """Follow a topic query (or a known feed by its URL)."""
    text = args_text(context)
    if not text:
        await usage(
            update,
            "/subscribe <topic query>",
            "Which topic? For example: /subscribe climate OR energy",
        )
        return
    if not await may_change(update, context):
        return
    async with context.services.session() as session:
        chat = await managed_chat(update, context, session)
        if chat is None:
            return
        try:
            if text.lower().startswith(("http://", "https://")):
                subscription, created = await subscribe_feed(
                    session, chat=chat, url=text, settings=context.settings, now=context.now()
                )
            else:
                subscription, created = await subscribe_topic(
                    session, chat=chat, text=text, settings=context.settings, now=context.now()
                )
        except SubscribeError as exc:
            await session.commit()  # release the database before talking to Telegram
            await usage(update, "/subscribe <topic query>", str(exc))
            return
        remember_thread(update, chat)
        session.add(chat)
        await session.commit()
    query = f"<b>{esc(subscription.query)}</b>"
    if subscription.kind == SubscriptionKind.SECTION:
        query += f" — {esc(describe(subscription))}"
    else:
        query += " (feed)" if subscription.kind == SubscriptionKind.FEED else " (keywords)"
    if created:
        hint = ""
        if subscription.kind == SubscriptionKind.SECTION:
            hint = f' For the words themselves, quote them: /subscribe "{esc(text)}".'
        await reply(
            update, f"Subscribed {chat_label(chat)} to {query}.{hint} /list shows everything."
        )
    else:
        await reply(update, f"Already following {query}.")


async def unsubscribe(update: Update, context: CustomContext) -> None:
    """Stop following a topic (a keyboard without an argument)."""
    text = args_text(context)
    if not await may_change(update, context):
        return
    async with context.services.session() as session:
        chat = await managed_chat(update, context, session)
        if chat is None or chat.id is None:
            return
        subs = await sub_store.list_subscriptions(session, chat_id=chat.id)
        await session.commit()
        if not subs:
            await reply(update, "Nothing to unsubscribe from. /topics shows some ideas.")
            return
        if not text:
            await reply(
                update, "Tap a topic to unsubscribe:", markup=keyboards.unsubscribe_keyboard(subs)
            )
            return
        target = await _feed_or_topic_target(session, text)
        match = next(
            (s for s in subs if key_of(s) == target or s.query.lower() == text.lower()), None
        )
        if match is None or match.id is None:
            await session.commit()  # release the database before talking to Telegram
            await usage(update, "/unsubscribe [topic]", f"You do not follow {text}.")
            return
        await sub_store.remove_subscription(session, chat_id=chat.id, subscription_id=match.id)
        await session.commit()
    await reply(update, f"Unsubscribed from <b>{esc(match.query)}</b>.")


async def list_command(update: Update, context: CustomContext) -> None:
    """Subscriptions, schedule and when the next digest is due, time zone, other settings."""
    async with context.services.session() as session:
        chat = await managed_chat(update, context, session)
        if chat is None or chat.id is None:
            return
        subs = await sub_store.list_subscriptions(session, chat_id=chat.id)
        mutes = await sub_store.list_mutes(session, chat_id=chat.id)
        schedule = await describe_schedule(session, chat)
        due = await next_digest_at(session, chat, now=context.now())
        feed_names = {
            s.id: await _feed_name(session, s) for s in subs if s.kind == SubscriptionKind.FEED
        }
        await session.commit()
    topic_subs = [s for s in subs if s.kind != SubscriptionKind.FEED]
    lines = [f"<b>Settings for {chat_label(chat)}</b>"]
    if topic_subs:
        lines.append("Topics: " + ", ".join(f"<b>{esc(describe(s))}</b>" for s in topic_subs))
    elif not feed_names:
        lines.append("Topics: none yet — /topics or /subscribe <i>words</i>")
    if feed_names:
        lines.append("Feeds: " + ", ".join(f"<b>{esc(name)}</b>" for name in feed_names.values()))
    lines.append(f"Schedule: {esc(schedule)}")
    if chat.state == ChatState.PAUSED:
        lines.append("Next digest: none while paused")
    elif due is not None:
        when = local_time(due, chat.timezone, chat.language, "EEE d MMM, HH:mm")
        lines.append(f"Next digest: {esc(when)}")
    lines.append(f"Time zone: {esc(zone_label(chat.timezone))}")
    if chat.quiet_start and chat.quiet_end:
        lines.append(f"Quiet hours: {esc(chat.quiet_start)}–{esc(chat.quiet_end)}")
    lines.append(f"Items per digest: {chat.max_items}")
    if mutes:
        lines.append("Muted words: " + ", ".join(esc(m) for m in mutes))
    if chat.state != ChatState.ACTIVE:
        lines.append(f"State: {esc(chat.state)} (/resume to continue)")
    await reply(update, "\n".join(lines))


async def _feed_name(session: AsyncSession, subscription: Subscription) -> str:
    """A followed feed as people know it: its current title, else its address."""
    feed = None
    if subscription.feed_id is not None:
        feed = await feed_store.get_feed(session, feed_id=subscription.feed_id)
    if feed is None:
        return subscription.query or subscription.target
    return feed.title or feed.url
