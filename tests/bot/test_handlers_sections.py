"""/subscribe with news sections: names and aliases subscribe to the section, quoted words
stay keywords, a section can be narrowed, and /list and the buttons say which is which."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.demo import LocalBot
from storage import subscriptions as sub_store
from tests.support.harness import stored_chat_id

USER = 502


async def _subscriptions(sessionmaker: async_sessionmaker[AsyncSession]) -> list[tuple[str, str]]:
    async with sessionmaker() as session:
        chat_id = await stored_chat_id(session, USER)
        subs = await sub_store.list_subscriptions(session, chat_id=chat_id)
    return [(s.kind, s.target) for s in subs]


async def test_section_keyword_and_narrowed_subscriptions(bot: LocalBot) -> None:
    [reply] = await bot.say(USER, "/subscribe Tech")
    assert "technology (section)" in reply.text
    assert 'quote them: /subscribe "Tech"' in reply.text
    [reply] = await bot.say(USER, "/subscribe technology")
    assert "Already following" in reply.text  # the same section
    [reply] = await bot.say(USER, '/subscribe "technology"')
    assert '"technology" (keywords)' in reply.text
    [reply] = await bot.say(USER, "/subscribe sports -cricket")
    assert "sport (section): -cricket" in reply.text
    [listing] = await bot.say(USER, "/list")
    assert "technology (section)" in listing.text
    assert '"technology" (keywords)' in listing.text
    assert "sport (section): -cricket" in listing.text
    assert await _subscriptions(bot.sessionmaker) == [
        ("section", "technology"),
        ("topic", "technology"),
        ("section", "sport -cricket"),
    ]
    [reply] = await bot.say(USER, "/unsubscribe tech")
    assert "Unsubscribed from Tech" in reply.text
    assert ("topic", "technology") in await _subscriptions(bot.sessionmaker)
    assert ("section", "technology") not in await _subscriptions(bot.sessionmaker)
    [reply] = await bot.say(USER, '/subscribe science "dark')
    assert "Usage: /subscribe" in reply.text and "quotation mark" in reply.text


async def test_quick_setup_buttons_follow_sections(bot: LocalBot) -> None:
    await bot.say(USER, "/start")
    assert await bot.press(USER, "economy") == "Following economy"
    assert await bot.press(USER, "space") == "Following space"
    assert await _subscriptions(bot.sessionmaker) == [
        ("section", "business"),
        ("topic", "space"),
    ]
    buttons = [str(b.get("text")) for b in bot.emulator.chat(USER).messages[0].buttons()]
    assert "✅ economy" in buttons and "✅ space" in buttons and "technology" in buttons
    [topics] = await bot.say(USER, "/topics")
    assert "News sections: world, politics, business, technology" in topics.text
    assert "✅ economy" in [str(b.get("text")) for b in topics.buttons()]
    assert await bot.press(USER, "✅ economy") == "Unfollowed economy"
    assert await _subscriptions(bot.sessionmaker) == [("topic", "space")]
