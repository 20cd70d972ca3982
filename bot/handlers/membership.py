"""What Telegram tells us about our own membership: a user blocks or unblocks the bot, a group
removes or adds it, a group becomes a supergroup. The outbox follows at once (parked,
revived, readdressed) instead of learning it from the next failed send."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus

from bot.context import CustomContext
from bot.handlers.common import GROUP_TYPES
from digests import backlog
from storage import chats as chat_store
from storage import deliveries as delivery_store
from storage.models import ChatState

logger = logging.getLogger(__name__)

GONE = frozenset({ChatMemberStatus.BANNED, ChatMemberStatus.LEFT})
HELLO = (
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
        if row is not None and gone:
            await chat_store.set_state(
                session, chat=row, state=ChatState.BLOCKED, now=context.now()
            )
            parked = await delivery_store.park_chat_parts(session, chat=row)
            logger.info("chat=%s removed or blocked us; %s parts parked", chat.id, parked)
        elif row is not None and row.state == ChatState.BLOCKED:
            await chat_store.set_state(session, chat=row, state=ChatState.ACTIVE)
            await backlog.revive_chat(session, chat=row, now=context.now())
            logger.info("chat=%s is back", chat.id)
        await session.commit()
    if not gone and chat.type in GROUP_TYPES:
        await context.bot.send_message(chat.id, HELLO)


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
