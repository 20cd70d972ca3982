"""Reading a setting is for everyone and says what is set: /timezone in the words the user
typed with the local time, /max and /timezone without an argument, /list with the next digest
and followed feeds as feeds; in groups /digest and /more are reading commands; an admin's
plain text gets the help with the admin section."""

from __future__ import annotations

from bot.demo import LocalBot
from storage import feeds as feed_store
from storage.models import FeedCreate
from tests.support.harness import ADMIN

USER = 501
GROUP = -100777
OWNER, MEMBER = 31, 32
FEED = "https://harbour.example/news.xml"


async def test_timezone_answers_in_the_users_words_with_the_local_time(bot: LocalBot) -> None:
    # the clock: Monday 2 March, 08:00 UTC
    [reply] = await bot.say(USER, "/timezone UTC+2")
    assert "Time zone set to UTC+2" in reply.text
    assert "It is Mon 10:00 there now" in reply.text
    assert "Etc/GMT" not in reply.text
    [shown] = await bot.say(USER, "/timezone")
    assert "Time zone: UTC+2" in shown.text and "Mon 10:00" in shown.text
    [reply] = await bot.say(USER, "/timezone -05:00")
    assert "UTC-5" in reply.text and "Mon 03:00" in reply.text
    [reply] = await bot.say(USER, "/timezone new york")
    assert "America/New_York" in reply.text and "Mon 03:00" in reply.text
    [reply] = await bot.say(USER, "/list")
    assert "Time zone: America/New_York" in reply.text


async def test_max_without_an_argument_shows_the_value_with_plurals(bot: LocalBot) -> None:
    [reply] = await bot.say(USER, "/max")
    assert "Digests show up to 10 stories" in reply.text and "Usage" not in reply.text
    [reply] = await bot.say(USER, "/max 1")
    assert "up to 1 story." in reply.text
    [reply] = await bot.say(USER, "/max")
    assert "up to 1 story;" in reply.text
    [reply] = await bot.say(USER, "/max 99")
    assert "Usage: /max <n>" in reply.text


async def test_list_shows_the_next_digest_and_feeds_as_feeds(bot: LocalBot) -> None:
    async with bot.sessionmaker() as session:
        await feed_store.add_feed(session, data=FeedCreate(url=FEED, title="Harbour Gazette"))
        await session.commit()
    await bot.say(USER, "/timezone Europe/Berlin")
    await bot.say(USER, "/subscribe ferry strike")
    [reply] = await bot.say(USER, f"/subscribe {FEED}")
    assert "Subscribed" in reply.text
    [listing] = await bot.say(USER, "/list")
    lines = listing.text.splitlines()
    assert "Topics: ferry strike (keywords)" in lines
    assert "Feeds: Harbour Gazette" in lines
    assert not any("Topics:" in line and "Harbour" in line for line in lines)
    # daily 08:00 by default, in Berlin: 09:00 Berlin has passed on Monday
    assert "Next digest: Tue 3 Mar, 08:00" in lines
    await bot.say(USER, "/schedule weekly fri 18:30")
    [listing] = await bot.say(USER, "/list")
    assert "Next digest: Fri 6 Mar, 18:30" in listing.text.splitlines()
    await bot.say(USER, "/pause")
    [listing] = await bot.say(USER, "/list")
    assert "Next digest: none while paused" in listing.text


async def test_in_a_group_reading_commands_work_for_every_member(bot: LocalBot) -> None:
    emulator = bot.emulator
    emulator.group(GROUP, "Readers", members=[MEMBER], admins=[OWNER])
    await bot.say(OWNER, "/subscribe space", chat_id=GROUP)
    for command in ("/digest", "/more", "/list", "/latest", "/search rocket", "/max"):
        [reply] = await bot.say(MEMBER, command, chat_id=GROUP)
        assert "Only this group's admins" not in reply.text, command
    [reply] = await bot.say(MEMBER, "/digest", chat_id=GROUP)
    assert "Nothing new on your topics" in reply.text  # the group's digest, now
    [reply] = await bot.say(MEMBER, "/timezone", chat_id=GROUP)
    assert "Time zone: UTC" in reply.text
    # the More button under a digest reads too (its callback data is "m:")
    before = len(bot.emulator.chat(GROUP).messages)
    answer = await bot.press_data(MEMBER, reply.message_id, "m:", chat_id=GROUP)
    assert answer is None or "Only this group's admins" not in answer
    assert "Nothing more" in bot.emulator.chat(GROUP).texts[before]
    refused = await bot.press_data(MEMBER, reply.message_id, "s:hourly", chat_id=GROUP)
    assert refused == "Only this group's admins can change its settings."
    for command in ("/max 3", "/timezone Europe/Paris", "/schedule hourly", "/pause"):
        [reply] = await bot.say(MEMBER, command, chat_id=GROUP)
        assert "Only this group's admins" in reply.text, command


async def test_plain_text_gets_the_help_with_the_admin_section_for_admins(bot: LocalBot) -> None:
    [reply] = await bot.say(ADMIN, "hello there")
    assert "I only understand commands" in reply.text
    assert "Admin" in reply.text and "/addfeed" in reply.text
    [reply] = await bot.say(ADMIN, "/nonsense")
    assert "/addfeed" in reply.text
    [reply] = await bot.say(USER, "hello there")
    assert "I only understand commands" in reply.text and "/addfeed" not in reply.text
