"""A chat's preferences: pure parsers for what people type (time zones as an IANA name, a city
or a UTC offset; quiet hours; item counts), each raising `ArgumentError` with a message fit to
show the user, and the use cases that change a chat's settings (the caller commits)."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from zoneinfo import available_timezones

from sqlmodel.ext.asyncio.session import AsyncSession

from digests.i18n import _, listed
from digests.schedule import apply_schedule
from storage import chats as chat_store
from storage import subscriptions as sub_store
from storage.models import Chat, ChatState

MAX_ITEMS = 50  # stories a digest may show
MAX_WORD = 64  # characters of a muted word or phrase


class ArgumentError(ValueError):
    """A command argument is wrong; `str()` is a user-readable sentence (plain text, in the
    language current when it was raised)."""


_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.h]?([0-5]\d)$")


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


@cache
def _zones_by_city() -> dict[str, list[str]]:
    cities: dict[str, list[str]] = {}
    for zone in _zones():
        if "/" not in zone or zone.startswith(("Etc/", "SystemV/", "posix/", "right/")):
            continue
        city = zone.rsplit("/", 1)[1].replace("_", " ").lower()
        cities.setdefault(city, []).append(zone)
    return cities


def parse_timezone(text: str) -> str:
    """An IANA zone for `Europe/Berlin`, `berlin`, `New York`, `UTC+2` or `-05:00`."""
    text = " ".join(text.split())
    if not text:
        raise ArgumentError(_("Give a time zone."))
    if text.upper() in {"UTC", "GMT", "Z"}:
        return "UTC"
    match = _OFFSET.match(text)
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if minutes or hours > 14:
            raise ArgumentError(
                _(
                    "%(text)s is not a whole-hour offset; use a zone name like Asia/Kolkata.",
                    text=text,
                )
            )
        if hours == 0:
            return "UTC"
        # POSIX-style Etc zones invert the sign: UTC+2 is Etc/GMT-2.
        return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
    by_name = {zone.lower(): zone for zone in _zones()}
    exact = by_name.get(text.lower().replace(" ", "_"))
    if exact is not None:
        return exact
    candidates = _zones_by_city().get(text.lower().replace("_", " "), [])
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        # Translators: %(zones)s lists time zone names (Area/City), comma-separated
        raise ArgumentError(
            _("%(text)s is ambiguous: %(zones)s.", text=text, zones=listed(candidates[:5]))
        )
    raise ArgumentError(_("Unknown time zone “%(text)s”.", text=text))


_ETC_OFFSET = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")


def zone_label(zone: str) -> str:
    """How a stored zone reads to people: `Etc/GMT-2` (POSIX signs, inverted) is "UTC+2";
    a named zone is its name."""
    match = _ETC_OFFSET.match(zone)
    if match is None:
        return zone
    sign = "-" if match.group(1) == "+" else "+"
    return f"UTC{sign}{int(match.group(2))}"


def parse_hhmm(text: str) -> str:
    match = _HHMM.match(text.strip())
    if not match:
        raise ArgumentError(_("“%(text)s” is not a time like 22:00.", text=text.strip()))
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_quiet(text: str) -> tuple[str, str] | None:
    """`22:00-07:00` → ("22:00", "07:00"); `off` → None."""
    text = text.strip().lower()
    if not text:
        # Translators: "off" is typed as is
        raise ArgumentError(_("Give quiet hours, or off."))
    if text in {"off", "none", "no"}:
        return None
    start, sep, end = text.replace("–", "-").partition("-")
    if not sep:
        raise ArgumentError(_("Give quiet hours as start-end, like 22:00-07:00."))
    quiet = parse_hhmm(start), parse_hhmm(end)
    if quiet[0] == quiet[1]:
        raise ArgumentError(_("Quiet hours must start and end at different times."))
    return quiet


def parse_count(text: str, *, low: int, high: int) -> int:
    text = text.strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise ArgumentError(_("Give a number from %(low)d to %(high)d.", low=low, high=high))
    return int(text)


class TooManyMutes(ValueError):
    """The chat muted as many words as allowed; `muted` says how many (the handler words it)."""

    def __init__(self, muted: int) -> None:
        super().__init__(muted)
        self.muted = muted


async def set_timezone(session: AsyncSession, *, chat: Chat, zone: str, now: datetime) -> None:
    """Read the chat's schedule in `zone` from now on (its next digest moves with it)."""
    chat.timezone = zone
    session.add(chat)
    await apply_schedule(session, chat=chat, now=now)


async def set_quiet_hours(
    session: AsyncSession, *, chat: Chat, hours: tuple[str, str] | None, now: datetime
) -> None:
    """No digests between the two times (None: quiet hours off); a digest due then waits."""
    chat.quiet_start, chat.quiet_end = hours if hours else (None, None)
    session.add(chat)
    await apply_schedule(session, chat=chat, now=now)


def set_max_items(session: AsyncSession, *, chat: Chat, count: int) -> None:
    """How many stories the chat's digests show."""
    chat.max_items = count
    session.add(chat)


async def mute_word(session: AsyncSession, *, chat: Chat, word: str, max_mutes: int) -> bool:
    """Hide stories that mention `word`; False when it was muted already. Raises
    `TooManyMutes` when a new word would pass `max_mutes`."""
    assert chat.id is not None
    muted = await sub_store.list_mutes(session, chat_id=chat.id)
    if word not in muted and len(muted) >= max_mutes:
        raise TooManyMutes(len(muted))
    return await sub_store.add_mute(session, chat_id=chat.id, word=word)


async def unmute_word(session: AsyncSession, *, chat: Chat, word: str) -> bool:
    """Show stories with `word` again; False when it was not muted."""
    assert chat.id is not None
    return await sub_store.remove_mute(session, chat_id=chat.id, word=word)


async def pause(session: AsyncSession, *, chat: Chat) -> None:
    """No digests until `resume`; every setting is kept."""
    await chat_store.set_state(session, chat=chat, state=ChatState.PAUSED)


async def resume(session: AsyncSession, *, chat: Chat, now: datetime) -> None:
    """Digests again, the next one due by the schedule from `now`."""
    await chat_store.set_state(session, chat=chat, state=ChatState.ACTIVE)
    await apply_schedule(session, chat=chat, now=now)
