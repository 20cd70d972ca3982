"""Schedule rules — realtime, hourly, daily HH:MM, weekdays HH:MM, weekly DAY HH:MM, a cron
expression, off — and the next due time in the chat's zone, computed with APScheduler's
`CronTrigger`, moved out of quiet hours, correct across daylight-saving changes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from babel.dates import get_day_names
from sqlmodel.ext.asyncio.session import AsyncSession

from digests import i18n
from digests.i18n import _, ngettext
from storage import schedules as schedule_store
from storage.models import Chat, Schedule, ScheduleKind

#: What /schedule takes: command syntax, typed as is in every language.
SYNTAX = "/schedule <realtime | hourly | daily 08:00 | weekdays 07:30 | weekly mon 09:00 | off>"
REALTIME_EVERY_MINUTES = 5  # realtime: new matches batched into one message per 5 minutes
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {
    **{d: d for d in WEEKDAYS},
    **{
        full: full[:3]
        for full in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    },
    "tues": "tue",
    "thur": "thu",
    "thurs": "thu",
}
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_SEARCH_LIMIT = 400  # probes before giving up on a rule that never fires


class ScheduleError(ValueError):
    """Why a schedule cannot be used: `reason`, a sentence for the user; `str()` adds the usage
    line. Plain text, in the language current when it was raised."""

    def __init__(self, reason: str) -> None:
        # Translators: how a command is used: "Usage: /max <n>".
        super().__init__(f"{reason}\n" + _("Usage: %(usage)s", usage=SYNTAX))
        self.reason = reason


@dataclass(frozen=True)
class ScheduleSpec:
    kind: ScheduleKind
    time: str | None = None  # "HH:MM"
    weekday: str | None = None  # "mon".."sun"
    cron: str | None = None

    def describe(self) -> str:
        """How the schedule reads in /list, in the current language (plain text): "daily 08:00",
        "weekly mon 09:00", "off" in English (as it is typed); the day by its name elsewhere."""
        if self.kind == ScheduleKind.CRON:
            # Translators: a schedule given as a cron expression (shown as typed)
            return _("cron %(expression)s", expression=self.cron or "")
        if self.kind == ScheduleKind.REALTIME:
            return ngettext(
                "realtime (every %(num)d minute)",
                "realtime (every %(num)d minutes)",
                REALTIME_EVERY_MINUTES,
            )
        if self.kind == ScheduleKind.HOURLY:
            return _("hourly")
        if self.kind == ScheduleKind.OFF:
            # Translators: the schedule when digests are switched off
            return _("off")
        at = self.time or "08:00"
        if self.kind == ScheduleKind.DAILY:
            return _("daily %(time)s", time=at)
        if self.kind == ScheduleKind.WEEKDAYS:
            # Translators: Monday to Friday at a time
            return _("weekdays %(time)s", time=at)
        # Translators: once a week, on a day (its name in your language) at a time
        return _("weekly %(day)s %(time)s", day=weekday_name(self.weekday or "mon"), time=at)


def weekday_name(day: str) -> str:
    """A day ("mon".."sun") as the current language names it (Babel's locale data); English
    shows the word /schedule takes, as the user typed it."""
    language = i18n.current()
    if language == i18n.DEFAULT or day not in WEEKDAYS:
        return day
    return str(get_day_names("wide", locale=i18n.locale_of(language))[WEEKDAYS.index(day)])


def parse_time(text: str) -> str:
    """`8`, `8:05`, `08:05`, `8pm` → "HH:MM"; raises `ScheduleError`."""
    match = _TIME.match(text.strip())
    if match is None:
        raise ScheduleError(
            _("“%(text)s” is not a time; write it as HH:MM, e.g. 08:00.", text=text.strip())
        )
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(3) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise ScheduleError(_("“%(text)s” is not a time of day.", text=text.strip()))
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ScheduleError(_("“%(text)s” is not a time of day (00:00–23:59).", text=text.strip()))
    return f"{hour:02d}:{minute:02d}"


def parse_schedule(text: str) -> ScheduleSpec:
    """Parse what follows /schedule; raises `ScheduleError` with a Usage-style message. The
    words /schedule takes work in every language; so does a schedule written as /list shows it
    in the current language ("ежедневно в 08:00")."""
    parts = (in_schedule_words(text) or text).strip().split()
    if not parts:
        raise ScheduleError(_("When should digests arrive?"))
    head, rest = parts[0].lower(), parts[1:]
    if head == "cron" or (len(parts) == 5 and head not in _KINDS):
        return _parse_cron(" ".join(rest if head == "cron" else parts))
    if head in {"realtime", "off", "hourly"}:
        if rest:
            # Translators: %(kind)s is a schedule word as typed (realtime, hourly, off)
            raise ScheduleError(_("%(kind)s takes no time.", kind=head))
        return ScheduleSpec(ScheduleKind(head))
    if head in {"daily", "weekdays"}:
        if len(rest) != 1:
            # Translators: %(kind)s is a schedule word as typed (daily, weekdays)
            raise ScheduleError(_("%(kind)s needs a time, e.g. %(kind)s 08:00.", kind=head))
        return ScheduleSpec(ScheduleKind(head), time=parse_time(rest[0]))
    if head == "weekly":
        if len(rest) != 2:
            raise ScheduleError(_("weekly needs a day and a time, e.g. weekly mon 09:00."))
        day = _DAY_NAMES.get(rest[0].lower())
        if day is None:
            raise ScheduleError(_("“%(text)s” is not a day (mon, tue, … sun).", text=rest[0]))
        return ScheduleSpec(ScheduleKind.WEEKLY, time=parse_time(rest[1]), weekday=day)
    raise ScheduleError(_("I do not know the schedule “%(text)s”.", text=parts[0]))


_KINDS = {k.value for k in ScheduleKind}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_SHOWN_TIME = r"(?P<time>\d{1,2}(?::\d{2})?\s*(?:am|pm)?)"


def in_schedule_words(text: str) -> str | None:
    """A schedule as the current language shows it (`ScheduleSpec.describe`, read back from
    its catalog), in the words /schedule takes: "щодня о 08:00" -> "daily 08:00"; None when
    it is not one (or the language is English, whose forms are the words themselves)."""
    if i18n.current() == i18n.DEFAULT:
        return None
    wanted = " ".join(text.casefold().split())
    realtime = ngettext(
        "realtime (every %(num)d minute)",
        "realtime (every %(num)d minutes)",
        REALTIME_EVERY_MINUTES,
    )
    plain = {"hourly": _("hourly"), "off": _("off"), "realtime": realtime}
    for word, shown in plain.items():
        folded = " ".join(shown.casefold().split())
        if wanted in (folded, folded.split(" (")[0].strip()):
            return word
    days = _day_names()
    for kind, message in (
        ("daily", "daily %(time)s"),
        ("weekdays", "weekdays %(time)s"),
        ("weekly", "weekly %(day)s %(time)s"),
    ):
        match = _shown_pattern(i18n.gettext(message)).fullmatch(wanted)
        if match is None:
            continue
        day = days.get(match.groupdict().get("day", "").strip(" ,.")) if kind == "weekly" else ""
        if day is None:
            continue
        return " ".join(part for part in (kind, day, match.group("time")) if part)
    return None


def _shown_pattern(shown: str) -> re.Pattern[str]:
    """A translated schedule form as a pattern: its words as they are (spacing and case
    folded), its time and day as groups."""
    pieces: list[str] = []
    for index, piece in enumerate(_PLACEHOLDER.split(shown.casefold())):
        if index % 2:
            pieces.append(_SHOWN_TIME if piece == "time" else r"(?P<day>.+?)")
        else:
            pieces.append(r"\s*".join(re.escape(word) for word in piece.split()))
    return re.compile(r"\s*".join(p for p in pieces if p))


def _day_names() -> dict[str, str]:
    """The current language's names of the days (wide and short, case folded) -> "mon"…"sun"."""
    locale = i18n.locale_of(i18n.current())
    names: dict[str, str] = {}
    for width in ("wide", "abbreviated"):
        for index, name in get_day_names(width, locale=locale).items():
            names[str(name).casefold().strip(".")] = WEEKDAYS[index]
    return names


def _parse_cron(expression: str) -> ScheduleSpec:
    fields = expression.split()
    if len(fields) != 5:
        raise ScheduleError(
            _(
                "A cron expression has 5 fields: minute hour day month weekday, "
                "e.g. cron 0 8 * * mon-fri."
            )
        )
    try:
        CronTrigger.from_crontab(" ".join(fields), timezone=UTC)
    except (ValueError, TypeError, KeyError) as exc:
        # Translators: %(problem)s is APScheduler's explanation, in English
        raise ScheduleError(
            _("That cron expression is not valid (%(problem)s).", problem=str(exc))
        ) from None
    return ScheduleSpec(ScheduleKind.CRON, cron=" ".join(fields))


def spec_of(kind: str, *, time: str | None, weekday: str | None, cron: str | None) -> ScheduleSpec:
    """The spec stored in a `Schedule` row's columns."""
    return ScheduleSpec(ScheduleKind(kind), time=time, weekday=weekday, cron=cron)


def zone_of(name: str) -> ZoneInfo:
    """The IANA zone, UTC when the name is unknown (a stored zone is validated on input)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _trigger(spec: ScheduleSpec, zone: ZoneInfo) -> CronTrigger | None:
    kwargs: dict[str, Any] = {"timezone": zone}
    if spec.kind == ScheduleKind.OFF:
        return None
    if spec.kind == ScheduleKind.REALTIME:
        return CronTrigger(minute=f"*/{REALTIME_EVERY_MINUTES}", **kwargs)
    if spec.kind == ScheduleKind.HOURLY:
        return CronTrigger(minute=0, **kwargs)
    if spec.kind == ScheduleKind.CRON:
        return CronTrigger.from_crontab(spec.cron or "0 8 * * *", timezone=zone)
    hour, minute = (int(x) for x in (spec.time or "08:00").split(":"))
    if spec.kind == ScheduleKind.WEEKDAYS:
        kwargs["day_of_week"] = "mon-fri"
    elif spec.kind == ScheduleKind.WEEKLY:
        kwargs["day_of_week"] = spec.weekday or "mon"
    return CronTrigger(hour=hour, minute=minute, **kwargs)


def _wall_clock(spec: ScheduleSpec) -> bool:
    """Rules tied to a time of day: once per day even when the clock goes back an hour."""
    if spec.kind in {ScheduleKind.DAILY, ScheduleKind.WEEKDAYS, ScheduleKind.WEEKLY}:
        return True
    return spec.kind == ScheduleKind.CRON and (spec.cron or "").split()[1:2] != ["*"]


def _second_occurrence(moment: datetime, zone: ZoneInfo) -> bool:
    """A wall time the fall-back change repeats, at its later instant."""
    local = moment.astimezone(zone).replace(tzinfo=None)
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return first != second and moment.astimezone(UTC) == max(first, second)


def _next_fire(spec: ScheduleSpec, zone: ZoneInfo, after: datetime) -> datetime | None:
    trigger = _trigger(spec, zone)
    if trigger is None:
        return None
    probe = after + timedelta(microseconds=1)
    for _probe in range(_SEARCH_LIMIT):
        found: datetime | None = trigger.get_next_fire_time(None, probe)
        if found is None:
            return None
        fire = found.astimezone(UTC)
        if fire <= after:  # APScheduler 3 can repeat an ambiguous wall time: step past it
            probe += timedelta(minutes=15)
            continue
        if _wall_clock(spec) and _second_occurrence(fire, zone):
            probe = fire + timedelta(microseconds=1)
            continue
        return fire
    return None


def _minutes(hhmm: str) -> int:
    hour, minute = hhmm.split(":")
    return int(hour) * 60 + int(minute)


def quiet_end(moment: datetime, zone: ZoneInfo, quiet: tuple[str, str] | None) -> datetime | None:
    """If `moment` falls in the quiet hours (`("22:00", "07:00")`, in `zone`), the end of
    those hours (UTC); else None."""
    if not quiet or not quiet[0] or not quiet[1]:
        return None
    start, end = _minutes(quiet[0]), _minutes(quiet[1])
    if start == end:
        return None
    local = moment.astimezone(zone)
    now_min = local.hour * 60 + local.minute
    day = local.date()
    if start < end:
        if not start <= now_min < end:
            return None
    elif now_min >= start:
        day = day + timedelta(days=1)
    elif now_min >= end:
        return None
    end_local = datetime.combine(day, time(end // 60, end % 60), tzinfo=zone)
    result = end_local.astimezone(UTC)
    return result if result > moment else None


def next_due(
    spec: ScheduleSpec,
    tz: str,
    after: datetime,
    quiet: tuple[str, str] | None = None,
) -> datetime | None:
    """The first time strictly after `after` the rule fires in zone `tz` (UTC, aware), moved to
    the end of the quiet hours when it falls inside them; None for `off`."""
    zone = zone_of(tz)
    fire = _next_fire(spec, zone, after.astimezone(UTC))
    if fire is None:
        return None
    moved = quiet_end(fire, zone, quiet)
    return moved if moved is not None else fire


def quiet_of(quiet_start: str | None, quiet_end_: str | None) -> tuple[str, str] | None:
    """A chat's quiet hours columns as the `quiet` argument of `next_due`."""
    return (quiet_start, quiet_end_) if quiet_start and quiet_end_ else None


async def apply_schedule(
    session: AsyncSession, *, chat: Chat, now: datetime, spec: ScheduleSpec | None = None
) -> Schedule | None:
    """Set a chat's schedule to `spec` (or, without one, recompute the stored rule's next due
    time after a time-zone or quiet-hours change) in the chat's zone. None when the chat has no
    schedule and no `spec` is given. The caller commits."""
    assert chat.id is not None
    current = await schedule_store.get_schedule(session, chat_id=chat.id)
    if spec is None:
        if current is None:
            return None
        spec = spec_of(current.kind, time=current.time, weekday=current.weekday, cron=current.cron)
    due = next_due(spec, chat.timezone, now, quiet_of(chat.quiet_start, chat.quiet_end))
    return await schedule_store.set_schedule(
        session,
        chat_id=chat.id,
        kind=spec.kind,
        time=spec.time,
        weekday=spec.weekday,
        cron=spec.cron,
        timezone=chat.timezone,
        next_due_at=due,
    )


# --- a chat's schedule, as commands change and show it ------------------------------------

DEFAULT_SCHEDULE = "daily 08:00"


class ScheduleChangeError(ValueError):
    """The schedule text is wrong; `str()` says why (without the usage line)."""


async def change_schedule(session: AsyncSession, *, chat: Chat, text: str, now: datetime) -> str:
    """Set the chat's schedule from what the user typed; returns how it reads. Caller commits."""
    try:
        spec = parse_schedule(text)
    except ScheduleError as exc:
        raise ScheduleChangeError(exc.reason) from None
    await apply_schedule(session, chat=chat, now=now, spec=spec)
    return spec.describe()


async def ensure_schedule(session: AsyncSession, *, chat: Chat, now: datetime) -> None:
    """A chat that follows something gets the default schedule until it picks one."""
    assert chat.id is not None
    if await schedule_store.get_schedule(session, chat_id=chat.id) is None:
        await change_schedule(session, chat=chat, text=DEFAULT_SCHEDULE, now=now)


async def describe_schedule(session: AsyncSession, chat: Chat) -> str:
    """The chat's schedule as /list shows it."""
    assert chat.id is not None
    row = await schedule_store.get_schedule(session, chat_id=chat.id)
    if row is None:
        return _("none yet (/schedule daily 08:00)")
    spec = spec_of(row.kind, time=row.time, weekday=row.weekday, cron=row.cron)
    return spec.describe()


async def next_digest_at(session: AsyncSession, chat: Chat, *, now: datetime) -> datetime | None:
    """When the chat's next digest is due (UTC) as the digest tick sees it, `now` when it is
    overdue (the tick takes it on its next run); None without a schedule or when it is off."""
    assert chat.id is not None
    row = await schedule_store.get_schedule(session, chat_id=chat.id)
    if row is None or row.next_due_at is None:
        return None
    return max(row.next_due_at, now)
