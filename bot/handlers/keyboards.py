"""Inline keyboards: quick setup, topic toggles, unsubscribe choices, the /stop confirmation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers import callbacks
from storage.models import Subscription

SUGGESTED_TOPICS = ("technology", "science", "climate", "economy", "health", "space")
QUICK_SCHEDULES = ("realtime", "hourly", "daily 08:00", "weekdays 07:30", "weekly mon 09:00")
MAX_LABEL = 40


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def topic_buttons(topics: Iterable[str], subscribed: set[str]) -> list[InlineKeyboardButton]:
    buttons = []
    for topic in topics:
        if not callbacks.fits(callbacks.TOGGLE_TOPIC, topic):
            continue
        mark = "✅ " if topic in subscribed else ""
        buttons.append(
            InlineKeyboardButton(
                mark + _label(topic), callback_data=callbacks.encode(callbacks.TOGGLE_TOPIC, topic)
            )
        )
    return buttons


def topics_keyboard(topics: Iterable[str], subscribed: set[str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(_rows(topic_buttons(topics, subscribed), 2))


def quick_setup_keyboard(subscribed: set[str]) -> InlineKeyboardMarkup:
    rows = _rows(topic_buttons(SUGGESTED_TOPICS, subscribed), 3)
    schedules = [
        InlineKeyboardButton(f"⏰ {s}", callback_data=callbacks.encode(callbacks.SCHEDULE, s))
        for s in QUICK_SCHEDULES
    ]
    return InlineKeyboardMarkup(rows + _rows(schedules, 3))


def unsubscribe_keyboard(subscriptions: Sequence[Subscription]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            f"✖ {_label(s.query or s.target)}",
            callback_data=callbacks.encode(callbacks.UNSUBSCRIBE, str(s.id)),
        )
        for s in subscriptions
    ]
    return InlineKeyboardMarkup(_rows(buttons, 1))


def stop_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "Yes, delete everything", callback_data=callbacks.encode(callbacks.STOP, "yes")
                ),
                InlineKeyboardButton(
                    "No, keep it", callback_data=callbacks.encode(callbacks.STOP, "no")
                ),
            ]
        ]
    )
