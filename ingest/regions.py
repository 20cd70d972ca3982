"""Where a page's article ends: the reader-comment section that follows it, found by the page's
structure (an element whose id, class or anchor name says "comments"), not by phrases of text.

Pure: reads a parsed page, changes nothing. `split_at_comments` gives the page's text before and
after each comment-section marker; `drop_after` removes from the extracted text the lines that
occur only after the marker, when the article itself lies before it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

from ingest.text import words

# Tokens of ids, classes and anchor names that mark a comment section (split at non-letters and
# camelCase humps: "readerComments" -> reader, comments).
_MARKER_TOKENS = frozenset(
    {"comment", "comments", "commentlist", "respond", "disqus", "talkback", "discussion"}
)
# ... unless they mark a link to it, a count or a button ("commentLink", "comment-count").
_NOT_SECTION = frozenset({"link", "links", "count", "counts", "icon", "button", "btn", "number"})
# Containers a comment section is built of (and an anchor by name it starts at); inline
# elements ("token comment" in code, "citation-comment") are not sections.
_SECTION_TAGS = frozenset(
    {"div", "section", "aside", "ol", "ul", "dl", "table", "form", "footer", "a"}
    | {"h2", "h3", "h4", "h5", "h6"}
)
_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[^A-Za-z]+")
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title"})
MAX_MARKERS = 3  # the first few markers in document order are tried
OPENING_WORDS = 12  # the article's opening: its first lines of at least this many words,
OPENING_LINES = 2  # this many of them


@dataclass(frozen=True)
class Split:
    """The page's text before a comment-section marker and from it on, as word keys."""

    head: str
    tail: str


def _tokens(value: str) -> list[str]:
    return [t.lower() for t in _SPLIT.split(_HUMP.sub(" ", value)) if t]


def _is_marker(element: HtmlElement) -> bool:
    if element.tag not in _SECTION_TAGS or (element.tag == "a" and element.get("href")):
        return False  # a link to the comments, not the comments
    for name in ("id", "class", "name"):
        value = element.get(name)
        if value:
            tokens = _tokens(value)
            if not _MARKER_TOKENS.isdisjoint(tokens) and _NOT_SECTION.isdisjoint(tokens):
                return True
    return False


def key(text: str) -> str:
    """Words of `text`, lower case, joined by single spaces (so a line can be found in a page)."""
    return " ".join(w.lower() for w in words(text))


def split_at_comments(tree: HtmlElement) -> list[Split]:
    """The page's text split at each of its first `MAX_MARKERS` comment-section markers (an
    element within another marker is not a new one)."""
    body = tree.find("body")
    root = body if body is not None else tree
    pieces: list[str] = []
    cuts: list[int] = []
    inside: list[HtmlElement] = []

    def walk(element: HtmlElement) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag and tag not in _SKIP:
            if len(cuts) < MAX_MARKERS and not inside and _is_marker(element):
                cuts.append(len(pieces))
                inside.append(element)
            if element.text:
                pieces.append(element.text)
            for child in element:
                walk(child)
            if inside and inside[-1] is element:
                inside.pop()
        if element.tail:
            pieces.append(element.tail)

    walk(root)
    if not cuts:
        return []
    keys = [key(p) for p in pieces]
    return [Split(_joined(keys[:cut]), _joined(keys[cut:])) for cut in cuts]


def _joined(keys: list[str]) -> str:
    return " " + " ".join(k for k in keys if k) + " "


def drop_after(text: str, splits: list[Split], *, min_words: int) -> str:
    """`text` (paragraphs of lines) without the lines found only after a comment marker, for
    the first marker that follows the article's opening line; unchanged when none does, or
    when fewer than `min_words` words would remain."""
    lines = [line for line in text.split("\n") if line.strip()]
    openings = [f" {key(line)} " for line in lines if len(words(line)) >= OPENING_WORDS]
    if not openings:
        return text
    for split in splits:
        if any(opening not in split.head for opening in openings[:OPENING_LINES]):
            continue
        kept: list[str] = []
        for paragraph in text.split("\n\n"):
            rest = [line for line in paragraph.split("\n") if not _after(key(line), split)]
            if any(line.strip() for line in rest):
                kept.append("\n".join(rest))
        result = "\n\n".join(kept)
        if len(words(result)) >= min_words:
            return result
        return text
    return text


def _after(line_key: str, split: Split) -> bool:
    padded = f" {line_key} "
    return bool(line_key) and padded in split.tail and padded not in split.head
