"""/schedule, /timezone, /quiet, /max, /mute, /unmute, /pause, /resume and /stop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import TypeVar

from telegram import Update

from bot.context import CustomContext
from bot.handlers import keyboards
from bot.handlers.common import (
    ChatCommand,
    args_text,
    chat_command,
    esc,
    may_change,
    per_chat,
    reply,
    usage,
)
from digests import preferences as prefs
from digests.i18n import N_, _, ngettext
from digests.preferences import (
    MAX_ITEMS,
    MAX_WORD,
    ArgumentError,
    TooManyMutes,
    parse_count,
    parse_quiet,
    parse_timezone,
    zone_label,
)
from digests.render import local_time
from digests.schedule import ScheduleChangeError, change_schedule

T = TypeVar("T")

SCHEDULE_USAGE = (
    "/schedule <realtime | hourly | daily 08:00 | weekdays 07:30 | weekly mon 09:00 | off>"
)
TIMEZONE_USAGE = "/timezone <Area/City | UTC+2>"
QUIET_USAGE = "/quiet <22:00-07:00 | off>"


@asynccontextmanager
async def _setting(
    update: Update, context: CustomContext, line: str, parse: Callable[[], T]
) -> AsyncIterator[tuple[ChatCommand, T] | None]:
    """The frame of a command that sets one value: the argument is read first (`parse`; a
    wrong one is answered with `line`'s usage before any query), then the chat's
    `chat_command`. The block gets the command and the value, or None when refused."""
    try:
        value = parse()
    except ArgumentError as exc:
        await usage(update, line, str(exc))
        yield None
        return
    async with chat_command(update, context) as command:
        yield None if command is None else (command, value)


async def schedule(update: Update, context: CustomContext) -> None:
    """When digests arrive."""
    text = args_text(context)
    if not text:
        await usage(update, SCHEDULE_USAGE, _("When should digests arrive?"))
        return
    async with chat_command(update, context) as command:
        if command is None:
            return
        try:
            description = await change_schedule(
                command.session, chat=command.chat, text=text, now=context.now()
            )
        except ScheduleChangeError as exc:
            command.usage(SCHEDULE_USAGE, str(exc))
            return
        command.reply(
            per_chat(
                command.chat,
                N_("Schedule for this chat: <b>%(schedule)s</b>."),
                N_("Schedule for this group: <b>%(schedule)s</b>."),
                N_("Schedule for channel %(channel)s: <b>%(schedule)s</b>."),
                schedule=esc(description),
            )
        )


async def timezone(update: Update, context: CustomContext) -> None:
    """Set the time zone schedules are read in (without an argument: show it)."""
    text = args_text(context)
    if not text:
        await _show_timezone(update, context)
        return
    async with _setting(update, context, TIMEZONE_USAGE, lambda: parse_timezone(text)) as found:
        if found is None:
            return
        command, zone = found
        await prefs.set_timezone(command.session, chat=command.chat, zone=zone, now=context.now())
        command.reply(
            _(
                "Time zone set to <b>%(zone)s</b>. It is %(time)s there now.",
                zone=esc(zone_label(zone)),
                time=esc(_clock(context, zone, command.chat.language)),
            )
        )


async def _show_timezone(update: Update, context: CustomContext) -> None:
    async with chat_command(update, context, changes=False) as command:
        if command is None:
            return
        chat = command.chat
        command.reply(
            _(
                "Time zone: <b>%(zone)s</b> — it is %(time)s there now.",
                zone=esc(zone_label(chat.timezone)),
                time=esc(_clock(context, chat.timezone, chat.language)),
            )
            + "\n"
            # Translators: place names stay as typed to /timezone (English or the zone's id).
            + _("Change it: /timezone <i>Europe/Berlin</i>, <i>New York</i> or <i>UTC+2</i>")
        )


def _clock(context: CustomContext, zone: str, language: str) -> str:
    """The local time now in `zone`: "Mon 10:00"."""
    return local_time(context.now(), zone, language, "EEE HH:mm")


async def quiet(update: Update, context: CustomContext) -> None:
    """Quiet hours: no digests between two times."""
    text = args_text(context)
    async with _setting(update, context, QUIET_USAGE, lambda: parse_quiet(text)) as found:
        if found is None:
            return
        command, hours = found
        chat = command.chat
        await prefs.set_quiet_hours(command.session, chat=chat, hours=hours, now=context.now())
        if hours:
            command.reply(
                _(
                    "Quiet hours %(start)s–%(end)s (%(zone)s): digests due then wait until "
                    "they end.",
                    start=esc(hours[0]),
                    end=esc(hours[1]),
                    zone=esc(zone_label(chat.timezone)),
                )
            )
        else:
            command.reply(_("Quiet hours off."))


async def max_items(update: Update, context: CustomContext) -> None:
    """How many stories a digest shows (without an argument: show it)."""
    text = args_text(context)
    if not text:
        await _show_max_items(update, context)
        return
    parse = partial(parse_count, text, low=1, high=MAX_ITEMS)
    async with _setting(update, context, "/max <n>", parse) as found:
        if found is None:
            return
        command, count = found
        prefs.set_max_items(command.session, chat=command.chat, count=count)
        command.reply(
            ngettext(
                "Digests now show up to <b>%(num)d story</b>.",
                "Digests now show up to <b>%(num)d stories</b>.",
                count,
            )
        )


async def _show_max_items(update: Update, context: CustomContext) -> None:
    async with chat_command(update, context, changes=False) as command:
        if command is None:
            return
        command.reply(
            ngettext(
                "Digests show up to <b>%(num)d story</b>; the rest wait for /more.",
                "Digests show up to <b>%(num)d stories</b>; the rest wait for /more.",
                command.chat.max_items,
            )
            + "\n"
            + _("Change it: /max <i>n</i> (1 to %(most)d)", most=MAX_ITEMS)
        )


async def mute(update: Update, context: CustomContext) -> None:
    """Hide stories that mention a word."""
    word = args_text(context).lower()
    if not word or len(word) > MAX_WORD:
        await usage(
            update,
            "/mute <word>",
            ngettext(
                "Give one word or phrase (up to %(num)d character).",
                "Give one word or phrase (up to %(num)d characters).",
                MAX_WORD,
            ),
        )
        return
    async with chat_command(update, context) as command:
        if command is None:
            return
        try:
            added = await prefs.mute_word(
                command.session, chat=command.chat, word=word, max_mutes=context.settings.max_mutes
            )
        except TooManyMutes as exc:
            command.reply(
                ngettext(
                    "You muted %(num)d word, the most allowed. /unmute one first.",
                    "You muted %(num)d words, the most allowed. /unmute one first.",
                    exc.muted,
                )
            )
            return
        command.reply(
            _("Muted <b>%(word)s</b>.", word=esc(word))
            if added
            else _("<b>%(word)s</b> was already muted.", word=esc(word))
        )


async def unmute(update: Update, context: CustomContext) -> None:
    """Show stories with a muted word again."""
    word = args_text(context).lower()
    if not word:
        await usage(update, "/unmute <word>", _("Which word?"))
        return
    async with chat_command(update, context) as command:
        if command is None:
            return
        if await prefs.unmute_word(command.session, chat=command.chat, word=word):
            command.reply(_("Unmuted <b>%(word)s</b>.", word=esc(word)))
        else:
            command.usage("/unmute <word>", _("%(word)s is not muted.", word=word))


async def pause(update: Update, context: CustomContext) -> None:
    """Stop digests for now, keeping every setting."""
    async with chat_command(update, context) as command:
        if command is None:
            return
        await prefs.pause(command.session, chat=command.chat)
        command.reply(_("Paused. No digests until /resume."))


async def resume(update: Update, context: CustomContext) -> None:
    """Start digests again after /pause."""
    async with chat_command(update, context) as command:
        if command is None:
            return
        await prefs.resume(command.session, chat=command.chat, now=context.now())
        command.reply(_("Resumed. Digests will arrive on schedule."))


async def stop(update: Update, context: CustomContext) -> None:
    """Forget this chat (asks first)."""
    if not await may_change(update, context):
        return
    async with chat_command(update, context, changes=False, create=False) as command:
        if command is not None:
            command.reply(
                per_chat(
                    command.chat,
                    N_(
                        "Delete every setting and subscription of this chat? This cannot be undone."
                    ),
                    N_(
                        "Delete every setting and subscription of this group? "
                        "This cannot be undone."
                    ),
                    N_(
                        "Delete every setting and subscription of channel %(channel)s? "
                        "This cannot be undone."
                    ),
                ),
                markup=keyboards.stop_keyboard(),
            )
            return
    await reply(update, _("There is nothing stored for this chat."))
