"""Pure parsers for command arguments: time zones (IANA name, city or UTC offset), quiet
hours and item counts. Each raises `ArgumentError` with a message fit to show the user."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones


class ArgumentError(ValueError):
    """A command argument is wrong; `str()` is a user-readable sentence."""


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
        raise ArgumentError("Give a time zone.")
    if text.upper() in {"UTC", "GMT", "Z"}:
        return "UTC"
    match = _OFFSET.match(text)
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if minutes or hours > 14:
            raise ArgumentError(
                f"{text} is not a whole-hour offset; use a zone name like Asia/Kolkata."
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
        raise ArgumentError(f"{text} is ambiguous: {', '.join(candidates[:5])}.")
    raise ArgumentError(f"Unknown time zone {text!r}.")


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
        raise ArgumentError(f"{text!r} is not a time like 22:00.")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_quiet(text: str) -> tuple[str, str] | None:
    """`22:00-07:00` → ("22:00", "07:00"); `off` → None."""
    text = text.strip().lower()
    if not text:
        raise ArgumentError("Give quiet hours, or off.")
    if text in {"off", "none", "no"}:
        return None
    start, sep, end = text.replace("–", "-").partition("-")
    if not sep:
        raise ArgumentError("Give quiet hours as start-end, like 22:00-07:00.")
    quiet = parse_hhmm(start), parse_hhmm(end)
    if quiet[0] == quiet[1]:
        raise ArgumentError("Quiet hours must start and end at different times.")
    return quiet


def parse_count(text: str, *, low: int, high: int) -> int:
    text = text.strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise ArgumentError(f"Give a number from {low} to {high}.")
    return int(text)
