"""The harness the command tests share: the real Application polling the in-process
emulator, on a fresh database, with a fixed clock (no tests in this module)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.demo import FEED_URL, LocalBot, local_bot, sample_transport
from bot.settings import Settings, load_settings
from ingest.fetch import Fetcher
from storage import chats as chat_store
from storage import feeds as feed_store
from storage.db import make_sessionmaker
from storage.models import Feed, FeedCreate
from telegram_emulator import ApiLimits, Emulator
from tests.support.db import database

TOKEN = "4242:test-token"
BOT_USERNAME = "digest_test_bot"
ADMIN = 900
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,
        "telegram_bot_token": TOKEN,
        "admin_ids": str(ADMIN),
        "commands_per_minute": 1000,
        # Pacing replies to Telegram's per-chat limits (1 a second; 20 a minute in a group) is
        # test_delivery's and test_replylimit's subject; here it would add a second or three
        # to every reply after the first in a chat.
        "rate_per_chat": 1000.0,
        "rate_per_group_minute": 60_000,
        "max_subscriptions": 3,
        "max_mutes": 2,
        "max_query_length": 60,
        "base_url": None,
        "webhook_url": None,
    }
    values.update(overrides)
    return load_settings(**values)


def make_emulator() -> Emulator:
    # Flood control is the delivery tests' subject; here it would only slow the replies down.
    return Emulator(token=TOKEN, bot_username=BOT_USERNAME, limits=ApiLimits(enabled=False))


@pytest.fixture
async def sqlite_sessionmaker(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with database("sqlite", tmp_path) as (_url, engine, _schema):
        yield make_sessionmaker(engine)


def running(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    emulator: Emulator | None = None,
    clock: Callable[[], datetime] = lambda: NOW,
    **settings: Any,
) -> Any:
    """`async with running(sm) as bot:` — the bot up against a fresh emulator."""
    return local_bot(
        emulator or make_emulator(),
        make_settings(**settings),
        sessionmaker=sessionmaker,
        clock=clock,
    )


@asynccontextmanager
async def fetching(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: httpx.MockTransport | None = None,
    *,
    emulator: Emulator | None = None,
    settings: Settings | None = None,
    clock: Callable[[], datetime] = lambda: NOW,
) -> AsyncIterator[LocalBot]:
    """The bot up with a fetcher that reads `transport` (by default `bot.demo`'s sample feed,
    as it stood at NOW): ingest ticks and /addfeed fetch from it."""
    async with (
        Fetcher(transport=transport or sample_transport(NOW)) as fetcher,
        local_bot(
            emulator or make_emulator(),
            settings or make_settings(),
            sessionmaker=sessionmaker,
            clock=clock,
            fetcher=fetcher,
        ) as bot,
    ):
        yield bot


async def add_sample_feed(
    sessionmaker: async_sessionmaker[AsyncSession], title: str | None = None
) -> Feed:
    """Store `bot.demo`'s sample feed (not fetched yet), as /addfeed would."""
    async with sessionmaker() as session:
        feed, _ = await feed_store.add_feed(
            session, data=FeedCreate(url=FEED_URL, title=title, full_text=False)
        )
        await session.commit()
    return feed


def texts(messages: list[Any]) -> str:
    return "\n".join(m.text for m in messages)


__all__ = ["ADMIN", "NOW", "LocalBot", "make_emulator", "running", "sqlite_sessionmaker", "texts"]


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def labels(message: object) -> list[str]:
    """The labels of a message's inline buttons."""
    return [str(b.get("text")) for b in message.buttons()]  # type: ignore[attr-defined]


async def stored_chat_id(session: AsyncSession, telegram_id: int) -> int:
    """The database id of the chat Telegram knows as `telegram_id` (which must be stored)."""
    chat = await chat_store.get_chat_by_telegram_id(session, telegram_id=telegram_id)
    assert chat is not None and chat.id is not None
    return chat.id
