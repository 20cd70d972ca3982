"""/start, /help, and the answer to unknown commands and plain messages."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.context import CustomContext
from bot.handlers import keyboards
from bot.handlers.common import chat_command, esc, remember_thread, reply, speak_chat_language
from digests.chats import chat_back
from digests.i18n import N_, _
from digests.subscriptions import followed_names, topic_targets
from digests.trending import SUGGESTED_TOPICS

# Command descriptions: shown in Telegram's command menu (setMyCommands, at most 256
# characters) and by /help; translated where shown.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("welcome and quick setup")),
    ("help", N_("what I can do")),
    ("topics", N_("suggested and trending topics")),
    ("subscribe", N_("follow a topic: /subscribe climate OR energy")),
    ("unsubscribe", N_("stop following a topic")),
    ("list", N_("your topics, schedule and settings")),
    ("schedule", N_("when digests arrive: daily 08:00, hourly, realtime, off")),
    ("timezone", N_("your time zone: /timezone Europe/Berlin")),
    ("quiet", N_("quiet hours: /quiet 22:00-07:00")),
    ("max", N_("stories per digest: /max 10")),
    ("digest", N_("send my digest now")),
    ("latest", N_("the newest stories: /latest [topic]")),
    ("search", N_("search stored stories: /search words")),
    ("more", N_("the rest of the last digest")),
    ("mute", N_("hide stories with a word")),
    ("unmute", N_("show them again")),
    ("pause", N_("no digests for now")),
    ("resume", N_("digests again")),
    ("channel", N_("manage a channel you admin: /channel @name")),
    ("language", N_("the language I speak here: /language")),
    ("stop", N_("forget this chat")),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("addfeed", N_("add a feed: /addfeed <url>")),
    ("feeds", N_("feeds and their health")),
    ("removefeed", N_("remove a feed: /removefeed <id>")),
    ("stats", N_("subscribers, articles, deliveries, feed errors")),
    ("broadcast", N_("announce something to every chat: /broadcast <text>")),
)


def help_text(*, admin: bool) -> str:
    """The /help text in the current language."""
    # Translators: the heading of /help.
    lines = [_("<b>What I can do</b>")]
    lines += [f"/{name} — {esc(_(text))}" for name, text in COMMANDS]
    if admin:
        # Translators: the heading of the admin commands in /help.
        lines.append("\n" + _("<b>Admin</b>"))
        lines += [f"/{name} — {esc(_(text))}" for name, text in ADMIN_COMMANDS]
    return "\n".join(lines)


async def start(update: Update, context: CustomContext) -> None:
    """Welcome, quick setup, and a blocked chat brought back."""
    async with chat_command(update, context, changes=False) as command:
        if command is None:
            return
        session, chat = command.session, command.chat
        revived = await chat_back(session, chat=chat, now=context.now())
        remember_thread(update, chat)
        session.add(chat)
        followed = followed_names(SUGGESTED_TOPICS, await topic_targets(session, chat))
    in_group = update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE
    offer = (
        # Translators: the second line of /start, in a group (and below, in a private chat).
        _(
            "I send this group short digests of the news on the topics you choose, "
            "when you want them."
        )
        if in_group
        else _("I send you short digests of the news on the topics you choose, when you want them.")
    )
    lines = [
        _("<b>Welcome back!</b> Your digests will arrive again.") if revived else _("<b>Hi!</b>"),
        offer,
        _("Tap topics to follow and a schedule below, or use /subscribe <i>words</i>."),
        _("/help lists everything. /language changes the language I speak here."),
    ]
    await reply(update, "\n".join(lines), markup=keyboards.quick_setup_keyboard(followed))


async def help_command(update: Update, context: CustomContext) -> None:
    """List the commands."""
    await speak_chat_language(update, context)
    user = update.effective_user
    await reply(update, help_text(admin=context.settings.is_admin(user.id if user else None)))


async def unknown(update: Update, context: CustomContext) -> None:
    """An unknown command or a plain message: say what works instead."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    if message.text.startswith("/"):
        command = message.text.split()[0][1:]
        name, _sep, bot_name = command.partition("@")
        if bot_name and bot_name.lower() != (context.bot.username or "").lower():
            return  # addressed to another bot in the group
        await speak_chat_language(update, context)
        first = _("I don't know /%(command)s. Here is what I can do:", command=esc(name))
    elif message.chat.type != ChatType.PRIVATE:
        return  # groups talk among themselves; only commands are for us
    else:
        await speak_chat_language(update, context)
        first = _("I only understand commands. Here is what I can do:")
    user = update.effective_user
    admin = context.settings.is_admin(user.id if user else None)
    await reply(update, first + "\n\n" + help_text(admin=admin))
