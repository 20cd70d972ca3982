"""Durations as people type them — `90s`, `5m`, `2h`, `1d`, a bare number of seconds — for the
settings (`DIGESTBOT_FEED_INTERVAL`) and the command line (`--every 5m`, `--since 1d`)."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


class DurationError(ValueError):
    """Not a duration; the message shows the accepted forms."""


def parse_duration(text: str) -> timedelta:
    """`5m` → 5 minutes; a bare number is seconds. Raises `DurationError`."""
    match = _DURATION.match(text)
    if match is None:
        raise DurationError(f"not a duration: {text[:40]!r} (use e.g. 90s, 5m, 2h, 1d)")
    amount, unit = match.groups()
    return timedelta(seconds=float(amount) * _UNITS[(unit or "s").lower()])


def format_duration(duration: timedelta) -> str:
    """5m, 90s, 2h, 1d: the shortest exact form."""
    seconds = int(duration.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
