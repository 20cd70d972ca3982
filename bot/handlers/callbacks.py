"""The compact `callback_data` codec for inline buttons: `action:arg` in at most 64 bytes.

Anything a client sends back is untrusted: `decode` returns None for data we did not make,
and every handler re-checks that what a button names still belongs to the chat."""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64  # telegram.constants.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA

# action codes (one letter keeps the payload small)
TOGGLE_TOPIC = "t"  # arg: a topic query
UNSUBSCRIBE = "u"  # arg: subscription id
SCHEDULE = "s"  # arg: a schedule text, e.g. "daily 08:00"
STOP = "x"  # arg: "yes" or "no"
MORE = "m"  # arg: empty
PAGE = "p"  # arg: a keyboard's letter and a page number, e.g. "u2"
LANGUAGE = "l"  # arg: a language code, e.g. "pt_BR"
ACTIONS = frozenset({TOGGLE_TOPIC, UNSUBSCRIBE, SCHEDULE, STOP, MORE, PAGE, LANGUAGE})
PAGED = frozenset({UNSUBSCRIBE})  # keyboards that page


class CallbackDataTooLong(ValueError):
    """The button's payload would exceed Telegram's 64 bytes."""


@dataclass(frozen=True)
class Callback:
    action: str
    arg: str = ""


def encode(action: str, arg: str = "") -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown callback action {action!r}")
    data = f"{action}:{arg}"
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise CallbackDataTooLong(data)
    return data


def fits(action: str, arg: str) -> bool:
    return len(f"{action}:{arg}".encode()) <= MAX_BYTES


def decode(data: str | None) -> Callback | None:
    """The button's meaning, or None for data that is not ours (forged, or from an old bot)."""
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    action, sep, arg = data.partition(":")
    if not sep or action not in ACTIONS:
        return None
    # str.isdigit() accepts "²" and "①", which int() refuses: ASCII digits only.
    if action == UNSUBSCRIBE and not (arg.isascii() and arg.isdigit()):
        return None
    if action == PAGE and not (
        arg[:1] in PAGED and arg[1:].isascii() and arg[1:].isdigit() and len(arg) <= 6
    ):
        return None
    return Callback(action, arg)
