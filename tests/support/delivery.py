"""The delivery worker on the in-process emulator with a hand-moved clock: chats, outbox parts,
and a worker stepped until the outbox drains."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot

from bot.delivery import DeliveryWorker
from bot.limits import LocalLimiter, SendLimits
from bot.settings import Settings
from storage import chats as chat_store
from storage import deliveries as store
from storage.models import Chat, ChatType, Delivery, Digest
from telegram_emulator import ApiLimits, Emulator, ManualClock

# PTB 22 itself reads RetryAfter.retry_after while building the error, which warns about its
# future type; the worker reads the timedelta directly. (`pytestmark = RETRY_AFTER_WARNING`)
RETRY_AFTER_WARNING = "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"


@dataclass
class Rig:
    emulator: Emulator
    clock: ManualClock
    sessionmaker: async_sessionmaker[AsyncSession]
    worker: DeliveryWorker
    now: Callable[[], datetime]

    async def chat(self, telegram_id: int, *, type: str = ChatType.PRIVATE) -> Chat:
        if telegram_id > 0:
            self.emulator.private_chat(telegram_id)
        elif telegram_id not in self.emulator.chats:
            self.emulator.group(telegram_id, f"Group {telegram_id}")
        async with self.sessionmaker() as session:
            chat, _ = await chat_store.upsert_chat(session, telegram_id=telegram_id, type=type)
            await session.commit()
            return chat

    async def enqueue(self, chat: Chat, parts: list[str]) -> int:
        async with self.sessionmaker() as session:
            fresh = await chat_store.get_chat(session, chat_id=chat.id or 0)
            assert fresh is not None
            digest = Digest(chat_id=fresh.id or 0, created_at=self.now())
            session.add(digest)
            await session.flush()
            await store.enqueue_parts(
                session, chat=fresh, digest_id=digest.id, parts=parts, now=self.now()
            )
            await session.commit()
            assert digest.id is not None
            return digest.id

    async def parts(self, chat: Chat) -> list[Delivery]:
        async with self.sessionmaker() as session:
            return await store.chat_parts(session, chat_id=chat.id or 0)

    async def counts(self) -> dict[str, int]:
        async with self.sessionmaker() as session:
            return await store.delivery_counts(session)

    async def step(self) -> bool:
        """Send what is due, or move the clock to when the next part is due; False when the
        outbox holds nothing pending."""
        if await self.worker.run_once():
            return True
        async with self.sessionmaker() as session:
            due = await store.next_due_at(session)
        if due is None:
            return False
        self.clock.advance(max(0.001, (due - self.now()).total_seconds()))
        return True

    async def drain(self, *, max_rounds: int = 2000) -> None:
        """Run the worker until nothing is pending."""
        for _ in range(max_rounds):
            if not await self.step():
                return
        raise AssertionError("the outbox never drained")


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def settings_of(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def make_rig(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    settings: Settings | None = None,
    emulator_limits: ApiLimits | None = None,
) -> Rig:
    clock = ManualClock(start=datetime(2026, 3, 2, 8, 0, tzinfo=UTC).timestamp())
    emulator = Emulator(clock=clock, limits=emulator_limits)
    bot = Bot(emulator.token, request=emulator.request())
    await bot.initialize()
    settings = settings or settings_of()

    async def sleep(seconds: float) -> None:  # the limiter's waits move the shared clock
        clock.advance(seconds)
        await asyncio.sleep(0)

    def now() -> datetime:
        return datetime.fromtimestamp(clock(), UTC)

    limiter = LocalLimiter(SendLimits.from_settings(settings), clock=clock, sleep=sleep)
    worker = DeliveryWorker(
        bot=bot,
        sessionmaker=sessionmaker,
        settings=settings,
        owner="w1",
        clock=now,
        limiter=limiter,
    )
    return Rig(emulator, clock, sessionmaker, worker, now)
