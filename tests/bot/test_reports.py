"""What was sent to whom (issue 19, item 10): a real conversation through the emulator, then
`digestbot digests list`, `digestbot outbox` and `digestbot stats` on its database; the log
lines a command and a delivery leave; APScheduler's per-job lines silenced."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.demo import FEED_URL, local_bot, sample_transport
from bot.logs import configure_logging
from ingest.fetch import Fetcher
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import Delivery, DeliveryStatus
from storage.types import utcnow
from tests.support.cli import Invoke, cli
from tests.support.harness import ADMIN, Clock, make_emulator, make_settings

__all__ = ["cli"]

READER = 4242


async def conversation(path: Path, clock: Clock) -> str:
    """Admin adds the sample feed; the admin and a reader follow "wind" and ask for a digest;
    both are delivered, then the reader's is made a failure. Returns the admin's /stats."""
    engine = make_engine(f"sqlite:///{path}")
    await upgrade(engine)
    sessionmaker = make_sessionmaker(engine)
    emulator = make_emulator()
    try:
        async with (
            Fetcher(transport=sample_transport(clock())) as fetcher,
            local_bot(
                emulator, make_settings(), sessionmaker=sessionmaker, fetcher=fetcher, clock=clock
            ) as bot,
        ):
            await bot.say(ADMIN, f"/addfeed {FEED_URL}")
            await bot.say(READER, "/subscribe wind")
            await bot.say(ADMIN, "/subscribe wind")
            await bot.ticks.ingest()
            clock.now += timedelta(minutes=1)  # stories settle before a digest takes them
            await bot.say(READER, "/digest", replies=0)
            await bot.say(ADMIN, "/digest", replies=0)
            assert await bot.deliver() == 2
            async with sessionmaker() as session:  # one part that could not be sent
                await session.exec(
                    update(Delivery)
                    .where(Delivery.telegram_chat_id == READER)  # type: ignore[arg-type]
                    .values(status=DeliveryStatus.FAILED, error="Forbidden: bot was blocked")
                )
                await session.commit()
            [stats] = await bot.say(ADMIN, "/stats")
            return stats.text
    finally:
        await engine.dispose()


def test_digests_outbox_and_stats_on_the_command_line(cli: Invoke, tmp_path: Path) -> None:
    clock = Clock(utcnow() - timedelta(hours=2))
    stats_reply = asyncio.run(conversation(tmp_path / "cli.db", clock))

    listed = cli("digests", "list", "--since", "1d")
    assert listed.returncode == 0, listed.stderr
    assert f"{READER}" in listed.stdout and "manual" in listed.stdout
    assert "Forbidden: bot was blocked" in listed.stdout
    assert f"{ADMIN} User{ADMIN}" in listed.stdout and "1 sent" in listed.stdout
    one_chat = cli("digests", "list", "--chat", str(READER)).stdout
    assert "Forbidden: bot was blocked" in one_chat and f"User{ADMIN}" not in one_chat
    assert "no digests in that time" in cli("digests", "list", "--since", "30m").stdout
    unknown = cli("digests", "list", "--chat", "777")
    assert unknown.returncode == 2 and "no chat 777" in unknown.stderr
    assert "--since: not a duration" in cli("digests", "list", "--since", "lately").stderr

    outbox = cli("outbox")
    assert outbox.returncode == 0, outbox.stderr
    assert "outbox: 0 pending, 0 sending," in outbox.stdout and "1 failed" in outbox.stdout
    assert "Forbidden: bot was blocked" in outbox.stdout and "sent 20" in outbox.stdout
    failed = cli("outbox", "--status", "failed")
    assert "Forbidden: bot was blocked" in failed.stdout and "sent 20" not in failed.stdout
    assert "use one of pending" in cli("outbox", "--status", "lost").stderr

    stats = cli("stats")
    assert stats.returncode == 0, stats.stderr
    lines = stats.stdout.splitlines()
    assert "Subscribers: 2 active, 0 paused, 0 blocked" in lines
    assert "Feeds: 1, 0 failing, 0 with an error" in lines
    assert "Failed because: Forbidden: bot was blocked ×1" in lines
    for line in lines:  # /stats shows the same figures (counted before /stats was answered)
        if not line.startswith("Subscribers"):
            assert line in stats_reply


def test_a_command_and_a_delivery_leave_one_log_line_each(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    asyncio.run(conversation(tmp_path / "log.db", Clock(utcnow())))
    messages = [r.getMessage() for r in caplog.records]
    commands = [m for m in messages if m.startswith("command=")]
    assert [m.split()[0] for m in commands] == [
        "command=addfeed",
        "command=subscribe",
        "command=subscribe",
        "command=digest",
        "command=digest",
        "command=stats",
    ]
    assert f"chat={READER} user={READER}" in commands[1]
    assert any(m.startswith("sent part=") and f"chat={READER}" in m for m in messages)
    assert not any("Running job" in m or "executed successfully" in m for m in messages)


def test_apscheduler_job_lines_only_when_debugging() -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    executors = logging.getLogger("apscheduler.executors")
    try:
        configure_logging(level="INFO")
        assert not executors.isEnabledFor(logging.INFO)
        assert executors.isEnabledFor(logging.WARNING)
        configure_logging(level="DEBUG")
        assert executors.isEnabledFor(logging.DEBUG)
    finally:
        root.handlers[:], root.level = handlers, level
        executors.setLevel(logging.NOTSET)


def test_a_feed_failure_is_a_warning() -> None:
    from ingest.health import RefreshResult, record_failure
    from storage.models import Feed

    feed = Feed(id=3, url="https://x.example/rss")
    with_logs: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = with_logs.append  # type: ignore[method-assign]
    logger = logging.getLogger("ingest.health")
    logger.addHandler(handler)
    try:
        record_failure(
            feed, RefreshResult(feed_id=3, url=feed.url), ValueError("HTTP 404"), now=datetime.now()
        )
    finally:
        logger.removeHandler(handler)
    [record] = with_logs
    assert record.levelno == logging.WARNING and "HTTP 404" in record.getMessage()
