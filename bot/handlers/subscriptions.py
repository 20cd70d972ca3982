"""/topics, /subscribe, /unsubscribe and /list: what a chat follows."""

from __future__ import annotations

from collections import Counter
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
from digests.query import QueryError, normalize_query, parse_query
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
    """Validate a topic query and subscribe the chat to it (idempotent). Caller commits."""
    text = " ".join(text.split())
    if len(text) > settings.max_query_length:
        raise SubscribeError(
            f"That topic is too long (at most {settings.max_query_length} characters)."
        )
    try:
        parse_query(text, max_length=settings.max_query_length)
        target = normalize_query(text, max_length=settings.max_query_length)
    except QueryError as exc:
        raise SubscribeError(str(exc)) from None
    return await _add(
        session,
        chat=chat,
        settings=settings,
        now=now,
        kind=SubscriptionKind.TOPIC,
        target=target,
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


async def topic_targets(session: AsyncSession, chat: Chat) -> dict[str, Subscription]:
    assert chat.id is not None
    subs = await sub_store.list_subscriptions(session, chat_id=chat.id, kind=SubscriptionKind.TOPIC)
    return {s.target: s for s in subs}


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
    return [p for p in ranked if len(p) <= MAX_TOPIC and p not in SUGGESTED_TOPICS][:limit]


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
    subscribed = {name for name in names if target_of(name) in followed}
    lines = ["<b>Topics</b> — tap to follow or unfollow."]
    if trending:
        lines.append("Trending now: " + ", ".join(esc(t) for t in trending))
    lines.append("Or follow anything: /subscribe <i>words</i> (use OR, quotes, -minus).")
    await reply(update, "\n".join(lines), markup=keyboards.topics_keyboard(names, subscribed))


async def _feed_or_topic_target(session: AsyncSession, text: str) -> str:
    if text.lower().startswith(("http://", "https://")):
        feed = await feed_store.get_feed_by_url(session, url=text)
        if feed is not None and feed.id is not None:
            return sub_store.feed_target(feed.id)
    return target_of(text)


def target_of(text: str) -> str:
    """The subscription target a topic text stands for (itself if it is no valid query)."""
    try:
        return normalize_query(text)
    except QueryError:
        return text


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
    query = esc(subscription.query)
    if created:
        await reply(
            update, f"Subscribed {chat_label(chat)} to <b>{query}</b>. /list shows everything."
        )
    else:
        await reply(update, f"Already following <b>{query}</b>.")


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
            (s for s in subs if s.target == target or s.query.lower() == text.lower()), None
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
        lines.append(
            "Topics: " + ", ".join(f"<b>{esc(s.query or s.target)}</b>" for s in topic_subs)
        )
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
