"""`digestbot demo`: the whole job on a fresh machine with no token and no network — a
temporary SQLite database, the Bot API emulator in-process, the sample feed of
`bot/demo_data/` ingested through the real pipeline (httpx.MockTransport), and a scripted
subscriber. `LocalBot` (the real Application against an emulator) also serves the tests."""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from importlib.resources import files
from pathlib import Path
from typing import Any, Unpack

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import Role, build_application, serve
from bot.context import AppType
from bot.settings import Settings, load_settings
from bot.ticks import Ticks
from digests.i18n import DEFAULT, gettext, use_language
from ingest.fetch import Fetcher, FetchPolicy
from ingest.tick import refresh_due_feeds
from storage import deliveries as delivery_store
from storage import feeds as feed_store
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import FeedCreate
from storage.types import utcnow
from telegram_emulator import ApiLimits, Emulator, Message, Where

DEMO_TOKEN = "777000:demo-token-for-the-local-emulator"
FEED_URL = "https://newsroom.example/feed.xml"
# A second invented outlet reporting one newsroom event in its own words: shown once, with
# "Also reported by Coast Wire".
WIRE_URL = "https://coastwire.example/feed.xml"
SUBSCRIBER = 1001
BUTTON = "  tapped"
_HOURS_AGO = re.compile(r"\{\{hours_ago:(\d+)\}\}")


def sample_feed(now: datetime, name: str = "newsroom.xml") -> bytes:
    """The packaged sample feed, its stories dated a few hours before `now`."""
    text = files("bot.demo_data").joinpath(name).read_text(encoding="utf-8")
    dated = _HOURS_AGO.sub(lambda m: format_datetime(now - timedelta(hours=int(m.group(1)))), text)
    return dated.encode("utf-8")


def sample_transport(now: datetime) -> httpx.MockTransport:
    """Serves the sample feeds at FEED_URL and WIRE_URL; every other URL is a 404 (nothing
    leaves)."""
    bodies = {FEED_URL: sample_feed(now), WIRE_URL: sample_feed(now, "coastwire.xml")}

    def handle(request: httpx.Request) -> httpx.Response:
        body = bodies.get(str(request.url))
        if body is not None:
            return httpx.Response(
                200, content=body, headers={"Content-Type": "application/rss+xml"}
            )
        return httpx.Response(404, text="not found")

    return httpx.MockTransport(handle)


@dataclass
class LocalBot:
    """The real Application, polling an emulator in-process, with helpers that talk to it
    the way a person would and wait for the answer."""

    emulator: Emulator
    application: AppType
    timeout: float = 20.0
    _answers_seen: set[str] = field(default_factory=set)

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """The bot's database."""
        sessionmaker: async_sessionmaker[AsyncSession] = (
            self.application.bot_data.services.sessionmaker
        )
        return sessionmaker

    @property
    def ticks(self) -> Ticks:
        ticks: Ticks = self.application.bot_data.services.ticks
        return ticks

    async def say(
        self, user_id: int, text: str, *, replies: int = 1, **where: Unpack[Where]
    ) -> list[Message]:
        """Send `text` as `user_id` (in their private chat unless `where` says otherwise) and
        return the bot's next `replies` messages there."""
        chat_id = where.get("chat_id")
        target = chat_id if chat_id is not None else user_id
        before = len(self.emulator.chat(target).messages)
        self.emulator.user(user_id).send(text, **where)
        if replies == 0:
            await self.settle()
            return []
        got = await self.emulator.wait_for_messages(target, before + replies, self.timeout)
        return got[before:]

    async def press(
        self, user_id: int, button_text: str, *, chat_id: int | None = None
    ) -> str | None:
        """Press a button; returns the text of the callback answer (None: answered silently)."""
        update = self.emulator.user(user_id).press(button_text, chat_id=chat_id)
        return await self.answer_of(update)

    async def press_data(
        self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None
    ) -> str | None:
        update = self.emulator.user(user_id).press_data(message_id, data, chat_id=chat_id)
        return await self.answer_of(update)

    async def answer_of(self, update: dict[str, Any]) -> str | None:
        query_id = str(update["callback_query"]["id"])
        answers = self.emulator.callback_answers
        await self.emulator.wait_for(lambda: query_id in answers, self.timeout)
        await self.settle()
        answer = answers[query_id]
        return None if answer is None else answer.get("text")

    async def settle(self) -> None:
        """Wait until the bot has taken every queued update and finished handling it."""
        await self.emulator.wait_for(lambda: not self.emulator.pending_updates, self.timeout)
        services = self.application.bot_data.services
        quiet = 0
        for _ in range(int(self.timeout * 50)):
            idle = (
                self.application.update_queue.empty()
                and self.application.update_processor.current_concurrent_updates == 0
                and services.busy == 0
            )
            quiet = quiet + 1 if idle else 0
            if quiet >= 3:
                return
            await asyncio.sleep(0.02)

    async def deliver(self, *, drain: bool = False) -> int:
        """Run the delivery worker until nothing is due; returns parts handled. `drain`:
        keep going (real time) until the outbox holds nothing pending, e.g. across the
        emulator's flood waits."""
        total = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while True:
            handled = await self.ticks.deliver()
            total += handled
            if handled:
                continue
            if not drain or loop.time() > deadline:
                return total
            async with self.application.bot_data.services.session() as session:
                counts = await delivery_store.delivery_counts(session)
            if not counts["pending"] and not counts["sending"]:
                return total
            await asyncio.sleep(0.2)


@asynccontextmanager
async def local_bot(
    emulator: Emulator,
    settings: Settings,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime] = utcnow,
    fetcher: Fetcher | None = None,
    role: Role = "all",
    poll_timeout: float = 1.0,
) -> AsyncIterator[LocalBot]:
    """Run the real Application against `emulator` (in-process) until the block ends. The
    ticks are not scheduled: call `bot.ticks.ingest()/digest()/deliver()` to step them."""
    application = build_application(
        settings,
        sessionmaker=sessionmaker,
        request=emulator.request(),
        get_updates_request=emulator.request(),
        delivery_request=emulator.request(),
        clock=clock,
        role=role,
        run_ticks=False,
        fetcher=fetcher,
        token=emulator.token,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(application, role=role, stop=stop, poll_timeout=poll_timeout), name="bot"
    )
    try:
        for _ in range(500):
            if application.running or task.done():
                break
            await asyncio.sleep(0.01)
        if task.done():
            task.result()  # raise what stopped it
        yield LocalBot(emulator, application)
    finally:
        stop.set()
        await task


# --- the demo ---------------------------------------------------------------------------------


async def run_demo(
    *, verbose: bool = True, directory: Path | None = None, language: str = DEFAULT
) -> str:
    """Run the scripted conversation; returns what to print (the subscriber's transcript).
    The subscriber's Telegram app speaks `language` (a shipped language), so the bot does;
    the narration around the transcript stays English."""
    with tempfile.TemporaryDirectory(prefix="digestbot-demo-") as tmp:
        path = (directory or Path(tmp)) / "demo.db"
        return await _demo(path, verbose=verbose, language=language)


async def _demo(path: Path, *, verbose: bool, language: str) -> str:
    now = utcnow()
    settings = load_settings(
        _env_file=None,
        telegram_bot_token=DEMO_TOKEN,
        database_url=f"sqlite:///{path}",
        base_url=None,
        admin_ids=str(SUBSCRIBER),
        webhook_url=None,
        metrics_port=None,
        redis_url=None,
    )
    engine = make_engine(settings.database_url)
    lines: list[str] = []
    try:
        await upgrade(engine)
        sessionmaker = make_sessionmaker(engine)
        async with sessionmaker() as session:
            await feed_store.add_feed(
                session, data=FeedCreate(url=FEED_URL, title="The Demo Newsroom", full_text=False)
            )
            await feed_store.add_feed(
                session, data=FeedCreate(url=WIRE_URL, title="Coast Wire", full_text=False)
            )
            await session.commit()
        emulator = Emulator(
            token=DEMO_TOKEN,
            bot_username="digestbot_demo_bot",
            bot_name="Digest Bot",
            limits=ApiLimits(),
        )
        # Telegram sends an IETF tag ("pt-br"); the bot maps it to its own language
        emulator.user(SUBSCRIBER, "Alex", language_code=language.lower().replace("_", "-"))
        with use_language(language):
            daily = f"⏰ {gettext('daily 08:00')}"  # the quick setup button, as the bot labels it
        fetcher = Fetcher(
            FetchPolicy(user_agent=settings.user_agent), transport=sample_transport(now)
        )
        async with (
            fetcher,
            local_bot(emulator, settings, sessionmaker=sessionmaker, fetcher=fetcher) as bot,
        ):
            # The feed was fetched a minute ago: digests leave out stories stored in the last
            # seconds (their transaction may not be visible everywhere yet).
            results = await refresh_due_feeds(
                sessionmaker, fetcher=fetcher, now=now - timedelta(minutes=1)
            )
            stored = sum(r.new_articles for r in results)
            if verbose:
                lines.append(
                    f"digestbot demo: temporary database {path.name}, Bot API emulator "
                    f"in-process, sample feeds {FEED_URL} and {WIRE_URL} ({stored} stories "
                    "ingested)."
                )
            await bot.say(SUBSCRIBER, "/start")
            taps = [f"{BUTTON} climate → {await bot.press(SUBSCRIBER, 'climate')}"]
            await bot.say(SUBSCRIBER, "/subscribe space OR rocket")
            taps.append(f"{BUTTON} {daily} → {await bot.press(SUBSCRIBER, daily)}")
            await bot.say(SUBSCRIBER, "/list")
            chat = emulator.chat(SUBSCRIBER)
            before = len(chat.messages)
            emulator.user(SUBSCRIBER).send("/digest")
            await bot.settle()
            await bot.deliver(drain=True)
            if len(chat.messages) == before:
                raise RuntimeError("the demo digest was not delivered")
            if verbose:
                lines.append(f"The subscriber {emulator.users[SUBSCRIBER].first_name} sees:\n")
            lines.append(chat.transcript())
            if verbose:
                lines.append("Buttons Alex tapped (the keyboard above shows ✅ where one was):")
                lines.extend(taps)
    finally:
        await engine.dispose()
    return "\n".join(lines)
