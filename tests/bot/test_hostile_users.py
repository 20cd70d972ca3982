"""Hostile subscribers and groups (issue 18, cases 2-4) through the emulator, on SQLite and
PostgreSQL: NUL and lone surrogates in commands, group titles and button data are cleaned
(both databases store the same thing), forged button ids with non-ASCII digits and malformed
/addfeed URLs get a short answer, never "something went wrong"."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import chats as chat_store
from storage import feeds as feed_store
from storage import subscriptions as sub_store
from tests.support.harness import running

USER = 501
GROUP = -100777


async def test_nul_and_surrogates_in_commands_and_titles_are_cleaned(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with running(sessionmaker) as bot:
        bot.emulator.group(GROUP, "Nul\u0000Group \ud800", admins=[USER])
        [reply] = await bot.say(USER, "/subscribe nul\x00byte")
        assert "something went wrong" not in reply.text
        assert "nulbyte" in reply.text
        [reply] = await bot.say(USER, "/mute a\x00b")
        assert "Muted" in reply.text and "ab" in reply.text
        [reply] = await bot.say(USER, "/subscribe lone \ud800 half")
        assert "something went wrong" not in reply.text
        [reply] = await bot.say(USER, "/search ferry\x00")
        assert "something went wrong" not in reply.text
        [reply] = await bot.say(USER, "/list", chat_id=GROUP)
        assert "something went wrong" not in reply.text
        [reply] = await bot.say(USER, "/list")
        assert "nulbyte" in reply.text and "lone \ufffd half" in reply.text
        [welcome] = await bot.say(USER, "/start")
        # a forged topic button carrying a NUL follows the cleaned topic
        answer = await bot.press_data(USER, welcome.message_id, "t:ra\x00in")
        assert answer == "Following rain"
    async with sessionmaker() as session:
        group = await chat_store.get_chat_by_telegram_id(session, telegram_id=GROUP)
        assert group is not None and group.title == "NulGroup \ufffd"
        private = await chat_store.get_chat_by_telegram_id(session, telegram_id=USER)
        assert private is not None and private.id is not None
        subs = await sub_store.list_subscriptions(session, chat_id=private.id)
        assert [s.query for s in subs] == ["nulbyte", "lone \ufffd half", "rain"]
        assert await sub_store.list_mutes(session, chat_id=private.id) == ["ab"]


@pytest.mark.parametrize("data", ["u:²", "u:①", "u:٣", "u:1²"])
async def test_forged_button_ids_with_non_ascii_digits_get_the_notice(
    sessionmaker: async_sessionmaker[AsyncSession], data: str
) -> None:
    async with running(sessionmaker) as bot:
        [welcome] = await bot.say(USER, "/start")
        answer = await bot.press_data(USER, welcome.message_id, data)
        assert answer is not None and "expired" in answer


@pytest.mark.parametrize(
    "url",
    ["http://<b>x</b>/", "http://[::1", "http://exa mple.com/", "http://x:99999/", "ftp://a/"],
)
async def test_addfeed_with_a_malformed_url_answers_with_the_usage(
    sessionmaker: async_sessionmaker[AsyncSession], url: str
) -> None:
    async with running(sessionmaker, admin_ids=str(USER)) as bot:
        [reply] = await bot.say(USER, f"/addfeed {url}")
        assert "something went wrong" not in reply.text
        assert "Usage: /addfeed <url>" in reply.text
    async with sessionmaker() as session:
        assert list(await feed_store.list_feeds(session)) == []
