"""Split Telegram HTML into messages within Telegram's limits: at most 4096 UTF-16 code units of
text after entity parsing, at most 100 entities and at most 32,768 bytes of raw (UTF-8) text per
message — the Bot API refuses a longer `text` parameter before parsing it ("text is too long",
telegram-bot-api Client.cpp `get_formatted_text`), and long link URLs reach that first.

Cuts fall at item boundaries (blank lines outside any tag) first; inside an item only at a
paragraph, then a sentence, then a word, and a character cut only for a word longer than a
message. Tags open at a cut are closed and reopened, so every part is valid on its own.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_TEXT_UTF16 = 4096  # telegram.constants.MessageLimit.MAX_TEXT_LENGTH
MAX_ENTITIES = 100
MAX_TEXT_BYTES = 1 << 15  # Client.cpp: `text.size() > (1 << 15)` -> "Text is too long"

_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_OPEN = re.compile(r"<[A-Za-z]")
_CLOSE = re.compile(r"</")
_ATOM = re.compile(r"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|&#?\w{1,10};|[^<&\s]+\s*|\s+|[<&]")
_NAMED = {"&lt;": 1, "&gt;": 1, "&amp;": 1, "&quot;": 1}
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”»)]*\s+$")
_PLAIN_TAG = re.compile(r"<[^>]*>")
_CACHE_LIMIT = 50_000
_measured: dict[str, tuple[int, int]] = {}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def measure(html: str) -> tuple[int, int]:
    """An upper bound on (UTF-16 length after parsing, entities) of valid Telegram HTML.

    Only `&lt; &gt; &amp; &quot;` are counted as one character; numeric references are
    counted as written (longer than what they decode to), every start tag as one entity."""
    known = _measured.get(html)
    if known is not None:
        return known
    text = _TAG.sub("", html) if "<" in html else html
    length = utf16_len(text)
    if "&" in text:
        length -= (
            3 * text.count("&lt;")
            + 3 * text.count("&gt;")
            + 4 * text.count("&amp;")
            + 5 * text.count("&quot;")
        )
    result = (length, len(_OPEN.findall(html)))
    if len(_measured) >= _CACHE_LIMIT:
        _measured.clear()
    _measured[html] = result
    return result


def raw_bytes(html: str) -> int:
    """The size of `html` as Telegram receives it: UTF-8 bytes."""
    if html.isascii():  # the common case, without encoding
        return len(html)
    return len(html.encode("utf-8", "surrogatepass"))


def fits(
    html: str,
    *,
    limit: int = MAX_TEXT_UTF16,
    max_entities: int = MAX_ENTITIES,
    max_bytes: int = MAX_TEXT_BYTES,
) -> bool:
    length, entities = measure(html)
    return length <= limit and entities <= max_entities and raw_bytes(html) <= max_bytes


def _blocks(html: str) -> list[str]:
    """Blank-line separated blocks whose tags are balanced (blank lines inside a tag join)."""
    blocks: list[str] = []
    pending = ""
    for piece in html.split("\n\n"):
        pending = f"{pending}\n\n{piece}" if pending else piece
        if len(_OPEN.findall(pending)) == len(_CLOSE.findall(pending)):
            if pending.strip():
                blocks.append(pending.strip())
            pending = ""
    if pending.strip():
        blocks.append(pending.strip())
    return blocks


def split_html(
    html: str,
    *,
    limit: int = MAX_TEXT_UTF16,
    max_entities: int = MAX_ENTITIES,
    max_bytes: int = MAX_TEXT_BYTES,
) -> list[str]:
    """Valid Telegram HTML → messages, each valid on its own and within the limits; an empty
    text gives no messages."""
    html = html.strip()
    if not html:
        return []
    if fits(html, limit=limit, max_entities=max_entities, max_bytes=max_bytes):
        return [html]
    return pack_blocks(_blocks(html), limit=limit, max_entities=max_entities, max_bytes=max_bytes)


def pack_blocks(
    blocks: Sequence[str],
    *,
    limit: int = MAX_TEXT_UTF16,
    max_entities: int = MAX_ENTITIES,
    max_bytes: int = MAX_TEXT_BYTES,
) -> list[str]:
    """Messages made of whole blocks (balanced HTML, no blank line outside a tag) joined by
    blank lines, as many per message as fit; a block too big alone is cut inside."""
    sizes = [(*measure(b), raw_bytes(b)) for b in blocks]
    gaps = 2 * max(0, len(blocks) - 1)
    if (
        sum(n for n, _, _ in sizes) + gaps <= limit
        and sum(e for _, e, _ in sizes) <= max_entities
        and sum(b for _, _, b in sizes) + gaps <= max_bytes
    ):
        text = "\n\n".join(blocks)
        return [text] if text else []
    parts: list[str] = []
    current, cur_len, cur_ent, cur_bytes = "", 0, 0, 0
    for block, (length, entities, size) in zip(blocks, sizes, strict=True):
        if length > limit or entities > max_entities or size > max_bytes:
            pieces = _split_block(
                block, limit=limit, max_entities=max_entities, max_bytes=max_bytes
            )
        else:
            pieces = [block]
        for piece in pieces:
            length, entities = measure(piece)
            size = raw_bytes(piece)
            fits_in = (
                cur_len + 2 + length <= limit
                and cur_ent + entities <= max_entities
                and cur_bytes + 2 + size <= max_bytes
            )
            if current and fits_in:
                current = f"{current}\n\n{piece}"
                cur_len, cur_ent = cur_len + 2 + length, cur_ent + entities
                cur_bytes += 2 + size
                continue
            if current:
                parts.append(current)
            current, cur_len, cur_ent, cur_bytes = piece, length, entities, size
    if current:
        parts.append(current)
    # a part with no visible text (an empty tag alone) is not a message Telegram accepts
    return [p for p in parts if _TAG.sub("", p).strip()]


def plain_text(text: str) -> str:
    """Telegram HTML as the plain text a reader would see: tags dropped, entities decoded."""
    return html_lib.unescape(_PLAIN_TAG.sub("", text))


def resplit(text: str, parse_mode: str | None) -> list[str]:
    """`text` cut into at least two valid messages (HTML, or plain text when `parse_mode` is
    None), tighter limits each round until it splits; [] when it cannot be split at all."""
    source = text if parse_mode else html_lib.escape(text, quote=False)
    limit, max_bytes = MAX_TEXT_UTF16, min(MAX_TEXT_BYTES, raw_bytes(source))
    pieces: list[str] = []
    while limit >= 16 and max_bytes >= 64:
        pieces = split_html(source, limit=limit, max_bytes=max_bytes)
        if len(pieces) >= 2:
            return pieces if parse_mode else [html_lib.unescape(p) for p in pieces]
        limit, max_bytes = limit // 2, max_bytes // 2
    return []


@dataclass
class _Part:
    atoms: list[str]
    length: int = 0
    entities: int = 0
    start: int = 0  # atoms reopened from the previous part
    size: int = 0  # raw UTF-8 bytes


def _quality(atom: str, depth: int) -> int:
    """How good a cut right after this atom is: 4 blank line, 3 line, 2 sentence, 1 word."""
    if atom.startswith("<") or not atom[-1:].isspace():
        return 0
    if "\n\n" in atom and depth == 0:
        return 4
    if "\n" in atom:
        return 3
    if _SENTENCE_END.search(atom):
        return 2
    return 1


def _atom_length(atom: str) -> tuple[int, int]:
    if atom.startswith("<") and len(atom) > 1:
        return 0, 1 if atom[1] != "/" else 0
    if atom.startswith("&") and atom in _NAMED:
        return 1, 0
    return utf16_len(atom), 0


Stack = list[tuple[str, str]]  # (start tag as written, name) of the tags open here


def _push(stack: Stack, atom: str) -> Stack:
    """The open tags after `atom`."""
    if atom.startswith("</"):
        return stack[:-1]
    if atom.startswith("<") and len(atom) > 1:
        match = _TAG.match(atom)
        return [*stack, (atom, match.group(2).lower() if match else "b")]
    return stack


def _closing_bytes(stack: Stack) -> int:
    """Bytes of the end tags that close `stack` at a cut."""
    return sum(len(name) + 3 for _, name in stack)


def _split_block(html: str, *, limit: int, max_entities: int, max_bytes: int) -> list[str]:
    """Cut one oversized block at the best boundaries, carrying open tags across cuts."""
    atoms = _ATOM.findall(html)
    result: list[str] = []
    stack: Stack = []
    part = _Part([])
    # (quality, atom index, text length so far, open tags) of each place a cut may fall
    breaks: list[tuple[int, int, int, Stack]] = []

    def reopen(open_tags: Stack) -> _Part:
        size = sum(raw_bytes(t) for t, _ in open_tags)
        return _Part([t for t, _ in open_tags], 0, len(open_tags), len(open_tags), size)

    def close(atoms_: list[str], open_tags: Stack) -> str:
        return ("".join(atoms_) + "".join(f"</{name}>" for _, name in reversed(open_tags))).strip()

    def emit(text: str) -> None:
        if measure(text)[0] > 0 and text.strip():
            result.append(text)

    def room(atom: str, length: int, entities: int) -> bool:
        size = raw_bytes(atom) + _closing_bytes(_push(stack, atom))
        return (
            part.length + length <= limit
            and part.entities + entities <= max_entities
            and part.size + size <= max_bytes
        )

    def add(atom: str, length: int, entities: int) -> None:
        nonlocal stack
        part.atoms.append(atom)
        part.length += length
        part.entities += entities
        part.size += raw_bytes(atom)
        stack = _push(stack, atom)
        quality = _quality(atom, len(stack))
        if quality:
            breaks.append((quality, len(part.atoms), part.length, list(stack)))

    i = 0
    while i < len(atoms):
        atom = atoms[i]
        length, entities = _atom_length(atom)
        if room(atom, length, entities):
            add(atom, length, entities)
            i += 1
            continue
        # The atom does not fit: cut at the best boundary seen in this part.
        # the best kind of boundary in the second half of the part, else the best anywhere
        late = [b for b in breaks if b[2] * 2 >= part.length] or breaks
        best = max(late, key=lambda b: (b[0], b[1]), default=None)
        if best is not None and best[1] > part.start:
            _, at, _, open_tags = best
            emit(close(part.atoms[:at], open_tags))
            rest = part.atoms[at:]
            part = reopen(open_tags)
            breaks = []
            stack = list(open_tags)
            # replay the atoms after the cut into the new part
            for kept in rest:
                add(kept, *_atom_length(kept))
            if room(atom, length, entities):
                continue
        # No boundary helps: close here; a word longer than the room left is cut by characters.
        if part.length > 0:
            emit(close(part.atoms, stack))
            part = reopen(stack)
            breaks = []
            if room(atom, length, entities):
                continue
        if atom.startswith("<") or atom.startswith("&"):
            # a tag or entity alone cannot be cut; with no room left it would loop
            emit(close(part.atoms, stack))
            stack = stack[: max(0, max_entities - 1)]
            part = reopen(stack)
            breaks = []
            add(atom, length, entities)
            i += 1
            continue
        units = max(1, limit - part.length)
        size = max(4, max_bytes - part.size - _closing_bytes(stack))
        head, tail = _cut(atom, units, size)
        part.atoms.append(head)
        part.length += utf16_len(head)
        part.size += raw_bytes(head)
        emit(close(part.atoms, stack))
        part = reopen(stack)
        breaks = []
        atoms[i] = tail
    emit(close(part.atoms, stack))
    return result


def _cut(text: str, units: int, size: int) -> tuple[str, str]:
    """The longest prefix of `text` within `units` UTF-16 units and `size` UTF-8 bytes (never
    half a character, at least one character)."""
    used = used_bytes = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        used_bytes += len(char.encode("utf-8", "surrogatepass"))
        if used > units or used_bytes > size:
            return text[: max(1, index)], text[max(1, index) :]
    return text, ""
