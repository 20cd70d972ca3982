"""Transcripts of a chat: plain text for terminals and test failures, HTML rendering entities."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import UTC, datetime

from telegram_emulator.state import JSON, Message

_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
    "bot_command": ('<span class="command">', "</span>"),
}


def entities_to_html(text: str, entities: list[JSON]) -> str:
    """Render `text` with its (UTF-16 offset) entities as ordinary, escaped HTML."""
    units = text.encode("utf-16-le", "surrogatepass")
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for entity in entities:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        kind = entity["type"]
        if kind == "text_link":
            tag = (f'<a href="{html.escape(str(entity.get("url", "")))}">', "</a>")
        elif kind == "pre":
            lang = entity.get("language")
            cls = f' class="language-{html.escape(str(lang))}"' if lang else ""
            tag = (f"<pre><code{cls}>", "</code></pre>")
        else:
            tag = _TAGS.get(kind, ("", ""))
        opens.setdefault(start, []).append(tag[0])
        closes.setdefault(end, []).insert(0, tag[1])
    out: list[str] = []
    boundaries = sorted({0, len(units) // 2, *opens, *closes})
    for i, pos in enumerate(boundaries):
        out.extend(closes.get(pos, []))
        out.extend(opens.get(pos, []))
        if i + 1 < len(boundaries):
            piece = units[pos * 2 : boundaries[i + 1] * 2].decode("utf-16-le", "surrogatepass")
            out.append(html.escape(piece, quote=False))
    return "".join(out)


def _stamp(message: Message) -> str:
    return datetime.fromtimestamp(message.date, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _buttons(message: Message) -> list[list[str]]:
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    return [[str(b.get("text", "")) for b in row] for row in rows]


def render_text(
    messages: Iterable[Message], *, names: dict[int, str], bot_name: str = "Bot"
) -> str:
    """Each message as `[time] who: text`, buttons as `[ A ] [ B ]` rows."""
    blocks = []
    for message in messages:
        who = bot_name if message.from_bot else names.get(message.sender_id, str(message.sender_id))
        edited = " (edited)" if message.edit_date else ""
        lines = [f"[{_stamp(message)}] {who}{edited}:", *message.text.splitlines()]
        lines += ["  " + " ".join(f"[ {b} ]" for b in row) for row in _buttons(message)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def render_html(
    messages: Iterable[Message], *, names: dict[int, str], bot_name: str = "Bot"
) -> str:
    """A standalone HTML page showing the chat with its formatting."""
    parts = [
        "<!doctype html><meta charset=utf-8><title>Transcript</title>",
        "<style>body{font-family:sans-serif;max-width:40em}.m{white-space:pre-wrap;"
        "margin:.5em 0;padding:.5em;border-radius:6px;background:#eef}.bot{background:#efe}"
        ".spoiler{background:#999}.who{font-size:80%;color:#555}button{margin:2px}</style>",
    ]
    for message in messages:
        who = bot_name if message.from_bot else names.get(message.sender_id, str(message.sender_id))
        css = "m bot" if message.from_bot else "m"
        body = entities_to_html(message.text, message.entities)
        buttons = "".join(
            "<div>" + "".join(f"<button>{html.escape(b)}</button>" for b in row) + "</div>"
            for row in _buttons(message)
        )
        parts.append(
            f'<div class="{css}"><div class="who">{html.escape(who)} · {_stamp(message)}</div>'
            f"{body}{buttons}</div>"
        )
    return "\n".join(parts) + "\n"
