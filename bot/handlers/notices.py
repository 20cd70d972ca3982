"""The notice shown for a button tap (answerCallbackQuery `text`): Telegram allows 0–200
characters, so a longer one is cut at a word with "…" rather than refused."""

from __future__ import annotations

#: telegram.constants.CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH
MAX_NOTICE = 200


def _units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def fit_notice(text: str, limit: int = MAX_NOTICE) -> str:
    """`text` within `limit` characters (UTF-16 units, so never over in any count), cut at the
    last word boundary that leaves room for "…" (mid-word only for one very long word)."""
    if _units(text) <= limit:
        return text
    room = limit - 1  # for "…"
    head = ""
    for char in text:
        if _units(head + char) > room:
            break
        head += char
    word_end = head.rstrip().rfind(" ")
    if word_end > limit // 2:
        head = head[:word_end]
    return head.rstrip(" ,;:.-") + "…"
