"""The delivery worker: claims due outbox parts with a lease, sends them through Telegram at
the pace of `bot.limits`, concurrently across chats and in order within one, and records
every outcome (docs/architecture.md, "Delivery outcomes"). A part is `sent` only after
Telegram returned the message, so a crash can repeat at most the parts in flight, never
lose one."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot import metrics
from bot.limits import LocalLimiter, SendLimiter, SendLimits, make_limiter
from bot.settings import Settings
from bot.telegram_compat import retry_after_seconds
from bot.transport import MAX_HTTP
from digests.chats import chat_left
from digests.split import plain_text, raw_bytes, resplit
from storage import chats as chat_store
from storage import deliveries as store
from storage.leases import release
from storage.models import Delivery, DeliveryStatus
from storage.types import utcnow

logger = logging.getLogger(__name__)

#: How long a claim holds a part; leases of parts still in flight are renewed well before.
LEASE = timedelta(seconds=10)
#: Parts kept claimed ahead of the limiter, in seconds of the global rate.
AHEAD_SECONDS = 2.0

_PARSE_ERRORS = ("can't parse entities", "can't find end", "unsupported start tag", "unclosed")
# "text is too long": over 32,768 raw bytes (Client.cpp); "message is too long": over 4096
# characters once parsed (tdlib). Either way the part is split again, never dropped.
_TOO_LONG = ("text is too long", "message is too long")

Op = Callable[[AsyncSession], Awaitable[None]]


def _retry_seconds(exc: RetryAfter) -> float:
    return max(1.0, retry_after_seconds(exc))


@dataclass
class _Flight:
    """One claimed part being delivered."""

    part: Delivery
    task: asyncio.Task[None] | None = None
    sending: bool = False


class DeliveryWorker:
    """Sends what the outbox holds. `run_once()` sends what is due now and returns when done
    (ticks, tests); `run_forever(stop)` keeps the limiter busy until `stop` is set; `close()`
    stops claiming, gives back the parts not yet on the wire and waits for the rest."""

    def __init__(
        self,
        *,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        owner: str,
        clock: Callable[[], datetime] = utcnow,
        limiter: SendLimiter | None = None,
        lease: timedelta = LEASE,
        rng: random.Random | None = None,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.owner = owner
        self.clock = clock
        self._own_limiter = limiter is None
        self.limiter = limiter or process_limiter(settings, clock=clock)
        self.lease = lease
        self.give_up_after = timedelta(hours=settings.delivery_give_up_hours)
        self._rng = rng or random.Random()
        self._flights: dict[int, _Flight] = {}
        self._http = asyncio.Semaphore(MAX_HTTP)
        self._ops: list[Op] = []
        self._sent: list[tuple[int, int]] = []
        self._write_lock = asyncio.Lock()
        self._closing = False
        self._done = asyncio.Event()
        rate = self.limiter.limits.global_rate
        self.batch = max(5, min(2000, int(rate * AHEAD_SECONDS)))

    # --- the loops ------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Claim what is due now (the oldest unsent part of each chat), send it, record every
        outcome; returns the parts handled."""
        flights = await self._claim(self.batch)
        if flights:
            await asyncio.gather(*(f.task for f in flights if f.task is not None))
        return len(flights)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Keep about `AHEAD_SECONDS` of sends claimed until `stop` is set."""
        idle = self.settings.deliver_interval
        last_renew = time.monotonic()
        while not stop.is_set() and not self._closing:
            room = self.batch - len(self._flights)
            claimed = []
            if room >= max(1, self.batch // 4):
                try:
                    claimed = await self._claim(room)
                except Exception:
                    logger.exception("claiming deliveries failed")
            if time.monotonic() - last_renew > self.lease.total_seconds() / 3:
                await self._renew()
                last_renew = time.monotonic()
            self._done.clear()
            wait = 0.05 if claimed or self._flights else await self._idle_wait(idle)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    stop_wait = asyncio.ensure_future(stop.wait())
                    done_wait = asyncio.ensure_future(self._done.wait())
                    try:
                        await asyncio.wait(
                            [stop_wait, done_wait], return_when=asyncio.FIRST_COMPLETED
                        )
                    finally:
                        stop_wait.cancel()
                        done_wait.cancel()

    async def _idle_wait(self, idle: float) -> float:
        """Nothing in flight: sleep until the next part is due, at most `idle` seconds."""
        try:
            async with self.sessionmaker() as session:
                due = await store.next_due_at(session)
        except Exception:
            logger.exception("reading the next due delivery failed")
            return idle
        if due is None:
            return idle
        return min(idle, max(0.01, (due - self.clock()).total_seconds()))

    async def close(self) -> None:
        """Stop claiming; parts still waiting for their turn are given back at once (their
        lease cleared), parts on the wire are finished and recorded."""
        self._closing = True
        waiting = [f for f in self._flights.values() if not f.sending and f.task is not None]
        for flight in waiting:
            assert flight.task is not None
            flight.task.cancel()
        tasks = [f.task for f in self._flights.values() if f.task is not None]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        released = [f.part.id for f in waiting if f.part.id is not None]
        if released:
            async with self.sessionmaker() as session:
                await store.release_parts(session, ids=released, owner=self.owner)
                await session.commit()
            logger.info("released parts=%d on shutdown", len(released))
        if self._own_limiter:
            await self.limiter.close()

    # --- claiming ---------------------------------------------------------------------------

    async def _claim(self, limit: int) -> list[_Flight]:
        if self._closing or limit <= 0:
            return []
        async with self.sessionmaker() as session:
            parts = await store.claim_due_parts(
                session, now=self.clock(), owner=self.owner, lease=self.lease, limit=limit
            )
            await session.commit()
        flights = []
        for part in parts:
            assert part.id is not None
            if part.id in self._flights:  # our own lease, renewed: already on its way
                continue
            flight = _Flight(part)
            self._flights[part.id] = flight
            flight.task = asyncio.create_task(self._deliver(flight), name=f"deliver-{part.id}")
            flights.append(flight)
        return flights

    async def _renew(self) -> None:
        ids = list(self._flights)
        if not ids:
            return
        try:
            async with self.sessionmaker() as session:
                await store.renew_leases(
                    session, ids=ids, owner=self.owner, until=self.clock() + self.lease
                )
                await session.commit()
        except Exception:
            logger.exception("renewing delivery leases failed")

    # --- one part ---------------------------------------------------------------------------

    async def _deliver(self, flight: _Flight) -> None:
        part = flight.part
        assert part.id is not None
        try:
            await self._send_and_record(flight)
        except asyncio.CancelledError:
            if flight.sending:
                raise
        except Exception:
            # a bug or the database: the lease expires and the part is tried again
            logger.exception("delivery crashed part=%s chat=%s", part.id, part.telegram_chat_id)
        finally:
            self._flights.pop(part.id, None)
            self._done.set()

    async def _send_and_record(self, flight: _Flight) -> None:
        part = flight.part
        assert part.id is not None
        chat_id = part.telegram_chat_id
        text, parse_mode = part.text, part.parse_mode
        thread_id = part.thread_id
        for _hop in range(3):  # a migration or a parse-error fallback resends at once
            await self.limiter.acquire(chat_id, group=chat_id < 0)
            flight.sending = True
            try:
                try:
                    message = await self._send(part, chat_id, text, parse_mode, thread_id)
                finally:
                    self.limiter.done(chat_id, group=chat_id < 0)
            except ChatMigrated as exc:
                chat_id = int(exc.new_chat_id)
                await self._migrate(part, chat_id)
                flight.sending = False
                continue
            except RetryAfter as exc:
                await self._flood_wait(part, chat_id, _retry_seconds(exc))
                return
            except Forbidden as exc:
                await self._blocked(part, f"Forbidden: {exc.message}")
                return
            except BadRequest as exc:
                reason = exc.message.lower()
                if "chat not found" in reason:
                    await self._blocked(part, f"BadRequest: {exc.message}")
                    return
                if parse_mode and any(marker in reason for marker in _PARSE_ERRORS):
                    logger.error(
                        "template bug: Telegram refused the HTML of part=%s digest=%s (%s); "
                        "sending it as plain text",
                        part.id,
                        part.digest_id,
                        exc.message,
                    )
                    text, parse_mode = plain_text(text), None
                    flight.sending = False
                    continue
                if any(marker in reason for marker in _TOO_LONG):
                    await self._resplit(part, text, parse_mode, exc.message)
                    return
                if "thread not found" in reason and thread_id is not None:
                    thread_id = None  # the forum topic is gone: the chat itself still is
                    flight.sending = False
                    continue
                await self._failed(part, f"BadRequest: {exc.message}")
                return
            except TimedOut as exc:
                if "pool timeout" in exc.message.lower():  # never left this process
                    await self._again(part, at=self.clock())
                else:
                    await self._backoff(part, f"TimedOut: {exc.message}")
                return
            except (NetworkError, TelegramError) as exc:
                await self._backoff(part, f"{type(exc).__name__}: {exc.message}")
                return
            await self._record_sent(part, message.message_id)
            return
        await self._failed(part, "too many migrations or fallbacks")

    async def _send(
        self,
        part: Delivery,
        chat_id: int,
        text: str,
        parse_mode: str | None,
        thread_id: int | None,
    ) -> Message:
        markup = None
        if part.reply_markup:
            markup = InlineKeyboardMarkup.de_json(json.loads(part.reply_markup), self.bot)
        async with self._http:
            return await self.bot.send_message(
                chat_id,
                text,
                parse_mode=parse_mode,
                message_thread_id=thread_id,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                reply_markup=markup,
                allow_paid_broadcast=True if self.limiter.limits.paid_broadcast else None,
            )

    # --- outcomes ---------------------------------------------------------------------------

    async def _record_sent(self, part: Delivery, message_id: int) -> None:
        metrics.PARTS_SENT.inc()
        logger.info(
            "sent part=%s digest=%s chat=%s message=%s",
            part.id,
            part.digest_id,
            part.telegram_chat_id,
            message_id,
        )
        assert part.id is not None
        self._sent.append((part.id, message_id))
        await self._write()

    async def _flood_wait(self, part: Delivery, chat_id: int, seconds: float) -> None:
        metrics.FLOOD_WAITS.inc()
        everything = await self.limiter.flood_wait(chat_id, seconds)
        logger.info(
            "flood wait part=%s chat=%s seconds=%s global=%s", part.id, chat_id, seconds, everything
        )
        await self._again(part, at=self.clock() + timedelta(seconds=seconds))

    async def _again(self, part: Delivery, *, at: datetime) -> None:
        assert part.id is not None
        delivery_id = part.id

        async def op(session: AsyncSession) -> None:
            await store.retry_at(session, delivery_id=delivery_id, owner=self.owner, at=at)

        await self._write(op)

    async def _backoff(self, part: Delivery, reason: str) -> None:
        now = self.clock()

        async def op(session: AsyncSession) -> None:
            status = await store.backoff(
                session,
                delivery=part,
                owner=self.owner,
                now=now,
                error=reason,
                give_up_after=self.give_up_after,
                rng=self._rng,
            )
            if status == DeliveryStatus.FAILED:
                metrics.PARTS_FAILED.inc()
                logger.error("gave up part=%s chat=%s: %s", part.id, part.telegram_chat_id, reason)
            else:
                metrics.PARTS_RETRIED.inc()
                logger.warning(
                    "will retry part=%s chat=%s: %s", part.id, part.telegram_chat_id, reason
                )

        await self._write(op)

    async def _failed(self, part: Delivery, reason: str) -> None:
        assert part.id is not None
        delivery_id = part.id
        metrics.PARTS_FAILED.inc()
        logger.error("failed part=%s chat=%s: %s", part.id, part.telegram_chat_id, reason)

        async def op(session: AsyncSession) -> None:
            await store.fail(session, delivery_id=delivery_id, owner=self.owner, error=reason)

        await self._write(op)

    async def _resplit(
        self, part: Delivery, text: str, parse_mode: str | None, reason: str
    ) -> None:
        """Telegram refused the part as too long: it goes back to the outbox as several
        shorter parts, in its place, due at once."""
        assert part.id is not None
        delivery_id = part.id
        pieces = resplit(text, parse_mode)
        if not pieces:
            await self._failed(part, f"BadRequest: {reason} (and it cannot be split)")
            return
        logger.warning(
            "part=%s chat=%s refused (%s, %d bytes): split into %d parts",
            part.id,
            part.telegram_chat_id,
            reason,
            raw_bytes(text),
            len(pieces),
        )
        now = self.clock()

        async def op(session: AsyncSession) -> None:
            await store.resplit_part(
                session,
                delivery_id=delivery_id,
                owner=self.owner,
                pieces=pieces,
                parse_mode=parse_mode,
                now=now,
            )

        await self._write(op)

    async def _blocked(self, part: Delivery, reason: str) -> None:
        """The chat blocked us, left, or is gone: it becomes blocked, its parts parked."""
        assert part.id is not None
        delivery_id = part.id
        now = self.clock()
        logger.info("chat=%s unreachable (%s): parking its parts", part.telegram_chat_id, reason)

        async def op(session: AsyncSession) -> None:
            values = {"status": DeliveryStatus.PARKED, "error": reason}
            await release(session, Delivery, ids=[delivery_id], owner=self.owner, values=values)
            chat = await chat_store.get_chat(session, chat_id=part.chat_id)
            if chat is not None:
                await chat_left(session, chat=chat, now=now)

        await self._write(op)

    async def _migrate(self, part: Delivery, new_chat_id: int) -> None:
        """The group became a supergroup: the chat moves to its new id, then the part is
        resent there at once (so this is written right away)."""
        logger.info("chat=%s migrated to %s", part.telegram_chat_id, new_chat_id)

        async def op(session: AsyncSession) -> None:
            chat = await chat_store.get_chat(session, chat_id=part.chat_id)
            if chat is not None and chat.telegram_id != new_chat_id:
                await chat_store.move_chat(session, chat=chat, new_telegram_id=new_chat_id)
                await store.readdress_chat_parts(session, chat=chat)

        await self._write(op)

    async def _write(self, op: Op | None = None) -> None:
        """Group commit: outcomes gathered while another write ran go in one transaction.
        Returns once this caller's outcome is committed."""
        if op is not None:
            self._ops.append(op)
        async with self._write_lock:
            if not self._ops and not self._sent:
                return  # a previous holder wrote ours
            ops, self._ops = self._ops, []
            sent, self._sent = self._sent, []
            for attempt in range(5):
                try:
                    async with self.sessionmaker() as session:
                        await store.mark_many_sent(
                            session, sent=sent, owner=self.owner, now=self.clock()
                        )
                        for each in ops:
                            await each(session)
                        await session.commit()
                    return
                except Exception:
                    if attempt == 4:
                        raise
                    logger.warning("recording outcomes failed, retrying", exc_info=True)
                    await asyncio.sleep(0.2 * (attempt + 1))


def process_limiter(settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> SendLimiter:
    """The send limiter of a process (`bot/limits/`): Redis-shared when configured. With
    an injected clock (tests) that clock drives the pacing too, and nothing really sleeps."""
    if clock is utcnow:
        return make_limiter(settings)
    return LocalLimiter(
        SendLimits.from_settings(settings),
        clock=lambda: clock().timestamp(),
        sleep=_yield,
        guard=False,
    )


async def _yield(_seconds: float) -> None:
    await asyncio.sleep(0)
