"""Delivery throughput under Telegram's limits: digests for many chats go through the real
DeliveryWorker (outbox claims, limiter, python-telegram-bot over HTTP) to the Bot API emulator's
HTTP server, run in a separate process with its flood control on; then we count what arrived.

    .venv/bin/python benchmarks/delivery.py                 # 30/s and paid 1000/s
    .venv/bin/python benchmarks/delivery.py --limits 30 --messages 600
    .venv/bin/python benchmarks/delivery.py --database-url postgresql://postgres@127.0.0.1/test

Prints one line per limit, `limit=…/s sent=… lost=… duplicates=… seconds=… rate=…/s
efficiency=…` (efficiency = achieved rate / limit), then `total: …` with the lower efficiency.
The outbox is filled with bulk inserts of the same rows `enqueue_parts` writes (setup is not
what is measured); `seconds` runs from the worker's start to the last message's arrival.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "123456:BENCH"
PARTS_PER_CHAT = 2


# --- the emulator, in its own process ---------------------------------------------------------


async def _serve_emulator(chats: int) -> None:
    from telegram_emulator import ApiLimits, Emulator

    emulator = Emulator(token=TOKEN, limits=ApiLimits())
    for chat_id in range(1, chats + 1):
        emulator.private_chat(chat_id)
    async with emulator.serve("127.0.0.1", 0) as url:
        print(url, flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.readline)  # "report"
        received = {
            str(chat_id): [m.text for m in chat.bot_messages()]
            for chat_id, chat in emulator.chats.items()
        }
        times = [t for ts in emulator.stats.send_times.values() for t in ts]
        report = {
            "received": received,
            "first": min(times, default=0.0),
            "last": max(times, default=0.0),
            "too_many_requests": emulator.stats.too_many_requests,
            "times": sorted(times),
            "cpu": time.process_time(),
        }
        sys.stdout.write(json.dumps(report) + "\n")
        sys.stdout.flush()


def _start_emulator(chats: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-emulator", str(chats)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http"):
        process.kill()
        raise RuntimeError("the emulator did not start")
    return process, url


def _emulator_report(process: subprocess.Popen[str]) -> dict[str, Any]:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("report\n")
    process.stdin.flush()
    report: dict[str, Any] = json.loads(process.stdout.readline())
    process.wait(timeout=30)
    return report


# --- one run ------------------------------------------------------------------------------------


async def _fill_outbox(sessionmaker: Any, chats: int, now: datetime) -> dict[int, list[str]]:
    from sqlalchemy import insert, select
    from sqlalchemy import text as sql

    from storage.models import Chat, Delivery, Digest

    expected: dict[int, list[str]] = {}
    async with sessionmaker() as session:
        connection = await session.connection()
        await connection.execute(
            insert(Chat),
            [{"telegram_id": n, "type": "private", "created_at": now} for n in range(1, chats + 1)],
        )
        ids = dict((await connection.execute(select(Chat.telegram_id, Chat.id))).all())
        await connection.execute(
            insert(Digest), [{"chat_id": ids[n], "created_at": now} for n in range(1, chats + 1)]
        )
        digests = dict((await connection.execute(select(Digest.chat_id, Digest.id))).all())
        rows = []
        for n in range(1, chats + 1):
            texts = [
                f"<b>Digest for {n}</b>, part {k + 1}/{PARTS_PER_CHAT}: "
                f'<a href="https://example.com/{n}/{k}">top story</a> &amp; more'
                for k in range(PARTS_PER_CHAT)
            ]
            expected[n] = [
                f"Digest for {n}, part {k + 1}/{PARTS_PER_CHAT}: top story & more"
                for k in range(PARTS_PER_CHAT)
            ]
            for k, text in enumerate(texts):
                rows.append(
                    {
                        "digest_id": digests[ids[n]],
                        "part_no": k,
                        "chat_id": ids[n],
                        "telegram_chat_id": n,
                        "text": text,
                        "parse_mode": "HTML",
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
        for start in range(0, len(rows), 5000):
            await connection.execute(insert(Delivery), rows[start : start + 5000])
        await session.commit()
    async with sessionmaker() as session:
        # a bulk load leaves PostgreSQL's planner statistics stale until autovacuum runs;
        # a live outbox grows gradually and is analysed as it goes
        connection = await session.connection()
        await connection.execute(
            sql("ANALYZE delivery" if connection.dialect.name == "postgresql" else "ANALYZE")
        )
        await session.commit()
    return expected


async def run_limit(limit: int, messages: int, database_url: str | None) -> dict[str, Any]:
    from telegram import Bot

    from bot.delivery import DeliveryWorker
    from bot.settings import Settings
    from bot.transport import AiohttpRequest
    from storage import deliveries as store
    from storage.db import make_sessionmaker
    from tests.support.db import database

    chats = max(1, messages // PARTS_PER_CHAT)
    paid = limit > 30
    emulator, url = _start_emulator(chats)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            backend = "postgres" if database_url else "sqlite"
            if database_url:
                os.environ["DIGESTBOT_TEST_POSTGRES_URL"] = database_url
            async with database(backend, Path(tmp)) as (_url, engine, _schema):
                sessionmaker = make_sessionmaker(engine)
                expected = await _fill_outbox(sessionmaker, chats, datetime.now(UTC))
                settings = Settings(
                    _env_file=None,  # type: ignore[call-arg]
                    rate_global=float(limit),
                    paid_broadcast=paid,
                    base_url=f"{url}/bot",
                )
                bot = Bot(TOKEN, base_url=f"{url}/bot", request=AiohttpRequest())
                await bot.initialize()
                worker = DeliveryWorker(
                    bot=bot, sessionmaker=sessionmaker, settings=settings, owner="bench"
                )
                stop = asyncio.Event()
                started = time.time()
                loop = asyncio.create_task(worker.run_forever(stop))
                total = sum(len(v) for v in expected.values())
                while True:
                    await asyncio.sleep(0.25)
                    async with sessionmaker() as session:
                        counts = await store.delivery_counts(session)
                    if counts["pending"] == 0 or time.time() - started > 170:
                        break
                stop.set()
                await loop
                await worker.close()
                await bot.shutdown()
        report = _emulator_report(emulator)
    finally:
        if emulator.poll() is None:
            emulator.kill()
    sent = lost = duplicates = out_of_order = 0
    for chat_id, texts in expected.items():
        got = report["received"].get(str(chat_id), [])
        sent += len(got)
        counts_ = Counter(got)
        lost += sum(1 for t in texts if counts_[t] == 0)
        duplicates += sum(c - 1 for c in counts_.values() if c > 1)
        if sorted(set(got), key=got.index) != [t for t in texts if counts_[t]]:
            out_of_order += 1
    ts = report["times"]
    gaps = sorted(b - a for a, b in itertools.pairwise(ts)) or [0.0]
    print(
        f"  cpu seconds: emulator {report['cpu']:.1f}, worker {time.process_time():.1f}; "
        f"arrival gaps p50 {gaps[len(gaps) // 2] * 1000:.2f} ms, "
        f"p99 {gaps[-max(1, len(gaps) // 100)] * 1000:.2f} ms; first send after "
        f"{report['first'] - started:.2f} s",
        file=sys.stderr,
    )
    seconds = max(report["last"] - started, 1e-9)
    rate = (sent - duplicates) / seconds
    return {
        "limit": limit,
        "sent": sent,
        "expected": total,
        "lost": lost,
        "duplicates": duplicates,
        "seconds": seconds,
        "rate": rate,
        "efficiency": rate / limit,
        "too_many_requests": report["too_many_requests"],
        "out_of_order": out_of_order,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limits", default="30,1000", help="comma-separated limits, msg/s")
    parser.add_argument(
        "--messages",
        default=None,
        help="messages per limit (comma-separated; default ~40 s at 30/s, ~15 s at 1000/s)",
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--serve-emulator", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_emulator is not None:
        asyncio.run(_serve_emulator(args.serve_emulator))
        return
    logging.basicConfig(level=logging.ERROR)  # flood waits and retries are counted, not logged
    limits = [int(x) for x in args.limits.split(",")]
    if args.messages:
        sizes = [int(x) for x in args.messages.split(",")]
        sizes += [sizes[-1]] * (len(limits) - len(sizes))
    else:
        sizes = [1200 if limit <= 30 else 15 * limit for limit in limits]
    results = []
    for limit, size in zip(limits, sizes, strict=False):
        result = asyncio.run(run_limit(limit, size, args.database_url))
        results.append(result)
        print(
            f"limit={limit}/s sent={result['sent']} lost={result['lost']} "
            f"duplicates={result['duplicates']} seconds={result['seconds']:.1f} "
            f"rate={result['rate']:.1f}/s efficiency={result['efficiency']:.3f}",
            flush=True,
        )
        print(
            f"  (429 answers: {result['too_many_requests']}, chats out of order: "
            f"{result['out_of_order']})",
            file=sys.stderr,
            flush=True,
        )
    print(
        f"total: sent={sum(r['sent'] for r in results)} lost={sum(r['lost'] for r in results)} "
        f"duplicates={sum(r['duplicates'] for r in results)} "
        f"efficiency={min(r['efficiency'] for r in results):.3f}"
    )


if __name__ == "__main__":
    main()
