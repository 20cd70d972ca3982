"""What Telegram does to a message's text and entities after parsing, before storing it.

Behaviour of tdlib's `fix_formatted_text` (td/telegram/MessageEntity.cpp): control characters
become spaces, `\\r` and a few invisible characters are dropped, entities that may not nest are
removed, bold/italic/underline/strikethrough/spoiler runs are merged and split around links and
code (and dropped inside code), and surrounding spaces/newlines are trimmed. Not done: the
automatic detection of URLs, mentions and hashtags in the text.
"""

from __future__ import annotations

from typing import Any

from telegram_emulator.html import parse_html, sort_entities, utf16_len

JSON = dict[str, Any]

SPLITTABLE = ("bold", "italic", "underline", "strikethrough", "spoiler")
_SPLITTABLE = frozenset(SPLITTABLE)
_BLOCKQUOTE = frozenset({"blockquote", "expandable_blockquote"})
_PRE = frozenset({"pre", "code"})
_CONTINUOUS = frozenset(
    {
        "mention",
        "hashtag",
        "bot_command",
        "url",
        "email",
        "text_link",
        "text_mention",
        "cashtag",
        "phone_number",
        "bank_card_number",
        "custom_emoji",
        "date_time",
    }
)
# Characters tdlib removes: U+2028..U+202E and three combining vertical lines.
_REMOVED = frozenset({*map(chr, range(0x2028, 0x202F)), "\u0333", "\u033f", "\u030a"})


class EmptyTextError(ValueError):
    """Nothing but whitespace is left (tdlib's `Text must be non-empty`)."""


def _end(entity: JSON) -> int:
    return int(entity["offset"]) + int(entity["length"])


def _remove_empty(entities: list[JSON]) -> list[JSON]:
    kept = []
    for entity in entities:
        if entity["length"] <= 0:
            continue
        if entity["type"] == "text_link" and not entity.get("url"):
            continue
        kept.append(entity)
    return kept


def _are_valid(entities: list[JSON]) -> bool:
    last_end = dict.fromkeys(SPLITTABLE, -1)
    stack: list[JSON] = []
    nested: set[str] = set()
    for entity in entities:
        kind = entity["type"]
        while stack and entity["offset"] >= _end(stack[-1]):
            nested.discard(stack.pop()["type"])
        if stack:
            if _end(entity) > _end(stack[-1]) or kind in nested or stack[-1]["type"] in _PRE:
                return False
            if kind in _PRE and nested - _BLOCKQUOTE:
                return False
            if (kind in _CONTINUOUS or kind in _BLOCKQUOTE) and nested & _CONTINUOUS:
                return False
            if kind in _BLOCKQUOTE and nested & _BLOCKQUOTE:
                return False
            if nested & _SPLITTABLE:
                return False
        if kind in _SPLITTABLE:
            if last_end[kind] >= entity["offset"]:
                return False
            last_end[kind] = _end(entity)
        stack.append(entity)
        nested.add(kind)
    return True


def _remove_intersecting(entities: list[JSON]) -> list[JSON]:
    kept, last_end = [], 0
    for entity in entities:
        if entity["offset"] >= last_end:
            last_end = _end(entity)
            kept.append(entity)
    return kept


def _remove_crossing_blockquotes(entities: list[JSON], quotes: list[JSON]) -> list[JSON]:
    kept = []
    i = 0
    for entity in entities:
        while i < len(quotes) and _end(quotes[i]) <= entity["offset"]:
            i += 1
        if i < len(quotes):
            quote = quotes[i]
            if _end(quote) < _end(entity) or entity["offset"] < quote["offset"] < _end(entity):
                continue
        kept.append(entity)
    return kept


def _split(splittable: list[JSON], others: list[JSON]) -> list[JSON]:
    """Merge runs of each splittable type and cut them where other entities begin and end."""
    begin = dict.fromkeys(SPLITTABLE, 0)
    end = dict.fromkeys(SPLITTABLE, 0)
    result: list[JSON] = []
    position = 0

    def flush(offset: int) -> None:
        for kind in SPLITTABLE:
            if end[kind] != 0 and begin[kind] < offset:
                if end[kind] <= offset:
                    result.append(
                        {"type": kind, "offset": begin[kind], "length": end[kind] - begin[kind]}
                    )
                    begin[kind] = end[kind] = 0
                else:
                    result.append(
                        {"type": kind, "offset": begin[kind], "length": offset - begin[kind]}
                    )
                    begin[kind] = offset

    def add_entities(end_offset: int) -> None:
        nonlocal position
        while position < len(splittable):
            entity = splittable[position]
            if entity["offset"] >= end_offset:
                break
            kind = entity["type"]
            if entity["offset"] <= end[kind] and end[kind] != 0:
                end[kind] = max(end[kind], _end(entity))
            else:
                flush(entity["offset"])
                begin[kind], end[kind] = entity["offset"], _end(entity)
            position += 1
        flush(end_offset)

    stack: list[JSON] = []

    def add_offset(offset: int) -> None:
        while stack and offset >= _end(stack[-1]):
            before = len(result)
            add_entities(_end(stack[-1]))
            if stack[-1]["type"] in _PRE:
                del result[before:]  # nothing is formatted inside code
            stack.pop()
        add_entities(offset)

    for other in others:
        add_offset(other["offset"])
        stack.append(other)
    add_offset(2**62)
    sort_entities(result)
    return result


def fix_entities(entities: list[JSON]) -> list[JSON]:
    """Make entities nest the way Telegram allows (tdlib's `fix_entities`)."""
    entities = [dict(e) for e in entities]
    sort_entities(entities)
    if _are_valid(entities):
        return entities
    splittable = [e for e in entities if e["type"] in _SPLITTABLE]
    quotes = [e for e in entities if e["type"] in _BLOCKQUOTE]
    continuous = _remove_intersecting(
        [e for e in entities if e["type"] not in _SPLITTABLE and e["type"] not in _BLOCKQUOTE]
    )
    if quotes:
        quotes = _remove_intersecting(quotes)
        continuous = _remove_crossing_blockquotes(continuous, quotes) + quotes
        sort_entities(continuous)
    if not splittable:
        return continuous
    result = _split(splittable, continuous) + continuous
    sort_entities(result)
    return result


MAX_USER_ENTITIES = 100  # MessageEntity.cpp: MAX_USER_ENTITY_COUNT, "server-side limit"


def limit_entities(entities: list[JSON]) -> list[JSON]:
    """The entities Telegram keeps of a message with more than 100 (tdlib's
    `get_input_message_entities`, td/telegram/MessageEntity.cpp): first the continuous ones —
    links, code, pre, blockquotes, mentions by name — in order, up to 100 (custom emoji are
    not counted); then the formatting runs (bold, italic, underline, strikethrough, spoiler),
    each type's touching runs merged, in order, in the room left. Not the first 100 by offset."""
    if len(entities) <= MAX_USER_ENTITIES:
        return entities
    kept: list[JSON] = []
    splittable: list[JSON] = []
    count = 0
    for entity in entities:
        if entity["type"] in _SPLITTABLE:
            splittable.append(entity)
        elif entity["type"] == "custom_emoji":
            kept.append(entity)
        elif count < MAX_USER_ENTITIES:
            kept.append(entity)
            count += 1
    for entity in _split(splittable, []):
        if count >= MAX_USER_ENTITIES:
            break
        kept.append(entity)
        count += 1
    return fix_entities(kept)


def _clean(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Replace control characters by spaces and drop removed ones, moving entity bounds."""
    out: list[str] = []
    # old UTF-16 position -> new UTF-16 position, at every character boundary
    mapping: dict[int, int] = {}
    old = new = 0
    for ch in text:
        mapping[old] = new
        size = 2 if ord(ch) > 0xFFFF else 1
        old += size
        if ch == "\r" or ch in _REMOVED:
            continue
        if ord(ch) <= 32 and ch != "\n":
            ch = " "
        out.append(ch)
        new += size
    mapping[old] = new
    fixed = []
    for entity in entities:
        start, stop = entity["offset"], _end(entity)
        if start not in mapping or stop not in mapping:
            continue  # inside a surrogate pair; cannot come from parse_html
        fixed.append({**entity, "offset": mapping[start], "length": mapping[stop] - mapping[start]})
    return "".join(out), fixed


def fix_formatted_text(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Text and entities as Telegram stores them; raises `EmptyTextError` for blank text."""
    entities = fix_entities(_remove_empty(entities))
    text, entities = _clean(text, entities)
    entities = _remove_empty(entities)
    stripped = text.rstrip(" \n")
    if not stripped:
        raise EmptyTextError("text must be non-empty")
    entities = fix_entities(entities)

    last = utf16_len(stripped)  # rtrim: entities end at the last non-blank character
    trimmed = []
    for entity in entities:
        if entity["offset"] >= last:
            continue
        trimmed.append({**entity, "length": min(_end(entity), last) - entity["offset"]})
    sort_entities(trimmed)

    first_entity = trimmed[0]["offset"] if trimmed else len(stripped)
    lead = 0  # ltrim, but never past the first entity
    while lead < first_entity and stripped[lead] in " \n":
        lead += 1
    if lead:
        stripped = stripped[lead:]
        for entity in trimmed:
            entity["offset"] -= lead
    return stripped, trimmed


def parse_message(text: str, parse_mode: str | None = "HTML") -> tuple[str, list[JSON]]:
    """Text and entities exactly as Telegram would store `text` sent with `parse_mode`.

    Raises `telegram_emulator.html.EntityParseError` for HTML Telegram rejects and `EmptyTextError`
    for blank text; the 4096-unit and 100-entity limits are checked by the caller.
    """
    entities: list[JSON] = []
    if parse_mode and parse_mode.lower() == "html":
        text, entities = parse_html(text)
    elif parse_mode:
        raise ValueError(f"unsupported parse_mode: {parse_mode}")
    return fix_formatted_text(text, entities)
