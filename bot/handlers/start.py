"""/start, /help, and the answer to unknown commands and plain messages."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatType

from bot.context import CustomContext
from bot.handlers import keyboards
from bot.handlers.common import chat_command, esc, remember_thread, reply, speak_chat_language
from digests.chats import chat_back
from digests.i18n import N_, _
from digests.subscriptions import followed_names, topic_targets
from digests.trending import SUGGESTED_TOPICS


@dataclass(frozen=True)
class Command:
    """A command as Telegram's command menu (setMyCommands: a description of at most 256
    characters) and /help list it; the description is translated where shown."""

    name: str
    description: str
    admin: bool = False  # listed only to the admins (`Settings.admin_ids`)


COMMANDS: tuple[Command, ...] = (
    Command("start", N_("welcome and quick setup")),
    Command("help", N_("what I can do")),
    Command("topics", N_("suggested and trending topics")),
    Command("subscribe", N_("follow a topic: /subscribe climate OR energy")),
    Command("unsubscribe", N_("stop following a topic")),
    Command("list", N_("your topics, schedule and settings")),
    Command("schedule", N_("when digests arrive: daily 08:00, hourly, realtime, off")),
    Command("timezone", N_("your time zone: /timezone Europe/Berlin")),
    Command("quiet", N_("quiet hours: /quiet 22:00-07:00")),
    Command("max", N_("stories per digest: /max 10")),
    Command("digest", N_("send my digest now")),
    Command("latest", N_("the newest stories: /latest [topic]")),
    Command("search", N_("search stored stories: /search words")),
    Command("more", N_("the rest of the last digest")),
    Command("mute", N_("hide stories with a word")),
    Command("unmute", N_("show them again")),
    Command("pause", N_("no digests for now")),
    Command("resume", N_("digests again")),
    Command("channel", N_("manage a channel you admin: /channel @name")),
    Command("language", N_("the language I speak here: /language")),
    Command("stop", N_("forget this chat")),
    Command("addfeed", N_("add a feed: /addfeed <url>"), admin=True),
    Command("feeds", N_("feeds and their health"), admin=True),
    Command("removefeed", N_("remove a feed: /removefeed <id>"), admin=True),
    Command("stats", N_("subscribers, articles, deliveries, feed errors"), admin=True),
    Command("broadcast", N_("announce something to every chat: /broadcast <text>"), admin=True),
)


def described(*, admin: bool) -> list[tuple[str, str]]:
    """(name, description in the current language) of everyone's commands, or with `admin`
    of the admins' own."""
    return [(c.name, _(c.description)) for c in COMMANDS if c.admin == admin]


def help_text(*, admin: bool) -> str:
    """The /help text in the current language."""
    # Translators: the heading of /help.
    lines = [_("<b>What I can do</b>")]
    lines += [f"/{name} — {esc(text)}" for name, text in described(admin=False)]
    if admin:
        # Translators: the heading of the admin commands in /help.
        lines.append("\n" + _("<b>Admin</b>"))
        lines += [f"/{name} — {esc(text)}" for name, text in described(admin=True)]
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
