"""Feed bytes into entries (feedparser: RSS 0.9x/1.0/2.0, Atom). Pure: no I/O; `now` is the
first-seen time given to undated entries. Also HTML fragments into plain paragraphs."""

from __future__ import annotations

import calendar
import hashlib
import io
import re
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
from lxml import etree

from ingest.text import normalize_whitespace, words, wordset
from ingest.titles import clean_title, fold, path_sections, source_name
from storage.sanitize import clean_char_refs, clean_optional, clean_str

TEASER_WORDS = 120  # an entry shorter than this is only a teaser of the linked page
_TEASER_END = re.compile(
    r"(?:…|\.\.\.|\[\s*(?:…|\.\.\.)\s*\]|"
    r"\b(?:read|continue reading|read the full|more)\b[^.]{0,40})\s*[\]»›>]*\s*$",
    re.IGNORECASE,
)
_BLOCKS = wordset(
    """p div section article header footer aside main blockquote pre ul ol li dl dt dd table tr
    h1 h2 h3 h4 h5 h6 figure figcaption hr address details summary"""
)
_FUTURE_SLACK = timedelta(hours=1)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SPACES = re.compile(r"\s+")  # in HTML text, any run of white space shows as one space
# What a teaser ends with when it points at the page: "Continue reading…", "Read more »".
_READ_ON = re.compile(
    r"\s*(?:\b(?:continue reading|read (?:more|on|(?:the )?(?:full|rest of the) (?:story|article)))"
    r"\b[^.!?\n]{0,30}?)?\s*(?:…|\.\.\.|\[\s*(?:…|\.\.\.)\s*\]|[»›→])?\s*$",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?…:;\"'”’)\]]$")
# A label left over nothing at the entry's end: its list went ("Like this:", "Share this:").
_LABEL_OVER_NOTHING = re.compile(r"^[^.!?:]{1,30}:$")
_LABEL_TAIL = re.compile(r"(?<=[a-z0-9,])\s+([A-Z][\w&'’-]*(?:\s+[A-Z&][\w&'’-]*){0,2})$")


class FeedParseError(ValueError):
    """The bytes are not a feed (nothing could be parsed); `str()` says why in one line."""


@dataclass(frozen=True)
class EntryIn:
    """One feed entry, as given by the feed (the linked page is fetched later, if at all)."""

    guid: str
    url: str  # absolute; "" when the entry has no link
    title: str
    author: str | None
    published_at: datetime  # aware UTC; first-seen time (`now`) when the feed gave none
    dated: bool  # False when `published_at` is the first-seen time
    text: str  # the entry's own text as plain paragraphs
    teaser: bool  # only a teaser of the linked page
    date_only: bool = False  # the feed gave only the day ("Mon, 30 Nov 2026"), no time
    # The publication the entry names as its own (RSS `<source>`, Atom `<source><title>`): an
    # aggregator's entry comes from another outlet than the feed ("BBC News" on Google News).
    source: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    site_url: str | None
    entries: list[EntryIn]
    ttl_minutes: int | None  # RSS <ttl>
    warning: str | None  # the feed was broken but entries were recovered

    @property
    def teaser_only(self) -> bool:
        """Most entries carry only a teaser: the linked pages hold the text."""
        if not self.entries:
            return False
        return sum(e.teaser for e in self.entries) * 2 >= len(self.entries)


def parse_feed(
    content: bytes,
    *,
    url: str,
    now: datetime,
    content_type: str | None = None,
) -> ParsedFeed:
    """Entries of a feed; links resolved against the feed's URL (or its xml:base). A broken
    feed keeps what parses (`warning` says what was wrong); `FeedParseError` when nothing
    does."""
    # Many servers call their feeds text/html or text/plain; the bytes decide, not the label.
    media, semicolon, parameters = (content_type or "").partition(";")
    if not media.strip().lower().endswith("xml"):
        media = "application/xml"
    headers = {"content-location": url, "content-type": media + semicolon + parameters}
    parsed = _feedparser(escape_stray_pis(clean_char_refs(content)), headers)
    problem = _problem(parsed)
    feed = parsed.get("feed", {})
    if not parsed.get("version") and not parsed.entries:
        raise FeedParseError(f"not a feed: {problem or 'no RSS or Atom found'}")
    if problem and not parsed.entries and not feed.get("title"):
        raise FeedParseError(f"broken feed, nothing could be read: {problem}")
    site_url = _absolute(feed.get("link"), url) or None
    entries = [e for raw in parsed.entries if (e := _entry(raw, base=url, now=now)) is not None]
    feed_title = _plain(feed.get("title")) or None
    home = site_url or url
    sites = [feed_title or "", source_name(feed_title, url=home) or "", *_host_labels(home)]
    entries = _tidy_entries(entries, sites=sites)
    return ParsedFeed(
        title=feed_title,
        site_url=clean_optional(site_url),
        entries=entries,
        ttl_minutes=_int(feed.get("ttl")),
        warning=clean_optional(problem),
    )


_CDATA = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)


def escape_stray_pis(content: bytes) -> bytes:
    """A `<?` that opens no processing instruction (no `?>` before the next tag: a stray
    "<?" in an unescaped description) written as text, `&lt;?`. Left alone, it swallows the
    rest of the feed and every entry after it is lost. CDATA sections are left as they are."""
    if content.find(b"<?", 1) == -1:
        return content
    pieces = _CDATA.split(content)
    for index in range(0, len(pieces), 2):  # the pieces outside CDATA sections
        pieces[index] = _escape_pis(pieces[index])
    return b"".join(pieces)


def _escape_pis(markup: bytes) -> bytes:
    out: list[bytes] = []
    start = 0
    for match in re.finditer(rb"<\?", markup):
        at = match.start()
        end = markup.find(b"?>", at + 2)
        next_tag = markup.find(b"<", at + 2)
        if end == -1 or (next_tag != -1 and next_tag < end):
            out.append(markup[start:at] + b"&lt;?")
            start = at + 2
    out.append(markup[start:])
    return b"".join(out)


def _feedparser(content: bytes, headers: dict[str, str]) -> Any:
    """feedparser's result; a character it cannot represent (a reference the byte-level
    clean-up did not see, e.g. escaped twice, or in an encoding that is not ASCII-based)
    becomes `FeedParseError`, not a crash."""
    try:
        # A BytesIO, never the bytes themselves: feedparser treats a string as a URL or path.
        return feedparser.parse(io.BytesIO(content), response_headers=headers)
    except (ValueError, OverflowError) as exc:  # UnicodeError is a ValueError
        raise FeedParseError(f"broken feed, nothing could be read: {exc}") from None


def tidy_teaser(text: str, *, labels: frozenset[str] = frozenset()) -> str:
    """A teaser that reads as sentences: no "Continue reading…" / "Read more" at its end, no
    section label after its last sentence (a category of the entry, or a short Title Case
    line), and a paragraph that stops without a full stop (a standfirst) closed with one so
    it does not run into the lead."""
    paragraphs = [p.strip() for p in normalize_whitespace(text).split("\n\n") if p.strip()]
    tidy: list[str] = []
    for paragraph in paragraphs:
        paragraph = _READ_ON.sub("", paragraph).strip()
        if not words(paragraph):
            continue
        tidy.append(paragraph)
    while (
        tidy
        and len(tidy) > 1
        and (_is_label(tidy[-1], labels) or _LABEL_OVER_NOTHING.match(tidy[-1]))
    ):
        tidy.pop()
    if tidy:
        tidy[-1] = strip_label(tidy[-1], labels)
    closed = [p + "." if _unclosed(p) and i < len(tidy) - 1 else p for i, p in enumerate(tidy)]
    return "\n\n".join(closed)


# A line that ends on an address ("… https://example.org/db") or is a label and its value
# ("Points: 120"): not a standfirst, however long.
_ADDRESS_END = re.compile(r"(?:://|www\.|@)\S*$|\w[./]\w+/\S*$")
_LABEL_VALUE = re.compile(r"^[^\s:]+(?:\s[^\s:]+){0,2}:\s")


def _unclosed(paragraph: str) -> bool:
    """A standfirst that stops without its full stop: words that read as a sentence."""
    return (
        len(words(paragraph)) >= 4
        and not _TERMINAL.search(paragraph)
        and not _ADDRESS_END.search(paragraph)
        and not _LABEL_VALUE.match(paragraph)
    )


def strip_label(text: str, labels: frozenset[str]) -> str:
    """ "…pension withdrawals Markets" -> "…pension withdrawals": a trailing category glued to
    the last sentence (Title Case after a lower-case word, no full stop before it)."""
    match = _LABEL_TAIL.search(text)
    if match is None or fold(match.group(1)) not in labels:
        return text
    head = text[: match.start()].rstrip()
    return head if len(words(head)) >= 4 else text


def _is_label(paragraph: str, labels: frozenset[str]) -> bool:
    """A short line of Title Case words without punctuation: a section, not a sentence."""
    found = words(paragraph)
    if not 1 <= len(found) <= 3 or _TERMINAL.search(paragraph):
        return False
    return fold(paragraph) in labels or all(w[:1].isupper() for w in found)


def _labels(raw: Any) -> frozenset[str]:
    """The entry's categories, folded ("Markets", "World news")."""
    terms = [str(tag.get("term") or tag.get("label") or "") for tag in raw.get("tags") or []]
    return frozenset(fold(t) for t in terms if t and len(t) <= 40)


def _tidy_entries(entries: list[EntryIn], *, sites: list[str]) -> list[EntryIn]:
    """Titles cleaned of the site's name ("… | WIRED"), or of the outlet's an entry names as its
    source; a trailing word that several teasers of the feed share after their last sentence is
    a section label, and goes."""
    tails = [m.group(1) for e in entries if e.teaser and (m := _LABEL_TAIL.search(e.text))]
    counts: dict[str, int] = {}
    for tail in tails:
        counts[fold(tail)] = counts.get(fold(tail), 0) + 1
    shared = frozenset(k for k, n in counts.items() if n >= 2 and len(entries) >= 3)
    tidy: list[EntryIn] = []
    for entry in entries:
        names = [s for s in (*sites, entry.source or "") if s]
        title = clean_title(entry.title, sites=names, sections=path_sections(entry.url))
        title = title or entry.title
        text = strip_label(entry.text, shared) if entry.teaser and shared else entry.text
        tidy.append(replace(entry, title=title, text=text))
    return tidy


def _host_labels(url: str | None) -> list[str]:
    host = urlsplit(url or "").hostname or ""
    return [label for label in host.removeprefix("www.").split(".")[:-1] if len(label) >= 2]


def _problem(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exception = parsed.get("bozo_exception")
    if isinstance(exception, feedparser.CharacterEncodingOverride):
        return None  # a wrong declared charset that feedparser corrected: nothing lost
    message = " ".join(str(exception).split()) or type(exception).__name__
    return message[:300]


def _entry(raw: Any, *, base: str, now: datetime) -> EntryIn | None:
    url = _absolute(raw.get("link"), base)
    title = _plain(raw.get("title"))
    text = _entry_text(raw)
    teaser = is_teaser(text)
    if teaser:
        text = tidy_teaser(text, labels=_labels(raw))
    if not (title or text or url):
        return None
    published, dated, date_only = _date(raw, now)
    guid = str(raw.get("id") or "").strip() or url
    if not guid:
        digest = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:32]
        guid = f"sha256:{digest}"
    return EntryIn(
        guid=clean_str(guid)[:2000],
        url=clean_str(url),
        title=title or _first_words(text),
        author=_plain(raw.get("author")) or None,
        published_at=published,
        dated=dated,
        text=text,
        teaser=teaser,
        date_only=date_only,
        source=_plain((raw.get("source") or {}).get("title"))[:300] or None,
    )


def _entry_text(raw: Any) -> str:
    """The richest text the entry carries: full content, else the summary."""
    best = ""
    candidates = [*(raw.get("content") or []), raw.get("summary_detail")]
    for detail in candidates:
        if not detail:
            continue
        value = clean_str(str(detail.get("value") or ""))
        kind = str(detail.get("type") or "text/html")
        text = normalize_whitespace(value) if kind == "text/plain" else html_to_text(value)
        if len(text) > len(best):
            best = text
    return best


def is_teaser(text: str) -> bool:
    """A short text, or one ending in "…" / "Read more", only announces the linked page."""
    if len(words(text)) < TEASER_WORDS:
        return True
    return bool(_TEASER_END.search(text[-200:]))


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: block elements become paragraphs, `<br>` a line break,
    scripts and styles dropped."""
    if "<" not in fragment and "&" not in fragment:
        return normalize_whitespace(fragment)
    # lxml takes no control character back into a text, written or referenced ("&#1;").
    fragment = clean_char_refs(_CONTROL.sub("", fragment))
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return normalize_whitespace(re.sub(r"<[^>]+>", " ", fragment))
    # A picture's caption is not the entry's text (the Guardian's "<figcaption>… Photograph:
    # …</figcaption>" over the standfirst).
    for element in root.iter("script", "style", "noscript", "template", "figcaption"):
        element.drop_tree()
    _collapse_source_whitespace(root)
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif tag in _BLOCKS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    return normalize_whitespace(str(root.text_content()))


def _collapse_source_whitespace(root: lxml.html.HtmlElement) -> None:
    """Line breaks and runs of spaces in the markup's text are one space, as a browser shows
    them (a description wrapped in the feed's source is not a run of short lines), except
    inside `<pre>`."""
    for node in root.iter():
        inside = next(node.iterancestors("pre"), None) is not None
        if node.text and isinstance(node.tag, str) and node.tag != "pre" and not inside:
            node.text = _SPACES.sub(" ", node.text)
        if node.tail and not inside:
            node.tail = _SPACES.sub(" ", node.tail)


def _plain(value: Any) -> str:
    if not value:
        return ""
    text = clean_str(str(value))
    if "<" in text or "&" in text:
        text = html_to_text(text)
    return " ".join(text.split())


def _first_words(text: str, limit: int = 12) -> str:
    found = text.split()
    head = " ".join(found[:limit])
    return head + ("…" if len(found) > limit else "")


def _absolute(link: Any, base: str) -> str:
    if not link:
        return ""
    href = str(link).strip()
    if not href:
        return ""
    absolute = urljoin(base, href)
    return absolute if absolute.startswith(("http://", "https://")) else ""


_CLOCK = re.compile(r"\d:\d\d")


def _date(raw: Any, now: datetime) -> tuple[datetime, bool, bool]:
    """(when, dated, date only): the entry's date, or `now` when it has none (or one in the
    future); "date only" when the feed wrote a day without a time ("Mon, 30 Nov 2026",
    "2026-11-30"), which is then kept at 00:00 UTC and must not be shown with a time."""
    for key in ("published", "updated", "created"):
        value = raw.get(f"{key}_parsed")
        if isinstance(value, time.struct_time):
            try:
                when = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
            # A date in the future would keep the entry on top for ever: first seen wins.
            if when > now + _FUTURE_SLACK:
                return now, False, False
            written = str(raw.get(key) or "")
            day_only = (
                bool(written) and not _CLOCK.search(written) and when.hour == when.minute == 0
            )
            return when, True, day_only
    return now, False, False


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})


def discover_feeds(html: bytes | str, *, url: str) -> list[str]:
    """Feed URLs a web page announces with `<link rel="alternate" type="application/rss+xml">`
    (absolute, in page order), so a site's address can be given instead of its feed's."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    found: list[str] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in _FEED_TYPES:
            href = _absolute(link.get("href"), url)
            if href and href not in found:
                found.append(href)
    return found
