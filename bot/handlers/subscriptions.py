"""/topics, /subscribe, /unsubscribe and /list: what a chat follows."""

from __future__ import annotations

from telegram import Update

from bot.context import CustomContext
from bot.handlers import keyboards
from bot.handlers.common import (
    args_text,
    chat_command,
    esc,
    per_chat,
    remember_thread,
    reply,
    usage,
)
from digests import subscriptions as following
from digests.i18n import N_, _, listed
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
    lines = [_("<b>Topics</b> — tap to follow or unfollow.")]
    if trending:
        lines.append(_("Trending now: %(topics)s", topics=listed(esc(t) for t in trending)))
    # Translators: the section names are keywords of /subscribe and stay in English.
    lines.append(
        _(
            "News sections: %(sections)s (/subscribe <i>section</i>).",
            sections=listed(SECTION_ALIASES),
        )
    )
    lines.append(
        # Translators: the examples are queries; OR and the section names stay in English.
        _(
            "Narrow one with words (<i>science space</i>, <i>sport -cricket</i>), or follow any "
            'words: /subscribe <i>words</i> (OR, "quotes", -minus; quoted, a section name is a '
            "keyword)."
        )
    )
    await reply(update, "\n".join(lines), markup=keyboards.topics_keyboard(names, subscribed))


async def subscribe(update: Update, context: CustomContext) -> None:
    """Follow a topic query (or a known feed by its URL)."""
    text = args_text(context)
    if not text:
        await usage(
            update,
            "/subscribe <topic query>",
            _("Which topic? For example: /subscribe climate OR energy"),
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
    query = esc(subscription.query)
    if subscription.kind == SubscriptionKind.SECTION:
        # Translators: a news section followed: "<b>science</b> — Science news".
        query = _(
            "<b>%(query)s</b> — %(section)s", query=query, section=esc(describe(subscription))
        )
    elif subscription.kind == SubscriptionKind.FEED:
        query = _("<b>%(query)s</b> (feed)", query=query)
    else:
        query = _("<b>%(query)s</b> (keywords)", query=query)
    if not created:
        return _("Already following %(query)s.", query=query)
    done = per_chat(
        chat,
        N_("Subscribed this chat to %(query)s."),
        N_("Subscribed this group to %(query)s."),
        N_("Subscribed channel %(channel)s to %(query)s."),
        query=query,
    )
    lines = [done]
    if subscription.kind == SubscriptionKind.SECTION:
        lines.append(
            _('For the words themselves, quote them: /subscribe "%(words)s".', words=esc(text))
        )
    lines.append(_("/list shows everything."))
    return " ".join(lines)


async def unsubscribe(update: Update, context: CustomContext) -> None:
    """Stop following a topic (a keyboard without an argument)."""
    text = args_text(context)
    async with chat_command(update, context) as command:
        if command is None or command.chat.id is None:
            return
        session, chat = command.session, command.chat
        subs = await sub_store.list_subscriptions(session, chat_id=command.chat.id)
        if not subs:
            command.reply(_("Nothing to unsubscribe from. /topics shows some ideas."))
        elif not text:
            command.reply(
                _("Tap a topic to unsubscribe:"), markup=keyboards.unsubscribe_keyboard(subs)
            )
        elif match := await following.unsubscribe(
            session, chat=chat, subscriptions=subs, text=text
        ):
            command.reply(_("Unsubscribed from <b>%(topic)s</b>.", topic=esc(match.query)))
        else:
            command.usage("/unsubscribe [topic]", _("You do not follow %(topic)s.", topic=text))


async def list_command(update: Update, context: CustomContext) -> None:
    """Subscriptions, schedule and when the next digest is due, time zone, other settings."""
    async with chat_command(update, context, changes=False) as command:
        if command is None:
            return
        chat = command.chat
        shown = await following.overview(command.session, chat=chat, now=context.now())
    lines = [
        per_chat(
            chat,
            N_("<b>Settings for this chat</b>"),
            N_("<b>Settings for this group</b>"),
            N_("<b>Settings for channel %(channel)s</b>"),
        )
    ]
    if shown.topics:
        names = listed(f"<b>{esc(describe(s))}</b>" for s in shown.topics)
        lines.append(_("Topics: %(topics)s", topics=names))
    elif not shown.feeds:
        lines.append(_("Topics: none yet — /topics or /subscribe <i>words</i>"))
    if shown.feeds:
        names = listed(f"<b>{esc(name)}</b>" for name in shown.feeds)
        lines.append(_("Feeds: %(feeds)s", feeds=names))
    lines.append(_("Schedule: %(schedule)s", schedule=esc(shown.schedule)))
    if chat.state == ChatState.PAUSED:
        lines.append(_("Next digest: none while paused"))
    elif shown.next_digest_at is not None:
        when = local_time(shown.next_digest_at, chat.timezone, chat.language, "EEE d MMM, HH:mm")
        lines.append(_("Next digest: %(when)s", when=esc(when)))
    lines.append(_("Time zone: %(zone)s", zone=esc(zone_label(chat.timezone))))
    if chat.quiet_start and chat.quiet_end:
        lines.append(
            _(
                "Quiet hours: %(start)s–%(end)s",
                start=esc(chat.quiet_start),
                end=esc(chat.quiet_end),
            )
        )
    lines.append(_("Items per digest: %(count)d", count=chat.max_items))
    if shown.mutes:
        lines.append(_("Muted words: %(words)s", words=listed(esc(m) for m in shown.mutes)))
    if chat.state != ChatState.ACTIVE:
        lines.append(_("State: %(state)s (/resume to continue)", state=esc(state_name(chat.state))))
    await reply(update, "\n".join(lines))


def state_name(state: str) -> str:
    """A chat's state as /list names it."""
    names: dict[str, str] = {
        # Translators: a chat's state in /list: "State: paused (/resume to continue)".
        ChatState.PAUSED: _("paused"),
        ChatState.BLOCKED: _("blocked"),
    }
    return names.get(state, str(state))
