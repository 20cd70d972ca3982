"""The WebSub callback server: hubs confirm our subscriptions here (the challenge) and push
new feed content, which goes through the same pipeline as a polled feed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.settings import Settings
from ingest.fetch import Fetcher
from ingest.health import Polling
from ingest.pipeline import pushed_content, refresh_feed
from ingest.websub import feed_secret, signature_valid, verification
from storage import feeds as feed_store

logger = logging.getLogger(__name__)

MAX_PUSH_BYTES = 5_000_000


class WebSubServer:
    """`GET <path>/<feed id>`: verification of intent; `POST`: pushed content."""

    def __init__(
        self,
        settings: Settings,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        fetcher: Fetcher,
        clock: Callable[[], datetime],
        polling: Polling,
    ) -> None:
        assert settings.websub_callback_url
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.fetcher = fetcher
        self.clock = clock
        self.polling = polling
        self.path = urlsplit(settings.websub_callback_url).path.rstrip("/")
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_PUSH_BYTES)
        app.router.add_get(self.path + "/{feed_id:\\d+}", self.verify)
        app.router.add_post(self.path + "/{feed_id:\\d+}", self.push)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.websub_listen, self.settings.websub_port)
        try:
            await site.start()
        except OSError as exc:  # several workers on one host: the first one serves it
            logger.warning("websub callback not served by this process: %s", exc)
            await self.stop()
            return
        logger.info(
            "websub callback on %s:%s%s",
            self.settings.websub_listen,
            self.settings.websub_port,
            self.path,
        )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def verify(self, request: web.Request) -> web.Response:
        feed_id = int(request.match_info["feed_id"])
        async with self.sessionmaker() as session:
            feed = await feed_store.get_feed(session, feed_id=feed_id)
            status, body = verification(feed, request.query, now=self.clock())
            await session.commit()
        return web.Response(status=status, text=body)

    async def push(self, request: web.Request) -> web.Response:
        """Content from the hub: stored when the signature holds. Always 2xx for a known feed
        (the spec: a bad signature is ignored, not refused, so it reveals nothing)."""
        feed_id = int(request.match_info["feed_id"])
        body = await request.read()
        secret = self.settings.websub_secret
        if secret is not None:
            derived = feed_secret(secret.get_secret_value(), feed_id)
            if not signature_valid(derived, body, request.headers.get("X-Hub-Signature")):
                logger.warning("websub push with a bad signature feed=%s: ignored", feed_id)
                return web.Response(status=202)
        now = self.clock()
        async with self.sessionmaker() as session:
            feed = await feed_store.get_feed(session, feed_id=feed_id)
            if feed is None or not feed.hub_url:
                return web.Response(status=404)  # the hub drops a subscription we no longer want
            content = pushed_content(feed, body, content_type=request.content_type or "")
            interval = self.polling.interval_for(feed, realtime=False)
            result = await refresh_feed(
                session,
                feed,
                fetcher=self.fetcher,
                now=now,
                clock=self.clock,
                interval=interval,
                pushed=content,
            )
            await session.commit()
        logger.info(
            "websub push feed=%s new=%s updated=%s error=%s",
            feed_id,
            result.new_articles,
            result.updated_articles,
            result.error,
        )
        return web.Response(status=202)
