"""Ingest throughput, end to end into SQLite: the BBC News corpus (2,225 articles) is served as
RSS feeds (50 full-content entries each) through httpx.MockTransport, and the real ingest tick
(`refresh_due_feeds`: fetch, parse, clean, de-duplicate with near-duplicate stories, summarise,
keyphrases and language, store) takes them into a fresh SQLite database.

    .venv/bin/python benchmarks/ingest.py
    .venv/bin/python benchmarks/ingest.py --limit 500 --per-feed 25
    .venv/bin/python benchmarks/ingest.py --database-url postgresql://postgres@127.0.0.1/test

Prints the figures and ends with one `key=value` line:
`articles=… feeds=… seconds=… cpu_seconds=… rate=…/s stories=… duplicates=…`. Building the
feeds and the database schema is not measured; everything from the first fetch to the last
commit is.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "eval" / "corpus" / "bbc_news_2225.jsonl"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def load(path: Path, limit: int | None) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return records[:limit] if limit else records


def build_feed(number: int, records: list[dict[str, Any]], start: int) -> bytes:
    items = []
    for offset, record in enumerate(records):
        published = NOW - timedelta(minutes=5 * (start + offset))  # all within the story window
        paragraphs = "".join(
            f"<p>{html.escape(p.strip())}</p>" for p in record["article"].split("\n") if p.strip()
        )
        items.append(
            "<item>"
            f"<title>{html.escape(record['title'])}</title>"
            f"<link>https://news{number}.example/{record['category']}/{record['id']}</link>"
            f'<guid isPermaLink="false">{html.escape(record["id"])}</guid>'
            f"<pubDate>{format_datetime(published)}</pubDate>"
            f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>News {number}</title><link>https://news{number}.example/</link>"
        + "".join(items)
        + "</channel></rss>"
    ).encode("utf-8")


async def main(args: argparse.Namespace) -> None:
    import httpx
    from sqlalchemy import func
    from sqlmodel import col, select

    from ingest.fetch import Fetcher
    from ingest.tick import refresh_due_feeds
    from storage import feeds as feed_store
    from storage.articles import count_articles
    from storage.db import make_engine, make_sessionmaker, upgrade
    from storage.models import FeedCreate, Story

    records = load(Path(args.corpus), args.limit)
    feeds: dict[str, bytes] = {}
    for number, start in enumerate(range(0, len(records), args.per_feed), start=1):
        chunk = records[start : start + args.per_feed]
        feeds[f"https://news{number}.example/rss"] = build_feed(number, chunk, start)

    def handler(request: httpx.Request) -> httpx.Response:
        body = feeds.get(str(request.url))
        if body is None:
            return httpx.Response(404)
        return httpx.Response(200, content=body, headers={"Content-Type": "application/rss+xml"})

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        await upgrade(engine)
        sessionmaker = make_sessionmaker(engine)
        async with sessionmaker() as session:
            for feed_url in feeds:
                await feed_store.add_feed(session, data=FeedCreate(url=feed_url, full_text=False))
            await session.commit()

        fetcher = Fetcher(transport=httpx.MockTransport(handler))
        started, cpu_started = time.perf_counter(), time.process_time()
        results = await refresh_due_feeds(
            sessionmaker, fetcher=fetcher, now=NOW, limit=len(feeds) + 1
        )
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started  # steadier than wall time on a shared machine
        await fetcher.aclose()

        async with sessionmaker() as session:
            stored = await count_articles(session)
            stories = int((await session.exec(select(func.count()).select_from(Story))).one())
            joined = select(func.count()).select_from(Story).where(col(Story.sources_count) > 1)
            multi = int((await session.exec(joined)).one())
        await engine.dispose()

    errors = [r for r in results if r.error]
    new = sum(r.new_articles for r in results)
    print(f"corpus: {args.corpus} ({len(records)} articles in {len(feeds)} feeds)")
    print(f"database: {'SQLite' if not args.database_url else args.database_url}")
    print(f"stored {stored} articles ({new} reported new) in {seconds:.1f} s")
    print(f"throughput: {stored / seconds:.1f} articles/s end to end (wall clock)")
    print(f"cpu: {cpu:.1f} s, {stored / cpu:.1f} articles per CPU-second")
    print(f"stories: {stories} ({multi} with more than one article: near-duplicates joined)")
    print(f"exact duplicates skipped: {len(records) - stored}; feed errors: {len(errors)}")
    for result in errors:
        print(f"  feed {result.url}: {result.error}")
    print(
        f"articles={stored} feeds={len(feeds)} seconds={seconds:.1f} cpu_seconds={cpu:.1f} "
        f"rate={stored / seconds:.1f}/s stories={stories} duplicates={len(records) - stored}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(CORPUS))
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--per-feed", type=int, default=50, help="entries per feed")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    asyncio.run(main(parser.parse_args()))
