"""What Telegram tells us about our own membership: a user blocks or unblocks the bot, a group
removes or adds it, a group becomes a supergroup. The outbox follows at once (parked,
revived, readdressed) instead of learning it from the next failed send."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus

from bot.context import CustomContext
from bot.handlers.common import GROUP_TYPES
from digests.chats import chat_back, chat_left
from digests.i18n import N_, _, set_language, supported
from storage import chats as chat_store
from storage import deliveries as delivery_store

logger = logging.getLogger(__name__)

GONE = frozenset({ChatMemberStatus.BANNED, ChatMemberStatus.LEFT})
HELLO = N_(
    "Hi! I send this group short news digests on the topics it chooses. "
    "An admin can set me up with /start."
)


async def my_membership(update: Update, context: CustomContext) -> None:
    """The bot was blocked, unblocked, removed from or added to a chat."""
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    gone = change.new_chat_member.status in GONE
    was_gone = change.old_chat_member.status in GONE
    if gone == was_gone:
        return  # a rights change, not a coming or going
    async with context.services.session() as session:
        row = await chat_store.get_chat_by_telegram_id(session, telegram_id=chat.id)
        # a group seen before speaks its language; a new one the language of who added us
        set_language(row.language if row is not None else supported(change.from_user.language_code))
        if row is not None and gone:
            parked = await chat_left(session, chat=row, now=context.now())
            logger.info("chat=%s removed or blocked us; %s parts parked", chat.id, parked)
        elif row is not None and await chat_back(session, chat=row, now=context.now()):
            logger.info("chat=%s is back", chat.id)
        await session.commit()
    if not gone and chat.type in GROUP_TYPES:
        await context.bot.send_message(chat.id, _(HELLO))


async def migrated(update: Update, context: CustomContext) -> None:
    """A group became a supergroup: the same subscriber, under its new id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old_id, new_id = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old_id, new_id = message.migrate_from_chat_id, message.chat_id
    else:
        return
    async with context.services.session() as session:
        row = await chat_store.get_chat_by_telegram_id(session, telegram_id=old_id)
        if row is None:
            return  # already moved (Telegram sends one message in each chat)
        await chat_store.move_chat(session, chat=row, new_telegram_id=new_id)
        await delivery_store.readdress_chat_parts(session, chat=row)
        await session.commit()
    logger.info("chat=%s migrated to chat=%s", old_id, new_id)
