"""The pure pieces under the handlers: argument parsers, the callback-data codec, the
per-chat command throttle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.handlers import callbacks
from bot.handlers.common import esc
from bot.handlers.parsing import ArgumentError, parse_count, parse_quiet, parse_timezone
from bot.handlers.throttle import CommandThrottle
from telegram_emulator.html import parse_html


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("UTC", "UTC"),
        ("UTC+2", "Etc/GMT-2"),
        ("-05:00", "Etc/GMT+5"),
        ("+0", "UTC"),
    ],
)
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


def test_callback_codec_round_trip_and_limit() -> None:
    data = callbacks.encode(callbacks.TOGGLE_TOPIC, "climate OR energy")
    assert callbacks.decode(data) == callbacks.Callback("t", "climate OR energy")
    with pytest.raises(callbacks.CallbackDataTooLong):
        callbacks.encode(callbacks.TOGGLE_TOPIC, "x" * 80)
    assert callbacks.decode("u:12") == callbacks.Callback("u", "12")


@pytest.mark.parametrize("data", [None, "", "zz:1", "u:abc", "no-colon", "t:" + "é" * 40])
def test_forged_callback_data_is_refused(data: str | None) -> None:
    assert callbacks.decode(data) is None


@given(st.text(max_size=100))
def test_decode_never_raises(data: str) -> None:
    decoded = callbacks.decode(data)
    if decoded is not None:
        assert decoded.action in callbacks.ACTIONS


def test_throttle_limits_per_chat_and_warns_once() -> None:
    throttle = CommandThrottle(3)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert all(throttle.allow(1, now) for _ in range(3))
    assert not throttle.allow(1, now)
    assert throttle.allow(2, now)  # other chats are not affected
    assert throttle.should_warn(1, now)
    assert not throttle.should_warn(1, now + timedelta(seconds=5))
    assert throttle.allow(1, now + timedelta(seconds=61))


@given(st.text(max_size=300))
def test_escaped_user_text_always_parses_back_to_itself(text: str) -> None:
    """What a user typed, echoed inside our HTML, is accepted by Telegram's parser unchanged."""
    plain, entities = parse_html(f"Subscribed to <b>{esc(text)}</b>.")
    assert plain.startswith("Subscribed to ")
    assert text.strip() in plain or not text.strip()
    assert all(e["type"] == "bold" for e in entities)
