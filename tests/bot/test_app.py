"""The application as a whole: roles, the webhook with its secret token, the ingest tick and
its failing-feed notices, blocked chats coming back with /start, the error handler."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import SECRET_HEADER, Role, build_application, serve
from bot.context import AppType
from bot.demo import FEED_URL, local_bot, sample_transport
from storage import articles as article_store
from storage import chats as chat_store
from storage import deliveries as delivery_store
from storage import feeds as feed_store
from storage.models import ChatState, DeliveryStatus, FeedCreate
from tests.support.harness import (
    ADMIN,
    NOW,
    TOKEN,
    Clock,
    add_sample_feed,
    fetching,
    make_emulator,
    make_settings,
    running,
    sqlite_sessionmaker,
)

__all__ = ["sqlite_sessionmaker"]

USER = 321


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def queue_for_user(
    sessionmaker: async_sessionmaker[AsyncSession], text: str, *, state: ChatState | None = None
) -> None:
    """USER's chat stored (in `state`, when given) with `text` waiting in its outbox."""
    async with sessionmaker() as session:
        chat, _ = await chat_store.upsert_chat(session, telegram_id=USER)
        if state is not None:
            await chat_store.set_state(session, chat=chat, state=state, now=NOW)
        await delivery_store.enqueue_parts(
            session, chat=chat, digest_id=None, parts=[text], now=NOW
        )
        await session.commit()


@asynccontextmanager
async def _served(application: AppType, role: Role) -> AsyncIterator[None]:
    """`serve(application, role=role)` running until the block ends, then stopped cleanly."""
    stop = asyncio.Event()
    task = asyncio.create_task(serve(application, role=role, stop=stop))
    try:
        yield
    finally:
        stop.set()
        await task


async def test_webhook_checks_the_secret_token(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    emulator = make_emulator()
    port = free_port()
    settings = make_settings(
        webhook_url="https://bot.example.org/hook",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_path="hook",
        webhook_secret="s3cret-value",
    )
    application = build_application(
        settings,
        sessionmaker=sqlite_sessionmaker,
        request=emulator.request(),
        get_updates_request=emulator.request(),
        run_ticks=False,
        token=TOKEN,
    )
    async with _served(application, "all"):
        await emulator.wait_for(lambda: emulator.webhook_url != "", timeout=10)
        assert emulator.webhook_url == "https://bot.example.org/hook"
        update = emulator.user(USER).send("/start")
        emulator.pending_updates.clear()
        url = f"http://127.0.0.1:{port}/hook"
        async with httpx.AsyncClient() as client:
            missing = await client.post(url, json=update)
            wrong = await client.post(url, json=update, headers={SECRET_HEADER: "guess"})
            assert (missing.status_code, wrong.status_code) == (403, 403)
            garbage = await client.post(url, content=b"{", headers={SECRET_HEADER: "s3cret-value"})
            assert garbage.status_code == 400
            assert emulator.chat(USER).messages == []
            right = await client.post(url, json=update, headers={SECRET_HEADER: "s3cret-value"})
            assert right.status_code == 200
        [welcome] = await emulator.wait_for_messages(USER, 1)
        assert "Hi!" in welcome.text


async def test_webhook_without_a_configured_secret_still_checks_one(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    emulator = make_emulator()
    port = free_port()
    settings = make_settings(webhook_url="https://bot.example.org/t", webhook_port=port)
    application = build_application(
        settings, sessionmaker=sqlite_sessionmaker, request=emulator.request(), token=TOKEN
    )
    async with _served(application, "poller"):
        await emulator.wait_for(lambda: emulator.webhook_url != "", timeout=10)
        update = emulator.user(USER).send("/start")
        async with httpx.AsyncClient() as client:
            response = await client.post(f"http://127.0.0.1:{port}/telegram", json=update)
        assert response.status_code == 403


async def test_roles_split_receiving_from_ticking(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    emulator = make_emulator()
    await queue_for_user(sessionmaker, "queued news")
    emulator.user(USER)
    emulator.private_chat(USER)
    settings = make_settings()
    # a poller answers commands but sends nothing from the outbox
    async with local_bot(
        emulator, settings, sessionmaker=sessionmaker, role="poller", clock=lambda: NOW
    ) as poller:
        [reply] = await poller.say(USER, "/help")
        assert "What I can do" in reply.text
        assert await poller.deliver() == 0
    assert [m.text for m in emulator.chat(USER).messages] == [reply.text]
    # a worker has no updater and no handlers, and its delivery loop runs on its own
    worker = build_application(
        settings,
        sessionmaker=sessionmaker,
        request=emulator.request(),
        role="worker",
        run_ticks=True,
        token=TOKEN,
    )
    assert worker.updater is None and not worker.handlers.get(0)
    async with _served(worker, "worker"):
        await emulator.wait_for_messages(USER, 2, timeout=15)
    assert emulator.chat(USER).last.text == "queued news"
    assert worker.job_queue is not None
    async with sessionmaker() as session:
        counts = await delivery_store.delivery_counts(session)
    assert counts[DeliveryStatus.SENT] == 1


async def test_ingest_tick_and_failing_feed_notices(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock(NOW)
    broken = "https://broken.example/feed.xml"
    good = sample_transport(NOW)

    def handle(request: httpx.Request) -> httpx.Response:
        if str(request.url) == broken:
            return httpx.Response(500, text="down")
        return good.handle_request(request)

    await add_sample_feed(sqlite_sessionmaker)
    async with sqlite_sessionmaker() as session:
        await feed_store.add_feed(
            session, data=FeedCreate(url=broken, title="Broken Wire", full_text=False)
        )
        await session.commit()
    emulator = make_emulator()
    emulator.user(USER)
    emulator.private_chat(USER)
    emulator.private_chat(ADMIN)
    transport = httpx.MockTransport(handle)
    async with fetching(sqlite_sessionmaker, transport, emulator=emulator, clock=clock) as bot:
        [reply] = await bot.say(USER, "/subscribe https://unknown.example/rss")
        assert "I don't know that feed" in reply.text and "Usage: /subscribe" in reply.text
        [reply] = await bot.say(USER, f"/subscribe {broken}")
        assert "Subscribed this chat to Broken Wire" in reply.text
        assert await bot.ticks.ingest() == 8
        for _ in range(4):  # the broken feed fails until it counts as failing, told once
            clock.now += timedelta(days=1)
            await bot.ticks.ingest()
        before = len(emulator.chat(USER).messages)
        await bot.deliver()
        [notice] = emulator.chat(USER).messages[before:]
        assert "Broken Wire" in notice.text and "failing" in notice.text
        [admin_notice] = emulator.chat(ADMIN).messages
        assert admin_notice.text == notice.text
        [reply] = await bot.say(ADMIN, "/feeds")
        assert "Broken Wire — ❌ failing ×" in reply.text
        [reply] = await bot.say(USER, "/search glacier")
        assert "Glacier melt" in reply.text
        [reply] = await bot.say(USER, "/latest space")
        assert "water vapour" in reply.text.lower() or "rocket" in reply.text.lower()
        [reply] = await bot.say(USER, "/latest")
        assert reply.text.count("\n") >= 8
        [reply] = await bot.say(USER, "/search quantum chromodynamics")
        assert "Nothing found for quantum chromodynamics" in reply.text
        [reply] = await bot.say(USER, f"/unsubscribe {broken}")
        assert "Unsubscribed from Broken Wire" in reply.text
    async with sqlite_sessionmaker() as session:
        assert await article_store.count_articles(session) == 8


async def test_admin_commands(sqlite_sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    # the feed is served by a MockTransport: nothing leaves the machine
    async with fetching(sqlite_sessionmaker) as bot:
        await bot.say(USER, "/subscribe climate")
        [reply] = await bot.say(USER, "/addfeed https://example.org/feed")
        assert "for the bot's admins" in reply.text
        [reply] = await bot.say(USER, "/stats")
        assert "for the bot's admins" in reply.text
        [reply] = await bot.say(ADMIN, "/addfeed")
        assert "Usage: /addfeed <url>" in reply.text
        [reply] = await bot.say(ADMIN, "/addfeed ftp://example.org/feed")
        assert "Usage: /addfeed <url>" in reply.text
        [reply] = await bot.say(ADMIN, "/addfeed http://127.0.0.1:8080/feed")
        assert "I won't fetch that address" in reply.text
        [reply] = await bot.say(ADMIN, "/addfeed http://169.254.169.254/latest/meta-data")
        assert "I won't fetch that address" in reply.text
        [reply] = await bot.say(ADMIN, f"/addfeed {FEED_URL}")
        assert "Added feed #1" in reply.text
        [reply] = await bot.say(ADMIN, f"/addfeed {FEED_URL}")
        assert "already here as #1" in reply.text
        [reply] = await bot.say(ADMIN, "/feeds")
        assert "#1 The Demo Newsroom" in reply.text and "— 🕓 not checked yet" in reply.text
        [reply] = await bot.say(ADMIN, "/stats")
        assert "Subscribers: 1 active" in reply.text and "Subscriptions: 1" in reply.text
        assert "0 pending" in reply.text and "0 failed" in reply.text
        assert "Feeds: 1, 0 failing" in reply.text
        [reply] = await bot.say(ADMIN, "/removefeed 7")
        assert "Usage: /removefeed <id>" in reply.text and "no feed #7" in reply.text
        [reply] = await bot.say(ADMIN, "/removefeed one")
        assert "Usage: /removefeed <id>" in reply.text
        [reply] = await bot.say(ADMIN, "/removefeed 1")
        assert "Removed feed #1" in reply.text


async def test_start_revives_a_blocked_chat_and_its_parked_parts(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    emulator = make_emulator()
    await queue_for_user(sessionmaker, "kept while you were away", state=ChatState.BLOCKED)
    async with running(sessionmaker, emulator=emulator) as bot:
        assert await bot.deliver() == 0  # parked while blocked
        [welcome] = await bot.say(USER, "/start")
        assert "Welcome back" in welcome.text
        assert await bot.deliver() == 1
        assert emulator.chat(USER).last.text == "kept while you were away"
    async with sessionmaker() as session:
        row = await chat_store.get_chat_by_telegram_id(session, telegram_id=USER)
    assert row is not None and row.state == ChatState.ACTIVE


async def test_the_ticks_and_services_repr_never_show_the_token(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    application = build_application(
        make_settings(),
        sessionmaker=sessionmaker,
        request=make_emulator().request(),
        role="worker",
        token=TOKEN,
    )
    services = application.bot_data.services
    assert TOKEN in repr(application.bot)  # PTB's Bot shows it, so Ticks must not show its bots
    assert "role='worker'" in repr(services.ticks)
    assert TOKEN not in repr(services.ticks) and TOKEN not in repr(services)


async def test_errors_are_logged_with_traceback_and_no_token(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    async with running(sqlite_sessionmaker) as bot:
        await bot.say(USER, "/start")
        bot.emulator.inject_faults("500", next_n=1, methods=["sendMessage"])
        caplog.set_level(logging.ERROR, logger="bot.app")
        [apology] = await bot.say(USER, "/help")
        assert "something went wrong" in apology.text
    [record] = [r for r in caplog.records if r.name == "bot.app"]
    assert record.exc_info is not None
    assert TOKEN not in caplog.text
