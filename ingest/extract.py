"""Main text and metadata of a web page (trafilatura), cleaned of boilerplate.
Pure: takes the page's bytes or text, returns a `Page` or None."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import trafilatura

from ingest.clean import clean_text
from ingest.dedup import canonicalize_url
from ingest.text import normalize_whitespace, words
from ingest.topics import detect_language

logger = logging.getLogger(__name__)

MIN_WORDS = 5  # less than this is a menu or an error page, not an article

_LANGUAGE = re.compile(r"^[a-z]{2,3}\b")
# trafilatura keeps only the day; the page's own metadata usually has the time too.
_META_TIME = re.compile(
    rb"""(?:article:published_time|datePublished|dc\.date\.issued|pubdate)["']?\s*"""
    rb"""(?:content|:)\s*=?\s*["'](\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?"""
    rb"""(?:Z|[+-]\d\d:?\d\d)?)["']""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Page:
    title: str
    author: str | None
    published_at: datetime | None  # aware UTC
    canonical_url: str | None
    language: str | None  # ISO 639-1
    text: str  # cleaned; paragraphs separated by "\n\n"


def extract_raw(html: str | bytes, *, url: str | None = None) -> str:
    """trafilatura's main text alone, paragraphs as "\\n\\n" (no cleaning; for benchmarks)."""
    document = _bare(html, url=url)
    if document is None or not document.text:
        return ""
    return normalize_whitespace(str(document.text).replace("\n", "\n\n"))


def raw_title(html: str | bytes, *, url: str | None = None) -> str:
    """trafilatura's own title (no reconciling; for benchmarks)."""
    document = _bare(html, url=url)
    if document is None:
        return ""
    return " ".join(str(document.title or "").split())


def extract_page(html: str | bytes, *, url: str | None = None) -> Page | None:
    """Title, author, date, canonical URL, language and cleaned main text; None when the page
    has no main text (an index page, an error page, an empty body)."""
    document = _bare(html, url=url)
    if document is None or not document.text:
        return None
    title = normalize_whitespace(str(document.title or "")).replace("\n", " ")
    author = _author(document.author)
    raw = normalize_whitespace(str(document.text).replace("\n", "\n\n"))
    text = clean_text(raw, title=title or None, author=author)
    if len(words(text)) < MIN_WORDS:
        return None
    language = _language(document.language) or detect_language(text)
    return Page(
        title=title,
        author=author,
        published_at=_published(html, document.date),
        canonical_url=_canonical(document.url, url),
        language=language,
        text=text,
    )


def _bare(html: str | bytes, *, url: str | None) -> trafilatura.settings.Document | None:
    if isinstance(html, bytes) and not html.strip():
        return None
    if isinstance(html, str) and not html.strip():
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


def _published(html: str | bytes, day: object) -> datetime | None:
    """The page's publication time: its metadata's full timestamp when that agrees with the
    day trafilatura found (or it found none), else that day at midnight UTC."""
    found = _date(day)
    raw = html if isinstance(html, bytes) else html.encode("utf-8", "replace")
    match = _META_TIME.search(raw[:300_000])
    if match is not None:
        precise = _date(match.group(1).decode("ascii"))
        if precise is not None and (found is None or precise.date() == found.date()):
            return precise
        if precise is not None and found is not None and abs(precise - found).days <= 1:
            return precise
    return found


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
