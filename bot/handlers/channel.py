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
    usage,
)
from storage import chats as chat_store

USAGE = "/channel <@name | off>"


async def channel(update: Update, context: CustomContext) -> None:
    """Link a channel you admin and manage it from this chat."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if chat.type != ChatType.PRIVATE:
        await reply(update, "Link a channel from a private chat with me.")
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
            await reply(update, "Back to managing this chat.")
        else:
            note = "You are managing a channel." if managing else "You are managing this chat."
            await usage(update, USAGE, note)
        return
    if not context.settings.is_admin(user.id):
        await reply(update, "Only the bot's admins can link a channel.")
        return
    name = text.split()[0]
    if not name.startswith("@") and not name.lstrip("-").isdigit():
        await usage(update, USAGE, "Name the channel by its @username.")
        return
    try:
        target = await context.bot.get_chat(name)
    except TelegramError:
        await usage(update, USAGE, f"I cannot see {name}. Add me to the channel as an admin first.")
        return
    if target.type != ChatType.CHANNEL:
        await usage(update, USAGE, f"{name} is not a channel.")
        return
    try:
        me = await context.bot.get_chat_member(target.id, context.bot.id)
    except TelegramError:
        me = None
    if me is None or me.status not in ADMIN_STATUSES:
        await reply(update, f"Make me an admin of {esc(name)} (allowed to post), then try again.")
        return
    if not await is_chat_admin(context, target.id, user.id):
        await reply(update, f"Only an admin of {esc(name)} can link it.")
        return
    async with context.services.session() as session:
        row = await chat_row(session, context, target)
        row.linked_by = user.id
        own = await chat_row(session, context, chat)
        own.managing_chat_id = row.id
        session.add_all([row, own])
        await session.commit()
    await reply(
        update,
        f"Linked <b>{esc(target.title or name)}</b>. Commands here now set up the channel "
        "(/subscribe, /schedule, /list …); /channel off to manage this chat again.",
    )
