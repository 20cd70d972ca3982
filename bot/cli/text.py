"""`digestbot extract`, `summarize` and `classify`: the text side of ingest, usable from scripts
without a database (a saved page in, its main text out; JSONL articles in, summaries or news
sections out)."""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from bot.cli.common import UserError
from bot.cli.jsonl import json_object, text_field


def _read_page(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"no such file: {path}") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    if raw[:2] == b"\x1f\x8b":  # gzip magic, whatever the file is called
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise UserError(f"{path} is not a valid gzip file: {exc}") from None
    return raw


def extract_command(
    file: Annotated[Path, typer.Argument(help="A saved HTML page (.html or .html.gz).")],
    url: Annotated[
        str | None, typer.Option("--url", help="The page's address (resolves relative links).")
    ] = None,
) -> None:
    """Print the main text of a saved web page, cleaned of boilerplate."""
    from ingest.extract import extract_page

    page = extract_page(_read_page(file), url=url)
    if page is None:
        raise UserError(f"no main text found in {file}", exit_code=1)
    typer.echo(page.text)


def _parse_line(number: int, line: str) -> tuple[Any, str, str | None]:
    item = json_object(number, line)
    article = item.get("article")
    if not isinstance(article, str):
        raise UserError(f'line {number}: "article" must be a string')
    title = item.get("title")
    if title is not None and not isinstance(title, str):
        raise UserError(f'line {number}: "title" must be a string')
    return item["id"], article, title


def summarize_stream(source: TextIO, sink: TextIO, *, sentences: int) -> int:
    """Summarise each JSONL line of `source` into `sink`; returns the number written.
    Stops at the first bad line (UserError naming it); blank lines are skipped."""
    from ingest.summarize import select_sentences

    def summary(number: int, line: str) -> dict[str, Any]:
        item_id, article, title = _parse_line(number, line)
        chosen = select_sentences(article, n=sentences, title=title)
        return {"id": item_id, "summary": "\n".join(chosen)}

    return _map_lines(source, sink, summary)


def _map_lines(source: TextIO, sink: TextIO, convert: Callable[[int, str], dict[str, Any]]) -> int:
    """Write `convert(number, line)` of each non-blank line of `source` to `sink` as a JSON
    line; returns the number written."""
    written = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        sink.write(json.dumps(convert(number, line), ensure_ascii=False))
        sink.write("\n")
        written += 1
    return written


def summarize_command(
    sentences: Annotated[
        int, typer.Option("--sentences", "-n", min=1, max=20, help="Sentences per summary.")
    ] = 3,
) -> None:
    """Read JSONL articles on stdin ({"id", "article", "title"?}), write {"id", "summary"} lines.

    Summaries are the chosen sentences joined by newlines, in input order. A bad line stops
    the run with "line N: ..." on stderr and exit code 2; lines before it are already written."""
    try:
        summarize_stream(sys.stdin, sys.stdout, sentences=sentences)
    finally:
        sys.stdout.flush()


_SUMMARIZE_HELP = (
    'Read JSONL articles on stdin ({"id", "article", "title"?}) and write {"id", "summary"} '
    "lines to stdout, in input order; a summary is the chosen sentences joined by newlines. "
    'A bad line stops the run with "line N: ..." on stderr and exit code 2 (the lines before '
    "it are already written); blank lines are skipped."
)


def _parse_classify_line(number: int, line: str) -> tuple[Any, str, str]:
    item = json_object(number, line)
    title = text_field(number, item, "title", null_is_empty=True)
    return item["id"], title, text_field(number, item, "text", null_is_empty=True)


def classify_stream(source: TextIO, sink: TextIO) -> int:
    """Write each JSONL article's news sections to `sink`; returns the number written.
    Stops at the first bad line (UserError naming it); blank lines are skipped."""
    from ingest.sections import classify

    def sections(number: int, line: str) -> dict[str, Any]:
        item_id, title, text = _parse_classify_line(number, line)
        found = [{"name": name, "score": score} for name, score in classify(title, text)]
        return {"id": item_id, "sections": found}

    return _map_lines(source, sink, sections)


def classify_command() -> None:
    """Read JSONL articles on stdin ({"id", "title", "text"}), write {"id", "sections"} lines."""
    try:
        classify_stream(sys.stdin, sys.stdout)
    finally:
        sys.stdout.flush()


_CLASSIFY_HELP = (
    'Read JSONL articles on stdin ({"id", "title", "text"}; "text" may be empty) and write '
    '{"id", "sections": [{"name", "score"}, ...]} lines to stdout, in input order; the '
    "sections are those whose score reaches their threshold (possibly none), best first: "
    "world, politics, business, technology, science, health, climate, sport, culture. "
    'A bad line stops the run with "line N: ..." on stderr and exit code 2 (the lines before '
    "it are already written); blank lines are skipped."
)


def register(app: typer.Typer) -> None:
    app.command("extract")(extract_command)
    app.command("summarize", help=_SUMMARIZE_HELP)(summarize_command)
    app.command("classify", help=_CLASSIFY_HELP)(classify_command)
