"""The three ticks — ingest, digest, deliver. Each asks storage for due rows, so a restart or
a second process neither loses nor doubles work; nothing per subscriber is scheduled.

ingest  → `ingest.tick.refresh_due_feeds`, then one notice per feed that started failing
          or recovered, to its subscribers (through the outbox) and to the admins;
digest  → `digests.tick.build_due_digests` (with helper processes for a large tick);
deliver → the `DeliveryWorker`'s own loop, started with the application."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from dataclasses import KW_ONLY, dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from telegram import Bot
from telegram.error import TelegramError
from telegram.request import BaseRequest

from bot import metrics
from bot.delivery import DeliveryWorker
from bot.limits import SendLimiter
from bot.settings import Settings
from bot.transport import AiohttpRequest
from bot.websub import WebSubServer
from digests.i18n import _, use_language
from digests.tick import HelperConfig, build_due_digests
from ingest.fetch import Fetcher, FetchPolicy
from ingest.health import Polling, RefreshResult
from ingest.tick import refresh_due_feeds
from ingest.websub import renew_subscriptions
from storage import chats as chat_store
from storage import deliveries as delivery_store
from storage import feeds as feed_store

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.context import AppType, CustomContext, Services

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class Ticks:
    """Owns the fetcher, the delivery worker and the tick jobs of one process.

    `fetcher`: None makes one at start (and closes it at stop). `limiter` paces deliveries and
    is shared with the command replies; the application owns it. The repr leaves out the token
    and the bots (PTB's `Bot` repr shows its token)."""

    services: Services = field(repr=False)  # its repr shows this Ticks again
    _: KW_ONLY
    bot: Bot = field(repr=False)
    role: str
    fetcher: Fetcher | None = None
    delivery_request: BaseRequest | None = None
    token: str = field(repr=False)
    limiter: SendLimiter | None = None
    worker: DeliveryWorker | None = field(default=None, init=False, repr=False)
    _own_fetcher: bool = field(init=False, repr=False)
    _delivery_bot: Bot | None = field(default=None, init=False, repr=False)
    _stop: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)
    _loop_task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    _websub: WebSubServer | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._own_fetcher = self.fetcher is None

    @property
    def enabled(self) -> bool:
        return self.role != "poller"

    async def start(self, application: AppType, *, schedule: bool) -> None:
        """Create the fetcher and delivery worker; with `schedule`, put the ingest and digest
        ticks on the JobQueue and start the delivery loop."""
        if not self.enabled:
            return
        settings = self.services.settings
        if self.fetcher is None:
            self.fetcher = make_fetcher(settings)
        # Deliveries use their own Bot: the worker paces itself (bot/limits/), and the
        # command replies' AIORateLimiter must not throttle it a second time.
        self._delivery_bot = Bot(
            self.token,
            base_url=settings.base_url or "https://api.telegram.org/bot",
            # The worker sends to many chats at once; aiohttp costs far less CPU per send than
            # httpx's pool at hundreds of messages a second (bot/delivery.py).
            request=self.delivery_request or AiohttpRequest(),
        )
        await self._delivery_bot.initialize()
        self.worker = DeliveryWorker(
            bot=self._delivery_bot,
            sessionmaker=self.services.sessionmaker,
            settings=settings,
            owner=self.services.owner,
            clock=self.services.clock,
            limiter=self.limiter,
        )
        if settings.websub_callback_url:
            self._websub = WebSubServer(
                settings,
                sessionmaker=self.services.sessionmaker,
                fetcher=self.fetcher,
                clock=self.services.clock,
                polling=polling(settings),
            )
            await self._websub.start()
        if not schedule:
            return
        queue = application.job_queue
        assert queue is not None, "python-telegram-bot[job-queue] is required"
        # A tick still running when the next is due is not started twice; missed runs merge.
        once = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        queue.run_repeating(
            ingest_job, interval=settings.ingest_interval, first=1, name="ingest", job_kwargs=once
        )
        queue.run_repeating(
            digest_job, interval=settings.digest_interval, first=2, name="digest", job_kwargs=once
        )
        self._stop.clear()
        self._loop_task = asyncio.create_task(self._deliver_forever(), name="deliver")

    async def _deliver_forever(self) -> None:
        if self.worker is None:
            return
        try:
            await self.worker.run_forever(self._stop)
        except Exception:
            logger.exception("delivery loop crashed")

    async def stop(self) -> None:
        """Stop claiming, let the worker release what is in flight, close clients."""
        self._stop.set()
        if self._loop_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        if self._websub is not None:
            await self._websub.stop()
            self._websub = None
        if self.worker is not None:
            await self.worker.close()
            self.worker = None
        if self._delivery_bot is not None:
            await self._delivery_bot.shutdown()
            self._delivery_bot = None
        if self.fetcher is not None and self._own_fetcher:
            await self.fetcher.aclose()
            self.fetcher = None

    # --- the tick bodies (callable directly from tests) ----------------------------------

    async def ingest(self) -> int:
        """Refresh due feeds; returns new articles stored."""
        if self.fetcher is None:
            return 0
        results = await refresh_due_feeds(
            self.services.sessionmaker,
            fetcher=self.fetcher,
            now=self.services.clock(),
            clock=self.services.clock,
            polling=polling(self.services.settings),
        )
        settings = self.services.settings
        if settings.websub_callback_url:
            secret = settings.websub_secret
            await renew_subscriptions(
                self.services.sessionmaker,
                fetcher=self.fetcher,
                callback_base=settings.websub_callback_url,
                secret=secret.get_secret_value() if secret else None,
                now=self.services.clock(),
            )
        new = sum(r.new_articles for r in results)
        metrics.ARTICLES_INGESTED.inc(new)
        metrics.FEED_ERRORS.inc(sum(1 for r in results if r.error))
        changed = [r for r in results if r.became_failing or r.recovered]
        if changed:
            await self.notify_feed_changes(changed)
        return new

    async def digest(self) -> int:
        """Build every due digest into the outbox, `digest_batch` schedules per claim, claiming
        again while a claim comes back full (so 100 000 chats due at 08:00 are all built in
        this tick, helper processes selecting and rendering beside this one); returns digests
        built."""
        settings = self.services.settings
        built = await build_due_digests(
            self.services.sessionmaker,
            now=self.services.clock(),
            owner=self.services.owner,
            renderer=self.services.renderer,
            limit=settings.digest_batch,
            lease=timedelta(seconds=settings.digest_lease),
            until_done=True,
            helpers=HelperConfig(  # they open the database this process's sessions use
                database_url=settings.database_url,
                templates_dir=settings.templates_dir,
                processes=settings.helper_processes(),
            ),
        )
        metrics.DIGESTS_BUILT.inc(built)
        return built

    async def deliver(self) -> int:
        """Send what is due now; returns parts handled."""
        if self.worker is None:
            return 0
        return await self.worker.run_once()

    async def notify_feed_changes(self, results: list[RefreshResult]) -> None:
        """One notice per feed that started failing or recovered: to the chats that follow the
        feed (through the outbox, so it is never lost) and to the admins directly, each in its
        chat's language (an admin without a chat: English). The failure itself stays English."""
        now = self.services.clock()
        admin_notices: list[tuple[str, str | None]] = []  # (feed name, failure) per change
        async with self.services.session() as session:
            for result in results:
                feed = await feed_store.get_feed(session, feed_id=result.feed_id)
                name = html.escape((feed.title if feed else None) or result.title or result.url)
                failure = None
                if result.became_failing:
                    failure = html.escape(str(result.error or "unknown error"))[:300]
                admin_notices.append((name, failure))
                for chat in await chat_store.active_followers(session, feed_id=result.feed_id):
                    with use_language(chat.language):
                        text = feed_notice(name, failure)
                    await delivery_store.enqueue_parts(
                        session, chat=chat, digest_id=None, parts=[text], now=now
                    )
            admin_languages = {
                admin_id: await _chat_language(session, admin_id)
                for admin_id in self.services.settings.admin_ids
            }
            await session.commit()
        for admin_id, language in admin_languages.items():
            for name, failure in admin_notices:
                with use_language(language):
                    text = feed_notice(name, failure)
                try:
                    await self.bot.send_message(admin_id, text, parse_mode="HTML")
                except TelegramError:
                    logger.warning("feed notice to admin=%s failed", admin_id, exc_info=True)


def polling(settings: Settings) -> Polling:
    """How often feeds are checked, from DIGESTBOT_FEED_INTERVAL and …_FEED_MIN_INTERVAL."""
    return Polling(interval=settings.feed_interval, fastest=settings.fastest_feed_interval)


def make_fetcher(settings: Settings) -> Fetcher:
    return Fetcher(
        FetchPolicy(
            user_agent=settings.user_agent,
            timeout=settings.fetch_timeout,
            max_body_bytes=settings.max_body_bytes,
            allow_private=settings.allow_private_urls,
        )
    )


def _ticks(context: CustomContext) -> Ticks:
    ticks: Ticks = context.services.ticks
    return ticks


async def ingest_job(context: CustomContext) -> None:
    """JobQueue callback: the ingest tick."""

    async def work() -> None:
        await _ticks(context).ingest()

    await metrics.TICKS.timed("ingest", work)


async def digest_job(context: CustomContext) -> None:
    """JobQueue callback: the digest tick."""

    async def work() -> None:
        await _ticks(context).digest()

    await metrics.TICKS.timed("digest", work)


def feed_notice(name: str, failure: str | None) -> str:
    """A feed started failing (`failure`: why, escaped) or works again, in the current
    language; `name` is escaped."""
    if failure is not None:
        # Translators: the reason in brackets is a technical detail, in English.
        return _(
            "⚠️ The source <b>%(name)s</b> is failing (%(reason)s); I keep trying.",
            name=name,
            reason=failure,
        )
    return _("✅ The source <b>%(name)s</b> works again.", name=name)


async def _chat_language(session: AsyncSession, telegram_id: int) -> str | None:
    chat = await chat_store.get_chat_by_telegram_id(session, telegram_id=telegram_id)
    return chat.language if chat is not None else None
