"""Prometheus metrics and the `/metrics` + `/healthz` endpoints an operator watches.

The metrics are module-level (one registry per process); ticks, the delivery worker and the
command handlers record into them. Outbox depth and age are read from the database on scrape.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import deliveries as delivery_store
from storage.db import ping
from storage.types import utcnow

logger = logging.getLogger(__name__)

ARTICLES_INGESTED = Counter("digestbot_articles_ingested_total", "New articles stored by ingest.")
FEED_ERRORS = Counter("digestbot_feed_errors_total", "Feed refreshes that failed.")
DIGESTS_BUILT = Counter("digestbot_digests_built_total", "Digests built and written to the outbox.")
PARTS_SENT = Counter("digestbot_parts_sent_total", "Message parts Telegram accepted.")
PARTS_FAILED = Counter("digestbot_parts_failed_total", "Message parts given up on.")
PARTS_RETRIED = Counter("digestbot_parts_retried_total", "Message parts scheduled for a retry.")
FLOOD_WAITS = Counter("digestbot_flood_waits_total", "429 Too Many Requests answers received.")
OUTBOX_DEPTH = Gauge("digestbot_outbox_depth", "Message parts waiting to be sent.")
OUTBOX_OLDEST_AGE = Gauge(
    "digestbot_outbox_oldest_age_seconds", "Age of the oldest part waiting to be sent."
)
TICK_DURATION = Histogram("digestbot_tick_duration_seconds", "Duration of one tick.", ["tick"])
TICK_LAST_RUN = Gauge("digestbot_tick_last_run_timestamp", "When a tick last finished.", ["tick"])
COMMAND_LATENCY = Histogram(
    "digestbot_command_latency_seconds",
    "Time from receiving a command to having answered it.",
    ["command"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


@dataclass
class TickClock:
    """Remembers when each tick last finished, for `/healthz`."""

    last_run: dict[str, float] = field(default_factory=dict)

    async def timed(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        started = time.monotonic()
        try:
            await work()
        finally:
            TICK_DURATION.labels(name).observe(time.monotonic() - started)
            self.last_run[name] = time.time()
            TICK_LAST_RUN.labels(name).set(self.last_run[name])


TICKS = TickClock()


@dataclass
class HealthServer:
    """Serves `/metrics` (Prometheus text) and `/healthz` (JSON; 503 when unhealthy)."""

    sessionmaker: async_sessionmaker[AsyncSession]
    telegram_check: Callable[[], Awaitable[bool]] | None = None
    tick_intervals: dict[str, float] = field(default_factory=dict)
    started_at: float = field(default_factory=time.time)
    _runner: web.AppRunner | None = None
    _telegram_ok: tuple[float, bool] = (0.0, False)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        return app

    async def start(self, host: str, port: int) -> int:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        bound = int(sockets[0].getsockname()[1]) if sockets else port
        logger.info("metrics and health endpoints on http://%s:%s", host, bound)
        return bound

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _metrics(self, _request: web.Request) -> web.Response:
        try:
            async with self.sessionmaker() as session:
                depth, age = await delivery_store.outbox_state(session, now=utcnow())
            OUTBOX_DEPTH.set(depth)
            OUTBOX_OLDEST_AGE.set(age)
        except Exception:
            logger.warning("metrics: cannot read the outbox", exc_info=True)
        body = generate_latest()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _database_ok(self) -> bool:
        try:
            async with self.sessionmaker() as session:
                await asyncio.wait_for(ping(session), timeout=5)
            return True
        except Exception:
            return False

    async def _telegram(self) -> bool:
        if self.telegram_check is None:
            return True
        checked_at, ok = self._telegram_ok
        if time.monotonic() - checked_at < 30:
            return ok
        try:
            ok = await asyncio.wait_for(self.telegram_check(), timeout=10)
        except Exception:
            ok = False
        self._telegram_ok = (time.monotonic(), ok)
        return ok

    async def _healthz(self, _request: web.Request) -> web.Response:
        now = time.time()
        ticks = {}
        ticks_ok = True
        for name, interval in self.tick_intervals.items():
            last = TICKS.last_run.get(name)
            age = None if last is None else round(now - last, 1)
            # A tick is late when it has not finished for three intervals (and a minute).
            grace = 3 * interval + 60
            fresh = age <= grace if age is not None else now - self.started_at <= grace
            ticks[name] = {"seconds_since_last_run": age, "ok": fresh}
            ticks_ok = ticks_ok and fresh
        database = await self._database_ok()
        telegram = await self._telegram()
        healthy = database and ticks_ok and telegram
        body = {
            "status": "ok" if healthy else "unhealthy",
            "database": database,
            "telegram": telegram,
            "ticks": ticks,
        }
        return web.Response(
            text=json.dumps(body),
            status=200 if healthy else 503,
            content_type="application/json",
        )
