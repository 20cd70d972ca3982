"""Telegram's checks of a message the bot sends: parameters, text and entities, inline keyboards,
threads and whether the bot may write to a chat, each answered in Telegram's words.

Sources: telegram-bot-api `Client.cpp` (parameter parsing, `get_formatted_text`,
`get_inline_keyboard_button`), tdlib `td/telegram/MessageEntity.cpp` (HTML, entity fixing)
and `td/telegram/ReplyMarkup.cpp` (keyboard limits).
"""

from __future__ import annotations

import json
from typing import Any

from telegram_emulator.entities import EmptyTextError, fix_formatted_text, limit_entities
from telegram_emulator.errors import ApiError, bad_request
from telegram_emulator.html import EntityParseError, parse_html, utf16_len
from telegram_emulator.state import JSON, Chat

MAX_TEXT_LENGTH = 4096
# telegram-bot-api Client.cpp `get_formatted_text`: `text.size() > (1 << 15)` is refused with
# "Text is too long" before any parsing; the size is the raw parameter's, in UTF-8 bytes.
MAX_TEXT_BYTES = 1 << 15
MAX_CALLBACK_DATA = 64
_TEXT_BUTTONS = (
    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
)
_INT_PARAMS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "message_thread_id",
        "cache_time",
        "max_connections",
        "reply_to_message_id",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "allow_paid_broadcast",
        "show_alert",
        "disable_web_page_preview",
    }
)


def coerce_params(raw: dict[str, Any]) -> JSON:
    """Turn form/JSON parameters (as python-telegram-bot sends them) into typed values."""
    params: JSON = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in _INT_PARAMS or key == "chat_id":
                try:
                    value = int(value)
                except ValueError:
                    if key != "chat_id":
                        raise bad_request(f"invalid {key} specified") from None
            elif key in _BOOL_PARAMS:
                value = value.strip().lower() in ("true", "1")
            elif value[:1] in ("{", "["):
                try:
                    value = json.loads(value)
                except ValueError:
                    # Client.cpp names the reply markup's JSON in its own words
                    name = "reply keyboard markup" if key == "reply_markup" else key
                    raise bad_request(f"can't parse {name} JSON object") from None
        params[key] = value
    return params


def check_can_write(chat: Chat) -> None:
    """Telegram's refusal when the bot may not write to `chat` (blocked, kicked, no rights)."""
    if chat.type == "private":
        if chat.deactivated:
            raise ApiError(403, "Forbidden: user is deactivated")
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
    elif chat.kicked:
        if chat.type == "channel":
            raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
        raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
    elif chat.type == "channel" and not chat.bot_is_admin:
        raise bad_request("need administrator rights in the channel chat")


def formatted_text(params: JSON, key: str = "text") -> tuple[str, list[JSON], str | None]:
    """The text, entities and parse mode Telegram stores for `params`, or its refusal."""
    text = params.get(key)
    if text is None or text == "":
        raise bad_request("message text is empty")
    text = str(text)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise bad_request("text is too long")
    mode = params.get("parse_mode")
    mode_name = str(mode).lower() if mode else ""
    if mode_name == "html":
        try:
            text, entities = parse_html(text)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    elif mode_name == "":
        entities = _given_entities(params.get("entities"))
    else:
        if mode_name in ("markdown", "markdownv2"):
            # Valid for Telegram, but not emulated: say so instead of pretending.
            raise ApiError(501, f"Not Implemented: the emulator does not parse {mode}")
        raise bad_request("unsupported parse_mode")
    try:
        text, entities = fix_formatted_text(text, entities)
    except EmptyTextError:  # blank once parsed: tdlib's fix_formatted_text
        raise bad_request("text must be non-empty") from None
    if utf16_len(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return text, limit_entities(entities), (str(mode) if mode else None)


def _given_entities(entities: Any) -> list[JSON]:
    if not entities:
        return []
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise bad_request("can't parse entities JSON object")
    return [
        dict(e)
        for e in entities
        if int(e.get("length", 0)) > 0 and e.get("type") not in _DETECTED_ENTITY_TYPES
    ]


def inline_markup(markup: Any) -> JSON | None:
    """An inline keyboard as Telegram keeps it; other keyboards are kept as given.

    Each button is parsed as telegram-bot-api's `get_inline_keyboard_button` does (Client.cpp:
    an empty `url` or `callback_data` counts as absent, so a button left with neither is a
    "text button"); then tdlib's `get_reply_markup` (td/telegram/ReplyMarkup.cpp) skips
    buttons with empty text, checks URL buttons, and keeps at most 12 buttons a row and 300
    in all, silently dropping the rest; a keyboard left empty is no keyboard."""
    if not markup:
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" not in markup:
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            _parse_inline_button(button)
    kept_rows: list[list[JSON]] = []
    total = 0
    for row in rows:
        kept: list[JSON] = []
        for button in row:
            if not button["text"]:
                continue
            _check_inline_button(button)
            kept.append(button)
            total += 1
            if len(kept) >= MAX_ROW_BUTTONS or total >= MAX_BUTTONS:
                break
        if kept:
            kept_rows.append(kept)
        if total >= MAX_BUTTONS:
            break
    return {"inline_keyboard": kept_rows} if kept_rows else None


def thread_id(chat: Chat, params: JSON) -> int | None:
    """The forum thread a send addresses, or Telegram's error when it does not exist."""
    thread = params.get("message_thread_id")
    if thread is None:
        return None
    if chat.is_forum and int(thread) not in chat.topics:
        raise bad_request("message thread not found")
    return int(thread)


# Entity types Telegram finds by itself: given ones are ignored (telegram-bot-api Client.cpp,
# `get_text_entity_type` returns nullptr for them).
_DETECTED_ENTITY_TYPES = frozenset(
    {"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number"}
    | {"bank_card_number"}
)

MAX_ROW_BUTTONS = 12  # ReplyMarkup.cpp: `row_button_count >= 12`
MAX_BUTTONS = 300  # ReplyMarkup.cpp: `total_button_count >= 300`
_LINK_SCHEMES = frozenset({"http", "https", "tg", "ton", "tonsite"})


def _parse_inline_button(button: Any) -> None:
    """Client.cpp `get_inline_keyboard_button`: the errors it answers for one button."""
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str):
        raise bad_request(_TEXT_BUTTONS)
    if button.get("url") or button.get("callback_data"):
        return
    if not any(k in button for k in _OTHER_BUTTON_KINDS):
        raise bad_request(_TEXT_BUTTONS)


def _check_inline_button(button: JSON) -> None:
    """tdlib's checks of a button kept in the keyboard (ReplyMarkup.cpp, LinkManager.cpp)."""
    if button.get("url"):
        url = str(button["url"])
        reason = _link_problem(url)
        if reason is not None:
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: {reason}")
    elif len(str(button.get("callback_data") or "").encode("utf-8")) > MAX_CALLBACK_DATA:
        raise bad_request("BUTTON_DATA_INVALID")


def _link_problem(url: str) -> str | None:
    """Why tdlib's `LinkManager::check_link` refuses `url` (a scheme-less link is http)."""
    scheme, sep, rest = url.partition(":")
    if not sep or "/" in scheme or "." in scheme:
        scheme, rest = "http", "//" + url
    if scheme.lower() not in _LINK_SCHEMES:
        return "Unsupported URL protocol"
    if scheme.lower() in ("http", "https"):
        host = rest.removeprefix("//").split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
        if not host.split(":", 1)[0]:
            return "URL host is empty"
    return None


_OTHER_BUTTON_KINDS = (
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
