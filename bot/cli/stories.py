"""`digestbot stories`: the cross-outlet story clustering ingest uses, on JSONL articles from
a script (an in-memory store, input order), or re-run over the stored articles (`--rebuild`)."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TextIO

import typer

from bot.cli.common import UserError, run, settings_or_exit
from bot.cli.jsonl import json_object, text_field
from bot.settings import Settings


def _parse_line(number: int, line: str) -> tuple[Any, str, str, datetime | None]:
    item = json_object(number, line)
    fields = [text_field(number, item, name, null_is_empty=False) for name in ("title", "text")]
    if not any(fields):
        raise UserError(f'line {number}: "title" and "text" are both empty')
    published = item.get("published")
    at: datetime | None = None
    if published is not None:
        if not isinstance(published, str):
            raise UserError(f'line {number}: "published" must be an ISO 8601 date or time')
        try:
            at = datetime.fromisoformat(published.replace("Z", "+00:00"))
        except ValueError:
            raise UserError(f'line {number}: "published" is not an ISO 8601 date') from None
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return item["id"], fields[0], fields[1], at


def stories_stream(source: TextIO, sink: TextIO, *, explain: bool = False) -> int:
    """Cluster each JSONL article of `source` in input order, writing `{"id", "story"}` lines
    (with `--explain`, also the similarity and shared terms); returns the number written.
    Stops at the first bad line (UserError naming it); blank lines are skipped. An article
    without a date counts as published just after the one before it."""
    from ingest.stories import StoryIndex, features

    index = StoryIndex()
    story_ids: dict[int, Any] = {}  # the index's story → the id of its first article
    last = datetime(1970, 1, 1, tzinfo=UTC)
    written = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        item_id, title, text, at = _parse_line(number, line)
        at = max(at or last, last)  # the index takes articles in time order
        last = at
        decision = index.assign(features(title, text), at)
        story = story_ids.setdefault(decision.story, item_id)
        out: dict[str, Any] = {"id": item_id, "story": story}
        if explain:
            out.update(joined=decision.joined, **decision.explain())
        sink.write(json.dumps(out, ensure_ascii=False) + "\n")
        written += 1
    return written


_SINCE = re.compile(r"^(\d+)\s*([dh])$")


def _since(value: str) -> timedelta:
    match = _SINCE.match(value.strip().lower())
    if not match:
        raise UserError(f"--since {value!r}: expected a number of days or hours, e.g. 7d or 12h")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(days=amount) if unit == "d" else timedelta(hours=amount)


async def _rebuild(settings: Settings, since: timedelta) -> tuple[int, int]:
    from bot.cli.feeds import _database
    from ingest.dedup import rebuild_stories
    from storage.stories import articles_since

    now = datetime.now(UTC)
    async with _database(settings) as sessionmaker, sessionmaker() as session:
        articles = len(await articles_since(session, since=now - since))
        stories = await rebuild_stories(session, since=now - since, now=now)
        await session.commit()
    return articles, stories


def stories_command(
    explain: Annotated[
        bool, typer.Option("--explain", help="Also print the similarity and shared terms.")
    ] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Re-cluster the stored articles instead.")
    ] = False,
    since: Annotated[
        str, typer.Option("--since", help="With --rebuild: how far back, e.g. 7d or 12h.")
    ] = "7d",
) -> None:
    """Read JSONL articles on stdin ({"id", "title", "text", "source"?, "published"?}) in
    publication order; write {"id", "story"} lines, equal "story" = one story.

    The same online clustering as ingest, on an in-memory store. A bad line stops the run with
    "line N: ..." on stderr and exit code 2; lines before it are already written. With
    --rebuild, re-cluster the articles stored in the last --since instead (a command, not a
    migration: run it after a change of method)."""
    if rebuild:
        articles, stories = run(_rebuild(settings_or_exit(), _since(since)))
        typer.echo(f"re-clustered {articles} articles into {stories} stories")
        return
    try:
        stories_stream(sys.stdin, sys.stdout, explain=explain)
    finally:
        sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("stories")(stories_command)
