"""Benchmark: build digests for N subscribers over 2 000 new articles through the digest tick's
own code (`digests.tick.build_due_digests`: claim, match, select, render, split, outbox).

Topics follow a long tail (a few popular, many rare; several per subscriber); chats are spread
evenly over the first --languages shipped languages (all eight by default: each language
renders its own digests). The database is a SQLite file in a temporary directory, or a
throwaway schema with --postgres. Usage:

    python benchmarks/digests.py                      # 10 000 and 100 000 subscribers
    python benchmarks/digests.py --subscribers 5000 --helpers 0   # no helper processes
    python benchmarks/digests.py --languages 1        # every chat in English
    python benchmarks/digests.py --postgres postgresql://postgres@127.0.0.1/test

Each run ends with the line
`subscribers=… languages=… articles=… digests=… parts=… seconds=… rate=…/s peak_rss_mb=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from bot.settings import Settings, default_helper_processes
from digests.i18n import LANGUAGES
from digests.query import normalize_query
from digests.render import Renderer
from digests.tick import HelperConfig, build_due_digests
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import (
    Article,
    Chat,
    Delivery,
    Digest,
    Schedule,
    Story,
    Subscription,
)
from tests.support.db import schema_url, scratch_schema

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TOPICS = 2_000
ARTICLES = 2_000
CLAIM: int = Settings.model_fields["digest_batch"].default
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "su", "de", "ba", "gor", "lin"]


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


_WEIGHTS: dict[tuple[int, float], list[float]] = {}


def zipf_index(rng: random.Random, n: int, s: float = 1.0) -> int:
    """An index in [0, n) with probability proportional to 1 / (index + 1) ** s: a long tail."""
    cumulative = _WEIGHTS.get((n, s))
    if cumulative is None:
        total = 0.0
        cumulative = []
        for k in range(1, n + 1):
            total += 1 / k**s
            cumulative.append(total)
        _WEIGHTS[(n, s)] = cumulative
    return rng.choices(range(n), cum_weights=cumulative)[0]


def make_topics(rng: random.Random) -> list[str]:
    topics: list[str] = []
    seen: set[str] = set()
    while len(topics) < TOPICS:
        topic = pseudo_word(rng) if rng.random() < 0.7 else f"{pseudo_word(rng)} {pseudo_word(rng)}"
        if topic not in seen:
            seen.add(topic)
            topics.append(topic)
    return topics


def make_articles(rng: random.Random, topics: list[str]) -> list[dict[str, Any]]:
    filler = [pseudo_word(rng) for _ in range(3_000)]
    rows = []
    for i in range(ARTICLES):
        about = {topics[zipf_index(rng, len(topics))] for _ in range(rng.randint(1, 3))}
        words = rng.sample(filler, 8)
        title = f"{' '.join(words[:4]).capitalize()} {' and '.join(about)} {' '.join(words[4:])}"
        sentences = [
            " ".join(rng.sample(filler, 12)).capitalize() + "." for _ in range(rng.randint(2, 4))
        ]
        summary = " ".join(sentences)[:320]
        stored = NOW - timedelta(hours=20) + timedelta(seconds=30 * i)
        rows.append(
            {
                "canonical_url": f"https://outlet{i % 40}.example/{i}/{words[0]}",
                "url": f"https://outlet{i % 40}.example/{i}/{words[0]}?utm=x&ref=y",
                "title": title,
                "summary": summary,
                "text": summary + " " + " ".join(about),
                "keyphrases": "; ".join(about),
                "source_name": f"Outlet {i % 40}",
                "published_at": stored - timedelta(minutes=rng.randint(0, 600)),
                "stored_at": stored,
                "content_hash": f"{i:064x}",
            }
        )
    return rows


async def setup(url: str, subscribers: int, seed: int, languages: int) -> None:
    rng = random.Random(seed)
    spoken = list(LANGUAGES)[:languages]
    engine = make_engine(url)
    await upgrade(engine)
    topics = make_topics(rng)
    articles = make_articles(rng, topics)
    async with engine.begin() as conn:
        # stories: every tenth article repeats an earlier story (another outlet, same news)
        story_of: list[int] = []
        for i, row in enumerate(articles):
            if i > 20 and rng.random() < 0.1:
                story_of.append(story_of[rng.randrange(i)])
            else:
                result = await conn.execute(
                    insert(Story.__table__).values(title=row["title"], created_at=NOW)  # type: ignore[attr-defined]
                )
                story_of.append(int(result.inserted_primary_key[0]))
            row["story_id"] = story_of[-1]
        await conn.execute(insert(Article.__table__), articles)  # type: ignore[attr-defined]
        chats = [
            {
                "telegram_id": 10_000_000 + n,
                "type": "private",
                "language": rng.choice(spoken),
                "timezone": rng.choice(["UTC", "Europe/Berlin", "America/New_York"]),
                "state": "active",
                "max_items": 10,
                "created_at": NOW,
            }
            for n in range(subscribers)
        ]
        for start in range(0, len(chats), 5_000):
            await conn.execute(insert(Chat.__table__), chats[start : start + 5_000])  # type: ignore[attr-defined]
        subs = []
        schedules = []
        for chat_id in range(1, subscribers + 1):
            picks = [topics[zipf_index(rng, len(topics))] for _ in range(rng.randint(1, 5))]
            chosen = {normalize_query(topic): topic for topic in picks}
            for target, topic in chosen.items():
                subs.append(
                    {
                        "chat_id": chat_id,
                        "kind": "topic",
                        "target": target,
                        "query": topic,
                        "created_at": NOW,
                    }
                )
            schedules.append(
                {
                    "chat_id": chat_id,
                    "kind": "daily",
                    "time": "08:00",
                    "timezone": "UTC",
                    "next_due_at": NOW,
                    "watermark_stored_at": NOW - timedelta(days=1),
                    "watermark_article_id": 0,
                }
            )
        for start in range(0, len(subs), 5_000):
            await conn.execute(insert(Subscription.__table__), subs[start : start + 5_000])  # type: ignore[attr-defined]
        for start in range(0, len(schedules), 5_000):
            await conn.execute(insert(Schedule.__table__), schedules[start : start + 5_000])  # type: ignore[attr-defined]
    await engine.dispose()


@asynccontextmanager
async def scratch_database(postgres: str | None) -> AsyncIterator[str]:
    """A SQLite file in a temporary directory, or a throwaway schema in `postgres`."""
    if postgres is None:
        with tempfile.TemporaryDirectory(prefix="digestbot-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    async with scratch_schema(postgres, prefix="bench") as schema:
        yield schema_url(postgres, schema)


async def run(
    subscribers: int, seed: int, helpers: int, postgres: str | None, languages: int
) -> str:
    async with scratch_database(postgres) as url:
        await setup(url, subscribers, seed, languages)
        engine = make_engine(url)
        sessionmaker = make_sessionmaker(engine)
        renderer = Renderer()
        started = time.perf_counter()
        # as the digest tick does it: claims of DIGESTBOT_DIGEST_BATCH schedules until none is
        # due, helper processes (DIGESTBOT_DIGEST_HELPERS) selecting and rendering beside it
        built = await build_due_digests(
            sessionmaker,
            now=NOW,
            owner="bench",
            limit=CLAIM,
            renderer=renderer,
            until_done=True,
            helpers=HelperConfig(database_url=url, processes=helpers),
        )
        seconds = time.perf_counter() - started
        async with engine.connect() as conn:
            digests = (await conn.execute(select(func.count()).select_from(Digest))).scalar_one()
            parts = (await conn.execute(select(func.count()).select_from(Delivery))).scalar_one()
        await engine.dispose()
    assert built == digests
    # this process's peak plus the largest helper's: what the tick needs at most, together
    peak = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ) / 1024
    return (
        f"subscribers={subscribers} languages={languages} articles={ARTICLES} "
        f"digests={digests} parts={parts} "
        f"seconds={seconds:.2f} rate={digests / seconds:.0f}/s peak_rss_mb={peak:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--subscribers", type=int, action="append", help="subscribers (repeatable)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run in a throwaway schema of this PostgreSQL database instead of a SQLite file",
    )
    parser.add_argument(
        "--helpers",
        type=int,
        default=default_helper_processes(),
        help="helper processes, as DIGESTBOT_DIGEST_HELPERS (default: as the bot on this machine)",
    )
    parser.add_argument(
        "--languages",
        type=int,
        choices=range(1, len(LANGUAGES) + 1),
        default=len(LANGUAGES),
        metavar=f"1..{len(LANGUAGES)}",
        help="chats spread over this many shipped languages (default: all)",
    )
    args = parser.parse_args()
    for n in args.subscribers or [10_000, 100_000]:
        print(f"helpers={args.helpers} cpus={os.cpu_count()}", flush=True)
        result = run(n, args.seed, args.helpers, args.postgres, args.languages)
        print(asyncio.run(result), flush=True)


if __name__ == "__main__":
    main()
