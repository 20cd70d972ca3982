"""/topics, /subscribe, /unsubscribe and /list: what a chat follows."""

from __future__ import annotations

from telegram import Update

from bot.context import CustomContext
from bot.handlers import keyboards
from bot.handlers.common import (
    args_text,
    chat_command,
    chat_label,
    esc,
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
from storage.models import Chat, ChatState, Subscription, SubscriptionKind


async def topics(update: Update, context: CustomContext) -> None:
    """Suggested and trending topics, with toggle buttons."""
    async with chat_command(update, context, changes=False) as command:
        if command is None:
            return
        followed = await topic_targets(command.session, command.chat)
        trending = await trending_topics(command.session)
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
    async with chat_command(update, context) as command:
        if command is None:
            return
        chat = command.chat
        try:
            subscription, created = await following.subscribe(
                command.session, chat=chat, text=text, limits=context.settings, now=context.now()
            )
        except SubscribeError as exc:
            command.usage("/subscribe <topic query>", str(exc))
            return
        remember_thread(update, chat)
        command.session.add(chat)
        command.reply(_subscribed(subscription, created=created, chat=chat, text=text))


def _subscribed(subscription: Subscription, *, created: bool, chat: Chat, text: str) -> str:
    """The answer to /subscribe: what the chat follows now, or already did."""
    query = f"<b>{esc(subscription.query)}</b>"
    if subscription.kind == SubscriptionKind.SECTION:
        query += f" — {esc(describe(subscription))}"
    else:
        query += " (feed)" if subscription.kind == SubscriptionKind.FEED else " (keywords)"
    if not created:
        return f"Already following {query}."
    hint = ""
    if subscription.kind == SubscriptionKind.SECTION:
        hint = f' For the words themselves, quote them: /subscribe "{esc(text)}".'
    return f"Subscribed {chat_label(chat)} to {query}.{hint} /list shows everything."


async def unsubscribe(update: Update, context: CustomContext) -> None:
    """Stop following a topic (a keyboard without an argument)."""
    text = args_text(context)
    async with chat_command(update, context) as command:
        if command is None or command.chat.id is None:
            return
        session, chat = command.session, command.chat
        subs = await sub_store.list_subscriptions(session, chat_id=command.chat.id)
        if not subs:
            command.reply("Nothing to unsubscribe from. /topics shows some ideas.")
        elif not text:
            command.reply(
                "Tap a topic to unsubscribe:", markup=keyboards.unsubscribe_keyboard(subs)
            )
        elif match := await following.unsubscribe(
            session, chat=chat, subscriptions=subs, text=text
        ):
            command.reply(f"Unsubscribed from <b>{esc(match.query)}</b>.")
        else:
            command.usage("/unsubscribe [topic]", f"You do not follow {text}.")


async def list_command(update: Update, context: CustomContext) -> None:
    """Subscriptions, schedule and when the next digest is due, time zone, other settings."""
    async with chat_command(update, context, changes=False) as command:
        if command is None:
            return
        chat = command.chat
        shown = await following.overview(command.session, chat=chat, now=context.now())
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
