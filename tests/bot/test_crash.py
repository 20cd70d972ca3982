"""Crash safety: `digestbot run` is SIGKILLed twice in the middle of a large broadcast to the
emulator's HTTP server, restarted each time, and every subscriber still ends with every part
exactly once, in order — a kill may repeat only the part that was on the wire (counted).

On SQLite: the same on PostgreSQL, with several processes taking over a killed one's leases,
is tests/bot/test_scaleout.py (each run here costs half a minute, mostly the lease wait)."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import chats as chat_store
from storage import deliveries as store
from storage.db import make_sessionmaker
from storage.models import Digest
from telegram_emulator import ApiLimits, Emulator
from tests.support.db import database
from tests.support.process import start_run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(180),
    pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"),
]

CHATS = 60
PARTS = 4
RATE = 80  # messages/s, the emulator's limit and ours: the broadcast takes about 3 s
KILL_AT = (0.2, 0.55)  # fractions of the broadcast delivered when a process is killed


async def _fill(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> None:
    async with sessionmaker() as session:
        for telegram_id in range(1, CHATS + 1):
            chat, _ = await chat_store.upsert_chat(session, telegram_id=telegram_id)
            digest = Digest(chat_id=chat.id or 0, created_at=now)
            session.add(digest)
            await session.flush()
            parts = [f"<b>Digest {telegram_id}</b> part {k}" for k in range(1, PARTS + 1)]
            await store.enqueue_parts(session, chat=chat, digest_id=digest.id, parts=parts, now=now)
        await session.commit()


async def _start(url: str, database_url: str, token: str, cwd: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "DIGESTBOT_DATABASE_URL": database_url,
        "DIGESTBOT_RATE_GLOBAL": str(RATE),
        "DIGESTBOT_INGEST_INTERVAL": "3600",
        "DIGESTBOT_DIGEST_INTERVAL": "3600",
        "DIGESTBOT_LOG_LEVEL": "WARNING",
        "PTB_TIMEDELTA": "1",
    }
    return await start_run("worker", url, env=env, cwd=cwd, stderr=asyncio.subprocess.PIPE)


async def test_sigkill_mid_broadcast_loses_nothing_and_repeats_at_most_one_part_per_kill(
    tmp_path: Path,
) -> None:
    backend = "sqlite"
    emulator = Emulator(limits=ApiLimits(global_per_second=RATE))
    for telegram_id in range(1, CHATS + 1):
        emulator.private_chat(telegram_id)
    total = CHATS * PARTS

    def delivered() -> int:
        return int(emulator.stats.sent_per_chat.total())

    async with database(backend, tmp_path) as (url, engine, schema):
        database_url = f"{url}?schema={schema}" if schema else url
        sessionmaker = make_sessionmaker(engine)
        await _fill(sessionmaker, datetime.now(UTC))
        async with emulator.serve("127.0.0.1", 0) as api:
            kills = 0
            for fraction in KILL_AT:
                process = await _start(api, database_url, emulator.token, tmp_path)
                await emulator.wait_for(lambda f=fraction: delivered() >= f * total, 60)
                process.send_signal(signal.SIGKILL)
                await process.wait()
                kills += 1
            process = await _start(api, database_url, emulator.token, tmp_path)
            try:
                # the dead processes' leases expire, the last one takes their parts over
                await emulator.wait_for(
                    lambda: all(
                        len(emulator.chat(c).messages) >= PARTS for c in range(1, CHATS + 1)
                    ),
                    90,
                )
                async with sessionmaker() as session:
                    for _ in range(100):
                        counts = await store.delivery_counts(session)
                        if counts["sent"] == total:
                            break
                        await asyncio.sleep(0.1)
            finally:
                process.send_signal(signal.SIGTERM)  # a clean stop: releases what it holds
                _, stderr = await asyncio.wait_for(process.communicate(), 30)
            assert process.returncode == 0, stderr.decode()[-2000:]

    repeats = 0
    for telegram_id in range(1, CHATS + 1):
        texts = emulator.chat(telegram_id).texts
        expected = [f"Digest {telegram_id} part {k}" for k in range(1, PARTS + 1)]
        collapsed = [t for i, t in enumerate(texts) if i == 0 or texts[i - 1] != t]
        assert collapsed == expected, (telegram_id, texts)  # all there, in order
        assert len(texts) - len(expected) <= kills, (telegram_id, texts)
        repeats += len(texts) - len(expected)
    print(f"\ncrash test ({backend}): {kills} kills, {total} parts, {repeats} repeated")
    assert counts == {**counts, "sent": total, "pending": 0, "failed": 0, "parked": 0}
    # per subscriber at most one repeat per kill (above); in all, only the parts on the wire
    # at the instant of a kill — a couple at this rate — never a digest
    assert repeats <= kills * 3
