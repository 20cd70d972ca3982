"""Two delivery workers (as two processes would) share one send budget through Redis: together
they stay at the configured overall rate, each sends part of the broadcast, nothing doubles.
Real time, about three seconds per backend; skipped without Redis."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot

from bot.delivery import DeliveryWorker
from bot.limits import RedisLimiter, SendLimits
from bot.settings import Settings
from storage import chats as chat_store
from storage import deliveries as store
from telegram_emulator import ApiLimits, Emulator
from telegram_emulator.request import EmulatorRequest
from tests.support.db import redis_or_skip

REDIS_URL = "redis://127.0.0.1:6379/0"
RATE = 20
CHATS = 60


class CountingRequest(EmulatorRequest):
    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        self.sends = 0

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        if url.endswith("/sendMessage"):
            self.sends += 1
        return await super().do_request(url, method, *args, **kwargs)


async def test_two_workers_share_one_budget_through_redis(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await redis_or_skip(REDIS_URL)
    emulator = Emulator(limits=ApiLimits(global_per_second=RATE * 3))
    async with sessionmaker() as session:
        for telegram_id in range(1, CHATS + 1):
            emulator.private_chat(telegram_id)
            chat, _ = await chat_store.upsert_chat(session, telegram_id=telegram_id)
            await store.enqueue_parts(
                session,
                chat=chat,
                digest_id=None,
                parts=[f"hi {telegram_id}"],
                now=datetime.now(UTC),
            )
        await session.commit()
    settings = Settings(_env_file=None, rate_global=RATE)  # type: ignore[call-arg]
    prefix = f"test:{uuid.uuid4().hex}"
    workers, requests = [], []
    for owner in ("w1", "w2"):
        request = CountingRequest(emulator)
        bot = Bot(emulator.token, request=request)
        await bot.initialize()
        limiter = RedisLimiter(SendLimits.from_settings(settings), url=REDIS_URL, prefix=prefix)
        workers.append(
            DeliveryWorker(
                bot=bot, sessionmaker=sessionmaker, settings=settings, owner=owner, limiter=limiter
            )
        )
        requests.append(request)
    stop = asyncio.Event()
    loops = [asyncio.create_task(w.run_forever(stop)) for w in workers]
    try:
        await emulator.wait_for(lambda: emulator.stats.sent_per_chat.total() >= CHATS, 30)
    finally:
        stop.set()
        await asyncio.gather(*loops)
        for worker in workers:
            await worker.close()
            await worker.limiter.close()
    times = sorted(t for ts in emulator.stats.send_times.values() for t in ts)
    assert len(times) == CHATS
    assert all(emulator.chat(c).texts == [f"hi {c}"] for c in range(1, CHATS + 1))
    assert all(r.sends >= 10 for r in requests), [r.sends for r in requests]  # both worked
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert rate <= RATE * 1.05, rate  # not 2 × RATE: one budget for both
    assert emulator.stats.too_many_requests == 0
