"""Soak: a real `digestbot run --role all` process ingests growing loopback feeds, builds digests
for hundreds of subscribers and delivers them to the Bot API emulator for `--minutes`, while a few
people send commands; then we show that its memory stayed flat and that nothing was lost.

    .venv/bin/python benchmarks/soak.py                      # 10 minutes, SQLite
    .venv/bin/python benchmarks/soak.py --minutes 2
    .venv/bin/python benchmarks/soak.py --database-url postgresql://postgres@127.0.0.1:5432/test

This process runs the emulator's HTTP server and an aiohttp feed server on 127.0.0.1 (RSS and
Atom feeds with full text, and teaser feeds whose linked pages are served and extracted) that
publishes new items all the time; some items retell another feed's story (near-duplicates). The
subscribers (chats with feed and topic subscriptions, digests every one or two minutes) are
written to the database before the bot starts. A healthy feed is checked every 30 minutes
(ingest.health.CHECK_INTERVAL), so the soak compresses time: every `--poll-seconds` it marks
the feeds due again, as if that half hour had passed.

The bot's resident memory (VmRSS) is printed every `--sample-seconds`; `rss_start` is taken
after `--warmup` seconds (150 by default, half the soak if shorter: long enough for the first
rounds of both digest schedules, whose working set later rounds reuse), `rss_end` just before
SIGTERM, `rss_slope` is the least-squares growth of the samples after the warm-up.
It runs past 500 lines because it is one self-contained script: the feed server, the
subscribers' setup, the sampler and the report belong to this one measurement.

At the end the feeds stop growing, the people stop writing, the bot drains (every item stored,
every schedule past the newest article, the outbox empty) and gets SIGTERM. Then:
- every item the feed server published is stored as an article (feed and GUID);
- every outbox part is `sent`, and the emulator holds exactly that message, with that text;
  a subscriber's chat holds no other message (a repeat would be one);
- every article of a feed a subscriber follows reached it: its story is recorded as sent to
  the chat, and the title is in a message the chat received; no story was shown twice;
- every command got an answer.
Exits 1 with the reasons when anything was lost or repeated (or the bot failed). The last line
is `minutes=… feeds=… chats=… items=… articles=… digests=… parts=… sent=… lost=…
duplicates=… rss_start_mb=… rss_end_mb=… rss_max_mb=… rss_slope_mb_per_min=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web
from sqlalchemy import Row, func, or_, select, update
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import feeds as feed_store
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.digests import parse_ids
from storage.models import (
    Article,
    Chat,
    Delivery,
    DeliveryStatus,
    Digest,
    Feed,
    FeedCreate,
    Schedule,
    SentStory,
    Subscription,
    SubscriptionKind,
)
from telegram_emulator import ApiLimits, Emulator
from telegram_emulator.html import parse_html
from tests.support.digests import make_chat
from tests.support.process import start_run

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "424242:SOAK"
SUBSCRIBER_BASE = 1_000_000  # subscriber k is Telegram user SUBSCRIBER_BASE + k
PEOPLE_BASE = 9_000_000  # the people who send commands
WINDOW = 50  # items a feed lists (the newest)
FIRST_ITEMS = 5  # items each feed holds before the bot starts
MAX_ITEMS = 50  # per digest: a subscriber's digests never hold stories back for /more
RULES = ("cron * * * * *", "cron */2 * * * *")
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney")

TOPICS = (
    "climate",
    "election",
    "football",
    "vaccine",
    "robotics",
    "inflation",
    "satellite",
    "drought",
    "startup",
    "orchestra",
)


def _words(text: str) -> list[str]:
    return text.split()


# Shared, common words; most of a story's words are its own (names, places, things), so that
# unrelated stories share few words, as real ones do (near-duplicates are told by words).
ADJECTIVES = _words("""ancient bold broken busy calm careful cheap clever costly crowded daring
distant early eager fragile frozen gentle giant golden hidden hollow humble local loud lucky
massive modest narrow noisy quiet rapid rare remote rural rusty secret silent sudden tiny urban
vivid weary wooden""")
INSTITUTIONS = _words("""council museum factory railway airport village market library
hospital school harbour stadium theatre ministry union league committee agency regulator court
senate parliament university""")
VERBS = _words("""approves blocks builds cancels celebrates closes delays doubles expands funds
halts inspects launches moves names opens plans praises questions rebuilds rejects renames
repairs restores reviews sells shrinks signs studies supports tests unveils upgrades
warns welcomes""")
SYLLABLES = _words("""ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo
mu na ne ni no nu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu""")
PREPOSITIONS = ("in", "near", "outside", "north of", "south of", "across")


# --- the feed server ------------------------------------------------------------------------


@dataclass
class Item:
    guid: str
    title: str
    link: str
    paragraphs: list[str]
    published: datetime
    topic: str | None

    @property
    def teaser(self) -> str:
        return self.paragraphs[0].split(". ")[0] + ". Read more…"


@dataclass
class SimFeed:
    index: int
    atom: bool
    teaser: bool  # the feed carries teasers; the linked pages (served here) hold the text
    items: list[Item] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/feeds/{self.index}.xml"

    @property
    def title(self) -> str:
        return f"Soak Wire {self.index}"


class Publisher:
    """The feeds and their items; `publish()` adds one item (new, or another feed's story
    retold) to a random feed."""

    def __init__(self, *, feeds: int, teaser_feeds: int, rng: random.Random) -> None:
        self.rng = rng
        self.feeds = [
            SimFeed(index=i, atom=i % 2 == 1, teaser=i < teaser_feeds) for i in range(feeds)
        ]
        self.base_url = ""
        self.titles: set[str] = set()
        self.serial = 0
        self.served = 0  # feed and page responses with a body
        self.not_modified = 0

    @property
    def items(self) -> int:
        return sum(len(f.items) for f in self.feeds)

    def url(self, feed: SimFeed) -> str:
        return f"{self.base_url}{feed.path}"

    def _pseudo(self, syllables: int) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(syllables))

    def _lexicon(self) -> dict[str, list[str]]:
        """A story's own words: who, where, what (and which common words it uses)."""
        rng = self.rng
        return {
            "name": [self._pseudo(3).capitalize() for _ in range(6)],
            "place": [self._pseudo(3).capitalize() for _ in range(3)],
            "thing": [self._pseudo(rng.choice((2, 3))) for _ in range(30)],
            "at": [rng.choice(PREPOSITIONS)],
            "body": rng.sample(INSTITUTIONS, 1),
            "verb": rng.sample(VERBS, 3),
            "adj": rng.sample(ADJECTIVES, 3),
        }

    def _sentence(self, words: dict[str, list[str]], topic: str | None) -> str:
        rng = self.rng

        def w(kind: str) -> str:
            return rng.choice(words[kind])

        about = f" over {topic}" if topic else ""
        form = rng.randrange(3)
        if form == 0:
            line = f"{w('name')} {w('verb')} the {w('adj')} {w('thing')}{about} "
            line += f"{w('at')} {w('place')}"
        elif form == 1:
            line = f"The {w('body')} of {w('place')} {w('verb')} {w('name')}'s {w('thing')}{about}"
        else:
            line = f"{w('adj').capitalize()} {w('thing')} {w('verb')} the {w('thing')}{about}, "
            line += f"{w('name')} said"
        return line + "."

    def _paragraphs(self, words: dict[str, list[str]], topic: str | None) -> list[str]:
        sentences = self.rng.randint(20, 26)
        chosen = set(self.rng.sample(range(sentences), 3)) if topic else set()
        lines = [self._sentence(words, topic if i in chosen else None) for i in range(sentences)]
        return [" ".join(lines[i : i + 4]) for i in range(0, len(lines), 4)]

    def _title(self, words: dict[str, list[str]], topic: str | None) -> str:
        rng = self.rng
        while True:
            title = (
                f"{rng.choice(words['name'])} {rng.choice(words['verb'])} "
                f"{rng.choice(words['adj'])} {rng.choice(words['thing'])} "
                f"{words['at'][0]} {rng.choice(words['place'])}"
            )
            if topic:
                title = f"{topic.capitalize()}: {title}"
            if title not in self.titles:
                self.titles.add(title)
                return title

    def _link(self, feed: SimFeed, serial: int) -> str:
        if feed.teaser:
            return f"{self.base_url}/pages/{feed.index}/{serial}.html"
        return f"https://wire{feed.index}.example.com/2026/story-{serial}"

    def publish(self, now: datetime) -> Item:
        rng = self.rng
        feed = rng.choice(self.feeds)
        self.serial += 1
        others = [f for f in self.feeds if f is not feed and f.items]
        if others and rng.random() < 0.1:  # another outlet's story, retold: a near-duplicate
            source = rng.choice(rng.choice(others).items[-5:])
            paragraphs = [self._retold(p) for p in source.paragraphs]
            title, topic = source.title, source.topic
        else:
            topic = rng.choice(TOPICS) if rng.random() < 0.25 else None
            words = self._lexicon()
            paragraphs = self._paragraphs(words, topic)
            title = self._title(words, topic)
        item = Item(
            guid=f"tag:soak.example,2026:{feed.index}-{self.serial}",
            title=title,
            link=self._link(feed, self.serial),
            paragraphs=paragraphs,
            published=now,
            topic=topic,
        )
        feed.items.append(item)
        return item

    def _retold(self, paragraph: str) -> str:
        words = paragraph.split()
        for _ in range(max(1, len(words) // 25)):
            k = self.rng.randrange(len(words))
            if not words[k].endswith("."):
                words[k] = self.rng.choice(ADJECTIVES)  # an outlet's own wording
        return " ".join(words)

    def find(self, feed_index: int, serial: str) -> Item | None:
        if not 0 <= feed_index < len(self.feeds):
            return None
        link = self._link(self.feeds[feed_index], int(serial))
        return next((i for i in self.feeds[feed_index].items if i.link == link), None)

    # --- rendering ------------------------------------------------------------------------

    def body(self, feed: SimFeed) -> bytes:
        newest = feed.items[::-1][:WINDOW]
        if feed.atom:
            return self._atom(feed, newest)
        return self._rss(feed, newest)

    def _content(self, feed: SimFeed, item: Item) -> str:
        if feed.teaser:
            return item.teaser
        return "".join(f"<p>{p}</p>" for p in item.paragraphs)

    def _rss(self, feed: SimFeed, items: list[Item]) -> bytes:
        out = [
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
            f"<title>{feed.title}</title><link>https://wire{feed.index}.example.com/</link>",
            "<description>News for the soak test</description>",
        ]
        for item in items:
            out.append(
                f"<item><title>{escape(item.title)}</title><link>{escape(item.link)}</link>"
                f'<guid isPermaLink="false">{item.guid}</guid>'
                f"<pubDate>{format_datetime(item.published, usegmt=True)}</pubDate>"
                f"<description>{escape(self._content(feed, item))}</description></item>"
            )
        out.append("</channel></rss>")
        return "".join(out).encode()

    def _atom(self, feed: SimFeed, items: list[Item]) -> bytes:
        updated = (items[0].published if items else datetime.now(UTC)).isoformat()
        out = [
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
            f"<title>{feed.title}</title><id>urn:soak:feed:{feed.index}</id>",
            f'<updated>{updated}</updated><link href="https://wire{feed.index}.example.com/"/>',
        ]
        kind = "summary" if feed.teaser else "content"
        for item in items:
            out.append(
                f'<entry><title>{escape(item.title)}</title><link href="{escape(item.link)}"/>'
                f"<id>{item.guid}</id><updated>{item.published.isoformat()}</updated>"
                f"<published>{item.published.isoformat()}</published>"
                f'<{kind} type="html">{escape(self._content(feed, item))}</{kind}></entry>'
            )
        out.append("</feed>")
        return "".join(out).encode()

    def page(self, feed: SimFeed, item: Item) -> bytes:
        body = "".join(f"<p>{escape(p)}</p>" for p in item.paragraphs)
        return (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(item.title)} | {feed.title}</title>"
            f'<link rel="canonical" href="{escape(item.link)}"></head><body>'
            f'<nav><a href="/">Home</a> · <a href="/world">World</a> · '
            f'<a href="/sport">Sport</a></nav><main><article><h1>{escape(item.title)}</h1>'
            f"{body}</article></main><aside>Most read: nothing to see here</aside>"
            f"<footer>© {feed.title}. All rights reserved.</footer></body></html>"
        ).encode()


def feed_app(publisher: Publisher) -> web.Application:
    async def feed(request: web.Request) -> web.Response:
        index = int(request.match_info["index"])
        if not 0 <= index < len(publisher.feeds):
            raise web.HTTPNotFound()
        sim = publisher.feeds[index]
        etag = f'"{index}-{len(sim.items)}"'
        if request.headers.get("If-None-Match") == etag:
            publisher.not_modified += 1
            return web.Response(status=304, headers={"ETag": etag})
        publisher.served += 1
        kind = "application/atom+xml" if sim.atom else "application/rss+xml"
        return web.Response(
            body=publisher.body(sim), content_type=kind, charset="utf-8", headers={"ETag": etag}
        )

    async def page(request: web.Request) -> web.Response:
        index = int(request.match_info["index"])
        item = publisher.find(index, request.match_info["serial"])
        if item is None:
            raise web.HTTPNotFound()
        publisher.served += 1
        return web.Response(
            body=publisher.page(publisher.feeds[index], item),
            content_type="text/html",
            charset="utf-8",
        )

    app = web.Application()
    app.router.add_get(r"/feeds/{index:\d+}.xml", feed)
    app.router.add_get(r"/pages/{index:\d+}/{serial:\d+}.html", page)
    return app


# --- the database -----------------------------------------------------------------------------


@dataclass
class Subscriber:
    telegram_id: int
    chat_id: int
    feed_ids: list[int]
    topics: list[str]
    rule: str


async def seed(
    sessionmaker: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    *,
    chats: int,
    rng: random.Random,
) -> tuple[dict[int, int], list[Subscriber]]:
    """Feeds and subscribers, as /addfeed, /subscribe, /max and /schedule would leave them;
    returns (feed id by sim index, subscribers)."""
    now = datetime.now(UTC)
    subscribers: list[Subscriber] = []
    async with sessionmaker() as session:
        feed_ids: dict[int, int] = {}
        for sim in publisher.feeds:
            feed, _ = await feed_store.add_feed(session, data=FeedCreate(url=publisher.url(sim)))
            assert feed.id is not None
            feed_ids[sim.index] = feed.id
        for k in range(chats):
            zone = rng.choice(ZONES)  # drawn in this order: the same seed, the same subscribers
            followed = rng.sample(publisher.feeds, rng.randint(1, 4))
            topics = rng.sample(TOPICS, rng.choice((0, 1, 1, 2)))
            rule = RULES[k % len(RULES)]
            chat = await make_chat(
                session,
                telegram_id=SUBSCRIBER_BASE + k,
                topics=topics,
                schedule=rule,
                now=now,
                timezone=zone,
                max_items=MAX_ITEMS,
                feeds=[(feed_ids[sim.index], publisher.url(sim)) for sim in followed],
            )
            assert chat.id is not None
            subscribers.append(
                Subscriber(
                    SUBSCRIBER_BASE + k,
                    chat.id,
                    [feed_ids[s.index] for s in followed],
                    topics,
                    rule,
                )
            )
        await session.commit()
    return feed_ids, subscribers


async def make_database(
    database_url: str | None, directory: Path
) -> tuple[str, AsyncEngine, str | None]:
    """(URL for the bot, engine, PostgreSQL schema to drop at the end)."""
    if not database_url:
        url = f"sqlite:///{directory / 'soak.db'}"
        engine = make_engine(url)
        await upgrade(engine)
        return url, engine, None
    schema = f"soak_{uuid.uuid4().hex[:10]}"
    admin = make_engine(database_url)
    async with admin.begin() as connection:
        await connection.execute(sql(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    engine = make_engine(database_url, schema=schema)
    await upgrade(engine)
    joiner = "&" if "?" in database_url else "?"
    return f"{database_url}{joiner}schema={schema}", engine, schema


async def drop_schema(database_url: str, schema: str) -> None:
    admin = make_engine(database_url)
    async with admin.begin() as connection:
        await connection.execute(sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await admin.dispose()


async def mark_feeds_due(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Compress time: every feed is due again (its 30-minute interval has "passed")."""
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        await session.exec(
            update(Feed)
            .where(
                or_(
                    col(Feed.next_check_at).is_(None),
                    col(Feed.next_check_at) > now,
                )
            )
            .values(next_check_at=now)
        )
        await session.commit()


async def counts(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessionmaker() as session:
        connection = await session.connection()
        articles = (await connection.execute(select(func.count()).select_from(Article))).one()[0]
        digests = (await connection.execute(select(func.count()).select_from(Digest))).one()[0]
        statuses: dict[str, int] = {
            str(status): int(n)
            for status, n in (
                await connection.execute(
                    select(col(Delivery.status), func.count()).group_by(col(Delivery.status))
                )
            ).all()
        }
    result = {"articles": int(articles), "digests": int(digests)}
    result["parts"] = sum(statuses.values())
    result["sent"] = int(statuses.get(DeliveryStatus.SENT, 0))
    result["unsent"] = result["parts"] - result["sent"]
    return result


# --- the bot process --------------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, float]:
    """VmRSS (MB), threads and open file descriptors of a live process."""
    found: dict[str, float] = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name == "VmRSS":
                found["rss_mb"] = int(value.split()[0]) / 1024
            elif name == "Threads":
                found["threads"] = int(value)
    found["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return found


async def start_bot(
    *, database_url: str, api_url: str, directory: Path, args: argparse.Namespace
) -> tuple[asyncio.subprocess.Process, Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DIGESTBOT_DATABASE_URL": database_url,
            "DIGESTBOT_ALLOW_PRIVATE_URLS": "true",  # the feed server is on loopback
            "DIGESTBOT_INGEST_INTERVAL": str(args.ingest_interval),
            "DIGESTBOT_DIGEST_INTERVAL": str(args.digest_interval),
            "DIGESTBOT_COMMANDS_PER_MINUTE": "1000",
            "DIGESTBOT_LOG_LEVEL": "INFO",
            "PTB_TIMEDELTA": "1",
            "PYTHONPATH": str(ROOT),
        }
    )
    log = directory / "bot.log"
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:  # the child keeps its own descriptor
        process = await start_run(
            "all",
            api_url,
            env=env,
            cwd=directory,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=out,
        )
    finally:
        os.close(out)
    return process, log


def read_log(log: Path) -> str:
    return log.read_text(errors="replace")


# --- people who write to the bot ------------------------------------------------------------


@dataclass
class People:
    sent: int = 0
    answered: int = 0
    unanswered: list[str] = field(default_factory=list)


async def person(
    emulator: Emulator, user_id: int, rng: random.Random, stop: asyncio.Event, people: People
) -> None:
    """One person: every 10-30 s a command, and an answer awaited (60 s at most)."""
    commands = [
        "/help",
        "/list",
        "/topics",
        "/subscribe {topic}",
        "/digest",
        "/latest",
        "/search {topic}",
        "/more",
        "/schedule cron */2 * * * *",
        "/max 20",
        "/timezone Europe/Paris",
    ]
    script = ["/start", f"/subscribe {rng.choice(TOPICS)}"]
    while not stop.is_set():
        command = script.pop(0) if script else rng.choice(commands)
        command = command.format(topic=rng.choice(TOPICS))
        before = emulator.chats[user_id].bot_count if user_id in emulator.chats else 0
        emulator.user(user_id).send(command)
        people.sent += 1
        try:
            await emulator.wait_for_messages(user_id, before + 1, timeout=60)
            people.answered += 1
        except (TimeoutError, AssertionError):
            people.unanswered.append(f"{user_id}: {command}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=rng.uniform(10, 30))


# --- the checks -------------------------------------------------------------------------------


@dataclass
class Verdict:
    figures: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    lost: int = 0
    duplicates: int = 0

    def lose(self, count: int, what: str, examples: list[str]) -> None:
        if count:
            self.lost += count
            self.problems.append(f"lost {count} {what}: {'; '.join(examples[:3])}")

    def repeat(self, count: int, what: str, examples: list[str]) -> None:
        if count:
            self.duplicates += count
            self.problems.append(f"{count} duplicate {what}: {'; '.join(examples[:3])}")


async def check(
    sessionmaker: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    feed_ids: dict[int, int],
    subscribers: list[Subscriber],
    emulator: Emulator,
    people: People,
) -> Verdict:
    verdict = Verdict()
    async with sessionmaker() as session:
        connection = await session.connection()

        async def rows(*columns: Any) -> Sequence[Row[Any]]:
            return (await connection.execute(select(*columns))).all()

        articles = await rows(
            col(Article.id),
            col(Article.feed_id),
            col(Article.guid),
            col(Article.story_id),
            col(Article.title),
        )
        parts = await rows(
            col(Delivery.telegram_chat_id),
            col(Delivery.status),
            col(Delivery.telegram_message_id),
            col(Delivery.text),
            col(Delivery.parse_mode),
        )
        sent_stories = await rows(col(SentStory.chat_id), col(SentStory.story_id))
        # (chat, article, shown) for every article a digest showed or held back for /more
        items = [
            (chat_id, article_id, shown)
            for chat_id, shown_ids, more_ids in (
                await connection.execute(
                    select(col(Digest.chat_id), col(Digest.article_ids), col(Digest.more_ids))
                )
            ).all()
            for ids, shown in ((shown_ids, True), (more_ids, False))
            for article_id in parse_ids(ids)
        ]
        digests = (await connection.execute(select(func.count()).select_from(Digest))).one()[0]
        feed_subs = (
            await connection.execute(
                select(col(Subscription.chat_id), col(Subscription.feed_id)).where(
                    col(Subscription.kind) == SubscriptionKind.FEED
                )
            )
        ).all()
        chat_ids = dict(await rows(col(Chat.id), col(Chat.telegram_id)))

    # 1. every published item is an article
    stored = {(feed_id, guid) for _id, feed_id, guid, _story, _title in articles}
    missing = [
        f"{item.guid} ({item.title})"
        for sim in publisher.feeds
        for item in sim.items
        if (feed_ids[sim.index], item.guid) not in stored
    ]
    verdict.lose(len(missing), "published items (not stored)", missing)
    verdict.figures.update(items=publisher.items, articles=len(articles), digests=int(digests))

    # 2. every part sent, and received exactly once with its text
    subscriber_ids = {s.telegram_id for s in subscribers}
    unsent = [f"chat {c} status {s}" for c, s, *_ in parts if s != DeliveryStatus.SENT]
    verdict.lose(len(unsent), "outbox parts (not sent)", unsent)
    received: dict[int, dict[int, str]] = {}
    for chat_id, chat in emulator.chats.items():
        received[chat_id] = {m.message_id: m.text for m in chat.bot_messages()}
    matched: dict[int, set[int]] = {}
    absent: list[str] = []
    for chat_id, status, message_id, text, parse_mode in parts:
        if status != DeliveryStatus.SENT:
            continue
        got = received.get(chat_id, {}).get(message_id) if message_id is not None else None
        expected = parse_html(text)[0] if parse_mode == "HTML" else text
        if message_id is None or got != expected:
            absent.append(f"chat {chat_id} message {message_id}")
        else:
            matched.setdefault(chat_id, set()).add(message_id)
    verdict.lose(len(absent), "sent parts (not received as sent)", absent)
    extra = [
        f"chat {chat_id} message {message_id}"
        for chat_id in subscriber_ids
        for message_id in received.get(chat_id, {})
        if message_id not in matched.get(chat_id, set())
    ]
    verdict.repeat(len(extra), "messages (not in the outbox)", extra)
    same_text = [
        f"chat {chat_id}: {text[:60]!r}"
        for chat_id in subscriber_ids
        for text, n in Counter(received.get(chat_id, {}).values()).items()
        for _ in range(n - 1)
    ]
    verdict.repeat(len(same_text), "message texts in one chat", same_text)
    verdict.figures.update(parts=len(parts), sent=sum(len(m) for m in matched.values()))

    # 3. every article of a followed feed reached the subscriber; no story shown twice
    by_feed: dict[int, list[tuple[int, int | None, str]]] = {}
    for article_id, feed_id, _guid, story_id, title in articles:
        if feed_id is not None and article_id is not None:
            by_feed.setdefault(feed_id, []).append((article_id, story_id, title))
    built = {(chat_id, story_id) for chat_id, story_id in sent_stories}
    held = {(chat_id, article_id) for chat_id, article_id, shown in items if not shown}
    shown_twice = [
        f"chat {chat_ids.get(chat_id)} article {article_id}"
        for (chat_id, article_id), n in Counter(
            (chat_id, article_id) for chat_id, article_id, shown in items if shown
        ).items()
        if n > 1 and chat_ids.get(chat_id) in subscriber_ids
    ]
    verdict.repeat(len(shown_twice), "stories shown again", shown_twice)
    seen_text = {chat_id: "\n".join(texts.values()) for chat_id, texts in received.items()}
    unbuilt: list[str] = []
    undelivered: list[str] = []
    pairs = held_back = 0
    for chat_id, feed_id in feed_subs:
        telegram_id = chat_ids.get(chat_id)
        if telegram_id not in subscriber_ids or feed_id is None:
            continue
        for article_id, story_id, title in by_feed.get(feed_id, []):
            pairs += 1
            if (chat_id, story_id) not in built:
                if (chat_id, article_id) in held:
                    held_back += 1  # "+N more": by design, but MAX_ITEMS should prevent it
                else:
                    unbuilt.append(f"chat {telegram_id} article {article_id} ({title})")
            elif title not in seen_text.get(telegram_id, ""):
                undelivered.append(f"chat {telegram_id} article {article_id} ({title})")
    verdict.lose(len(unbuilt), "followed-feed articles (in no digest)", unbuilt)
    verdict.lose(len(undelivered), "followed-feed articles (digest not received)", undelivered)
    verdict.figures.update(feed_pairs=pairs, held_back=held_back)

    # 4. every command answered
    verdict.lose(len(people.unanswered), "commands (no answer)", people.unanswered)
    return verdict


async def drained(
    sessionmaker: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    subscribers: list[Subscriber],
) -> bool:
    """Every item stored, every subscriber's schedule past the newest article, outbox empty."""
    async with sessionmaker() as session:
        connection = await session.connection()
        stored = (await connection.execute(select(func.count()).select_from(Article))).one()[0]
        if stored < publisher.items:
            return False
        newest = (
            await connection.execute(
                select(col(Article.stored_at), col(Article.id))
                .order_by(col(Article.stored_at).desc(), col(Article.id).desc())
                .limit(1)
            )
        ).first()
        marks = (
            await connection.execute(
                select(col(Schedule.watermark_stored_at), col(Schedule.watermark_article_id)).where(
                    col(Schedule.chat_id).in_([s.chat_id for s in subscribers])
                )
            )
        ).all()
        waiting = (
            await connection.execute(
                select(func.count())
                .select_from(Delivery)
                .where(col(Delivery.status).in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]))
            )
        ).one()[0]
    if newest is None or waiting:
        return False
    return all(at is not None and (at, i) >= tuple(newest) for at, i in marks)


# --- the run ----------------------------------------------------------------------------------


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (minutes, MB)."""
    if len(points) < 2:
        return 0.0
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else 0.0


async def soak(args: argparse.Namespace, directory: Path) -> int:
    rng = random.Random(args.seed)
    publisher = Publisher(feeds=args.feeds, teaser_feeds=args.teaser_feeds, rng=rng)
    runner = web.AppRunner(feed_app(publisher), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    publisher.base_url = f"http://127.0.0.1:{port}"
    start_time = datetime.now(UTC) - timedelta(minutes=FIRST_ITEMS)
    for n in range(FIRST_ITEMS * args.feeds):
        publisher.publish(start_time + timedelta(seconds=n))

    database_url, engine, schema = await make_database(args.database_url, directory)
    sessionmaker = make_sessionmaker(engine)
    emulator = Emulator(token=TOKEN, limits=ApiLimits())
    process: asyncio.subprocess.Process | None = None
    try:
        began = time.monotonic()
        feed_ids, subscribers = await seed(sessionmaker, publisher, chats=args.chats, rng=rng)
        for s in subscribers:
            emulator.private_chat(s.telegram_id)
        print(
            f"setup: {args.feeds} feeds ({args.teaser_feeds} teasers), {len(subscribers)} chats, "
            f"{sum(len(s.feed_ids) for s in subscribers)} feed and "
            f"{sum(len(s.topics) for s in subscribers)} topic subscriptions, "
            f"{publisher.items} items; {time.monotonic() - began:.1f} s; "
            f"database {'PostgreSQL' if schema else 'SQLite'}; load {_load()}",
            flush=True,
        )
        async with emulator.serve() as api_url:
            process, log = await start_bot(
                database_url=database_url, api_url=api_url, directory=directory, args=args
            )
            return await _watch(
                args,
                process=process,
                log=log,
                publisher=publisher,
                sessionmaker=sessionmaker,
                emulator=emulator,
                feed_ids=feed_ids,
                subscribers=subscribers,
                rng=rng,
            )
    finally:
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
        await runner.cleanup()
        await engine.dispose()
        if schema and args.database_url and not args.keep:
            await drop_schema(args.database_url, schema)


async def _watch(
    args: argparse.Namespace,
    *,
    process: asyncio.subprocess.Process,
    log: Path,
    publisher: Publisher,
    sessionmaker: async_sessionmaker[AsyncSession],
    emulator: Emulator,
    feed_ids: dict[int, int],
    subscribers: list[Subscriber],
    rng: random.Random,
) -> int:
    started = time.monotonic()
    growing = asyncio.Event()
    growing.set()
    stop_people = asyncio.Event()
    people = People()
    samples: list[tuple[float, dict[str, float]]] = []

    def elapsed() -> float:
        return time.monotonic() - started

    async def grow() -> None:
        every = 60.0 / args.items_per_minute
        while growing.is_set():
            await asyncio.sleep(rng.expovariate(1 / every))
            if growing.is_set():
                publisher.publish(datetime.now(UTC))

    async def poke() -> None:
        while True:
            await asyncio.sleep(args.poll_seconds)
            await mark_feeds_due(sessionmaker)

    async def sample() -> None:
        while process.returncode is None:
            try:
                status = proc_status(process.pid)
            except FileNotFoundError:
                return
            figures = await counts(sessionmaker)
            samples.append((elapsed(), status))
            received = sum(c.bot_count for c in emulator.chats.values())
            print(
                f"[{elapsed():5.0f} s] rss={status['rss_mb']:6.1f} MB "
                f"threads={status['threads']:.0f} fds={status['fds']:.0f} "
                f"items={publisher.items} articles={figures['articles']} "
                f"digests={figures['digests']} parts={figures['parts']} sent={figures['sent']} "
                f"unsent={figures['unsent']} received={received}",
                flush=True,
            )
            await asyncio.sleep(args.sample_seconds)

    # wait for the bot to poll for updates before anything else
    while emulator.stats.requests["getUpdates"] == 0:
        if process.returncode is not None or elapsed() > 120:
            print((await asyncio.to_thread(read_log, log))[-3000:], file=sys.stderr)
            print("FAILED: the bot did not start", file=sys.stderr)
            return 1
        await asyncio.sleep(0.2)
    print(f"bot pid {process.pid} polling after {elapsed():.1f} s", flush=True)
    tasks = [asyncio.create_task(t) for t in (grow(), poke(), sample())]
    tasks += [
        asyncio.create_task(person(emulator, PEOPLE_BASE + n, rng, stop_people, people))
        for n in range(args.people)
    ]
    await asyncio.sleep(args.warmup)
    rss_start = proc_status(process.pid)["rss_mb"]
    print(f"rss after {args.warmup:.0f} s warm-up: {rss_start:.1f} MB", flush=True)
    await asyncio.sleep(max(0.0, args.minutes * 60 - elapsed()))

    growing.clear()
    stop_people.set()
    rss_soak_end = proc_status(process.pid)["rss_mb"]
    print(
        f"soak over after {elapsed():.0f} s: rss {rss_soak_end:.1f} MB; "
        f"{publisher.items} items published; draining",
        flush=True,
    )
    drain_started = time.monotonic()
    await asyncio.gather(*tasks[3:])  # people finish their last command (answers may queue)
    while not await drained(sessionmaker, publisher, subscribers):
        if time.monotonic() - drain_started > args.drain_timeout:
            print(f"drain timed out after {args.drain_timeout:.0f} s", flush=True)
            break
        await asyncio.sleep(2)
    else:
        print(f"drained in {time.monotonic() - drain_started:.0f} s", flush=True)
    status = proc_status(process.pid)
    samples.append((elapsed(), status))
    for task in tasks[:3]:
        task.cancel()
    await asyncio.gather(*tasks[:3], return_exceptions=True)
    rss_end = status["rss_mb"]
    process.send_signal(signal.SIGTERM)
    try:
        code = await asyncio.wait_for(process.wait(), timeout=60)
    except TimeoutError:
        code = -1

    verdict = await check(sessionmaker, publisher, feed_ids, subscribers, emulator, people)
    logged = (await asyncio.to_thread(read_log, log)).splitlines()
    errors = [line for line in logged if " ERROR " in line or "Traceback" in line]
    after_warmup = [(t / 60, s["rss_mb"]) for t, s in samples if t >= args.warmup]
    rss_max = max(s["rss_mb"] for _, s in samples)
    per_minute = slope(after_warmup)
    f = verdict.figures
    print(
        f"feeds: {publisher.served} bodies served, {publisher.not_modified} not modified; "
        f"people: {people.sent} commands, {people.answered} answered; "
        f"emulator: {emulator.stats.too_many_requests} flood waits; bot log: {len(logged)} "
        f"lines, {len(errors)} errors; exit code {code}; load {_load()}"
    )
    print(
        f"checked: {f['items']} items -> {f['articles']} articles; {f['parts']} parts -> "
        f"{f['sent']} received; {f['feed_pairs']} (subscriber, followed-feed article) pairs, "
        f"{f['held_back']} held back for /more"
    )
    print(
        f"memory: rss {rss_start:.1f} MB after warm-up, {rss_soak_end:.1f} MB at the soak's end, "
        f"{rss_end:.1f} MB after draining, max {rss_max:.1f} MB; "
        f"slope {per_minute:+.2f} MB/min; threads {status['threads']:.0f}, fds {status['fds']:.0f}"
    )
    for line in errors[:5]:
        print(f"  bot: {line}", file=sys.stderr)
    failures = list(verdict.problems)
    if code != 0:
        failures.append(f"the bot exited with {code} after SIGTERM")
    for problem in failures:
        print(f"FAILED: {problem}", file=sys.stderr, flush=True)
    print(
        f"minutes={args.minutes:g} feeds={args.feeds} chats={len(subscribers)} "
        f"items={f['items']} articles={f['articles']} digests={f['digests']} parts={f['parts']} "
        f"sent={f['sent']} lost={verdict.lost} duplicates={verdict.duplicates} "
        f"rss_start_mb={rss_start:.1f} rss_end_mb={rss_end:.1f} rss_max_mb={rss_max:.1f} "
        f"rss_slope_mb_per_min={per_minute:.2f}",
        flush=True,
    )
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="soak length (default 10)")
    parser.add_argument("--feeds", type=int, default=30, help="loopback feeds (default 30)")
    parser.add_argument("--teaser-feeds", type=int, default=4, help="of them teaser feeds")
    parser.add_argument("--chats", type=int, default=500, help="subscribers (default 500)")
    parser.add_argument("--people", type=int, default=4, help="people sending commands")
    parser.add_argument(
        "--items-per-minute", type=float, default=30.0, help="new feed items (default 30)"
    )
    parser.add_argument("--poll-seconds", type=float, default=10.0, help="feeds due again after")
    parser.add_argument("--ingest-interval", type=float, default=5.0, help="bot's ingest tick")
    parser.add_argument("--digest-interval", type=float, default=5.0, help="bot's digest tick")
    parser.add_argument(
        "--warmup", type=float, default=None, help="seconds before rss_start (default 150)"
    )
    parser.add_argument("--sample-seconds", type=float, default=30.0, help="rss sample period")
    parser.add_argument("--drain-timeout", type=float, default=300.0, help="seconds to drain")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the directory (db, bot log)")
    args = parser.parse_args()
    if args.warmup is None:
        args.warmup = min(150.0, args.minutes * 30)
    if args.minutes * 60 <= args.warmup:
        parser.error("--minutes must be longer than --warmup")
    if args.keep:
        directory = Path(tempfile.mkdtemp(prefix="digestbot-soak-"))
        print(f"keeping {directory}", flush=True)
        sys.exit(asyncio.run(soak(args, directory)))
    with tempfile.TemporaryDirectory(prefix="digestbot-soak-") as tmp:
        code = asyncio.run(soak(args, Path(tmp)))
    sys.exit(code)


if __name__ == "__main__":
    main()
