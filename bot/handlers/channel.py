"""/channel: link a channel from a private chat and manage it from there.

The user must be an admin of the bot (DIGESTBOT_ADMIN_IDS) and of the channel, and the bot an
admin of the channel (to post).
After `/channel @name` the setting commands of this private chat apply to the channel until
`/channel off` (the link is kept on the private chat's row: it survives restarts)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.context import CustomContext
from bot.handlers.common import (
    ADMIN_STATUSES,
    args_text,
    chat_row,
    esc,
    is_chat_admin,
    reply,
    speak_chat_language,
    usage,
    user_language,
)
from digests.i18n import _, current
from storage import chats as chat_store

USAGE = "/channel <@name | off>"


async def channel(update: Update, context: CustomContext) -> None:
    """Link a channel you admin and manage it from this chat."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    await speak_chat_language(update, context)
    if chat.type != ChatType.PRIVATE:
        await reply(update, _("Link a channel from a private chat with me."))
        return
    text = args_text(context)
    if not text or text.lower() == "off":
        async with context.services.session() as session:
            own = await chat_store.get_chat_by_telegram_id(session, telegram_id=chat.id)
            managing = own is not None and own.managing_chat_id is not None
            if own is not None and managing and text:
                own.managing_chat_id = None
                session.add(own)
                await session.commit()
        if text:
            await reply(update, _("Back to managing this chat."))
        else:
            note = (
                _("You are managing a channel.") if managing else _("You are managing this chat.")
            )
            await usage(update, USAGE, note)
        return
    if not context.settings.is_admin(user.id):
        await reply(update, _("Only the bot's admins can link a channel."))
        return
    name = text.split()[0]
    if not name.startswith("@") and not name.lstrip("-").isdigit():
        await usage(update, USAGE, _("Name the channel by its @username."))
        return
    try:
        target = await context.bot.get_chat(name)
    except TelegramError:
        await usage(
            update,
            USAGE,
            _("I cannot see %(channel)s. Add me to the channel as an admin first.", channel=name),
        )
        return
    if target.type != ChatType.CHANNEL:
        await usage(update, USAGE, _("%(channel)s is not a channel.", channel=name))
        return
    try:
        me = await context.bot.get_chat_member(target.id, context.bot.id)
    except TelegramError:
        me = None
    if me is None or me.status not in ADMIN_STATUSES:
        await reply(
            update,
            _(
                "Make me an admin of %(channel)s (allowed to post), then try again.",
                channel=esc(name),
            ),
        )
        return
    if not await is_chat_admin(context, target.id, user.id):
        await reply(update, _("Only an admin of %(channel)s can link it.", channel=esc(name)))
        return
    async with context.services.session() as session:
        # a channel starts in the language of the admin who links it (/language changes it)
        row = await chat_row(session, context, target, current())
        row.linked_by = user.id
        own = await chat_row(session, context, chat, user_language(update))
        own.managing_chat_id = row.id
        session.add_all([row, own])
        await session.commit()
    await reply(
        update,
        _(
            "Linked <b>%(channel)s</b>. Commands here now set up the channel "
            "(/subscribe, /schedule, /list …); /channel off to manage this chat again.",
            channel=esc(target.title or name),
        ),
    )
