"""Property (issue 18, "done when"): arbitrary Unicode — lone surrogates, NUL, impossible
character references, markup — as the argument of every command that takes text, as a forged
button's data and as a group's title, through the emulator to the real bot on SQLite and on
PostgreSQL: never "something went wrong", and both databases store the same thing."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import chats as chat_store
from storage import subscriptions as sub_store
from storage.db import make_sessionmaker
from tests.support.db import database, require_postgres
from tests.support.harness import LocalBot, make_emulator, running
from tests.support.hostile import hostile_text, on_both_databases

COMMANDS = [
    "/subscribe",
    "/unsubscribe",
    "/mute",
    "/unmute",
    "/search",
    "/latest",
    "/timezone",
    "/quiet",
    "/max",
    "/schedule",
    "/channel",
    "/addfeed",
    "/removefeed",
]
ADMIN = 424242
hostile = hostile_text(piece=4, pieces=24)
_users = itertools.count(10_000)

Pair = list[tuple[LocalBot, async_sessionmaker[AsyncSession]]]


@pytest.fixture(scope="module")
def bots(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[asyncio.AbstractEventLoop, Pair]]:
    """One bot on SQLite and one on PostgreSQL, each with its emulator, kept running (in a
    loop of their own) across the examples."""
    require_postgres()
    directory: Path = tmp_path_factory.mktemp("commands")
    loop = asyncio.new_event_loop()
    stack = contextlib.AsyncExitStack()

    async def start() -> Pair:
        pair: Pair = []
        for backend in ("sqlite", "postgres"):
            _url, engine, _schema = await stack.enter_async_context(
                database(backend, directory / backend if backend == "sqlite" else directory)
            )
            sessionmaker = make_sessionmaker(engine)
            bot = await stack.enter_async_context(
                running(
                    sessionmaker,
                    emulator=make_emulator(),
                    admin_ids=str(ADMIN),
                    commands_per_minute=1_000_000,
                    max_subscriptions=50,
                    max_mutes=50,
                )
            )
            pair.append((bot, sessionmaker))
        return pair

    (directory / "sqlite").mkdir()
    pair = loop.run_until_complete(start())
    try:
        yield loop, pair
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()


async def exercise(bot: LocalBot, user: int, group: int, text: str, title: str) -> list[str]:
    """Every text-taking command with `text`, a forged topic button, a hostile group title;
    the replies."""
    replies: list[str] = []
    for command in COMMANDS:
        sender = ADMIN if command in {"/addfeed", "/removefeed"} else user
        [reply] = await bot.say(sender, f"{command} {text}")
        replies.append(reply.text)
    [welcome] = await bot.say(user, "/start")
    answer = await bot.press_data(user, welcome.message_id, f"t:{text}"[:30])
    replies.append(answer or "")
    bot.emulator.group(group, title, admins=[user])
    [reply] = await bot.say(user, f"/subscribe {text}", chat_id=group)
    replies.append(reply.text)
    [reply] = await bot.say(user, "/list", chat_id=group)
    replies.append(reply.text)
    return replies


async def stored(sessionmaker: async_sessionmaker[AsyncSession], ids: list[int]) -> list[Any]:
    found: list[Any] = []
    async with sessionmaker() as session:
        for telegram_id in ids:
            chat = await chat_store.get_chat_by_telegram_id(session, telegram_id=telegram_id)
            if chat is None or chat.id is None:
                found.append(None)
                continue
            subs = await sub_store.list_subscriptions(session, chat_id=chat.id)
            mutes = await sub_store.list_mutes(session, chat_id=chat.id)
            found.append(
                (
                    chat.title,
                    chat.timezone,
                    chat.quiet_start,
                    chat.quiet_end,
                    chat.max_items,
                    [(s.kind, s.query) for s in subs],
                    list(mutes),
                )
            )
    return found


@on_both_databases(6)
@given(text=hostile, title=hostile)
def test_hostile_text_in_every_command_is_stored_alike(
    bots: tuple[asyncio.AbstractEventLoop, Pair], text: str, title: str
) -> None:
    loop, pair = bots
    user = next(_users)
    group = -1_000_000 - user
    outcomes = []
    for bot, sessionmaker in pair:
        replies = loop.run_until_complete(exercise(bot, user, group, text, title))
        for reply in replies:
            assert "something went wrong" not in reply.lower(), (text, reply)
        outcomes.append(loop.run_until_complete(stored(sessionmaker, [user, group])))
    sqlite, postgres = outcomes
    assert sqlite == postgres
    for row in sqlite:
        if row is not None:
            assert "\x00" not in repr(row)
            json.dumps(row, ensure_ascii=False).encode("utf-8")  # no lone surrogate stored
