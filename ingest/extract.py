"""Main text and metadata of a web page (trafilatura), cleaned of boilerplate.
Pure: takes the page's bytes or text, returns a `Page` or None."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import ftfy
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from ingest.clean import clean_text, drop_edge_furniture, drop_edge_lines, link_texts
from ingest.dedup import canonicalize_url
from ingest.layout import (
    Layout,
    data_table,
    drop_closing_labels,
    drop_edge_links,
    drop_figure_captions,
    drop_link_tail,
    drop_opening_labels,
    drop_outside,
    page_layout,
)
from ingest.regions import Split, drop_regions, page_regions
from ingest.text import normalize_whitespace, words
from ingest.titles import page_names
from ingest.topics import detect_language
from storage.sanitize import clean_char_refs, clean_optional, clean_str

logger = logging.getLogger(__name__)

MIN_WORDS = 5  # less than this is a menu or an error page, not an article
FALLBACK_WORDS = 120  # a cleaned text shorter than this is retried with trafilatura's recall mode

_LANGUAGE = re.compile(r"^[a-z]{2,3}\b")
# trafilatura keeps only the day; the page's own metadata usually has the time too.
_META_TIME = re.compile(
    rb"""(?:article:published_time|datePublished|dc\.date\.issued|pubdate)["']?\s*"""
    rb"""(?:content|:)\s*=?\s*["'](\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?"""
    rb"""(?:Z|[+-]\d\d:?\d\d)?)["']"""
    rb"""|<time\b[^>]*\bdatetime\s*=\s*["'](\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?"""
    rb"""(?:Z|[+-]\d\d:?\d\d)?)["']""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Page:
    title: str
    author: str | None
    published_at: datetime | None  # aware UTC
    date_only: bool  # the page gives only the day of `published_at` (then at 00:00 UTC)
    site_name: str | None  # the publication's name as the page gives it (og:site_name, ...)
    canonical_url: str | None
    language: str | None  # ISO 639-1
    text: str  # cleaned; paragraphs separated by "\n\n"


def extract_raw(html: str | bytes, *, url: str | None = None) -> str:
    """trafilatura alone, as digestbot used it before cleaning by page role (precision mode,
    tables included, the page as given): paragraphs as "\\n\\n". For benchmarks."""
    document = _alone(html, url=url)
    if document is None or not document.text:
        return ""
    return normalize_whitespace(str(document.text).replace("\n", "\n\n"))


def raw_title(html: str | bytes, *, url: str | None = None) -> str:
    """trafilatura's own title, alone (for benchmarks)."""
    document = _alone(html, url=url)
    return " ".join(str(document.title or "").split()) if document is not None else ""


def _alone(html: str | bytes, *, url: str | None) -> trafilatura.settings.Document | None:
    if not html or not html.strip():
        return None
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            favor_precision=True,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
        )
    except Exception:  # trafilatura raises many kinds on broken markup
        return None
    return document if isinstance(document, trafilatura.settings.Document) else None


def extract_page(html: str | bytes, *, url: str | None = None) -> Page | None:
    """Title, author, date, canonical URL, language and cleaned main text; None when the page
    has no main text (an index page, an error page, an empty body).

    The page is parsed once; trafilatura's precision mode gives the text, and when cleaning
    leaves little of it (under `FALLBACK_WORDS`) its recall mode is tried too and the longer
    cleaned text kept, so a page is not lost to a too strict first pass."""
    html = clean_char_refs(html) if isinstance(html, bytes) else clean_char_refs(clean_str(html))
    tree = _tree(html)
    if tree is None:
        return None
    document = _bare(tree, url=url) or _bare(tree, url=url, precision=False)
    if document is None:
        return None
    names = page_names(
        tree, url=url, fallback=str(document.title or ""), first_paragraph=_opening(document)
    )
    title = clean_str(names.title)
    author = clean_optional(_author(document.author))
    links = link_texts(_anchors(tree))
    splits = page_regions(tree)
    layout = page_layout(tree)
    text = _cleaned(document, title=title, author=author, links=links, splits=splits, layout=layout)
    # Too little left (a strict first pass, or cleaning): read again in recall mode.
    if len(words(text)) < FALLBACK_WORDS:
        retry = _bare(tree, url=url, precision=False)
        if retry is not None:
            other = _cleaned(
                retry, title=title, author=author, links=links, splits=splits, layout=layout
            )
            if len(words(other)) > len(words(text)):
                text = other
    site_name = clean_optional(names.site)
    text = drop_edge_lines(text, title=title or None, site=site_name, url=url)
    if len(words(text)) < MIN_WORDS:
        return None
    language = _language(document.language) or detect_language(text)
    published, date_only = _published(html, document.date)
    return Page(
        title=title,
        author=author,
        published_at=published,
        date_only=date_only,
        site_name=site_name,
        canonical_url=clean_optional(_canonical(document.url, url)),
        language=language,
        text=text,
    )


def _cleaned(
    document: trafilatura.settings.Document,
    *,
    title: str,
    author: str | None,
    links: frozenset[str],
    splits: list[Split],
    layout: Layout,
) -> str:
    if not document.text:
        return ""
    raw = clean_str(normalize_whitespace(str(document.text).replace("\n", "\n\n")))
    text = clean_text(raw, title=title or None, author=author, links=links)
    text = drop_regions(text, splits, min_words=MIN_WORDS)
    text = drop_figure_captions(text, layout)
    text = drop_link_tail(drop_outside(text, layout), layout)
    text = drop_edge_links(text, layout)
    text = drop_closing_labels(drop_opening_labels(text, layout), layout)
    return drop_edge_furniture(text, title=title or None)  # what those passes left at the edges


def _anchors(tree: HtmlElement) -> Iterator[str]:
    """Texts of the page's links that lead elsewhere (not "#" fragments or scripts), except
    those in preformatted text or code (a specification's references, a request's headers)
    and phrases of a sentence (`_phrase`): part of the text, not a menu's or a teaser's words."""
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        quoted = any(True for _ in anchor.iterancestors("pre", "code"))
        text = str(anchor.text_content())
        if href and not href.startswith(("#", "javascript:")) and not quoted and not _phrase(text):
            yield text


_ADDRESS = re.compile(r"^\s*(?:[a-z][\w+.-]*://|www\.)", re.IGNORECASE)


def _phrase(text: str) -> bool:
    """A link's words that start in lower case: a phrase of a sentence ("Gijs <a>made the
    toolbar load later</a>"), not a headline or a menu's entry (an address aside)."""
    return text.strip()[:1].islower() and not _ADDRESS.match(text)


def _opening(document: trafilatura.settings.Document) -> str:
    """The main text's first paragraph of prose (twelve words or more)."""
    for line in str(document.text or "").split("\n"):
        if len(words(line)) >= 12:
            return line
    return ""


# A `<title>` whose end tag never comes, or comes mangled ("</titlevalue=...": saved pages cut
# it short): it swallows the whole document as its text.
_OPEN_TITLE = re.compile(rb"(<title[^>]*>)([^<]*)<(?!/title\s*>)", re.IGNORECASE)
# The page's first declaration or tag cut before its ">" ("<!DOCTYPE htm", "<html xm", "<html
# lang='e"), after a byte order mark and any whole ones: it runs into the next real tag and
# swallows it, or with an open quote the whole page. The group keeps what comes before it; the
# name says what to put back.
_CUT_START = re.compile(
    rb"\A((?:\xef\xbb\xbf|\s|<!--.*?-->|<![^<>]*>|<\?[^<>]*>)*)"
    rb"<(!doctype|html)\b[^<>]*(?=<[!/?a-z])",
    re.IGNORECASE | re.DOTALL,
)
_WHOLE_START = {b"!doctype": b"<!DOCTYPE html>", b"html": b"<html>"}


def _tree(html: str | bytes) -> HtmlElement | None:
    """The parsed page. When the first parse yields nothing usable (no tree, or a body without
    words) because markup at the top is broken, as a cut download or saved page leaves it, the
    broken start is repaired (`_repaired`) and the page parsed again; the second parse is kept
    when its body holds at least as many words."""
    if not html or not html.strip():
        return None
    tree = _parse(html)
    found = _body_words(tree)
    if found >= MIN_WORDS:
        return tree
    raw = html if isinstance(html, bytes) else html.encode("utf-8", "replace")
    repaired = _repaired(raw)
    if repaired == raw:
        return tree
    retry = _parse(repaired)
    return retry if tree is None or _body_words(retry) >= found else tree


def _repaired(raw: bytes) -> bytes:
    """`raw` with a cut first declaration or `<html>` tag made whole (`_CUT_START`) and a
    `<title>` left open closed at the next tag (`_OPEN_TITLE`)."""
    raw = _CUT_START.sub(lambda m: m[1] + _WHOLE_START[m[2].lower()], raw, count=1)
    return _OPEN_TITLE.sub(rb"\1\2</title><", raw, count=1)


def _body_words(tree: HtmlElement | None) -> int:
    """Words in the tree's body, counted up to `MIN_WORDS` (enough to call it usable)."""
    body = tree.find("body") if tree is not None else None
    count = 0
    for text in body.itertext() if body is not None else ():
        count += len(text.split())
        if count >= MIN_WORDS:
            break
    return count


def _parse(html: str | bytes) -> HtmlElement | None:
    try:
        tree = load_html(html)
    except Exception as exc:  # lxml raises many kinds on broken markup
        logger.info("page not parsed error=%s", exc)
        return None
    if not isinstance(tree, HtmlElement):
        return None
    _repair_mojibake(tree)
    _join_split_words(tree)
    _unwrap_layout_tables(tree)
    return tree


# A character that UTF-8 text read as Windows-1252 (or Latin-1) begins with, followed by one
# that such a reading makes of a continuation byte: "â€™" for "’", "Ã©" for "é".
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u20ac\u2122]"
)


def _repair_mojibake(tree: HtmlElement) -> None:
    """Text that was UTF-8 read in a single-byte encoding and written out again ("Canadaâ€™s"
    in a page that serves UTF-8 bytes under a Latin-1 declaration, kept so by whoever saved
    it) is decoded again by ftfy, node by node. The page's whole text is searched for the
    telltale pairs first (`_MOJIBAKE`, a fraction of a millisecond), and only the text nodes
    and metadata that hold one are handed to ftfy, which leaves text that only looks alike
    ("café’s") as it is."""
    if not _MOJIBAKE.search(tree.text_content()):
        return
    for element in tree.iter(etree.Element):
        if element.text and _MOJIBAKE.search(element.text):
            element.text = ftfy.fix_encoding(element.text)
        if element.tail and _MOJIBAKE.search(element.tail):
            element.tail = ftfy.fix_encoding(element.tail)
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content and _MOJIBAKE.search(content):
            meta.set("content", ftfy.fix_encoding(content))


# Elements that show something, or break a line, even when they hold no text.
_SHOWN = frozenset(
    {"br", "hr", "img", "picture", "video", "audio", "svg", "canvas", "object", "embed", "input"}
    | {"textarea", "select", "button", "math", "table", "li", "p"}
)


def _join_split_words(tree: HtmlElement) -> None:
    """An empty element set inside a word ("mater<div id="ad-slot"></div>ials": an ad slot a
    publisher's template drops into the text, floated beside it) is taken out and the word's
    halves joined, so the word is not broken into two lines (blank space inside it counts as
    empty). Only between two letters with no space: an empty element between words
    ("word<div></div> word") keeps its break, and one that shows something or breaks a line
    (`_SHOWN`: a <br>, a picture) stays."""
    for element in list(tree.iter(etree.Element)):
        tail = element.tail
        if not tail or not tail[0].isalpha() or _holds_text(element) or element.tag in _SHOWN:
            continue
        previous = element.getprevious()
        parent = element.getparent()
        before = (
            previous.tail if previous is not None else parent.text if parent is not None else None
        )
        if not before or not before[-1].isalpha() or parent is None:
            continue
        if any(
            d.tag in _SHOWN or _holds_text(d) or (d.tail or "").strip()
            for d in element.iterdescendants()
        ):
            continue
        element.drop_tree()  # lxml joins the tail to the text before it


def _holds_text(element: HtmlElement) -> bool:
    return bool((element.text or "").strip())


_LAYOUT = frozenset({"table", "tbody", "thead", "tfoot", "tr", "td", "th"})
_BLOCKS = ("p", "div", "h1", "h2", "h3", "ul", "ol", "table", "form", "br")
_LAYOUT_ATTRIBUTES = ("width", "height", "valign", "align", "cellpadding", "cellspacing")


def _unwrap_layout_tables(tree: HtmlElement) -> None:
    """Tables that lay out a page (their cells hold paragraphs, headings, lists or other
    tables) become plain blocks, so the article in a cell is read as paragraphs and the
    menus beside it as menus; tables of data stay tables (`ingest.layout.data_table`), also
    when a few of their cells hold a paragraph or a line break, or they sit in a layout
    table's cell (an article's figures), so their rows are read as rows."""
    for table in list(tree.iter("table")):
        if table.tag != "table" or data_table(table):
            continue  # unwrapped with a table around it, or data
        if any(True for _ in table.iterdescendants(*_BLOCKS)):
            data = [e for t in table.iterdescendants("table") if data_table(t) for e in t.iter()]
            kept = {id(e) for e in data}  # `data` keeps them alive: lxml reuses a freed id
            for element in [table, *table.iterdescendants(*_LAYOUT)]:
                if id(element) not in kept:
                    element.tag = "div"
                    for name in _LAYOUT_ATTRIBUTES:
                        element.attrib.pop(name, None)


def _bare(
    tree: HtmlElement, *, url: str | None, precision: bool = True
) -> trafilatura.settings.Document | None:
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            favor_precision=precision,
            favor_recall=not precision,
            include_comments=False,
            include_tables=True,  # layout tables were unwrapped: these hold data
            deduplicate=False,
        )
    except Exception as exc:  # trafilatura raises many kinds on broken markup
        logger.info("extraction failed url=%s error=%s", url, exc)
        return None
    return document if isinstance(document, trafilatura.settings.Document) else None


def _author(value: object) -> str | None:
    if not value:
        return None
    text = " ".join(str(value).split())
    return text[:200] or None


def _language(value: object) -> str | None:
    if not value:
        return None
    match = _LANGUAGE.match(str(value).lower())
    return match.group(0)[:2] if match else None


def _published(html: str | bytes, day: object) -> tuple[datetime | None, bool]:
    """The page's publication time and whether it is only a day: its metadata's full
    timestamp when that agrees with the day trafilatura found (or it found none), else that
    day (at midnight UTC, date only)."""
    found = _date(day)
    raw = html if isinstance(html, bytes) else html.encode("utf-8", "replace")
    match = _META_TIME.search(raw[:300_000])
    if match is not None:
        precise = _date((match.group(1) or match.group(2)).decode("ascii"))
        if precise is not None and (found is None or precise.date() == found.date()):
            return precise, False
        if precise is not None and found is not None and abs(precise - found).days <= 1:
            return precise, False
    return found, found is not None


def _date(value: object) -> datetime | None:
    if not value:
        return None
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _canonical(found: object, given: str | None) -> str | None:
    candidate = str(found) if found else given
    if not candidate or not candidate.startswith(("http://", "https://")):
        return canonicalize_url(given) if given else None
    return canonicalize_url(candidate)
