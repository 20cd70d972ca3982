"""Groups, forum topics and channels: `/cmd@botname`, only a group's admins change it, digests
go to the forum thread the group subscribed from, a channel is linked and managed from a
private chat by someone who administers it."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.demo import LocalBot
from storage import chats as chat_store
from storage import deliveries as delivery_store
from storage import subscriptions as sub_store
from telegram_emulator import Emulator
from tests.support.harness import ADMIN, NOW, make_emulator, running, sqlite_sessionmaker

__all__ = ["sqlite_sessionmaker"]

GROUP = -100123
MORNING, EVENING = -100555, -100557
OWNER, SECOND_ADMIN, MEMBER = 11, 12, 13


async def followed(sessionmaker: async_sessionmaker[AsyncSession], telegram_id: int) -> list[str]:
    async with sessionmaker() as session:
        chat = await chat_store.get_chat_by_telegram_id(session, telegram_id=telegram_id)
        if chat is None or chat.id is None:
            return []
        return [s.query for s in await sub_store.list_subscriptions(session, chat_id=chat.id)]


async def test_group_with_two_admins_and_a_member(bot: LocalBot) -> None:
    emulator = bot.emulator
    emulator.group(GROUP, "Readers", members=[MEMBER], admins=[OWNER, SECOND_ADMIN])
    [reply] = await bot.say(MEMBER, "/subscribe@digest_test_bot crypto", chat_id=GROUP)
    assert "Only this group's admins" in reply.text
    [reply] = await bot.say(OWNER, "/subscribe@digest_test_bot space", chat_id=GROUP)
    assert "Subscribed this group to space" in reply.text
    [reply] = await bot.say(SECOND_ADMIN, "/schedule hourly", chat_id=GROUP)
    assert "hourly" in reply.text
    [reply] = await bot.say(MEMBER, "/list", chat_id=GROUP)  # reading is for everyone
    assert "space" in reply.text and "hourly" in reply.text
    [welcome] = await bot.say(MEMBER, "/start", chat_id=GROUP)
    assert "this group" in welcome.text
    answer = await bot.press(MEMBER, "climate", chat_id=GROUP)
    assert answer == "Only this group's admins can change its settings."
    assert await bot.press(SECOND_ADMIN, "climate", chat_id=GROUP) == "Following climate"
    # commands for another bot, and chatter, are not ours to answer
    await bot.say(MEMBER, "/subscribe@other_bot news", chat_id=GROUP, replies=0)
    await bot.say(MEMBER, "good morning everyone", chat_id=GROUP, replies=0)
    [reply] = await bot.say(MEMBER, "/nonsense@digest_test_bot", chat_id=GROUP)
    assert "I don't know /nonsense" in reply.text
    count = len(bot.emulator.chat(GROUP).messages)
    assert await followed(bot.sessionmaker, GROUP) == ["space", "climate"]
    assert count == 6  # nothing for the other bot's command or the chatter


async def test_forum_group_gets_digests_in_the_thread_it_subscribed_from(bot: LocalBot) -> None:
    emulator = bot.emulator
    emulator.group(GROUP, "Forum", admins=[OWNER], forum=True, topics={1: "General", 77: "News"})
    [reply] = await bot.say(OWNER, "/subscribe climate", chat_id=GROUP, message_thread_id=77)
    assert reply.message_thread_id == 77  # answered in the thread
    async with bot.sessionmaker() as session:
        chat = await chat_store.get_chat_by_telegram_id(session, telegram_id=GROUP)
        assert chat is not None and chat.thread_id == 77
        await delivery_store.enqueue_parts(
            session, chat=chat, digest_id=None, parts=["<b>Your digest</b>"], now=NOW
        )
        await session.commit()
    assert await bot.deliver() >= 1
    digest = bot.emulator.chat(GROUP).last
    assert digest.text == "Your digest"
    assert digest.message_thread_id == 77


@pytest.fixture
def channels() -> Emulator:
    """OWNER's channels: @morningbrief and @eveningbrief, where the bot is an admin, and @nobot,
    where it is not."""
    emulator = make_emulator()
    emulator.channel(MORNING, "Morning Brief", admins=[OWNER], username="morningbrief")
    emulator.channel(EVENING, "Evening Brief", admins=[OWNER], username="eveningbrief")
    emulator.channel(-100556, "No Bot Here", admins=[OWNER], username="nobot", bot_is_admin=False)
    return emulator


async def test_channel_linked_from_a_private_chat(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession], channels: Emulator
) -> None:
    bot_admins = f"{ADMIN},{OWNER}"
    async with running(sqlite_sessionmaker, emulator=channels, admin_ids=bot_admins) as bot:
        [reply] = await bot.say(MEMBER, "/channel @morningbrief")
        assert "Only the bot's admins can link a channel" in reply.text
        [reply] = await bot.say(ADMIN, "/channel @morningbrief")  # not the channel's admin
        assert "Only an admin of @morningbrief can link it" in reply.text
        [reply] = await bot.say(OWNER, "/channel @nobot")
        assert "Make me an admin of @nobot" in reply.text
        [reply] = await bot.say(OWNER, "/channel @nosuchchannel")
        assert "Usage: /channel <@name | off>" in reply.text
        [reply] = await bot.say(OWNER, "/channel")
        assert "Usage: /channel" in reply.text
        [reply] = await bot.say(OWNER, "/channel @morningbrief")
        assert "Linked Morning Brief" in reply.text
        [reply] = await bot.say(OWNER, "/subscribe economy")
        assert "Subscribed channel @morningbrief to economy" in reply.text
        [reply] = await bot.say(OWNER, "/list")
        assert "Settings for channel @morningbrief" in reply.text
        [reply] = await bot.say(OWNER, "/channel off")
        assert "Back to managing this chat" in reply.text
        [reply] = await bot.say(OWNER, "/subscribe health")
        assert "Subscribed this chat to health" in reply.text
        # a command typed in a group cannot link a channel
        channels.group(GROUP, "Readers", admins=[OWNER])
        [reply] = await bot.say(OWNER, "/channel @morningbrief", chat_id=GROUP)
        assert "from a private chat" in reply.text
    assert await followed(sqlite_sessionmaker, MORNING) == ["economy"]
    assert await followed(sqlite_sessionmaker, OWNER) == ["health"]
    async with sqlite_sessionmaker() as session:
        row = await chat_store.get_chat_by_telegram_id(session, telegram_id=MORNING)
    assert row is not None and row.type == "channel" and row.linked_by == OWNER


async def test_a_channel_link_survives_a_restart(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession], channels: Emulator
) -> None:
    async with running(sqlite_sessionmaker, emulator=channels, admin_ids=str(OWNER)) as bot:
        [reply] = await bot.say(OWNER, "/channel @eveningbrief")
        assert "Linked Evening Brief" in reply.text
    # a new process (a restart, or another poller) on the same database
    async with running(sqlite_sessionmaker, emulator=channels, admin_ids=str(OWNER)) as bot:
        [reply] = await bot.say(OWNER, "/channel")
        assert "You are managing a channel" in reply.text
        [reply] = await bot.say(OWNER, "/subscribe markets")
        assert "Subscribed channel @eveningbrief to markets" in reply.text
        [reply] = await bot.say(OWNER, "/channel off")
    async with running(sqlite_sessionmaker, emulator=channels, admin_ids=str(OWNER)) as bot:
        [reply] = await bot.say(OWNER, "/subscribe gardens")
        assert "Subscribed this chat to gardens" in reply.text
        # deleting the channel's data ends the link; the private chat is itself again
        await bot.say(OWNER, "/channel @eveningbrief")
        async with sqlite_sessionmaker() as session:
            row = await chat_store.get_chat_by_telegram_id(session, telegram_id=EVENING)
            assert row is not None and row.id is not None
            await chat_store.delete_chat(session, chat_id=row.id)
            await session.commit()
        [reply] = await bot.say(OWNER, "/channel")
        assert "You are managing this chat" in reply.text
    assert await followed(sqlite_sessionmaker, OWNER) == ["gardens"]


async def test_membership_changes_move_the_outbox_at_once(bot: LocalBot) -> None:
    emulator = bot.emulator
    reader, small_group, supergroup = 61, -4242, -1004242
    emulator.group(small_group, "Small", admins=[OWNER], supergroup=False)
    emulator.group(GROUP, "Newcomers", admins=[OWNER], added_by=OWNER)
    [hello] = await emulator.wait_for_messages(GROUP, 1)
    assert "An admin can set me up with /start" in hello.text
    await bot.say(reader, "/subscribe climate")
    await bot.say(OWNER, "/subscribe space", chat_id=small_group)
    async with bot.sessionmaker() as session:
        for telegram_id, text in ((reader, "for the reader"), (small_group, "for the group")):
            chat = await chat_store.get_chat_by_telegram_id(session, telegram_id=telegram_id)
            assert chat is not None
            await delivery_store.enqueue_parts(
                session, chat=chat, digest_id=None, parts=[text], now=NOW
            )
        await session.commit()
    # the reader blocks the bot: the chat is blocked and its part parked, nothing is sent
    emulator.set_chat_state(reader, blocked=True)
    emulator.set_chat_state(small_group, migrate_to_chat_id=supergroup)
    await bot.settle()
    async with bot.sessionmaker() as session:
        row = await chat_store.get_chat_by_telegram_id(session, telegram_id=reader)
        assert row is not None and row.state == "blocked"
        moved = await chat_store.get_chat_by_telegram_id(session, telegram_id=supergroup)
        assert moved is not None and moved.type == "supergroup"
    assert await bot.deliver() == 1  # only the group's part, at its new address
    assert emulator.chat(supergroup).last.text == "for the group"
    # unblocking brings the chat and its parked part back
    emulator.set_chat_state(reader, blocked=False)
    await bot.settle()
    assert await bot.deliver() == 1
    assert emulator.chat(reader).last.text == "for the reader"
