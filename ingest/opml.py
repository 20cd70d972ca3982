"""OPML import and export of the feed list, with categories (nested folders). Pure: bytes in,
outlines and what was skipped out; a string out. Entities are never expanded, nothing fetched."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from ingest.fetch import InvalidURLError, valid_url
from storage.sanitize import clean_str

CATEGORY_SEPARATOR = "/"
MAX_CATEGORY = 300  # characters of a stored category path; deeper folders are cut, not lost

# An entity declaration, general or parameter, whatever its value (quoted values may hold ">").
_ENTITY_DECL = re.compile(rb"""<!ENTITY\s+(%\s+)?([^\s>]+)(?:\s+(?:"[^"]*"|'[^']*'|[^>"'])*)?>""")


class OPMLError(ValueError):
    """Not an OPML document; `str()` says why in one line."""


@dataclass(frozen=True)
class Outline:
    url: str  # xmlUrl
    title: str | None = None
    site_url: str | None = None  # htmlUrl
    category: str | None = None  # folder path, "News/Local"


@dataclass
class OPMLDocument:
    """What an OPML file holds: the feeds in document order, and every outline left out with
    the reason (a line each, for the person importing)."""

    outlines: list[Outline] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    notes: list[str] = field(default_factory=list)  # about the file as a whole


def parse_opml(content: bytes) -> list[Outline]:
    """Every outline with a usable `xmlUrl`, in document order, each URL once."""
    return read_opml(content).outlines


def read_opml(content: bytes) -> OPMLDocument:
    """The feeds of an OPML file with their categories (the folders they are nested in, or
    the `category` attribute), each URL once. Entity declarations are emptied, never expanded
    (billion laughs, external files); nesting depth is not limited; a file broken halfway
    keeps the outlines before the break and says where it broke. `OPMLError` when the file is
    not OPML at all."""
    document = OPMLDocument()
    declared = _ENTITY_DECL.findall(content)
    if declared:
        names = ", ".join(sorted({name.decode("utf-8", "replace") for _pct, name in declared}))
        document.notes.append(f"entity declarations refused, not expanded: {names[:200]}")
        content = _ENTITY_DECL.sub(_empty_entity, content)
    reader = _Reader(document)
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.ExternalEntityRefHandler = lambda *_args: 1  # never read: the reference is empty
    try:
        parser.Parse(content, True)
    except expat.ExpatError as exc:
        problem = expat.errors.messages.get(exc.code, str(exc)) if exc.code else str(exc)
        if reader.root is None:
            raise OPMLError(f"not an OPML file: {problem} (line {exc.lineno})") from None
        document.notes.append(
            f"the file is broken at line {exc.lineno}, column {exc.offset}: {problem}; "
            "outlines after that point were not read"
        )
    if reader.root is None or reader.root.lower() != "opml":
        raise OPMLError("not an OPML file: the root element is not <opml>")
    return document


def _empty_entity(match: re.Match[bytes]) -> bytes:
    percent = b"% " if match.group(1) else b""
    return b"<!ENTITY " + percent + match.group(2) + b' "">'


class _Reader:
    """expat callbacks: the folder path down to each outline, and the outlines found."""

    def __init__(self, document: OPMLDocument) -> None:
        self.document = document
        self.root: str | None = None
        self.folders: list[str | None] = []  # one per open <outline>; None: not a folder
        self.seen: set[str] = set()
        self.number = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.root is None:
            self.root = name
        if name.lower() != "outline":
            return
        self.number += 1
        attributes = {k.lower(): clean_str(v) for k, v in attrs.items()}
        title = " ".join((attributes.get("title") or attributes.get("text") or "").split())
        url = attributes.get("xmlurl", "").strip()
        if not url:
            # A folder when it has a name; a feed outline without an address otherwise.
            is_rss = attributes.get("type", "").lower() in {"rss", "atom"}
            if is_rss:
                self.document.skipped.append((self._label(title), "it has no xmlUrl"))
            self.folders.append(title or None if not is_rss else None)
            return
        self.folders.append(None)
        try:
            valid_url(url)
        except InvalidURLError as exc:
            self.document.skipped.append((url[:200], str(exc)))
            return
        if url in self.seen:
            self.document.skipped.append((url[:200], "listed earlier in the file"))
            return
        self.seen.add(url)
        self.document.outlines.append(
            Outline(
                url=url,
                title=title or None,
                site_url=attributes.get("htmlurl", "").strip() or None,
                category=self._category(attributes.get("category", "")),
            )
        )

    def end(self, name: str) -> None:
        if name.lower() == "outline" and self.folders:
            self.folders.pop()

    def _category(self, attribute: str) -> str | None:
        path = [f.replace(CATEGORY_SEPARATOR, "-") for f in self.folders if f]
        if not path and attribute:
            # OPML 2.0: comma-separated slash-delimited paths; the first is kept.
            first = attribute.split(",")[0].strip().strip(CATEGORY_SEPARATOR)
            path = [part.strip() for part in first.split(CATEGORY_SEPARATOR) if part.strip()]
        joined = CATEGORY_SEPARATOR.join(path)
        return joined[:MAX_CATEGORY] or None

    def _label(self, title: str) -> str:
        return f"outline #{self.number}" + (f" ({title[:80]})" if title else "")


def export_opml(
    outlines: Iterable[Outline], *, now: datetime, title: str = "digestbot feeds"
) -> str:
    """An OPML 2.0 document listing the feeds, nested in folders by category."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_text(title)}</title>",
        f"    <dateCreated>{format_datetime(now)}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    tree = _Folder()
    for outline in outlines:
        folder = tree
        for part in (outline.category or "").split(CATEGORY_SEPARATOR):
            if part:
                folder = folder.subfolder(part)
        folder.children.append(outline)
    lines += tree.render(depth=2)
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


@dataclass
class _Folder:
    """Feeds and folders in the order they first appear (an export keeps the list's order)."""

    children: list[Outline | tuple[str, _Folder]] = field(default_factory=list)
    by_name: dict[str, _Folder] = field(default_factory=dict)

    def subfolder(self, name: str) -> _Folder:
        if name not in self.by_name:
            self.by_name[name] = _Folder()
            self.children.append((name, self.by_name[name]))
        return self.by_name[name]

    def render(self, *, depth: int) -> list[str]:
        indent = "  " * depth
        lines: list[str] = []
        for child in self.children:
            if isinstance(child, Outline):
                lines.append(f"{indent}<outline {_feed_attributes(child)}/>")
                continue
            name, folder = child
            lines.append(f"{indent}<outline text={quoteattr(name)} title={quoteattr(name)}>")
            lines += folder.render(depth=depth + 1)
            lines.append(f"{indent}</outline>")
        return lines


def _feed_attributes(outline: Outline) -> str:
    name = outline.title or outline.url
    attributes = f'type="rss" text={quoteattr(name)} title={quoteattr(name)}'
    attributes += f" xmlUrl={quoteattr(outline.url)}"
    if outline.site_url:
        attributes += f" htmlUrl={quoteattr(outline.site_url)}"
    return attributes


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
