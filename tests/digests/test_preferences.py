"""What people type for a chat's preferences, parsed (digests/preferences.py): time zones,
quiet hours, item counts; each wrong input refused with a sentence for the user."""

from __future__ import annotations

import pytest

from digests.preferences import ArgumentError, parse_count, parse_quiet, parse_timezone
from tests.support.cases import parametrize


@parametrize("digests/preferences", "timezones", ("text", "zone"))
def test_timezone_accepts_names_cities_and_offsets(text: str, zone: str) -> None:
    assert parse_timezone(text) == zone


@pytest.mark.parametrize("text", ["Mars/Olympus", "+5:30", "UTC+20", "", "Berlinx"])
def test_timezone_refuses_unknown_and_uneven(text: str) -> None:
    with pytest.raises(ArgumentError):
        parse_timezone(text)


def test_quiet_hours() -> None:
    assert parse_quiet("22:00-07:00") == ("22:00", "07:00")
    assert parse_quiet("7:30-9:00") == ("07:30", "09:00")
    assert parse_quiet("off") is None
    for bad in ("", "22:00", "25:00-07:00", "22:00-22:00", "late-early"):
        with pytest.raises(ArgumentError):
            parse_quiet(bad)


def test_count_bounds() -> None:
    assert parse_count("5", low=1, high=50) == 5
    for bad in ("0", "51", "-3", "five", ""):
        with pytest.raises(ArgumentError):
            parse_count(bad, low=1, high=50)
