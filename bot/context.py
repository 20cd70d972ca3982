"""The typed context every handler and tick receives: the database, settings, clock and
renderer travel through it (`context.services`), never through module globals."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.limits import CommandThrottle
from bot.settings import Settings
from digests.render import Renderer


@dataclass
class Services:
    """What the bot's code needs, built once by `build_application`."""

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime]
    owner: str
    renderer: Renderer = field(default_factory=Renderer)
    throttle: CommandThrottle = field(default_factory=lambda: CommandThrottle(20))
    busy: int = 0  # updates being handled right now (tests wait for 0)
    #: the language each chat was last seen to speak (Telegram chat id -> code), so that
    #: answers given before a handler loads the chat speak it too (bot/handlers/common.py)
    languages: dict[int, str] = field(default_factory=dict)
    ticks: Any = None  # bot.ticks.Ticks, set by build_application

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    def now(self) -> datetime:
        return self.clock()


class BotData:
    """`application.bot_data`: holds the services (set by `build_application`)."""

    services: Services


class CustomContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """`CallbackContext` with typed access to the services."""

    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def settings(self) -> Settings:
        return self.bot_data.services.settings

    def now(self) -> datetime:
        return self.bot_data.services.clock()


AppType = Application[
    ExtBot[None],
    CustomContext,
    dict[Any, Any],
    dict[Any, Any],
    BotData,
    JobQueue[CustomContext],
]
