"""/start, /help, and the answer to unknown commands and plain messages."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.context import CustomContext
from bot.handlers import keyboards
from bot.handlers.common import esc, managed_chat, remember_thread, reply
from bot.handlers.subscriptions import followed_names, topic_targets
from digests import backlog
from storage import chats as chat_store
from storage.models import ChatState

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "welcome and quick setup"),
    ("help", "what I can do"),
    ("topics", "suggested and trending topics"),
    ("subscribe", "follow a topic: /subscribe climate OR energy"),
    ("unsubscribe", "stop following a topic"),
    ("list", "your topics, schedule and settings"),
    ("schedule", "when digests arrive: daily 08:00, hourly, realtime, off"),
    ("timezone", "your time zone: /timezone Europe/Berlin"),
    ("quiet", "quiet hours: /quiet 22:00-07:00"),
    ("max", "stories per digest: /max 10"),
    ("digest", "send my digest now"),
    ("latest", "the newest stories: /latest [topic]"),
    ("search", "search stored stories: /search words"),
    ("more", "the rest of the last digest"),
    ("mute", "hide stories with a word"),
    ("unmute", "show them again"),
    ("pause", "no digests for now"),
    ("resume", "digests again"),
    ("channel", "manage a channel you admin: /channel @name"),
    ("stop", "forget this chat"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("addfeed", "add a feed: /addfeed <url>"),
    ("feeds", "feeds and their health"),
    ("removefeed", "remove a feed: /removefeed <id>"),
    ("stats", "subscribers, articles, deliveries, feed errors"),
    ("broadcast", "announce something to every chat: /broadcast <text>"),
)


def help_text(*, admin: bool) -> str:
    lines = ["<b>What I can do</b>"]
    lines += [f"/{name} — {esc(text)}" for name, text in COMMANDS]
    if admin:
        lines.append("\n<b>Admin</b>")
        lines += [f"/{name} — {esc(text)}" for name, text in ADMIN_COMMANDS]
    return "\n".join(lines)


async def start(update: Update, context: CustomContext) -> None:
    """Welcome, quick setup, and a blocked chat brought back."""
    async with context.services.session() as session:
        chat = await managed_chat(update, context, session)
        if chat is None:
            return
        revived = chat.state == ChatState.BLOCKED
        if revived:
            await chat_store.set_state(session, chat=chat, state=ChatState.ACTIVE)
            await backlog.revive_chat(session, chat=chat, now=context.now())
        remember_thread(update, chat)
        session.add(chat)
        followed = followed_names(keyboards.SUGGESTED_TOPICS, await topic_targets(session, chat))
        await session.commit()
    where = (
        "this group"
        if update.effective_chat and update.effective_chat.type != ChatType.PRIVATE
        else "you"
    )
    lines = [
        "<b>Welcome back!</b> Your digests will arrive again." if revived else "<b>Hi!</b>",
        f"I send {where} short digests of the news on the topics you choose, when you want them.",
        "Tap topics to follow and a schedule below, or use /subscribe <i>words</i>.",
        "/help lists everything.",
    ]
    await reply(update, "\n".join(lines), markup=keyboards.quick_setup_keyboard(followed))


async def help_command(update: Update, context: CustomContext) -> None:
    """List the commands."""
    user = update.effective_user
    await reply(update, help_text(admin=context.settings.is_admin(user.id if user else None)))


async def unknown(update: Update, context: CustomContext) -> None:
    """An unknown command or a plain message: say what works instead."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    if message.text.startswith("/"):
        command = message.text.split()[0][1:]
        name, _, bot_name = command.partition("@")
        if bot_name and bot_name.lower() != (context.bot.username or "").lower():
            return  # addressed to another bot in the group
        first = f"I don't know /{esc(name)}."
    elif message.chat.type != ChatType.PRIVATE:
        return  # groups talk among themselves; only commands are for us
    else:
        first = "I only understand commands."
    user = update.effective_user
    admin = context.settings.is_admin(user.id if user else None)
    await reply(update, first + " Here is what I can do:\n\n" + help_text(admin=admin))
