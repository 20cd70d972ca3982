"""Text that every database stores alike: no NUL (PostgreSQL refuses it in text) and no lone
surrogates (not encodable as UTF-8). Applied at each edge where outside text comes in."""

from __future__ import annotations

import re
from typing import AnyStr

REPLACEMENT = "\ufffd"
_BAD = re.compile("[\x00\ud800-\udfff]")
# A numeric character reference: decimal or hexadecimal, any length (overflow is the point).
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));")
_REPLACEMENT_REF = b"&#xFFFD;"


def clean_str(text: str) -> str:
    """`text` with NUL removed and lone surrogates replaced by U+FFFD (a surrogate pair left
    split in a string, as some JSON decoders do, becomes the character it encodes)."""
    if _BAD.search(text) is None:
        return text
    text = text.replace("\x00", "")
    if _BAD.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def clean_optional(text: str | None) -> str | None:
    return None if text is None else clean_str(text)


def valid_code_point(value: int) -> bool:
    """A character an XML document may carry (XML 1.0's `Char`): tab, line breaks and the
    printable characters; no other control character, no surrogate, not U+FFFE or U+FFFF,
    nothing past U+10FFFF. lxml reads `&#1;` in HTML but refuses the character back in a text."""
    if value < 0x20:
        return value in (0x9, 0xA, 0xD)
    return value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF and value not in (0xFFFE, 0xFFFF)


def clean_char_refs(content: AnyStr) -> AnyStr:
    """Markup (bytes or text) with every numeric character reference to an impossible
    character (`&#0;`, `&#1;`, `&#xD800;`, `&#xFFFE;`, `&#1114112;`, `&#99999999999999999999;`)
    replaced by `&#xFFFD;`: parsers raise on these, losing the whole document for one bad
    reference."""
    if isinstance(content, bytes):
        if b"&#" not in content:
            return content
        return _CHAR_REF.sub(_replace_ref, content)
    if "&#" not in content:
        return content
    return _CHAR_REF.sub(_replace_ref, content.encode("utf-8", "surrogatepass")).decode(
        "utf-8", "surrogatepass"
    )


def _replace_ref(match: re.Match[bytes]) -> bytes:
    digits_hex, digits_dec = match.group(1), match.group(2)
    digits = digits_hex or digits_dec
    if len(digits.lstrip(b"0")) > 8:
        return _REPLACEMENT_REF  # longer than any code point, however it is written
    value = int(digits, 16) if digits_hex else int(digits)
    return match.group(0) if valid_code_point(value) else _REPLACEMENT_REF
