"""Inline keyboards: quick setup, topic toggles, unsubscribe choices, the /stop confirmation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers import callbacks
from digests.i18n import LANGUAGES, N_, _
from digests.trending import SUGGESTED_TOPICS
from storage.models import Subscription

#: The schedules of the quick setup keyboard: each is the /schedule text the button sends and,
#: translated where shown, its label.
QUICK_SCHEDULES: tuple[str, ...] = (
    # Translators: quick setup buttons under /start, each a schedule for digests ("mon":
    # Monday). The button sends the English /schedule text whatever its label says.
    N_("realtime"),
    N_("hourly"),
    N_("daily 08:00"),
    N_("weekdays 07:30"),
    N_("weekly mon 09:00"),
)
MAX_LABEL = 40
#: Buttons per page of a keyboard that grows with the chat (one subscription a button):
#: Telegram keeps at most 12 a row and 300 in all and drops the rest (tdlib ReplyMarkup.cpp),
#: so long lists page with ◀ ▶ instead.
PAGE_SIZE = 8


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
        InlineKeyboardButton(
            f"⏰ {_(schedule)}", callback_data=callbacks.encode(callbacks.SCHEDULE, schedule)
        )
        for schedule in QUICK_SCHEDULES
    ]
    return InlineKeyboardMarkup(rows + _rows(schedules, 3))


def page_count(items: int) -> int:
    return max(1, -(-items // PAGE_SIZE))


def page_of(index: int, items: int) -> int:
    """The page showing the `index`-th of `items` (the last page when it is gone)."""
    return max(0, min(index // PAGE_SIZE, page_count(items) - 1))


def _nav_row(kind: str, page: int, pages: int) -> list[InlineKeyboardButton]:
    """◀ n/N ▶ for page `page` (0-based) of `pages`; the middle button redraws this page."""

    def to(number: int, text: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text, callback_data=callbacks.encode(callbacks.PAGE, f"{kind}{number}")
        )

    row = [to(page - 1, "◀")] if page > 0 else []
    row.append(to(page, f"{page + 1}/{pages}"))
    if page + 1 < pages:
        row.append(to(page + 1, "▶"))
    return row


def unsubscribe_keyboard(
    subscriptions: Sequence[Subscription], page: int = 0
) -> InlineKeyboardMarkup:
    """One button a subscription, `PAGE_SIZE` a page, with ◀ ▶ when there are more."""
    pages = page_count(len(subscriptions))
    page = max(0, min(page, pages - 1))
    shown = subscriptions[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    buttons = [
        InlineKeyboardButton(
            f"✖ {_label(s.query or s.target)}",
            callback_data=callbacks.encode(callbacks.UNSUBSCRIBE, str(s.id)),
        )
        for s in shown
    ]
    rows = _rows(buttons, 1)
    if pages > 1:
        rows.append(_nav_row(callbacks.UNSUBSCRIBE, page, pages))
    return InlineKeyboardMarkup(rows)


def stop_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Yes, delete everything"),
                    callback_data=callbacks.encode(callbacks.STOP, "yes"),
                ),
                InlineKeyboardButton(
                    _("No, keep it"), callback_data=callbacks.encode(callbacks.STOP, "no")
                ),
            ]
        ]
    )


def language_keyboard(chosen: str) -> InlineKeyboardMarkup:
    """The shipped languages, each in its own name (readable whatever the chat speaks now),
    the chat's own marked."""
    buttons = [
        InlineKeyboardButton(
            ("✅ " if code == chosen else "") + name,
            callback_data=callbacks.encode(callbacks.LANGUAGE, code),
        )
        for code, name in LANGUAGES.items()
    ]
    return InlineKeyboardMarkup(_rows(buttons, 2))
