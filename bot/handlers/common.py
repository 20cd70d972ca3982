"""What every handler shares: finding the chat a command is about, the admin checks for
groups and linked channels, replies (always HTML, user text always escaped), and
`chat_command`, the frame of every command that works on a chat's settings."""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Chat as TelegramChat
from telegram import ChatFullInfo, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError

from bot.context import CustomContext
from digests.i18n import N_, _, set_language, supported
from digests.split import split_html
from storage import chats as chat_store
from storage.models import Chat
from storage.sanitize import clean_str

logger = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})
GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
#: Chats whose language is remembered in memory (`remember_language`), the most recent kept.
KNOWN_LANGUAGES = 100_000
NOT_ADMIN = N_("Only this group's admins can change its settings.")


def esc(text: object) -> str:
    return html.escape(str(text), quote=False)


def args_text(context: CustomContext) -> str:
    """The command's arguments, cleaned of NUL and lone surrogates (every command's text
    passes here, so both databases store, and search for, the same thing)."""
    return clean_str(" ".join(context.args or []).strip())


async def reply(
    update: Update, text: str, *, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Answer in the chat (and forum thread) the update came from; `text` is HTML. A text over
    Telegram's limits (a long /list) goes as several valid messages, the keyboard on the last."""
    message = update.effective_message
    if message is None:
        return None
    parts = split_html(text) or [text]
    sent: Message | None = None
    for number, part in enumerate(parts, start=1):
        sent = await message.reply_text(
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if number == len(parts) else None,
            do_quote=False,
            link_preview_options=NO_PREVIEW,
        )
    return sent


def usage_text(line: str, problem: str | None = None) -> str:
    """`Usage: /cmd <arg>` (HTML), after a sentence saying what was wrong (plain text)."""
    text = f"{esc(problem)}\n" if problem else ""
    # Translators: how a command is used: "Usage: /max <n>".
    return text + _("Usage: %(usage)s", usage=esc(line))


async def usage(update: Update, line: str, problem: str | None = None) -> None:
    """`Usage: /cmd <arg>`, after a sentence saying what was wrong."""
    await reply(update, usage_text(line, problem))


async def is_chat_admin(context: CustomContext, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        logger.info("getChatMember failed chat=%s user=%s", chat_id, user_id, exc_info=True)
        return False
    return member.status in ADMIN_STATUSES


async def may_change(update: Update, context: CustomContext, *, tell: bool = True) -> bool:
    """Anyone changes a private chat; only a group's admins change the group (anonymous
    admins post as the group itself). Says so politely when refused."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type not in GROUP_TYPES:
        return True
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    if user is not None and await is_chat_admin(context, chat.id, user.id):
        return True
    if tell:
        await reply(update, _(NOT_ADMIN))
    return False


async def managed_chat(
    update: Update, context: CustomContext, session: AsyncSession, *, create: bool = True
) -> Chat | None:
    """The chat a command is about: this chat, or in a private chat the channel the user
    switched to with /channel (kept on the private chat's row). Created on first contact; a
    forum thread is remembered. The answers speak this chat's language (the private chat's
    when it manages a channel: the user reads them)."""
    chat = update.effective_chat
    if chat is None:
        return None
    if create:
        own: Chat | None = await chat_row(session, context, chat, user_language(update))
    else:
        own = await chat_store.get_chat_by_telegram_id(session, telegram_id=chat.id)
    if own is not None:
        set_language(own.language)
        remember_language(context, chat.id, own.language)
    if own is not None and chat.type == ChatType.PRIVATE and own.managing_chat_id is not None:
        channel = await chat_store.get_chat(session, chat_id=own.managing_chat_id)
        if channel is not None:
            return channel
    return own


@dataclass
class ChatCommand:
    """A command at work on its chat: the session, the chat's row, and the answers to send once
    the work is committed."""

    session: AsyncSession
    chat: Chat
    answers: list[tuple[str, InlineKeyboardMarkup | None]] = field(default_factory=list)

    def reply(self, text: str, *, markup: InlineKeyboardMarkup | None = None) -> None:
        """Answer with `text` (HTML) after the commit."""
        self.answers.append((text, markup))

    def usage(self, line: str, problem: str | None = None) -> None:
        """Answer `Usage: /cmd <arg>` after the commit, after a sentence saying what was wrong."""
        self.reply(usage_text(line, problem))


@asynccontextmanager
async def chat_command(
    update: Update, context: CustomContext, *, changes: bool = True, create: bool = True
) -> AsyncIterator[ChatCommand | None]:
    """The frame of a command on the chat it is about (`managed_chat`). With `changes`, only
    those who may change the chat get in (`may_change`; the others are told). The block gets
    None when refused or when there is no chat. When it ends the session is committed, and
    only then are its answers sent: the database is never held while Telegram is talked to,
    and nobody is told of a change that was not stored. An error in the block stores nothing
    and answers nothing."""
    if changes and not await may_change(update, context):
        yield None
        return
    async with context.services.session() as session:
        chat = await managed_chat(update, context, session, create=create)
        if chat is None:
            yield None
            return
        command = ChatCommand(session, chat)
        yield command
        await session.commit()
    for text, markup in command.answers:
        await reply(update, text, markup=markup)


async def chat_row(
    session: AsyncSession,
    context: CustomContext,
    chat: TelegramChat | ChatFullInfo,
    language: str | None = None,
) -> Chat:
    """This Telegram chat's row, created with the settings' defaults on first contact (in
    `language`: the language of the user who first spoke to the bot there); its title and
    username are kept current."""
    settings = context.settings
    row, _created = await chat_store.upsert_chat(
        session,
        telegram_id=chat.id,
        type=str(chat.type),
        title=chat.title or chat.full_name,
        username=chat.username,
        timezone=settings.default_timezone,
        language=supported(language),
        max_items=settings.max_items,
    )
    return row


def remember_language(context: CustomContext, telegram_id: int, language: str | None) -> None:
    """Keep (None: forget) the language a chat's answers speak, for `update_language`."""
    known = context.services.languages
    known.pop(telegram_id, None)
    if language is None:
        return
    known[telegram_id] = language
    if len(known) > KNOWN_LANGUAGES:
        del known[next(iter(known))]  # the one remembered longest ago


def update_language(update: Update, context: CustomContext) -> str:
    """What an update is answered in until its handler loads the chat: the chat's language
    as last seen by this process, else the user's Telegram language. No query: a chat not
    seen since this process started (or changed by /language in another process) answers
    in it once a handler has loaded it."""
    chat = update.effective_chat
    known = context.services.languages.get(chat.id) if chat is not None else None
    return known or user_language(update)


def user_language(update: Update) -> str:
    """The shipped language nearest the Telegram app language of the user behind `update`
    (English when Telegram does not say, as for anonymous admins and channel posts)."""
    user = update.effective_user
    return supported(user.language_code if user is not None else None)


async def speak_chat_language(update: Update, context: CustomContext) -> None:
    """For a handler that does not load its chat otherwise: answer in the chat's stored
    language (one query), else in the user's."""
    chat = update.effective_chat
    if chat is None:
        return
    async with context.services.session() as session:
        row = await chat_store.get_chat_by_telegram_id(session, telegram_id=chat.id)
    if row is None:
        set_language(user_language(update))
        return
    set_language(row.language)
    remember_language(context, chat.id, row.language)


def remember_thread(update: Update, chat: Chat) -> None:
    """Forum groups: digests go to the topic thread the chat subscribed from."""
    message = update.effective_message
    if message is None or message.chat_id != chat.telegram_id:
        return
    chat.thread_id = message.message_thread_id if message.is_topic_message else None


def per_chat(chat: Chat, private: str, group: str, channel: str, **values: str) -> str:
    """The sentence for this kind of chat, translated: a whole sentence per kind, each marked
    with `N_()` ("Schedule for this chat: …", "… this group …", "… channel %(channel)s …"),
    since languages inflect "this chat" differently in each sentence. The `values` fill all
    three; `%(channel)s` is `channel_name(chat)`."""
    if chat.type == ChatType.CHANNEL:
        return _(channel, channel=channel_name(chat), **values)
    return _(private if chat.type == ChatType.PRIVATE else group, **values)


def channel_name(chat: Chat) -> str:
    """A channel as sentences name it, escaped: its @username, else its title."""
    return esc("@" + chat.username if chat.username else chat.title or "")


async def edit_message(update: Update, html: str) -> None:
    """Replace the text of the message whose button was pressed; a message Telegram will not
    edit (too old, unchanged) is left as it is."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_text(html, parse_mode=ParseMode.HTML)
    except BadRequest as exc:
        logger.debug("message not edited: %s", exc)
