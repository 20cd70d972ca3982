"""Local documents: plain text and Markdown (the first non-empty line is the title) and saved
HTML pages (main text via `ingest.extract.extract_page`). Pure apart from reading the file."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingest.fetch import decode_text
from ingest.text import normalize_whitespace
from storage.sanitize import clean_str

Kind = Literal["html", "text"]

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
MAX_FILE_BYTES = 20_000_000

_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+|[ \t]+#+[ \t]*$", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_BULLET = re.compile(r"^[ \t]{0,3}(?:[-*+]|\d+[.)])[ \t]+", re.MULTILINE)
_MD_RULE = re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.MULTILINE)


class DocumentError(ValueError):
    """The file cannot be ingested; `str()` says why in one line."""


@dataclass(frozen=True)
class TextDocument:
    title: str
    text: str  # paragraphs separated by "\n\n"


def kind_of(path: Path) -> Kind:
    """ "html" for saved pages (also gzipped), else "text"."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return "html" if suffixes and suffixes[-1] in HTML_SUFFIXES else "text"


def read_document(path: Path) -> tuple[bytes, Kind]:
    """The file's bytes (gunzipped when it ends in .gz) and its kind."""
    try:
        if path.is_dir():
            raise DocumentError(f"{path} is a directory")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DocumentError(f"{path} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
        content = path.read_bytes()
        if path.suffix.lower() == ".gz":
            content = gzip.decompress(content)
    except FileNotFoundError:
        raise DocumentError(f"no such file: {path}") from None
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise DocumentError(f"cannot read {path}: {exc}") from None
    return content, kind_of(path)


def text_document(content: str | bytes) -> TextDocument:
    """Plain text or Markdown: the first non-empty line (without Markdown marks) is the title,
    the rest the text, with Markdown emphasis, links and list marks reduced to their words."""
    text = clean_str(decode_text(content) if isinstance(content, bytes) else content)
    text = normalize_whitespace(text.replace("\r\n", "\n"))
    lines = text.split("\n")
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        raise DocumentError("the document is empty")
    title = _plain_markdown(_MD_HEADING.sub("", lines[index])).strip()
    rest = "\n".join(lines[index + 1 :])
    rest = _MD_RULE.sub("", rest)
    rest = _MD_BULLET.sub("", rest)
    body = normalize_whitespace(_plain_markdown(_MD_HEADING.sub("", rest)))
    return TextDocument(title=title, text=body)


def _plain_markdown(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    return _MD_EMPHASIS.sub(r"\2", text)
