"""/topics, /subscribe, /unsubscribe and /list: what a chat follows."""

from __future__ import annotations

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
from digests import subscriptions as following
from digests.preferences import zone_label
from digests.query import SECTION_ALIASES
from digests.render import local_time
from digests.subscriptions import SubscribeError, describe, followed_names, topic_targets
from digests.trending import SUGGESTED_TOPICS, trending_topics
from storage import subscriptions as sub_store
from storage.models import ChatState, SubscriptionKind


async def topics(update: Update, context: CustomContext) -> None:
    """Suggested and trending topics, with toggle buttons."""
    async with context.services.session() as session:
        chat = await managed_chat(update, context, session)
        if chat is None:
            return
        followed = await topic_targets(session, chat)
        trending = await trending_topics(session)
        await session.commit()
    names = list(dict.fromkeys([*SUGGESTED_TOPICS, *trending]))
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
            subscription, created = await following.subscribe(
                session, chat=chat, text=text, limits=context.settings, now=context.now()
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
        match = await following.unsubscribe(session, chat=chat, subscriptions=subs, text=text)
        if match is None:
            await session.commit()  # release the database before talking to Telegram
            await usage(update, "/unsubscribe [topic]", f"You do not follow {text}.")
            return
        await session.commit()
    await reply(update, f"Unsubscribed from <b>{esc(match.query)}</b>.")


async def list_command(update: Update, context: CustomContext) -> None:
    """Subscriptions, schedule and when the next digest is due, time zone, other settings."""
    async with context.services.session() as session:
        chat = await managed_chat(update, context, session)
        if chat is None or chat.id is None:
            return
        shown = await following.overview(session, chat=chat, now=context.now())
        await session.commit()
    lines = [f"<b>Settings for {chat_label(chat)}</b>"]
    if shown.topics:
        lines.append("Topics: " + ", ".join(f"<b>{esc(describe(s))}</b>" for s in shown.topics))
    elif not shown.feeds:
        lines.append("Topics: none yet — /topics or /subscribe <i>words</i>")
    if shown.feeds:
        lines.append("Feeds: " + ", ".join(f"<b>{esc(name)}</b>" for name in shown.feeds))
    lines.append(f"Schedule: {esc(shown.schedule)}")
    if chat.state == ChatState.PAUSED:
        lines.append("Next digest: none while paused")
    elif shown.next_digest_at is not None:
        when = local_time(shown.next_digest_at, chat.timezone, chat.language, "EEE d MMM, HH:mm")
        lines.append(f"Next digest: {esc(when)}")
    lines.append(f"Time zone: {esc(zone_label(chat.timezone))}")
    if chat.quiet_start and chat.quiet_end:
        lines.append(f"Quiet hours: {esc(chat.quiet_start)}–{esc(chat.quiet_end)}")
    lines.append(f"Items per digest: {chat.max_items}")
    if shown.mutes:
        lines.append("Muted words: " + ", ".join(esc(m) for m in shown.mutes))
    if chat.state != ChatState.ACTIVE:
        lines.append(f"State: {esc(chat.state)} (/resume to continue)")
    await reply(update, "\n".join(lines))
