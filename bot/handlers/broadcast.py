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
from bot.handlers.common import edit_message, reply, speak_chat_language, usage
from digests.announcements import AnnouncementError, announcement_html
from digests.i18n import _, ngettext
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
    await speak_chat_language(update, context)
    if not context.settings.is_admin(user.id if user else None):
        await reply(update, _("That command is for the bot's admins."))
        return
    if chat is None or chat.type != ChatType.PRIVATE:
        await reply(update, _("Send /broadcast to me in a private chat."))
        return
    try:
        html = announcement_html(_text_after_command(update))
    except AnnouncementError as exc:
        await usage(update, USAGE, str(exc))
        return
    async with context.services.session() as session:
        reached = await broadcast_store.audience(session)
    if not reached.total:
        await reply(update, _("No chat would receive it: nobody has started the bot yet."))
        return
    token = secrets.token_hex(4)
    if context.chat_data is not None:
        context.chat_data[_PENDING] = PendingAnnouncement(token, html)
    lines = [
        ngettext(
            "<b>Announcement to %(num)d chat</b>",
            "<b>Announcement to %(num)d chats</b>",
            reached.active,
        )
    ]
    if reached.blocked:
        lines.append(
            ngettext(
                "(%(num)d chat that blocked the bot will get it if it comes back)",
                "(%(num)d chats that blocked the bot will get it if they come back)",
                reached.blocked,
            )
        )
    preview = "\n".join(lines) + "\n\n" + html
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ngettext("Send to %(num)d chat", "Send to %(num)d chats", reached.active),
                    callback_data=f"bc:{token}:send",
                ),
                InlineKeyboardButton(_("Cancel"), callback_data=f"bc:{token}:cancel"),
            ]
        ]
    )
    await reply(update, preview, markup=buttons)


async def confirm(update: Update, context: CustomContext) -> None:
    """The Send or Cancel button under a /broadcast preview."""
    query, user = update.callback_query, update.effective_user
    if query is None:
        return
    await speak_chat_language(update, context)
    if not context.settings.is_admin(user.id if user else None):
        await query.answer(_("That button is for the bot's admins."))
        return
    _prefix, token, action = [*str(query.data or "").split(":"), "", ""][:3]
    waiting = context.chat_data if context.chat_data is not None else {}
    pending = waiting.get(_PENDING)
    if not isinstance(pending, PendingAnnouncement) or pending.token != token:
        await query.answer(_("This announcement has expired. Send /broadcast again."))
        return
    # taken before anything is written: a second tap finds nothing, so nobody gets it twice
    del waiting[_PENDING]
    if action != "send":
        await edit_message(update, _("Announcement cancelled; nothing was sent."))
        # Translators: a short notice after the Cancel button of /broadcast.
        await query.answer(_("Cancelled"))
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
        ngettext(
            "Announcement queued for %(num)d chat; it goes out under the usual sending limits.",
            "Announcement queued for %(num)d chats; it goes out under the usual sending limits.",
            reached.active,
        )
        + "\n\n"
        + pending.html,
    )
    # Translators: a short notice after the Send button of /broadcast.
    await query.answer(_("Queued"))
