"""OPML import and export of the feed list. Pure: bytes in, outlines out; a string out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import quoteattr

from lxml import etree


class OPMLError(ValueError):
    """Not an OPML document; `str()` says why in one line."""


@dataclass(frozen=True)
class Outline:
    url: str  # xmlUrl
    title: str | None = None
    site_url: str | None = None  # htmlUrl


def parse_opml(content: bytes) -> list[Outline]:
    """Every outline with an `xmlUrl`, nested categories included, in document order, each
    URL once. Entities are not expanded and nothing is fetched."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise OPMLError(f"not an OPML file: {exc}") from None
    if root is None or not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise OPMLError("not an OPML file: the root element is not <opml>")
    found: list[Outline] = []
    seen: set[str] = set()
    for element in root.iter("outline"):
        attributes = {str(k).lower(): str(v) for k, v in element.attrib.items()}
        url = attributes.get("xmlurl", "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        title = (attributes.get("title") or attributes.get("text") or "").strip() or None
        found.append(Outline(url=url, title=title, site_url=attributes.get("htmlurl") or None))
    return found


def export_opml(
    outlines: Iterable[Outline], *, now: datetime, title: str = "digestbot feeds"
) -> str:
    """An OPML 2.0 document listing the feeds."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_text(title)}</title>",
        f"    <dateCreated>{format_datetime(now)}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    for outline in outlines:
        name = outline.title or outline.url
        attributes = f'type="rss" text={quoteattr(name)} title={quoteattr(name)}'
        attributes += f" xmlUrl={quoteattr(outline.url)}"
        if outline.site_url:
            attributes += f" htmlUrl={quoteattr(outline.site_url)}"
        lines.append(f"    <outline {attributes}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
