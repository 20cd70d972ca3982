"""Scale-out on PostgreSQL: three `digestbot run --role worker` processes and one `--role poller`
share one database and one Redis send budget while 150 chats' digests (300 parts, several
seconds at the shared rate) fall due over the first seconds of the run; one worker is SIGKILLed
in the middle of it.

What an operator needs from that: every due chat gets exactly one digest and every part of it,
in order (a kill may repeat only a part Telegram had already received, counted); all processes
together keep to the configured send rate; the workers really share the building; the poller
alone answers commands throughout. Real time, 25 to 40 s; skipped without PostgreSQL (unless
DIGESTBOT_REQUIRE_POSTGRES=1) or Redis."""

from __future__ import annotations

import asyncio
import gc
import os
import re
import signal
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import deliveries as delivery_store
from storage.db import make_sessionmaker
from storage.models import Delivery, DeliveryStatus, Digest, Schedule
from telegram_emulator import ApiLimits, Emulator
from telegram_emulator.html import parse_html
from tests.support.db import database, redis_or_skip
from tests.support.digests import make_article, make_chat
from tests.support.process import start_run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.timeout(150),
    pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"),
]

REDIS_URL = "redis://127.0.0.1:6379/9"
RATE_PREFIX = "digestbot:rate"  # what `make_limiter` uses: the processes share these keys
RATE = 40  # messages/s overall, for all processes together
WORKERS = 3
CHATS = 150
FIRST_CHAT = 1_000_001
TOPICS = [
    "solar power",
    "volcano",
    "election",
    "football",
    "vaccine",
    "bitcoin",
    "wildfire",
    "satellite",
]
PER_TOPIC = 12
MAX_ITEMS = (3, 12, 24)  # a digest of one, two or three parts
#: Schedules fall due in this many waves, this far apart, once the processes are up: digests
#: are still being built when the worker is killed. (Not in step with the digest tick, or
#: the worker whose tick comes first after a wave could take every wave.)
WAVES, WAVE_GAP = 6, 0.9
DIGEST_INTERVAL = 0.5  # seconds between a worker's digest ticks
DIGEST_BATCH = 8  # schedules per claim: a wave (25) takes several claims, by several workers
DIGEST_LEASE = 3.0  # seconds before a dead worker's claimed schedules are taken over
PARTS_ESTIMATE = 2.0  # parts per digest, about: only to time the kill
KILL_BETWEEN = (0.25, 0.40)  # fractions of the parts delivered: the kill comes in between
COMMANDS = ("/start", "/subscribe volcano", "/list")
USERS_PER_ROUND = 6
#: Over RATE in any one second, as the emulator counts: the shared limiter hands out send turns
#: 1/(0.99 RATE) apart and gives up a turn missed by more than one interval for a new one
#: (bot/limits/sending.py, LATE_TURN), so at most RATE + 1 sends start in any second; the emulator
#: counts arrivals, and on a busy machine requests from different processes take up to some
#: tens of milliseconds more or less to arrive: two more. (RATE + 1 is what is usually seen;
#: sends that woke late for their turns all at once, before LATE_TURN, made 44 to 68.)
ALLOWANCE = 3
#: The poller answers commands through its own limiter, outside the workers' shared budget:
#: the emulator allows the bot that many more per second, so that only an overshoot of the
#: outbox itself could cost a flood wait.
REPLY_SLACK = 2 * USERS_PER_ROUND * len(COMMANDS)
STARTUP = 60.0  # seconds four processes may take to start on a loaded machine
FINISH = 60.0  # seconds from the kill until everything is delivered (the leases are 10 s)

_BUILT = re.compile(r'digests built=(\d+) claimed=(\d+) (?:\S+ )*?owner=([^\s"]+)')


@dataclass
class Proc:
    name: str
    role: str
    log: Path
    process: asyncio.subprocess.Process
    stream: IO[bytes]
    killed: bool = False

    @property
    def owner(self) -> str:
        return f"{socket.gethostname()}:{self.process.pid}"  # bot.app.default_owner

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def tail(self, lines: int = 30, chars: int = 6000) -> str:
        return "\n".join(self.text().splitlines()[-lines:])[-chars:]


@dataclass
class Kill:
    """What the killed worker held when it died."""

    victim: Proc
    delivered: int  # digest parts delivered by then
    schedules: list[int] = field(default_factory=list)  # schedule ids it had claimed
    parts: list[int] = field(default_factory=list)  # outbox parts it had leased
    on_wire: int = 0  # of those, parts Telegram had received but it had not recorded


async def _fill(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> dict[int, int]:
    """Chats following two topics each, articles on every topic stored an hour ago; the
    schedules are daily, twelve hours away (`_make_due` brings them forward). Returns chat id
    by Telegram id."""
    later = (now + timedelta(hours=12)).strftime("%H:%M")
    chats: dict[int, int] = {}
    async with sessionmaker() as session:
        for n, topic in enumerate(TOPICS):
            for k in range(PER_TOPIC):
                await make_article(
                    session,
                    title=f"{topic.capitalize()}: report {k + 1} of the day",
                    summary=(
                        f"Report {k + 1} on {topic}: what happened, who said what about "
                        f"{topic} and why it matters for the weeks ahead. " * 3
                    ),
                    stored_at=now - timedelta(hours=1, minutes=n * PER_TOPIC + k),
                )
        for i in range(CHATS):
            chat = await make_chat(
                session,
                telegram_id=FIRST_CHAT + i,
                topics=[TOPICS[i % len(TOPICS)], TOPICS[(3 * i + 1) % len(TOPICS)]],
                schedule=f"daily {later}",
                now=now,
                max_items=MAX_ITEMS[i % len(MAX_ITEMS)],
            )
            assert chat.id is not None
            chats[FIRST_CHAT + i] = chat.id
        await session.commit()
    return chats


async def _make_due(
    sessionmaker: async_sessionmaker[AsyncSession], chat_ids: list[int]
) -> list[float]:
    """Bring the schedules forward: due now and in the next seconds, in waves; returns when
    each wave is due (`time.monotonic()`)."""
    start = datetime.now(UTC)
    waves = [time.monotonic() + wave * WAVE_GAP for wave in range(WAVES)]
    async with sessionmaker() as session:
        for wave in range(WAVES):
            ids = chat_ids[wave::WAVES]
            await session.exec(
                update(Schedule)
                .where(col(Schedule.chat_id).in_(ids))
                .values(next_due_at=start + timedelta(seconds=wave * WAVE_GAP))
            )
        await session.commit()
    return waves


async def _start(
    role: str, name: str, *, api: str, database_url: str, token: str, cwd: Path
) -> Proc:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": token,
            "DIGESTBOT_DATABASE_URL": database_url,
            "DIGESTBOT_REDIS_URL": REDIS_URL,
            "DIGESTBOT_RATE_GLOBAL": str(RATE),
            "DIGESTBOT_INGEST_INTERVAL": "3600",
            "DIGESTBOT_DIGEST_INTERVAL": str(DIGEST_INTERVAL),
            "DIGESTBOT_DIGEST_BATCH": str(DIGEST_BATCH),
            "DIGESTBOT_DIGEST_LEASE": str(DIGEST_LEASE),
            "DIGESTBOT_LOG_LEVEL": "INFO",  # "digests built=… owner=…" says who built what
            "PTB_TIMEDELTA": "1",
        }
    )
    log = cwd / f"{name}.log"
    stream = log.open("wb")  # a file, not a pipe: nobody has to drain it while it runs
    # The emulator stands in for Telegram's servers, which do not share our CPU: on a busy
    # machine it goes first, so the times it records are when requests arrived. (The bot is
    # the more starved for it, which it must cope with.)
    process = await start_run(role, api, env=env, cwd=cwd, stderr=stream, nice=5)
    return Proc(name, role, log, process, stream)


async def _until(
    condition: Callable[[], Awaitable[bool]],
    timeout: float,  # noqa: ASYNC109
    what: str,
    every: float = 0.1,
) -> None:
    """Wait (real time) until `await condition()` is true."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout:.0f} s: {what}")
        await asyncio.sleep(every)


async def _stop(procs: list[Proc]) -> None:
    """SIGTERM whatever still runs (a clean stop releases its leases), SIGKILL if it hangs."""
    for proc in procs:
        if proc.process.returncode is None:
            proc.process.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            await asyncio.wait_for(proc.process.wait(), 30)
        except TimeoutError:
            proc.process.kill()
            await proc.process.wait()
        proc.stream.close()


async def _leases(
    sessionmaker: async_sessionmaker[AsyncSession], model: type[Schedule] | type[Delivery]
) -> Counter[str]:
    """Rows each owner holds a live lease on."""
    async with sessionmaker() as session:
        result = await session.exec(
            select(model.lease_owner, func.count())
            .where(
                col(model.lease_owner).is_not(None),
                col(model.lease_until) > datetime.now(UTC),
            )
            .group_by(col(model.lease_owner))
        )
        return Counter({str(owner): int(n) for owner, n in result.all()})


async def _kill_one(
    workers: list[Proc],
    sessionmaker: async_sessionmaker[AsyncSession],
    emulator: Emulator,
    delivered: Callable[[], int],
    waves: list[float],
) -> Kill:
    """Within the kill window, SIGKILL a worker that is building digests right then (watched
    for just after each wave falls due), else the one with the most parts leased; then read
    what it held, frozen until its leases expire."""
    estimate = CHATS * PARTS_ESTIMATE
    await emulator.wait_for(lambda: delivered() >= KILL_BETWEEN[0] * estimate, 60)
    victim: Proc | None = None
    while victim is None:
        if delivered() >= KILL_BETWEEN[1] * estimate:
            sending = await _leases(sessionmaker, Delivery)
            victim = max(workers, key=lambda w: sending[w.owner])
            break
        now = time.monotonic()
        due = next((t for t in waves if t > now - 0.5), now + 0.5)
        if due > now:
            await asyncio.sleep(min(due - now, 0.1))
            continue
        building = await _leases(sessionmaker, Schedule)
        candidates = [w for w in workers if building[w.owner]]
        if candidates:
            victim = max(candidates, key=lambda w: building[w.owner])
        else:
            await asyncio.sleep(0.01)
    victim.process.kill()
    await victim.process.wait()
    victim.killed = True
    kill = Kill(victim, delivered())
    # A request written before the kill may still be answered: let it land, well within the
    # 10 s delivery lease, before comparing the outbox with what the chats received.
    await asyncio.sleep(1.0)
    async with sessionmaker() as session:
        schedules = await session.exec(
            select(Schedule.id).where(Schedule.lease_owner == victim.owner)
        )
        kill.schedules = [int(i) for i in schedules.all() if i is not None]
        parts = (
            await session.exec(
                select(Delivery).where(
                    Delivery.lease_owner == victim.owner,
                    Delivery.status == DeliveryStatus.PENDING,
                )
            )
        ).all()
        assert all(p.lease_until and p.lease_until > datetime.now(UTC) for p in parts)
    kill.parts = [int(p.id) for p in parts if p.id is not None]
    for part in parts:
        if parse_html(part.text)[0] in emulator.chat(part.telegram_chat_id).texts:
            kill.on_wire += 1
    return kill


def _max_per_second(times: list[float]) -> int:
    """The most sends in any 1 s window, as Telegram (and the emulator) count them."""
    times = sorted(times)
    best, first = 0, 0
    for last, t in enumerate(times):
        while times[first] <= t - 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


@pytest.fixture
def steady_emulator() -> Iterator[None]:
    """The emulator runs in this (test) process and stamps each request as it reads it. Late
    in a full suite this process holds a large heap, and one full garbage collection pauses it
    for long enough that the workers' requests of a few hundred milliseconds are read and
    stamped as one burst: a peak the workers never sent. Objects made before the test are
    frozen out of collection while it runs."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@pytest.mark.usefixtures("steady_emulator")
async def test_three_workers_and_a_poller_share_the_work_and_survive_a_sigkill(
    tmp_path: Path,
) -> None:
    emulator = Emulator(limits=ApiLimits(global_per_second=RATE + ALLOWANCE + REPLY_SLACK))
    telegram_ids = list(range(FIRST_CHAT, FIRST_CHAT + CHATS))
    for telegram_id in telegram_ids:
        emulator.private_chat(telegram_id)
    rounds = [
        list(range(900_001 + r * USERS_PER_ROUND, 900_001 + (r + 1) * USERS_PER_ROUND))
        for r in range(2)
    ]

    def delivered() -> int:
        return sum(emulator.stats.sent_per_chat[t] for t in telegram_ids)

    def command_round(users: list[int]) -> None:
        for user in users:
            for text in COMMANDS:
                emulator.user(user).send(text)

    procs: list[Proc] = []
    async with database("postgres", tmp_path) as (url, engine, schema):
        await redis_or_skip(REDIS_URL, clear=RATE_PREFIX)
        sessionmaker = make_sessionmaker(engine)
        chat_of = await _fill(sessionmaker, datetime.now(UTC))
        database_url = f"{url}?schema={schema}" if schema else url
        async with emulator.serve("127.0.0.1", 0) as api:
            try:
                options = {"api": api, "database_url": database_url, "token": emulator.token}
                procs.append(await _start("poller", "poller", cwd=tmp_path, **options))
                for n in range(1, WORKERS + 1):
                    procs.append(await _start("worker", f"worker{n}", cwd=tmp_path, **options))
                workers = procs[1:]

                async def all_running() -> bool:
                    for proc in procs:
                        if proc.process.returncode is not None:
                            raise AssertionError(f"{proc.name} exited at start-up")
                    return all("digestbot running" in p.text() for p in procs)

                await _until(all_running, STARTUP, "all four processes running")
                waves = await _make_due(sessionmaker, list(chat_of.values()))
                started = time.monotonic()
                command_round(rounds[0])

                kill = await _kill_one(workers, sessionmaker, emulator, delivered, waves)
                command_round(rounds[1])  # the poller keeps answering after a worker died

                async def done() -> bool:
                    async with sessionmaker() as session:
                        digests = (
                            await session.exec(
                                select(func.count())
                                .select_from(Digest)
                                .where(col(Digest.chat_id).in_(list(chat_of.values())))
                            )
                        ).one()
                        counts = await delivery_store.delivery_counts(session)
                    return digests >= CHATS and counts["pending"] == 0

                await _until(done, FINISH, "every digest built and every part sent", 0.5)
                elapsed = time.monotonic() - started
                await emulator.wait_for(
                    lambda: all(
                        len(emulator.chat(u).texts) >= len(COMMANDS) for r in rounds for u in r
                    ),
                    30,
                )

                async with sessionmaker() as session:
                    per_chat = dict(
                        (
                            await session.exec(
                                select(Digest.chat_id, func.count()).group_by(col(Digest.chat_id))
                            )
                        ).all()
                    )
                    parts = list(
                        (await session.exec(select(Delivery).order_by(col(Delivery.id)))).all()
                    )
                    counts = await delivery_store.delivery_counts(session)
                conflicts = emulator.stats.errors[409]  # before the stop's own last poll
                alive = [p for p in procs if not p.killed]
                await _stop(alive)
                stopped = {p.name: p.process.returncode for p in alive}

                # --- what an operator checks ---------------------------------------------
                # every due chat got exactly one digest
                digests_per_chat = Counter(per_chat.get(c, 0) for c in chat_of.values())
                assert digests_per_chat == {1: CHATS}, digests_per_chat
                # every outbox part was sent, and arrived, in order
                assert counts == {**counts, "sent": len(parts)}, counts
                expected: dict[int, list[str]] = {}
                for part in parts:
                    expected.setdefault(part.telegram_chat_id, []).append(parse_html(part.text)[0])
                repeats = 0
                for telegram_id in telegram_ids:
                    texts = emulator.chat(telegram_id).texts
                    collapsed = [t for i, t in enumerate(texts) if i == 0 or texts[i - 1] != t]
                    assert collapsed == expected[telegram_id], (telegram_id, texts)
                    repeats += len(texts) - len(expected[telegram_id])
                # the dead worker's claims were taken over (they are all sent, above); a part
                # is repeated only if Telegram had it before the worker could record it
                assert kill.schedules or kill.parts, "the killed worker held nothing"
                held = [p for p in parts if p.id in set(kill.parts)]
                assert all(p.status == DeliveryStatus.SENT for p in held)
                assert repeats <= kill.on_wire <= len(kill.parts), (repeats, kill)
                # together at most the configured rate, as Telegram counts it (any 1 s window)
                digest_times = [
                    t for c in telegram_ids for t in emulator.stats.send_times.get(c, [])
                ]
                peak = _max_per_second(digest_times)
                all_times = [t for ts in emulator.stats.send_times.values() for t in ts]
                assert peak <= RATE + ALLOWANCE, peak
                assert emulator.stats.too_many_requests == 0
                # several workers built digests (their own log lines, "digests built=N")
                built: Counter[str] = Counter()
                for worker in workers:
                    for match in _BUILT.finditer(worker.text()):
                        assert match[3] == worker.owner
                        built[worker.name] += int(match[1])
                assert sum(1 for n in built.values() if n) >= 2, built
                assert sum(built.values()) <= CHATS, built
                # only the poller polled, and it answered every command exactly once
                assert conflicts == 0, "two processes polled getUpdates"
                for user in (u for r in rounds for u in r):
                    replies = emulator.chat(user).texts
                    assert len(replies) == len(COMMANDS), (user, replies)
                    assert replies[0].startswith("Hi!"), replies
                    assert "Subscribed" in replies[1] and "volcano" in replies[2], replies
                assert stopped == dict.fromkeys(stopped, 0), stopped  # clean stops
                shape = Counter(Counter(p.digest_id for p in parts if p.digest_id).values())
                print(
                    f"\nscale-out: {CHATS} digests, {len(parts)} parts (digests by parts: "
                    f"{dict(sorted(shape.items()))}) in {elapsed:.1f} s; "
                    f"killed {kill.victim.name} at {kill.delivered} parts delivered holding "
                    f"{len(kill.schedules)} schedules and {len(kill.parts)} parts "
                    f"({kill.on_wire} on the wire); {repeats} repeated; "
                    f"max {peak}/s in any second (all sends {_max_per_second(all_times)}/s, "
                    f"limit {RATE}); built per worker {dict(built)}"
                )
            except BaseException:
                for proc in procs:
                    print(f"\n--- {proc.name} ({proc.role}) stderr, last lines ---\n{proc.tail()}")
                raise
            finally:
                await _stop([p for p in procs if p.process.returncode is None])
                for proc in procs:
                    proc.stream.close()
