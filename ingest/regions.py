"""Regions of a page that are not its article, found by the page's structure (ids, classes,
anchor names, tags), not by phrases of text: the reader-comment section after the article
(an element named "comments", "respond", "disqus" ...: everything from it on), boxes of other
stories ("related", "promo", "sidebar", "most read" ...) and picture captions and credits (the
element's own text; a short one goes even when it stands above the article's opening).

Pure: reads a parsed page, changes nothing. `page_regions` gives the page's text inside and
outside each region; `drop_regions` removes from the extracted text the lines found only
inside one, for each region that does not hold the article's opening lines."""

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
# ... and stems of those that mark a box of other stories or promotions (found in the
# value with its separators removed: "more-stories", "moreStories" -> morestories).
_BOX_STEMS = (
    "related",
    "morestor",
    "mostread",
    "mostpopular",
    "popular",
    "promo",
    "sidebar",
    "teaser",
    "recommend",
    "outbrain",
    "taboola",
)
# A picture's caption or credit: any of these with "caption" in its class or id, or "credit" or
# "photo" when it holds a short text (a box named "photo" may hold the whole story).
_CAPTION_TAGS = _SECTION_TAGS | {"p", "span", "figcaption", "h1", "td", "li", "em", "small"}
_PICTURE_STEMS = ("credit", "photo")
CAPTION_WORDS = 60  # a caption is at most this long
_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[^A-Za-z]+")
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title"})
MAX_MARKERS = 3  # the first few comment markers in document order are tried
MAX_BOXES = 12  # and boxes of other stories
OPENING_WORDS = 12  # the article's opening: its first lines of at least this many words,
OPENING_LINES = 2  # this many of them


@dataclass(frozen=True)
class Split:
    """The page's text before a comment-section marker and from it on, as word keys."""

    head: str
    tail: str
    caption: bool = False  # the region is a picture's caption or credit


def _tokens(value: str) -> list[str]:
    return [t.lower() for t in _SPLIT.split(_HUMP.sub(" ", value)) if t]


def _marker(element: HtmlElement) -> str | None:
    """ "comments" for a comment section, "box" for a box of other stories, else None."""
    if element.tag == "figcaption":
        return "caption"
    if element.tag not in _CAPTION_TAGS or (element.tag == "a" and element.get("href")):
        return None  # a link to the comments, not the comments
    if element.tag not in _SECTION_TAGS:
        value = f"{element.get('class', '')} {element.get('id', '')}".lower()
        if "caption" in value or (any(s in value for s in _PICTURE_STEMS) and _short(element)):
            return "caption"
        return None
    for name in ("id", "class", "name"):
        value = element.get(name)
        if value:
            tokens = _tokens(value)
            if not _NOT_SECTION.isdisjoint(tokens):
                continue
            if not _MARKER_TOKENS.isdisjoint(tokens):
                return "comments"
            compact = "".join(tokens)
            if element.tag != "a" and any(stem in compact for stem in _BOX_STEMS):
                return "box"
            if "caption" in compact or (
                element.tag != "a"
                and any(stem in compact for stem in _PICTURE_STEMS)
                and _short(element)
            ):
                return "caption"
    return None


def _short(element: HtmlElement) -> bool:
    """Whether the element's text is a caption's length (`CAPTION_WORDS` words at most)."""
    return len(words(element.text_content())) <= CAPTION_WORDS


def key(text: str) -> str:
    """Words of `text`, lower case, joined by single spaces (so a line can be found in a page)."""
    return " ".join(w.lower() for w in words(text))


def page_regions(tree: HtmlElement) -> list[Split]:
    """The page's text split at its first `MAX_MARKERS` comment sections (the page from the
    marker on, against the page before it), and at its first `MAX_BOXES` boxes of other
    stories and as many captions (the element's own text, against the rest of the page), in
    document order. An element within another marker is not a new one."""
    body = tree.find("body")
    root = body if body is not None else tree
    pieces: list[str] = []
    spans: list[tuple[int, int | None]] = []  # (start, end); end None: to the page's end
    captions: list[bool] = []
    inside: list[HtmlElement] = []
    counts = {"comments": 0, "box": 0, "caption": 0}
    limits = {"comments": MAX_MARKERS, "box": MAX_BOXES, "caption": MAX_BOXES}

    def walk(element: HtmlElement) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag and tag not in _SKIP:
            kind = None if inside else _marker(element)
            if kind is not None and counts[kind] < limits[kind]:
                counts[kind] += 1
                inside.append(element)
                spans.append((len(pieces), None))
                captions.append(kind == "caption")
            if element.text:
                pieces.append(element.text)
            for child in element:
                walk(child)
            if inside and inside[-1] is element:
                inside.pop()
                begin, _ = spans[-1]
                if kind != "comments":
                    spans[-1] = (begin, len(pieces))
        if element.tail:
            pieces.append(element.tail)

    walk(root)
    if not spans:
        return []
    keys = [key(p) for p in pieces]
    splits = []
    for (begin, end), caption in zip(spans, captions, strict=True):
        if end is None:
            splits.append(Split(_joined(keys[:begin]), _joined(keys[begin:])))
        else:
            rest, own = _joined(keys[:begin] + keys[end:]), _joined(keys[begin:end])
            splits.append(Split(rest, own, caption and len(own.split()) <= CAPTION_WORDS))
    return splits


def _joined(keys: list[str]) -> str:
    return " " + " ".join(k for k in keys if k) + " "


def drop_regions(text: str, splits: list[Split], *, min_words: int) -> str:
    """`text` (paragraphs of lines) without the lines found only in a comment section or a box
    of other stories, for each one that does not hold the article's opening lines and leaves
    `min_words` words or more."""
    lines = [line for line in text.split("\n") if line.strip()]
    openings = [f" {key(line)} " for line in lines if len(words(line)) >= OPENING_WORDS]
    if not openings:
        return text
    for split in splits:
        # A short caption goes even when it stands first (picture and caption above the text).
        if not split.caption and any(o not in split.head for o in openings[:OPENING_LINES]):
            continue
        kept: list[str] = []
        for paragraph in text.split("\n\n"):
            rest = [line for line in paragraph.split("\n") if not _inside(key(line), split)]
            if any(line.strip() for line in rest):
                kept.append("\n".join(rest))
        result = "\n\n".join(kept)
        if len(words(result)) >= min_words:
            text = result
    return text


def _inside(line_key: str, split: Split) -> bool:
    padded = f" {line_key} "
    return bool(line_key) and padded in split.tail and padded not in split.head
