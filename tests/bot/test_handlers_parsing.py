"""The pure pieces under the handlers: the callback-data codec, escaping, the per-chat
command throttle (the argument parsers are tested in tests/digests/test_preferences.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.handlers import callbacks
from bot.handlers.common import esc
from bot.limits import CommandThrottle
from telegram_emulator.html import parse_html


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
