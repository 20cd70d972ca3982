"""Telegram's HTML parse mode, as the Bot API applies it: plain text plus entities.

A byte-level re-implementation of the behaviour of tdlib's `parse_html`
(td/telegram/MessageEntity.cpp): the same tags, the same entity decoding, the same error
messages with byte offsets, and entity offsets/lengths in UTF-16 code units, shaped as the
Bot API returns them.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "EntityParseError",
    "entity_priority",
    "escape",
    "parse_html",
    "sort_entities",
    "utf16_len",
]

_SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
# MessageEntity.cpp `get_type_priority`: tdlib orders entities by offset, then longer first, then
# by this priority (lower first); every other type is 50. The one copy of the table: the entity
# fixing in `telegram_emulator.entities` sorts with it too.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,  # 10 with a language (PreCode)
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
# Bot API "Date-time entity formatting": the `format` of a `<tg-time>` must match this ("r" alone,
# or day of week, short/long date, short/long time in this order; empty shows the text as is).
_DATE_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")
# MessageEntity.date_time's `unix_time`; the MTProto entity stores it as `date:int` (32-bit).
_UNIX_TIME = re.compile(r"[0-9]{1,10}")
_MAX_UNIX_TIME = 2**31 - 1
_SPACE = frozenset(b" \t\r\n\0\v")
_LT, _GT, _AMP, _SLASH, _EQ = (ord(c) for c in "<>&/=")
_QUOTES = frozenset(b"\"'")


class EntityParseError(ValueError):
    """HTML that Telegram rejects; `str()` is tdlib's message (after "can't parse entities: ")."""


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def escape(text: str) -> str:
    """Escape text for HTML parse mode so that it comes back unchanged."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Bytes:
    """A NUL-terminated view of UTF-8 bytes, like the C string tdlib walks."""

    __slots__ = ("data", "size")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)

    def __getitem__(self, i: int) -> int:
        return self.data[i] if i < self.size else 0


def _decode_entity(b: _Bytes, pos: int) -> tuple[int, int]:
    """Decode the character reference at `pos` ('&'): (code point or 0, position after it)."""
    end = pos + 1
    res = 0
    if b[pos + 1] == ord("#"):
        end += 1
        if b[pos + 2] == ord("x"):
            end += 1
            while chr(b[end]) in "0123456789abcdefABCDEF" and b[end] != 0:
                res = res * 16 + int(chr(b[end]), 16)
                end += 1
        else:
            while 48 <= b[end] <= 57:
                res = res * 10 + b[end] - 48
                end += 1
        if res == 0 or res >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while 65 <= b[end] <= 90 or 97 <= b[end] <= 122:
            end += 1
        name = b.data[pos + 1 : end]
        res = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}.get(name, 0)
        if res == 0:
            return 0, pos
    if b[end] == ord(";"):
        end += 1
    return res, end


def _utf8(code: int) -> bytes:
    return chr(code).encode("utf-8", "surrogatepass")


def _is_alnum(c: int) -> bool:
    return 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def checked_link(url: str) -> str | None:
    """The URL Telegram stores for a text link, or None when it drops the link."""
    url = url.strip()
    if not url:
        return None
    lowered = url.lower()
    if lowered.startswith("tg:") or lowered.startswith("ton:"):
        scheme, _, rest = url.partition(":")
        rest = rest.removeprefix("//")
        return f"{scheme.lower()}://{rest}" if rest else None
    if "://" not in url:
        url = "http://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if "." not in host and ":" not in host:
        return None  # tdlib: "Wrong HTTP URL" (a host needs a dot, or be IPv6)
    try:
        port = parts.port
    except ValueError:
        return None
    netloc = f"[{host}]" if ":" in host else host
    netloc = f"{netloc}:{port}" if port is not None else netloc
    if parts.username is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    query = url[url.index(parts.netloc) + len(parts.netloc) :] if parts.netloc else ""
    if not query.startswith("/"):
        query = "/" + query
    return f"{parts.scheme.lower()}://{netloc}{query}"


def _link_user_id(url: str) -> int | None:
    lowered = url.lower()
    for prefix in ("tg://user?id=", "tg:user?id="):
        if lowered.startswith(prefix):
            digits = url[len(prefix) :]
            if digits.isdigit() and 0 < int(digits) < 2**53:
                return int(digits)
    return None


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities); raise `EntityParseError` as tdlib does.

    Entities are dicts shaped like the Bot API's `MessageEntity` (`type`, `offset`, `length` and
    `url`/`language`/`custom_emoji_id`/`user`/`unix_time`/`date_time_format` where they apply),
    sorted as Telegram sorts them.
    """
    b = _Bytes(text.encode("utf-8", "surrogatepass"))
    out = bytearray()
    entities: list[dict[str, Any]] = []
    # Open tags: (name, argument, utf16 offset, byte position in `out`).
    stack: list[tuple[str, str, int, int]] = []
    utf16 = 0
    i = 0
    while i < b.size:
        c = b[i]
        if c == _AMP:
            code, after = _decode_entity(b, i)
            if code:
                utf16 += 1 + (code > 0xFFFF)
                out += _utf8(code)
                i = after
                continue
        if c != _LT:
            if c & 0xC0 != 0x80:
                utf16 += 1 + (c >= 0xF0)
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if b[i] != _SLASH:
            while b[i] not in _SPACE and b[i] != _GT:
                i += 1
            if b[i] == 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            tag = _text(b.data[begin + 1 : i].lower())
            if tag not in _SUPPORTED_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            unix_time: str | None = None
            time_format = ""
            while b[i] != _GT:
                while b[i] != 0 and b[i] in _SPACE:
                    i += 1
                if b[i] == _GT:
                    break
                name_begin = i
                while b[i] not in _SPACE and b[i] not in (_EQ, _GT, _SLASH) and b[i] not in _QUOTES:
                    i += 1
                name = b.data[name_begin:i]
                if not name:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while b[i] != 0 and b[i] in _SPACE:
                    i += 1
                if b[i] != _EQ:
                    if b[i] == 0:
                        raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and name == b"expandable":
                        argument = "1"
                    continue
                i += 1
                while b[i] != 0 and b[i] in _SPACE:
                    i += 1
                if b[i] == 0:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if b[i] not in _QUOTES:
                    # An unquoted name token: letters, digits, periods, hyphens; case-insensitive.
                    token_begin = i
                    while _is_alnum(b[i]) or b[i] in (ord("."), ord("-")):
                        i += 1
                    value = _text(b.data[token_begin:i].lower())
                    if b[i] not in _SPACE and b[i] != _GT:
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = b[i]
                    i += 1
                    raw = bytearray()
                    while b[i] != quote and b[i] != 0:
                        if b[i] == _AMP:
                            code, after = _decode_entity(b, i)
                            if code:
                                raw += _utf8(code)
                                i = after
                                continue
                        raw.append(b[i])
                        i += 1
                    if b[i] == quote:
                        i += 1
                    value = _text(bytes(raw))
                if b[i] == 0:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and name == b"href":
                    argument = value
                elif tag == "code" and name == b"class" and value.startswith("language-"):
                    argument = value[9:]
                elif tag == "span" and name == b"class" and value.startswith("tg-"):
                    argument = value[3:]
                elif tag == "tg-emoji" and name == b"emoji-id":
                    argument = value
                elif tag == "blockquote" and name == b"expandable":
                    argument = "1"
                elif tag == "tg-time" and name == b"unix":
                    unix_time = value
                elif tag == "tg-time" and name == b"format":
                    time_format = value
            if tag == "tg-time":
                argument = _date_time_argument(unix_time, time_format, begin)
            if tag == "span" and argument != "spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            stack.append((tag, argument, utf16, len(out)))
            i += 1
            continue

        # An end tag.
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        while b[i] not in _SPACE and b[i] != _GT:
            i += 1
        end_tag = _text(b.data[begin + 2 : i].lower())
        while b[i] in _SPACE and b[i] != 0:
            i += 1
        if b[i] != _GT:
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        tag, argument, offset, out_pos = stack[-1]
        if end_tag and end_tag != tag:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {begin}, "
                f'expected "</{tag}>", found "</{end_tag}>"'
            )
        if utf16 > offset:
            _close(tag, argument, offset, utf16 - offset, bytes(out[out_pos:]), entities)
        stack.pop()
        i += 1

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    try:
        plain = bytes(out).decode("utf-8")
    except UnicodeDecodeError:
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        ) from None
    for entity in entities:
        entity.pop("_argument", None)
    sort_entities(entities)
    return plain, entities


def _date_time_argument(unix_time: str | None, time_format: str, begin: int) -> str:
    """Check a `<tg-time>` tag's attributes; its argument is "<unix_time> <format>"."""
    if unix_time is None:
        raise EntityParseError(f'Tag "tg-time" must have attribute "unix" at byte offset {begin}')
    if not _UNIX_TIME.fullmatch(unix_time) or int(unix_time) > _MAX_UNIX_TIME:
        raise EntityParseError(f'Invalid Unix time in the tag "tg-time" at byte offset {begin}')
    if not _DATE_TIME_FORMAT.fullmatch(time_format):
        raise EntityParseError(
            f'Invalid date-time format in the tag "tg-time" at byte offset {begin}'
        )
    return f"{int(unix_time)} {time_format}"


def entity_priority(entity: dict[str, Any]) -> int:
    """tdlib's type priority of a Bot API entity (`pre` with a language is PreCode, 10)."""
    if entity["type"] == "pre" and entity.get("language"):
        return 10
    return _PRIORITY.get(str(entity["type"]), 50)


def sort_entities(entities: list[dict[str, Any]]) -> None:
    """tdlib's order, in place: by offset, longer first, then by type priority."""
    entities.sort(key=lambda e: (e["offset"], -e["length"], entity_priority(e)))


def _close(
    tag: str,
    argument: str,
    offset: int,
    length: int,
    inner: bytes,
    entities: list[dict[str, Any]],
) -> None:
    """Append the entity a closed tag makes (if any), merging pre+code as tdlib does."""
    last = entities[-1] if entities else None
    same_span = last is not None and last["offset"] == offset and last["length"] == length
    if tag in _SIMPLE_TYPES:
        entities.append({"type": _SIMPLE_TYPES[tag], "offset": offset, "length": length})
    elif tag == "tg-emoji":
        if not argument.isdigit() or not 0 < int(argument) < 2**63:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(
            {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": argument,
            }
        )
    elif tag == "tg-time":
        unix_time, _, time_format = argument.partition(" ")
        entity: dict[str, Any] = {
            "type": "date_time",
            "offset": offset,
            "length": length,
            "unix_time": int(unix_time),
        }
        if time_format:  # an empty format is no format: the Bot API leaves the field out
            entity["date_time_format"] = time_format
        entities.append(entity)
    elif tag == "a":
        url = argument or _text(inner)
        user_id = _link_user_id(url)
        if user_id is not None:
            user = {"id": user_id, "is_bot": False, "first_name": ""}
            entities.append(
                {"type": "text_mention", "offset": offset, "length": length, "user": user}
            )
        else:
            checked = checked_link(url)
            if checked:
                entities.append(
                    {"type": "text_link", "offset": offset, "length": length, "url": checked}
                )
    elif tag == "pre":
        if last is not None and same_span and last["type"] == "code" and last.get("_argument"):
            last["type"] = "pre"
            last["language"] = last.pop("_argument")
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        if (
            last is not None
            and same_span
            and last["type"] == "pre"
            and argument
            and "language" not in last
        ):
            last["language"] = argument
        else:
            entities.append(
                {"type": "code", "offset": offset, "length": length, "_argument": argument}
            )
    elif tag == "blockquote":
        kind = "expandable_blockquote" if argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})
