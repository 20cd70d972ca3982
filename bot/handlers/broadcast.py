"""/broadcast: an admin's announcement to every chat, shown first with a confirmation button,
then written to the outbox (storage/broadcasts.py) for the delivery worker to send under the
usual limits. The message itself (`digests.announcements`) is shared with
`digestbot broadcast FILE`."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot.context import CustomContext
from bot.handlers.common import edit_message, esc, reply, usage
from digests import texts
from digests.announcements import AnnouncementError, announcement_html
from storage import broadcasts as broadcast_store

logger = logging.getLogger(__name__)

#: callback data: "bc:<token>:send" or "bc:<token>:cancel" (the text waits in chat_data)
PATTERN = r"^bc:"
_PENDING = "broadcast"
USAGE = "/broadcast <text of the announcement>"


@dataclass(frozen=True)
class PendingAnnouncement:
    token: str
    html: str


def _text_after_command(update: Update) -> str:
    """The message after `/broadcast`, its line breaks kept (context.args would lose them)."""
    message = update.effective_message
    if message is None or message.text is None:
        return ""
    parts = message.text.split(maxsplit=1)
    return parts[1] if len(parts) == 2 else ""


async def broadcast(update: Update, context: CustomContext) -> None:
    """Announce something to every chat (admins; asks first)."""
    user, chat = update.effective_user, update.effective_chat
    if not context.settings.is_admin(user.id if user else None):
        await reply(update, "That command is for the bot's admins.")
        return
    if chat is None or chat.type != ChatType.PRIVATE:
        await reply(update, "Send /broadcast to me in a private chat.")
        return
    try:
        html = announcement_html(_text_after_command(update))
    except AnnouncementError as exc:
        await usage(update, USAGE, str(exc))
        return
    async with context.services.session() as session:
        reached = await broadcast_store.audience(session)
    if not reached.total:
        await reply(update, "No chat would receive it: nobody has started the bot yet.")
        return
    token = secrets.token_hex(4)
    if context.chat_data is not None:
        context.chat_data[_PENDING] = PendingAnnouncement(token, html)
    lines = [f"<b>Announcement to {esc(texts.chats(reached.active))}</b>"]
    if reached.blocked:
        lines.append(
            f"({esc(texts.chats(reached.blocked))} that blocked the bot will get it "
            "if they come back)"
        )
    preview = "\n".join(lines) + "\n\n" + html
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"Send to {texts.chats(reached.active)}", callback_data=f"bc:{token}:send"
                ),
                InlineKeyboardButton("Cancel", callback_data=f"bc:{token}:cancel"),
            ]
        ]
    )
    await reply(update, preview, markup=buttons)


async def confirm(update: Update, context: CustomContext) -> None:
    """The Send or Cancel button under a /broadcast preview."""
    query, user = update.callback_query, update.effective_user
    if query is None:
        return
    if not context.settings.is_admin(user.id if user else None):
        await query.answer("That button is for the bot's admins.")
        return
    _, token, action = [*str(query.data or "").split(":"), "", ""][:3]
    waiting = context.chat_data if context.chat_data is not None else {}
    pending = waiting.get(_PENDING)
    if not isinstance(pending, PendingAnnouncement) or pending.token != token:
        await query.answer("This announcement has expired. Send /broadcast again.")
        return
    # taken before anything is written: a second tap finds nothing, so nobody gets it twice
    del waiting[_PENDING]
    if action != "send":
        await edit_message(update, "Announcement cancelled; nothing was sent.")
        await query.answer("Cancelled")
        return
    async with context.services.session() as session:
        reached = await broadcast_store.enqueue_broadcast(
            session, text=pending.html, now=context.now()
        )
        await session.commit()
    logger.info(
        "broadcast queued by admin=%s active=%s parked=%s",
        user.id if user else None,
        reached.active,
        reached.blocked,
    )
    await edit_message(
        update,
        f"Announcement queued for {esc(texts.chats(reached.active))}; "
        "it goes out under the usual sending limits.\n\n" + pending.html,
    )
    await query.answer("Queued")
