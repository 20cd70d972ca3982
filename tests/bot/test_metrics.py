"""/metrics and /healthz as an operator sees them."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.metrics import PARTS_SENT, TICKS, HealthServer
from storage import chats
from storage.models import Delivery
from storage.types import utcnow


async def test_metrics_report_the_outbox_and_counters(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        chat, _ = await chats.upsert_chat(session, telegram_id=5)
        old = utcnow() - timedelta(minutes=10)
        for n in range(3):
            session.add(
                Delivery(chat_id=chat.id or 0, telegram_chat_id=5, text=f"p{n}", created_at=old)
            )
        await session.commit()
    PARTS_SENT.inc()
    server = HealthServer(sessionmaker)
    port = await server.start("127.0.0.1", 0)
    try:
        async with httpx.AsyncClient() as client:
            body = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    finally:
        await server.stop()
    assert "digestbot_outbox_depth 3.0" in body
    age = next(line for line in body.splitlines() if line.startswith("digestbot_outbox_oldest"))
    assert 590 < float(age.split()[1]) < 700
    assert "digestbot_parts_sent_total" in body


async def test_healthz_is_unhealthy_when_a_tick_stalls_or_telegram_is_down(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    telegram_up = True

    async def telegram() -> bool:
        return telegram_up

    server = HealthServer(sessionmaker, telegram_check=telegram, tick_intervals={"deliver": 1.0})
    port = await server.start("127.0.0.1", 0)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        async with httpx.AsyncClient() as client:
            fresh = await client.get(url)
            assert fresh.status_code == 200, fresh.text
            assert fresh.json()["database"] is True
            TICKS.last_run["deliver"] = time.time() - 3600  # the tick stopped an hour ago
            stalled = await client.get(url)
            assert stalled.status_code == 503
            assert stalled.json()["ticks"]["deliver"]["ok"] is False
            TICKS.last_run["deliver"] = time.time()
            telegram_up = False
            server._telegram_ok = (0.0, True)  # force a fresh check
            down = await client.get(url)
            assert down.status_code == 503 and down.json()["telegram"] is False
    finally:
        TICKS.last_run.pop("deliver", None)
        await server.stop()
