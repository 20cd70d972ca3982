"""/language: the language the bot speaks in a chat (its replies, digests and command
descriptions) — a keyboard of the shipped languages, each in its own name, or `/language ru`.
In a group only its admins change it, as any setting."""

from __future__ import annotations

from telegram import Update

from bot.context import CustomContext
from bot.handlers import keyboards
from bot.handlers.common import (
    ChatCommand,
    args_text,
    chat_command,
    esc,
    per_chat,
    remember_language,
)
from digests.i18n import DEFAULT, LANGUAGES, N_, _, set_language, supported

USAGE = "/language <" + " | ".join(LANGUAGES) + ">"


def parse_language(text: str) -> str | None:
    """The shipped language `text` names: a code ("ru", "pt-BR", "pt") or a language's own
    name ("Deutsch"); None for anything else (an unknown code is not quietly English)."""
    wanted = text.strip()
    for code, name in LANGUAGES.items():
        if wanted.casefold() in (code.casefold(), name.casefold()):
            return code
    language = supported(wanted)
    if language != DEFAULT or wanted.replace("-", "_").split("_")[0].lower() == DEFAULT:
        return language
    return None


async def language(update: Update, context: CustomContext) -> None:
    """Choose the language (without an argument: a keyboard; anyone sees it, admins choose)."""
    text = args_text(context)
    async with chat_command(update, context, changes=bool(text)) as command:
        if command is None:
            return
        if not text:
            command.reply(
                _choose(command), markup=keyboards.language_keyboard(command.chat.language)
            )
            return
        chosen = parse_language(text)
        if chosen is None:
            command.usage(USAGE, _("I don't speak %(language)s yet.", language=text))
            return
        command.reply(change_language(update, context, command, chosen))


def _choose(command: ChatCommand) -> str:
    chat = command.chat
    return per_chat(
        chat,
        N_("I speak <b>%(language)s</b> in this chat. Choose another:"),
        N_("I speak <b>%(language)s</b> in this group. Choose another:"),
        N_("Channel %(channel)s gets its digests in <b>%(language)s</b>. Choose another:"),
        language=esc(LANGUAGES.get(chat.language, chat.language)),
    )


def change_language(
    update: Update, context: CustomContext, command: ChatCommand, chosen: str
) -> str:
    """Store `chosen` as the chat's language and say so, in it when it is this chat's (a
    channel managed from a private chat is answered in the private chat's language)."""
    chat = command.chat
    chat.language = chosen
    command.session.add(chat)
    here = update.effective_chat
    if here is not None and here.id == chat.telegram_id:
        set_language(chosen)
        remember_language(context, here.id, chosen)
    return per_chat(
        chat,
        N_("From now on I speak <b>%(language)s</b> here."),
        N_("From now on I speak <b>%(language)s</b> in this group."),
        N_("Channel %(channel)s now gets its digests in <b>%(language)s</b>."),
        language=esc(LANGUAGES[chosen]),
    )
