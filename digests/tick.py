"""The digest tick: claim due schedules, build their digests batch by batch, write them.

This process claims and writes every batch (the database keeps one writer, as SQLite wants).
When a tick is large — 100 000 chats due at 08:00 — helper processes select and render
batches meanwhile (reading only) and send back what to write, so every core works on it; this
process builds batches itself while it has nothing of theirs to write. A batch a helper fails
on is built here instead: nothing waits for a lease to expire.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.pool import NullPool
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.batch import Prepared
from digests.build import LEASE, DigestBuilder, default_renderer
from digests.render import Renderer
from storage import schedules as schedule_store
from storage.db import make_engine, make_sessionmaker
from storage.rows import ScheduleRow

logger = logging.getLogger(__name__)

BATCH = 500  # schedules per transaction
HELPERS_FROM = 10_000  # due schedules from which helpers gain more than their start costs
QUEUED_PER_HELPER = 4  # batches queued at each helper, so it never idles between two


@dataclass(frozen=True)
class HelperConfig:
    """How helper processes reach the database and the templates (each gets a pickled copy;
    nothing else of this process, the bot token least of all, goes to them)."""

    database_url: str
    schema: str | None = None
    templates_dir: Path | None = None
    processes: int = 1

    @property
    def usable(self) -> bool:
        """Other processes can open the database (an in-memory SQLite one is private)."""
        url = make_url(self.database_url)
        private = url.get_backend_name() == "sqlite" and (
            url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"
        )
        return self.processes > 0 and not private


async def build_due_digests(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    owner: str,
    limit: int = 100,
    renderer: Renderer | None = None,
    batch: int = BATCH,
    lease: timedelta = LEASE,
    until_done: bool = False,
    helpers: HelperConfig | None = None,
    helpers_from: int | None = None,
) -> int:
    """The digest tick: claim up to `limit` due schedules and build their digests, one
    transaction per batch of `batch` schedules; returns the digests written to the outbox.
    With `until_done`, claim again while a claim comes back full, and when at least
    `helpers_from` (`HELPERS_FROM`) schedules are due, let `helpers` processes select and
    render batches too.
    Schedules claimed by a process that dies are taken over once `lease` has passed.

    A schedule overdue by many slots (downtime) gets one catch-up digest and its next slot
    after `now`; paused and blocked chats are skipped and their schedules advanced."""
    # one builder for every claim: matches, selections and renders are shared across them
    builder = DigestBuilder(None, now=now, renderer=renderer or default_renderer(), lease=lease)
    claims = _Claims(
        sessionmaker, builder, owner=owner, limit=limit, batch=batch, repeat=until_done
    )
    chunk = await claims.next()
    pool: _HelperPool | None = None
    if helpers is not None and helpers.usable and claims.more:
        async with sessionmaker() as session:
            due = await schedule_store.due_count(session, now=now)
        if due >= (HELPERS_FROM if helpers_from is None else helpers_from):
            pool = _HelperPool(helpers, now=now, lease=lease)
    waiting: dict[asyncio.Future[Prepared], Sequence[ScheduleRow]] = {}
    built = by_helpers = 0
    try:
        while chunk is not None or waiting:
            while chunk is not None and pool is not None and pool.wants(len(waiting)):
                future = pool.prepare(chunk, owner=owner)
                if future is None:  # no helper could start: this process builds them all
                    break
                waiting[future] = chunk
                chunk = await claims.next()
            done = [future for future in waiting if future.done()]
            if not done and chunk is not None:  # nothing of the helpers' to write: build here
                built += await _build_here(sessionmaker, builder, chunk, owner=owner)
                chunk = await claims.next()
            elif not done:
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            for future in done:
                rows = waiting.pop(future)
                prepared = pool.result(future) if pool is not None else None
                if prepared is None:  # the helper failed: this batch is built here
                    built += await _build_here(sessionmaker, builder, rows, owner=owner)
                else:
                    built += await _write(sessionmaker, builder, prepared, owner=owner)
                    by_helpers += 1
    finally:
        if pool is not None:
            await pool.close(wait=not waiting)
    if not claims.claimed:
        return 0
    logger.info(
        "digests built=%d claimed=%d helpers=%d helper_batches=%d owner=%s",
        built,
        claims.claimed,
        pool.size if pool is not None else 0,
        by_helpers,
        owner,
    )
    return built


class _Claims:
    """Due schedules claimed `limit` at a time and handed out a batch at a time; another claim
    is made when the batches run out and the last claim came back full (with `repeat`)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        builder: DigestBuilder,
        *,
        owner: str,
        limit: int,
        batch: int,
        repeat: bool,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._builder = builder
        self._owner = owner
        self._limit = limit
        self._batch = max(1, batch)
        self._repeat = repeat
        self._batches: deque[list[ScheduleRow]] = deque()
        self.more = True  # another claim may find schedules due
        self.claimed = 0

    async def next(self) -> list[ScheduleRow] | None:
        if not self._batches and self.more:
            async with self._sessionmaker() as session:
                claimed = await schedule_store.claim_due_schedule_rows(
                    session,
                    now=self._builder.now,
                    owner=self._owner,
                    limit=self._limit,
                    lease=self._builder.lease,
                )
                await session.commit()
            self.more = self._repeat and len(claimed) >= self._limit
            self.claimed += len(claimed)
            rows = claimed
            self._batches.extend(
                rows[start : start + self._batch] for start in range(0, len(rows), self._batch)
            )
        return self._batches.popleft() if self._batches else None


async def _build_here(
    sessionmaker: async_sessionmaker[AsyncSession],
    builder: DigestBuilder,
    rows: Sequence[ScheduleRow],
    *,
    owner: str,
) -> int:
    """Select and render a batch in this process, then write it; returns digests written.
    A failed batch is logged and left to its leases (another tick retries it)."""
    try:
        prepared = await _prepare(sessionmaker, builder, rows, owner=owner)
    except Exception:
        logger.exception("digest batch failed schedules=%d owner=%s", len(rows), owner)
        return 0
    return await _write(sessionmaker, builder, prepared, owner=owner)


async def _prepare(
    sessionmaker: async_sessionmaker[AsyncSession],
    builder: DigestBuilder,
    rows: Sequence[ScheduleRow],
    *,
    owner: str,
) -> Prepared:
    """Select and render a batch, reading only (here or in a helper); the read snapshot ends
    before the batch is written."""
    async with sessionmaker() as session:
        builder.session = session
        prepared = await builder.prepare(rows, owner=owner)
        await session.commit()
    return prepared


async def _write(
    sessionmaker: async_sessionmaker[AsyncSession],
    builder: DigestBuilder,
    prepared: Prepared,
    *,
    owner: str,
) -> int:
    """One transaction: a prepared batch's digests, outbox parts and schedule advances."""
    async with sessionmaker() as session:
        try:
            done = await builder.commit(session, prepared, owner=owner)
            await session.commit()
            return len(done)
        except Exception:
            await session.rollback()
            logger.exception(
                "digest batch failed schedules=%d owner=%s", len(prepared.schedule_ids), owner
            )
            return 0


# --- helper processes ------------------------------------------------------------------------


class _HelperPool:
    """`config.processes` spawned processes, each preparing batches with its own builder."""

    def __init__(self, config: HelperConfig, *, now: datetime, lease: timedelta) -> None:
        self.size = config.processes
        self.healthy = True
        self._pool = ProcessPoolExecutor(
            config.processes,
            mp_context=multiprocessing.get_context("spawn"),  # no fork of a threaded process
            initializer=_helper_start,
            initargs=(config, now, lease),
        )

    def wants(self, waiting: int) -> bool:
        """Whether to queue another batch, with `waiting` batches queued or in progress."""
        return self.healthy and waiting < self.size * QUEUED_PER_HELPER

    def prepare(
        self, rows: Sequence[ScheduleRow], *, owner: str
    ) -> asyncio.Future[Prepared] | None:
        """Queue a batch for the helpers; None when they cannot take it (none would start)."""
        loop = asyncio.get_running_loop()
        try:
            return loop.run_in_executor(self._pool, _helper_prepare, list(rows), owner)
        except Exception:
            self.healthy = False
            logger.exception("digest helpers did not start; this process builds every batch")
            return None

    def result(self, future: asyncio.Future[Prepared]) -> Prepared | None:
        """A finished batch, or None when its helper failed (then no more go to helpers)."""
        try:
            return future.result()
        except (Exception, asyncio.CancelledError):
            self.healthy = False
            logger.exception("digest helper failed; its batches are built here")
            return None

    async def close(self, *, wait: bool) -> None:
        """Stop the helpers; without `wait`, a batch one is still reading is abandoned (it
        writes nothing: its schedules stay leased to this process until the lease ends)."""
        if wait:
            await asyncio.to_thread(self._pool.shutdown, wait=True)
        else:
            self._pool.shutdown(wait=False, cancel_futures=True)


@dataclass
class _Helper:
    loop: asyncio.AbstractEventLoop
    sessionmaker: async_sessionmaker[AsyncSession]
    builder: DigestBuilder


_helper: _Helper | None = None  # in a helper process: its loop, database and builder


def _helper_start(config: HelperConfig, now: datetime, lease: timedelta) -> None:
    """A helper process's start: one event loop, engine and builder for the tick."""
    global _helper
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # no pooled connections: none outlives a batch, so the process exits when told to
    engine = make_engine(config.database_url, schema=config.schema, poolclass=NullPool)
    builder = DigestBuilder(None, now=now, renderer=Renderer(config.templates_dir), lease=lease)
    _helper = _Helper(loop, make_sessionmaker(engine), builder)


def _helper_prepare(rows: list[ScheduleRow], owner: str) -> Prepared:
    """In a helper process: select and render one batch, reading only."""
    assert _helper is not None, "not a helper process"
    batch = _prepare(_helper.sessionmaker, _helper.builder, rows, owner=owner)
    return _helper.loop.run_until_complete(batch)
