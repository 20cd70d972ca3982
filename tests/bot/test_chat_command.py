"""`chat_command`, the frame of every command on a chat's settings: who gets in, and that the
answer goes out only once the change is stored (on both databases)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Chat as TelegramChat
from telegram import Message, Update, User

from bot.context import Services
from bot.handlers import common
from bot.handlers.common import NOT_ADMIN, chat_command
from bot.settings import load_settings
from storage import chats as chat_store
from tests.conftest import BACKENDS  # noqa: F401 (the sessionmaker fixture runs on both)

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
GROUP, PRIVATE, USER = -100, 55, 7


def _update(chat_id: int, chat_type: str) -> Update:
    return Update(
        1,
        message=Message(
            message_id=1,
            date=NOW,
            chat=TelegramChat(id=chat_id, type=chat_type, title="t"),
            from_user=User(id=USER, first_name="Ann", is_bot=False),
            text="/max 7",
        ),
    )


def _context(sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
    settings = load_settings(_env_file=None, telegram_bot_token="1:x", base_url=None)
    services = Services(
        settings=settings, sessionmaker=sessionmaker, clock=lambda: NOW, owner="test"
    )
    return SimpleNamespace(services=services, settings=settings, now=services.now, bot=None)


@pytest.fixture
def replies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    sent: list[str] = []

    async def reply(update: Update, text: str, **_: Any) -> None:
        sent.append(text)

    monkeypatch.setattr(common, "reply", reply)
    return sent


async def _stored_max_items(sessionmaker: async_sessionmaker[AsyncSession], chat: int) -> Any:
    async with sessionmaker() as session:
        row = await chat_store.get_chat_by_telegram_id(session, telegram_id=chat)
        return None if row is None else row.max_items


async def test_the_answer_goes_out_after_the_change_is_stored(
    sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen_when_answering: list[Any] = []

    async def reply(update: Update, text: str, **_: Any) -> None:
        # what another process (the digest tick) would read at the moment the user is told
        seen_when_answering.append((text, await _stored_max_items(sessionmaker, PRIVATE)))

    monkeypatch.setattr(common, "reply", reply)
    async with chat_command(_update(PRIVATE, "private"), _context(sessionmaker)) as command:
        assert command is not None
        command.chat.max_items = 7
        command.session.add(command.chat)
        command.reply("Digests now show up to 7 stories.")
        assert seen_when_answering == []  # nothing is said inside the block
    assert seen_when_answering == [("Digests now show up to 7 stories.", 7)]


async def test_a_group_member_who_is_not_admin_is_refused(
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    replies: list[str],
) -> None:
    async def not_admin(*_: Any) -> bool:
        return False

    monkeypatch.setattr(common, "is_chat_admin", not_admin)
    async with chat_command(_update(GROUP, "supergroup"), _context(sessionmaker)) as command:
        assert command is None
    assert replies == [NOT_ADMIN]
    assert await _stored_max_items(sessionmaker, GROUP) is None  # not even the chat is stored


async def test_reading_needs_no_admin_and_an_admin_may_change(
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    replies: list[str],
) -> None:
    admin = False

    async def is_admin(*_: Any) -> bool:
        return admin

    monkeypatch.setattr(common, "is_chat_admin", is_admin)
    update, context = _update(GROUP, "supergroup"), _context(sessionmaker)
    async with chat_command(update, context, changes=False) as command:
        assert command is not None
        command.reply("read")
    admin = True
    async with chat_command(update, context) as command:
        assert command is not None
        command.reply("changed")
    assert replies == ["read", "changed"]


async def test_an_error_in_the_block_stores_and_says_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], replies: list[str]
) -> None:
    with pytest.raises(RuntimeError):
        async with chat_command(_update(PRIVATE, "private"), _context(sessionmaker)) as command:
            assert command is not None
            command.chat.max_items = 7
            command.session.add(command.chat)
            command.reply("Digests now show up to 7 stories.")
            raise RuntimeError("a bug")
    assert replies == []
    assert await _stored_max_items(sessionmaker, PRIVATE) is None
