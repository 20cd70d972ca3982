"""A large digest tick with helper processes, on SQLite and PostgreSQL: helpers select and
render batches in processes of their own, this process writes them; the digests are the ones
one process alone would build, each chat gets exactly one, and a helper that fails hands its
batches back instead of losing them."""

from __future__ import annotations

import logging
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from digests import tick
from digests.build import DigestBuilder
from digests.render import Renderer
from digests.tick import HelperConfig, build_due_digests
from storage import subscriptions as sub_store
from storage.db import make_sessionmaker
from storage.models import Delivery, Digest, Schedule
from storage.rows import ScheduleRow
from tests.conftest import BACKENDS
from tests.support.digests import DUE, T0, make_article, make_chat

TOPICS = ["solar", "tides", "chess", "rail strikes", "volcano", "honey bees"]
CHATS = 36


async def _fill(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Chats following one to three topics (many alike, some muting a word), and news."""
    async with sessionmaker() as session:
        for n in range(CHATS):
            topics = [TOPICS[(n * k + k) % len(TOPICS)] for k in range(1, 1 + n % 3 + 1)]
            chat = await make_chat(
                session,
                telegram_id=5_000 + n,
                topics=list(dict.fromkeys(topics)),
                now=T0,
                timezone=["UTC", "Europe/Berlin"][n % 2],
                max_items=3 + n % 4,
            )
            if n % 5 == 0 and chat.id is not None:
                await sub_store.add_mute(session, chat_id=chat.id, word="record")
        for i, topic in enumerate(TOPICS * 3):
            await make_article(
                session,
                title=f"{topic.title()} {['record', 'news', 'report'][i % 3]} number {i}",
                summary=f"What happened with {topic} <today> & why",
                stored_at=T0,
            )
        await session.commit()


async def _expected(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[int, list[str]]:
    """What one process alone would send each chat (prepared, nothing written)."""
    async with sessionmaker() as session:
        due = select(Schedule).where(col(Schedule.next_due_at) <= DUE).order_by(Schedule.id)
        schedules = (await session.exec(due)).all()
        builder = DigestBuilder(session, now=DUE, renderer=Renderer())
        prepared = await builder.prepare([ScheduleRow.of(s) for s in schedules], owner="probe")
        await session.rollback()
    return {built.chat.id: built.parts for _, built in prepared.built}


async def _sent(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[int, list[str]]:
    async with sessionmaker() as session:
        digests = (await session.exec(select(Digest))).all()
        assert len({d.chat_id for d in digests}) == len(digests), "a chat got two digests"
        parts = (await session.exec(select(Delivery).order_by(Delivery.id))).all()
    sent: dict[int, list[str]] = {}
    for part in parts:
        sent.setdefault(part.chat_id, []).append(part.text)
    return sent


async def _tick(sessionmaker: async_sessionmaker[AsyncSession], helpers: HelperConfig) -> int:
    """A tick in batches of three, claims of six, counted as large from one due schedule."""
    return await build_due_digests(
        sessionmaker,
        now=DUE,
        owner="tick",
        limit=6,
        batch=3,
        until_done=True,
        helpers=helpers,
        helpers_from=1,
    )


def _helper_batches(caplog: pytest.LogCaptureFixture) -> int:
    found = [re.search(r"helper_batches=(\d+)", r.getMessage()) for r in caplog.records]
    return sum(int(m.group(1)) for m in found if m)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_helpers_build_what_one_process_would_each_chat_once(
    backend: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.support.db import database

    async with database(backend, tmp_path) as (url, engine, schema):
        sessionmaker = make_sessionmaker(engine)
        await _fill(sessionmaker)
        expected = await _expected(sessionmaker)
        assert len(expected) > CHATS // 3  # most chats due at 08:00 UTC have news

        caplog.set_level(logging.INFO, logger="digests.tick")
        built = await _tick(
            sessionmaker, HelperConfig(database_url=url, schema=schema, processes=2)
        )

        assert built == len(expected)
        assert await _sent(sessionmaker) == expected
        assert _helper_batches(caplog) > 0  # the helpers did build some of them
        async with sessionmaker() as session:  # every schedule advanced, no lease left behind
            schedules = (await session.exec(select(Schedule))).all()
            assert all(s.next_due_at is not None and s.next_due_at > DUE for s in schedules)
            assert len([s for s in schedules if s.last_run_at is not None]) == CHATS // 2
            assert all(s.lease_owner is None for s in schedules)


async def test_a_failing_helper_hands_its_batches_back(
    sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    await _fill(sessionmaker)
    expected = await _expected(sessionmaker)
    caplog.set_level(logging.INFO, logger="digests.tick")
    broken = HelperConfig(database_url="sqlite:////proc/no-such-dir/digestbot.db")

    built = await _tick(sessionmaker, broken)

    assert built == len(expected)  # all built, in this tick, by this process
    assert await _sent(sessionmaker) == expected
    assert _helper_batches(caplog) == 0
    assert any("digest helper failed" in r.getMessage() for r in caplog.records)


async def test_helpers_that_cannot_start_leave_the_work_here(
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    class NoProcesses(ProcessPoolExecutor):
        def submit(self, *args: Any, **kwargs: Any) -> Any:
            raise OSError("Resource temporarily unavailable (no more processes)")

    monkeypatch.setattr(tick, "ProcessPoolExecutor", NoProcesses)
    await _fill(sessionmaker)
    expected = await _expected(sessionmaker)
    helpers = HelperConfig(database_url=f"sqlite:///{tmp_path / 'unused.db'}")

    built = await _tick(sessionmaker, helpers)

    assert built == len(expected)
    assert await _sent(sessionmaker) == expected
    assert any("did not start" in r.getMessage() for r in caplog.records)


def test_helpers_need_a_database_other_processes_can_open() -> None:
    assert HelperConfig(database_url="sqlite:////var/lib/digestbot/digestbot.db").usable
    assert HelperConfig(database_url="postgresql://db.internal/digestbot").usable
    assert not HelperConfig(database_url="sqlite://").usable
    assert not HelperConfig(database_url="sqlite:///:memory:").usable
    assert not HelperConfig(database_url="sqlite:////srv/d.db", processes=0).usable
