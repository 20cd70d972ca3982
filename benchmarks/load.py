"""Command load: 200 users send commands at once to `digestbot run --role poller` (a separate
process, long polling) through the Bot API emulator's HTTP server, against 10 000 chats and
100 000 stored articles; reports commands per second and the reply latency users see.

    .venv/bin/python benchmarks/load.py                       # 200 users, paid limits, 40 s
    .venv/bin/python benchmarks/load.py --rate-global 30      # Telegram's free 30 msg/s
    .venv/bin/python benchmarks/load.py --database-url postgresql://postgres@127.0.0.1/test

A self-contained script (the setup, the closed-loop users and the report serve this one
measurement), which is why it runs past 500 lines.

Setup (not measured): a temporary SQLite file (or a fresh schema of the given PostgreSQL
database, dropped afterwards), migrated, bulk-filled with chats (1-5 long-tail topic
subscriptions, a daily schedule, a few mutes) and articles with titles, summaries, texts and
keyphrases; the product's own FTS5 triggers / generated tsvector column index them, so
/search searches all 100 000.

Each user is one of those chats, in a closed loop: inject a command (in process, on the
emulator that serves the bot), wait for the bot's reply in the chat (`Emulator.observe`, no
polling), think, repeat. Latency runs from the injection to the reply's arrival at the
emulator. The mix: /search 30 %, /topics 12 %, /latest 10 % (half with a topic), /list 10 %,
/subscribe 10 %, /unsubscribe 10 % (mostly with a topic), /help 10 %, /schedule 8 %; no
/digest or /more (their answers go through the outbox, not back to the command). A /search is
a topic (long tail: the most popular is in ~20 % of the articles) 60 %, one of the 2 000 most
frequent words 30 % (a few are in nearly every article), or a word and a topic 10 %.

Limits, as they are:
- The command throttle (DIGESTBOT_COMMANDS_PER_MINUTE, default 20 per chat) is kept: users
  send at most one command every 1.1 x 60/20 = 3.3 s, so 200 users offer up to ~60
  commands/s and `rate` is that offered load as long as the bot keeps up.
  `--commands-per-minute 60` raises both (~180 commands/s offered: the bot's capacity shows);
  the emulator still allows a private chat only ~1 reply/s.
- Replies are paced by the bot's send limiter (bot/limits/replies.py: the budget deliveries use
  too) at DIGESTBOT_RATE_GLOBAL, and the emulator enforces Telegram's flood limits. With the
  free 30 msg/s, replies are capped at 30/s and the latency is the limiter's queue
  (`--rate-global 30`). By default the bot runs with DIGESTBOT_RATE_GLOBAL=1000 and
  DIGESTBOT_PAID_BROADCAST=1 and the emulator's overall limit is raised to 1000/s, to measure
  the bot rather than the limit. This stands for paid broadcast, which Telegram grants per
  message (`allow_paid_broadcast`); command replies do not ask for it.

Figures go to stderr (per command, the bot's CPU and its own handler times from /metrics, the
machine's load); the last line is `users=… chats=… articles=… commands=… seconds=… rate=…/s
p50_ms=… p99_ms=… max_ms=… errors=…` (errors: no reply within --timeout, or a wrong reply).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import signal
import socket
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from digests.query import normalize_query
from storage.db import make_engine, upgrade
from storage.models import Article, Chat, Mute, Schedule, Story, Subscription
from telegram_emulator import ApiLimits, Emulator, Message
from tests.support.db import schema_url, scratch_schema
from tests.support.process import start_run

TOKEN = "123456:LOAD"
TELEGRAM_IDS = 5_000_000  # chat n has Telegram id TELEGRAM_IDS + n
TOPICS = 2_000
VOCABULARY = 20_000
COMMON_WORDS = 2_000  # /search words come from the most frequent content words
SENTENCES = 40_000
BATCH = 5_000
# the commonest English words, a third of an article's words (FTS5 indexes them too)
STOP_WORDS = (
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "was", "at",
    "by", "from", "it", "be", "has", "are", "have", "an", "its", "this", "said", "after", "more",
    "than", "but", "not", "over", "new", "about", "were", "will", "their", "who", "they", "also",
    "had", "been", "which", "one", "would", "two", "first", "year", "could", "into", "up",
    "when", "last", "other", "some", "there",
)  # fmt: skip
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "su", "de", "ba", "gor", "lin"]
# (weight, command kind); kinds are expanded into text by `Player.command`
MIX = (
    (30, "search"),
    (12, "topics"),
    (5, "latest"),
    (5, "latest_topic"),
    (10, "list"),
    (10, "subscribe"),
    (8, "unsubscribe_topic"),
    (2, "unsubscribe"),
    (10, "help"),
    (8, "schedule"),
)
# what a right answer starts with, per command kind
EXPECTED: dict[str, tuple[str, ...]] = {
    "search": ("Search: ", "Nothing found for "),
    "topics": ("Topics — tap",),
    "latest": ("Latest stories",),
    "latest_topic": ("Latest on ", "No stories on "),
    "list": ("Settings for this chat",),
    "subscribe": ("Subscribed this chat to ", "Already following "),
    "unsubscribe_topic": ("Unsubscribed from ",),
    "unsubscribe": ("Tap a topic to unsubscribe", "Nothing to unsubscribe from"),
    "help": ("What I can do",),
    "schedule": ("Schedule for this chat: ",),
}


# --- data -------------------------------------------------------------------------------------


class Words:
    """A long-tail vocabulary, topics and a pool of sentences to build articles from."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        seen: set[str] = set(STOP_WORDS)
        self.vocabulary: list[str] = []
        while len(self.vocabulary) < VOCABULARY:
            word = self.pseudo_word()
            if word not in seen:
                seen.add(word)
                self.vocabulary.append(word)
        self.topics: list[str] = []
        topic_seen: set[str] = set()
        while len(self.topics) < TOPICS:
            topic = self.pseudo_word()
            if rng.random() > 0.7:
                topic = f"{topic} {self.pseudo_word()}"
            if topic not in topic_seen and topic not in seen:
                topic_seen.add(topic)
                self.topics.append(topic)
        self._vocabulary_weights = _cumulative(VOCABULARY, 1.05)
        self._topic_weights = _cumulative(TOPICS, 1.0)
        self.sentences = [self.sentence() for _ in range(SENTENCES)]

    def pseudo_word(self) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 4)))

    def word(self) -> str:
        """A content word, common ones far more often than rare ones."""
        return self.rng.choices(self.vocabulary, cum_weights=self._vocabulary_weights)[0]

    def topic(self) -> str:
        return self.rng.choices(self.topics, cum_weights=self._topic_weights)[0]

    def searched_word(self) -> str:
        """A word people search for: one of the common content words, any of them alike (a
        few occur in nearly every article, as "said" or "year" would)."""
        return self.rng.choice(self.vocabulary[:COMMON_WORDS])

    def sentence(self) -> str:
        picks = self.rng.choices(self.vocabulary, cum_weights=self._vocabulary_weights, k=14)
        out = [
            self.rng.choice(STOP_WORDS) if self.rng.random() < 0.35 else picks[i]
            for i in range(self.rng.randint(8, 14))
        ]
        return " ".join(out).capitalize() + "."


def _cumulative(n: int, s: float) -> list[float]:
    total, weights = 0.0, []
    for k in range(1, n + 1):
        total += 1 / k**s
        weights.append(total)
    return weights


def article_rows(words: Words, count: int, now: datetime) -> list[dict[str, Any]]:
    """`count` articles over the last 30 days, each in a story of its own or (one in ten) in
    an earlier article's story."""
    rng = words.rng
    span = timedelta(days=30)
    rows: list[dict[str, Any]] = []
    for i in range(count):
        about = list(dict.fromkeys(words.topic() for _ in range(rng.randint(1, 3))))
        head = [words.word() for _ in range(7)]
        title = f"{' '.join(head[:3]).capitalize()} {' and '.join(about)} {' '.join(head[3:])}"
        summary = " ".join(rng.sample(words.sentences, 3))[:320]
        body = rng.sample(words.sentences, rng.randint(10, 16))
        for topic in about:
            body.insert(rng.randrange(len(body)), f"On {topic}, {words.word()} {words.word()}.")
        stored = now - span + span * (i + 1) / count
        story = i + 1 if i < 20 or rng.random() > 0.1 else rows[rng.randrange(i)]["story_id"]
        rows.append(
            {
                "id": i + 1,
                "canonical_url": f"https://outlet{i % 60}.example/{i}/{head[0]}",
                "url": f"https://outlet{i % 60}.example/{i}/{head[0]}?utm_source=feed",
                "guid": f"guid-{i}",
                "title": title,
                "source_name": f"Outlet {i % 60}",
                "published_at": stored - timedelta(minutes=rng.randint(0, 600)),
                "stored_at": stored,
                "summary": summary,
                "text": " ".join(body),
                "language": "en",
                "keyphrases": "; ".join(about),
                "content_hash": f"{i:064x}",
                "story_id": story,
            }
        )
    return rows


@dataclass
class Dataset:
    topics_of: dict[int, list[str]]  # Telegram id -> the topics it follows
    words: Words


async def fill(engine: AsyncEngine, *, chats: int, articles: int, seed: int) -> Dataset:
    """Bulk-insert the rows the product would hold (setup, not measured)."""
    rng = random.Random(seed)
    words = Words(rng)
    now = datetime.now(UTC)
    rows = article_rows(words, articles, now)
    story_rows = [
        {
            "id": row["id"],
            "title": row["title"],
            "first_article_id": row["id"],
            "sources_count": 1,
            "created_at": row["stored_at"],
            "updated_at": row["stored_at"],
        }
        for row in rows
        if row["story_id"] == row["id"]
    ]
    topics_of: dict[int, list[str]] = {}
    chat_rows, subscription_rows, schedule_rows, mute_rows = [], [], [], []
    tomorrow = (now + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    for n in range(1, chats + 1):
        telegram_id = TELEGRAM_IDS + n
        chat_rows.append(
            {
                "id": n,
                "telegram_id": telegram_id,
                "type": "private",
                "title": f"User{telegram_id}",  # what the emulator calls the user
                "language": "en",
                "timezone": rng.choice(["UTC", "Europe/Berlin", "America/New_York"]),
                "state": "active",
                "max_items": 10,
                "created_at": now - timedelta(days=rng.randint(1, 300)),
            }
        )
        chosen: dict[str, str] = {}
        for _ in range(rng.randint(1, 5)):
            topic = words.topic()
            chosen.setdefault(normalize_query(topic), topic)
        topics_of[telegram_id] = list(chosen.values())
        for target, topic in chosen.items():
            subscription_rows.append(
                {"chat_id": n, "kind": "topic", "target": target, "query": topic, "created_at": now}
            )
        schedule_rows.append(
            {
                "chat_id": n,
                "kind": "daily",
                "time": "08:00",
                "timezone": "UTC",
                "next_due_at": tomorrow,
                "watermark_stored_at": now - timedelta(hours=1),
                "watermark_article_id": articles,
            }
        )
        for word in {words.word() for _ in range(rng.choice([0, 0, 0, 1, 2]))}:
            mute_rows.append({"chat_id": n, "word": word})
    await upgrade(engine)
    async with engine.begin() as conn:
        for table, values in (
            (Story, story_rows),
            (Article, rows),
            (Chat, chat_rows),
            (Subscription, subscription_rows),
            (Schedule, schedule_rows),
            (Mute, mute_rows),
        ):
            for start in range(0, len(values), BATCH):
                await conn.execute(insert(table), values[start : start + BATCH])
        if conn.dialect.name == "postgresql":
            # explicit ids leave the sequences behind; a bulk load leaves the planner's
            # statistics stale until autovacuum runs (a live database grows gradually)
            for name in ("story", "article", "chat"):
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    return Dataset(topics_of=topics_of, words=words)


@asynccontextmanager
async def database(database_url: str | None) -> AsyncIterator[tuple[AsyncEngine, str]]:
    """A migrated-on-fill database: `(engine, the URL the bot process is given)`."""
    if database_url is None:
        with tempfile.TemporaryDirectory(prefix="digestbot-load-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'load.db'}"
            engine = make_engine(url)
            try:
                yield engine, url
            finally:
                await engine.dispose()
        return
    async with scratch_schema(database_url, prefix="load") as schema:
        engine = make_engine(database_url, schema=schema)
        try:
            yield engine, schema_url(database_url, schema)
        finally:
            await engine.dispose()


# --- the bot process --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def start_bot(
    api: str, database_url: str, *, rate_global: int, per_minute: int, metrics_port: int, log: Path
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "DIGESTBOT_DATABASE_URL": database_url,
        "DIGESTBOT_RATE_GLOBAL": str(rate_global),
        "DIGESTBOT_PAID_BROADCAST": "1" if rate_global > 30 else "0",
        "DIGESTBOT_COMMANDS_PER_MINUTE": str(per_minute),
        "DIGESTBOT_METRICS_PORT": str(metrics_port),
        "DIGESTBOT_LOG_LEVEL": "WARNING",
        "PTB_TIMEDELTA": "1",
    }
    with log.open("wb") as stderr:
        return await start_run("poller", api, env=env, cwd=log.parent, stderr=stderr)


async def stop_bot(process: asyncio.subprocess.Process) -> int:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)  # a clean stop
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()
    return int(process.returncode or 0)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux), 0 where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_METRIC = re.compile(r'^digestbot_command_latency_seconds_(sum|count)\{command="(\w+)"\} (\S+)$')


async def handler_times(port: int) -> dict[str, tuple[float, float]]:
    """The bot's own `digestbot_command_latency_seconds`: command -> (sum, count)."""
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/metrics") as response,
        ):
            body = await response.text()
    except aiohttp.ClientError:
        return {}
    found: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for line in body.splitlines():
        match = _METRIC.match(line)
        if match:
            found[match[2]][0 if match[1] == "sum" else 1] = float(match[3])
    return {name: (v[0], v[1]) for name, v in found.items()}


# --- users ------------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    sent: float
    latency: float | None  # None: no reply within the timeout
    ok: bool
    answer: str


@dataclass
class Replies:
    """Routes each bot message to the user waiting for it (one command in flight per chat)."""

    waiting: dict[int, asyncio.Future[tuple[float, str]]] = field(default_factory=dict)
    unexpected: int = 0  # bot messages while nobody in the chat waited (extra parts, late)

    def __call__(self, message: Message) -> None:
        if not message.from_bot:
            return
        waiter = self.waiting.pop(message.chat_id, None)
        if waiter is None or waiter.done():
            self.unexpected += 1
            return
        waiter.set_result((time.perf_counter(), message.text))


@dataclass
class Player:
    telegram_id: int
    topics: list[str]
    words: Words
    rng: random.Random

    def command(self) -> tuple[str, str]:
        """(kind, text) of the next command."""
        kind = self.rng.choices([k for _, k in MIX], weights=[w for w, _ in MIX])[0]
        if kind == "search":
            roll = self.rng.random()
            if roll < 0.6:
                return kind, f"/search {self.words.topic()}"
            if roll < 0.9:
                return kind, f"/search {self.words.searched_word()}"
            return kind, f"/search {self.words.searched_word()} {self.words.topic()}"
        if kind == "latest_topic":
            return kind, f"/latest {self.words.topic()}"
        if kind == "subscribe":
            topic = self.words.topic()
            if topic not in self.topics and len(self.topics) < 40:
                self.topics.append(topic)
            return kind, f"/subscribe {topic}"
        if kind == "unsubscribe_topic":
            if not self.topics:
                return "unsubscribe", "/unsubscribe"
            topic = self.topics.pop(self.rng.randrange(len(self.topics)))
            return kind, f"/unsubscribe {topic}"
        if kind == "schedule":
            hour, minute = self.rng.randint(5, 21), self.rng.choice([0, 15, 30, 45])
            return kind, f"/schedule daily {hour:02d}:{minute:02d}"
        return kind, "/" + kind


async def play(
    player: Player,
    emulator: Emulator,
    replies: Replies,
    samples: list[Sample],
    *,
    spacing: float,
    stop_at: float,
    reply_timeout: float,
) -> None:
    """One user's loop until `stop_at` (perf_counter): command, reply, think."""
    loop = asyncio.get_running_loop()
    rng = player.rng
    await asyncio.sleep(rng.uniform(0, spacing))
    while time.perf_counter() < stop_at:
        kind, command = player.command()
        waiter: asyncio.Future[tuple[float, str]] = loop.create_future()
        replies.waiting[player.telegram_id] = waiter
        sent = time.perf_counter()
        emulator.user_message(player.telegram_id, command)
        try:
            arrived, answer = await asyncio.wait_for(waiter, reply_timeout)
        except TimeoutError:
            replies.waiting.pop(player.telegram_id, None)
            samples.append(Sample(kind, sent, None, False, "(no reply)"))
        else:
            ok = answer.startswith(EXPECTED[kind])
            samples.append(Sample(kind, sent, arrived - sent, ok, answer))
        # think 0.5-2 s, and never more than the command throttle allows
        wake = max(sent + spacing, time.perf_counter() + rng.uniform(0.5, 2.0))
        await asyncio.sleep(max(0.0, min(wake, stop_at) - time.perf_counter()))


# --- one run ----------------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(p / 100 * len(sorted_values)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def report(stderr: Callable[[str], None], samples: list[Sample], window: float) -> None:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    stderr("  command              n   rate/s  p50_ms  p99_ms  max_ms  errors")
    for _, kind in MIX:
        group = by_kind.get(kind, [])
        times = sorted(s.latency for s in group if s.latency is not None)
        stderr(
            f"  {kind:<17} {len(group):5} {len(group) / window:8.1f} {ms(percentile(times, 50)):>7}"
            f" {ms(percentile(times, 99)):>7} {ms(times[-1] if times else 0):>7}"
            f" {sum(not s.ok for s in group):7}"
        )
    wrong = Counter(s.answer.split("\n")[0][:70] for s in samples if not s.ok)
    for answer, count in wrong.most_common(5):
        stderr(f"  wrong or missing reply x{count}: {answer!r}")


async def run(args: argparse.Namespace) -> str:
    def stderr(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    load_before = os.getloadavg()
    async with database(args.database_url) as (engine, bot_database_url):
        started = time.perf_counter()
        data = await fill(engine, chats=args.chats, articles=args.articles, seed=args.seed)
        backend = engine.dialect.name
        stderr(
            f"setup ({backend}): {args.chats} chats, {args.articles} articles in "
            f"{time.perf_counter() - started:.1f} s"
        )
        emulator = Emulator(
            token=TOKEN,
            limits=ApiLimits(global_per_second=max(30, args.rate_global)),
        )
        rng = random.Random(args.seed + 1)
        ids = rng.sample(sorted(data.topics_of), args.users)
        players = [
            Player(tid, list(data.topics_of[tid]), data.words, random.Random(tid)) for tid in ids
        ]
        for player in players:
            emulator.private_chat(player.telegram_id)
        replies = Replies()
        emulator.observe(replies)
        spacing = 1.1 * 60 / args.commands_per_minute
        with tempfile.TemporaryDirectory(prefix="digestbot-load-bot-") as tmp:
            log = Path(tmp) / "bot.log"
            metrics_port = free_port()
            async with emulator.serve("127.0.0.1", 0) as api:
                bot = await start_bot(
                    api,
                    bot_database_url,
                    rate_global=args.rate_global,
                    per_minute=args.commands_per_minute,
                    metrics_port=metrics_port,
                    log=log,
                )
                try:
                    try:
                        await emulator.wait_for(
                            lambda: emulator.stats.requests["getUpdates"] > 0, 60
                        )
                    except TimeoutError:
                        await stop_bot(bot)
                        tail = log.read_text(errors="replace")[-3000:]
                        raise SystemExit(
                            f"the bot did not start polling; its log:\n{tail}"
                        ) from None
                    samples: list[Sample] = []
                    begin = time.perf_counter()
                    measure_from = begin + args.warmup
                    stop_at = measure_from + args.seconds
                    users = [
                        asyncio.create_task(
                            play(
                                player,
                                emulator,
                                replies,
                                samples,
                                spacing=spacing,
                                stop_at=stop_at,
                                reply_timeout=args.timeout,
                            )
                        )
                        for player in players
                    ]
                    await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
                    handlers_before = await handler_times(metrics_port)
                    cpu_before, own_before = cpu_seconds(bot.pid), time.process_time()
                    emulator.reset_stats()
                    await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
                    cpu_bot = cpu_seconds(bot.pid) - cpu_before
                    cpu_own = time.process_time() - own_before
                    load_during = os.getloadavg()
                    await asyncio.gather(*users)
                    handlers_after = await handler_times(metrics_port)
                    refused, api_errors = (
                        emulator.stats.too_many_requests,
                        dict(emulator.stats.errors),
                    )
                finally:
                    returncode = await stop_bot(bot)
            bot_log = log.read_text(errors="replace")
    window = args.seconds
    measured = [s for s in samples if measure_from <= s.sent < stop_at]
    times = sorted(s.latency for s in measured if s.latency is not None)
    errors = sum(not s.ok for s in measured)
    report(stderr, measured, window)
    handled = []
    for name, (total, count) in sorted(handlers_after.items()):
        before = handlers_before.get(name, (0.0, 0.0))
        if count > before[1]:
            handled.append(f"{name} {(total - before[0]) / (count - before[1]) * 1000:.0f}")
    stderr("  bot's own handler time, mean ms: " + (", ".join(handled) or "(no metrics)"))
    stderr(
        f"  cpu in the window: bot {cpu_bot / window * 100:.0f}% of a core, this process "
        f"(emulator + users) {cpu_own / window * 100:.0f}%; load average before "
        f"{load_before[0]:.2f}, at the end {load_during[0]:.2f} ({os.cpu_count()} cores)"
    )
    problems = [
        line
        for line in bot_log.splitlines()
        if "level=error" in line or " ERROR " in line or "Traceback" in line
    ]
    stderr(
        f"  emulator: {refused} answers 429, errors {api_errors}; "
        f"bot messages nobody waited for: "
        f"{replies.unexpected}; bot exit {returncode}, {len(problems)} error lines logged"
    )
    for line in problems[:5]:
        stderr(f"  bot: {line[:200]}")
    return (
        f"users={args.users} chats={args.chats} articles={args.articles} "
        f"commands={len(measured)} seconds={window:.1f} rate={len(times) / window:.1f}/s "
        f"p50_ms={ms(percentile(times, 50))} p99_ms={ms(percentile(times, 99))} "
        f"max_ms={ms(times[-1] if times else 0)} errors={errors}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=40.0, help="measured load, seconds")
    parser.add_argument("--warmup", type=float, default=8.0, help="unmeasured load first")
    parser.add_argument("--timeout", type=float, default=15.0, help="a reply later is an error")
    parser.add_argument(
        "--rate-global",
        type=int,
        default=1000,
        help="DIGESTBOT_RATE_GLOBAL and the emulator's overall limit, msg/s (30: Telegram's free)",
    )
    parser.add_argument(
        "--commands-per-minute",
        type=int,
        default=20,
        help="DIGESTBOT_COMMANDS_PER_MINUTE; users stay 10 %% under it",
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.users > args.chats:
        parser.error("--users cannot exceed --chats")
    with contextlib.suppress(KeyboardInterrupt):
        print(asyncio.run(run(args)), flush=True)


if __name__ == "__main__":
    main()
