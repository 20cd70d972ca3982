"""Inline button presses: decode the compact callback data, re-check it against storage,
act, and always answer the callback query (stale or forged data gets a polite notice)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.context import CustomContext
from bot.handlers import callbacks, keyboards
from bot.handlers.common import (
    NOT_ADMIN,
    chat_command,
    edit_message,
    may_change,
    per_chat,
    remember_language,
    remember_thread,
)
from bot.handlers.language import change_language
from bot.handlers.notices import fit_notice
from digests.i18n import LANGUAGES, N_, _
from digests.schedule import ScheduleChangeError, change_schedule
from digests.subscriptions import SubscribeError, target_of, toggle_topic, topic_targets
from storage import chats as chat_store
from storage import subscriptions as sub_store
from storage.sanitize import clean_optional

logger = logging.getLogger(__name__)

STALE = N_("This button has expired. Send /help to start again.")


async def button(update: Update, context: CustomContext) -> None:
    """Any inline button press."""
    query = update.callback_query
    if query is None:
        return
    data = callbacks.decode(clean_optional(query.data))
    if data is None or query.message is None:
        await query.answer(_(STALE))
        return
    # every button but More changes something; More only reads, like /more
    reads = data.action == callbacks.MORE
    if not reads and not await may_change(update, context, tell=False):
        await query.answer(_(NOT_ADMIN))
        return
    handler = _ACTIONS[data.action]
    notice = await handler(update, context, data.arg)
    await query.answer(fit_notice(notice))


async def _toggle_topic(update: Update, context: CustomContext, topic: str) -> str:
    async with chat_command(update, context, changes=False) as command:
        if command is None:
            return _(STALE)
        session, chat = command.session, command.chat
        try:
            follows = await toggle_topic(
                session, chat=chat, topic=topic, limits=context.settings, now=context.now()
            )
        except SubscribeError as exc:
            return str(exc)  # translated where raised
        if follows:
            remember_thread(update, chat)
            session.add(chat)
        notice = (
            _("Following %(topic)s", topic=topic)
            if follows
            else _("Unfollowed %(topic)s", topic=topic)
        )
        followed = await topic_targets(session, chat)
    await _refresh_topic_marks(update, set(followed))
    return notice


async def _refresh_topic_marks(update: Update, followed: set[str]) -> None:
    """Redraw the keyboard so ✅ marks show what is followed now (`followed`: targets)."""
    query = update.callback_query
    message = query.message if query else None
    markup = getattr(message, "reply_markup", None)
    if query is None or markup is None:
        return
    rows = []
    for row in markup.inline_keyboard:
        new_row = []
        for b in row:
            decoded = callbacks.decode(
                b.callback_data if isinstance(b.callback_data, str) else None
            )
            if decoded is not None and decoded.action == callbacks.TOGGLE_TOPIC:
                marked = {decoded.arg} if target_of(decoded.arg) in followed else set()
                b = keyboards.topic_buttons([decoded.arg], marked)[0]
            new_row.append(b)
        rows.append(new_row)
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
    except BadRequest as exc:  # "message is not modified" and the like: harmless
        logger.debug("keyboard not redrawn: %s", exc)


async def _unsubscribe(update: Update, context: CustomContext, arg: str) -> str:
    async with chat_command(update, context, changes=False) as command:
        if command is None or command.chat.id is None:
            return _(STALE)
        session, chat_id = command.session, command.chat.id
        subs = {s.id: s for s in await sub_store.list_subscriptions(session, chat_id=chat_id)}
        sub = subs.get(int(arg))
        if sub is None or sub.id is None:  # gone already, or someone else's id
            return _("You no longer follow that.")
        await sub_store.remove_subscription(session, chat_id=chat_id, subscription_id=sub.id)
        remaining = [s for s in subs.values() if s.id != sub.id]
        page = keyboards.page_of(list(subs).index(sub.id), len(remaining))
    query = update.callback_query
    if query is not None:
        try:
            if remaining:
                markup = keyboards.unsubscribe_keyboard(remaining, page)
                await query.edit_message_reply_markup(markup)
            else:
                await query.edit_message_text(_("You follow no topics now. /topics has ideas."))
        except BadRequest as exc:
            logger.debug("keyboard not redrawn: %s", exc)
    return _("Unsubscribed from %(topic)s", topic=sub.query or sub.target)


async def _page(update: Update, context: CustomContext, arg: str) -> str:
    """◀ ▶ on a paged keyboard: redraw it at that page, from what is stored now."""
    query = update.callback_query
    async with chat_command(update, context, changes=False) as command:
        if command is None or command.chat.id is None or query is None:
            return _(STALE)
        subs = await sub_store.list_subscriptions(command.session, chat_id=command.chat.id)
    if not subs:
        return _("You follow no topics now.")
    try:
        await query.edit_message_reply_markup(keyboards.unsubscribe_keyboard(subs, int(arg[1:])))
    except BadRequest as exc:  # the same page again: "message is not modified"
        logger.debug("keyboard not redrawn: %s", exc)
    return ""


async def _schedule(update: Update, context: CustomContext, text: str) -> str:
    async with chat_command(update, context, changes=False) as command:
        if command is None:
            return _(STALE)
        try:
            description = await change_schedule(
                command.session, chat=command.chat, text=text, now=context.now()
            )
        except ScheduleChangeError:
            return _(STALE)
    # Translators: a short notice after a schedule button was tapped.
    return _("Schedule: %(schedule)s", schedule=description)


async def _stop(update: Update, context: CustomContext, answer: str) -> str:
    query = update.callback_query
    if answer != "yes":
        if query is not None:
            await edit_message(update, _("Nothing was deleted."))
        # Translators: a short notice after the "No, keep it" button of /stop.
        return _("Kept")
    async with chat_command(update, context, changes=False, create=False) as command:
        if command is None or command.chat.id is None:
            return _("Already deleted.")
        chat = command.chat
        done = per_chat(
            chat,
            N_("Deleted everything stored for this chat. /start to begin again."),
            N_("Deleted everything stored for this group. /start to begin again."),
            N_("Deleted everything stored for channel %(channel)s. /start to begin again."),
        )
        await chat_store.delete_chat(command.session, chat_id=command.chat.id)
        remember_language(context, chat.telegram_id, None)
    await edit_message(update, done)
    # Translators: a short notice after /stop deleted a chat's settings.
    return _("Deleted")


async def _more(update: Update, context: CustomContext, _arg: str) -> str:
    from bot.handlers.news import send_more

    await send_more(update, context)
    return ""


async def _language(update: Update, context: CustomContext, code: str) -> str:
    """A language button of /language: the chat speaks it from now on (this answer too)."""
    if code not in LANGUAGES:
        return _(STALE)
    async with chat_command(update, context, changes=False) as command:
        if command is None:
            return _(STALE)
        done = change_language(update, context, command, code)
    await edit_message(update, done)
    return LANGUAGES[code]


_ACTIONS = {
    callbacks.TOGGLE_TOPIC: _toggle_topic,
    callbacks.UNSUBSCRIBE: _unsubscribe,
    callbacks.SCHEDULE: _schedule,
    callbacks.STOP: _stop,
    callbacks.MORE: _more,
    callbacks.PAGE: _page,
    callbacks.LANGUAGE: _language,
}
