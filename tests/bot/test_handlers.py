"""Every command, end to end: the real Application polling the emulator, with good and bad
arguments, the quick-setup and unsubscribe buttons, forged buttons, unknown input and the
per-chat rate limit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.demo import LocalBot
from storage import chats as chat_store
from storage import schedules as schedule_store
from storage import subscriptions as sub_store
from storage.models import ChatState
from tests.support.harness import NOW, labels, running, sqlite_sessionmaker, texts

__all__ = ["sqlite_sessionmaker"]

USER = 501


async def stored_chat(sessionmaker: async_sessionmaker[AsyncSession], telegram_id: int):  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        return await chat_store.get_chat_by_telegram_id(session, telegram_id=telegram_id)


async def test_start_quick_setup_buttons_and_help(bot: LocalBot) -> None:
    [welcome] = await bot.say(USER, "/start")
    assert "Hi!" in welcome.text
    assert "climate" in labels(welcome)
    assert "⏰ daily 08:00" in labels(welcome)
    assert await bot.press(USER, "climate") == "Following climate"
    # the keyboard is redrawn with the topic marked
    assert "✅ climate" in labels(bot.emulator.chat(USER).messages[0])
    assert await bot.press(USER, "⏰ weekdays 07:30") == "Schedule: weekdays 07:30"
    [listing] = await bot.say(USER, "/list")
    assert "climate" in listing.text
    assert "weekdays 07:30" in listing.text
    assert await bot.press(USER, "✅ climate") == "Unfollowed climate"
    [help_] = await bot.say(USER, "/help")
    assert "/subscribe" in help_.text and "/addfeed" not in help_.text
    [admin_help] = await bot.say(900, "/help")
    assert "/addfeed" in admin_help.text
    commands = bot.emulator.commands
    assert any("subscribe" in str(c) for c in commands.values())


async def test_subscribe_unsubscribe_and_list(bot: LocalBot) -> None:
    [reply] = await bot.say(USER, "/subscribe climate OR energy")
    assert "Subscribed this chat to climate OR energy" in reply.text
    [reply] = await bot.say(USER, "/subscribe energy OR climate")
    assert "Already following" in reply.text
    [reply] = await bot.say(USER, "/subscribe")
    assert "Usage: /subscribe <topic query>" in reply.text
    [reply] = await bot.say(USER, '/subscribe "ai safety')
    assert "Usage: /subscribe" in reply.text and "quotation mark" in reply.text
    [reply] = await bot.say(USER, "/subscribe " + "x" * 61)
    assert "too long" in reply.text and "Usage:" in reply.text
    await bot.say(USER, "/subscribe <b>space</b> & rockets")
    await bot.say(USER, "/subscribe health")
    [reply] = await bot.say(USER, "/subscribe economy")  # the limit is 3 in these tests
    assert "the most allowed" in reply.text
    [listing] = await bot.say(USER, "/list")
    # user text comes back escaped: the emulator parsed it as HTML and shows it literally
    assert "<b>space</b> & rockets" in listing.text
    assert "Schedule: daily 08:00" in listing.text  # the default once something is followed
    [reply] = await bot.say(USER, "/unsubscribe health")
    assert "Unsubscribed from health" in reply.text
    [reply] = await bot.say(USER, "/unsubscribe cooking")
    assert "Usage: /unsubscribe [topic]" in reply.text
    [keyboard] = await bot.say(USER, "/unsubscribe")
    assert labels(keyboard) == ["✖ climate OR energy", "✖ <b>space</b> & rockets"]
    answer = await bot.press(USER, "✖ climate OR energy")
    assert answer == "Unsubscribed from climate OR energy"
    assert labels(bot.emulator.chat(USER).messages[-1]) == ["✖ <b>space</b> & rockets"]
    chat = await stored_chat(bot.sessionmaker, USER)
    assert chat is not None and chat.id is not None
    async with bot.sessionmaker() as session:
        subs = await sub_store.list_subscriptions(session, chat_id=chat.id)
    assert [s.query for s in subs] == ["<b>space</b> & rockets"]


async def test_schedule_timezone_quiet_and_max(bot: LocalBot) -> None:
    [reply] = await bot.say(USER, "/schedule daily 08:00")
    assert "daily 08:00" in reply.text
    [reply] = await bot.say(USER, "/schedule")
    assert reply.text.endswith(
        "Usage: /schedule <realtime | hourly | daily 08:00 | weekdays 07:30 | "
        "weekly mon 09:00 | off>"
    )
    [reply] = await bot.say(USER, "/schedule daily 25:00")
    assert "not a time of day" in reply.text and reply.text.count("Usage:") == 1
    [reply] = await bot.say(USER, "/schedule fortnightly")
    assert "Usage: /schedule" in reply.text
    [reply] = await bot.say(USER, "/timezone Berlin")
    assert "Europe/Berlin" in reply.text
    [reply] = await bot.say(USER, "/timezone Atlantis/Lost")
    assert "Usage: /timezone <Area/City | UTC+2>" in reply.text
    [reply] = await bot.say(USER, "/timezone")  # without an argument: the current value
    assert "Time zone: Europe/Berlin" in reply.text
    [reply] = await bot.say(USER, "/quiet 22:00-07:00")
    assert "22:00–07:00" in reply.text
    [reply] = await bot.say(USER, "/quiet sometimes")
    assert "Usage: /quiet <22:00-07:00 | off>" in reply.text
    [reply] = await bot.say(USER, "/max 5")
    assert "up to 5 stories" in reply.text
    for bad in ("/max 0", "/max 51", "/max lots"):
        [reply] = await bot.say(USER, bad)
        assert "Usage: /max <n>" in reply.text
    [reply] = await bot.say(USER, "/schedule weekly mon 09:00")
    assert "weekly mon 09:00" in reply.text
    [reply] = await bot.say(USER, "/quiet off")
    assert "Quiet hours off" in reply.text
    chat = await stored_chat(bot.sessionmaker, USER)
    assert chat is not None and chat.id is not None
    assert (chat.timezone, chat.max_items, chat.quiet_start) == ("Europe/Berlin", 5, None)
    async with bot.sessionmaker() as session:
        schedule = await schedule_store.get_schedule(session, chat_id=chat.id)
    assert schedule is not None and schedule.next_due_at is not None
    # Monday 2 March 2026, 08:00 UTC → the next Monday 09:00 in Berlin is 9 March, 08:00 UTC
    assert schedule.next_due_at.isoformat() == "2026-03-09T08:00:00+00:00"
    assert schedule.timezone == "Europe/Berlin"
    assert NOW.weekday() == 0


async def test_mute_pause_resume_and_stop_with_confirmation(bot: LocalBot) -> None:
    assert "Muted crypto" in texts(await bot.say(USER, "/mute Crypto"))
    assert "already muted" in texts(await bot.say(USER, "/mute crypto"))
    await bot.say(USER, "/mute bitcoin")
    assert "the most allowed" in texts(await bot.say(USER, "/mute nft"))
    assert "Usage: /mute <word>" in texts(await bot.say(USER, "/mute"))
    assert "Unmuted crypto" in texts(await bot.say(USER, "/unmute crypto"))
    assert "Usage: /unmute <word>" in texts(await bot.say(USER, "/unmute crypto"))
    assert "Paused" in texts(await bot.say(USER, "/pause"))
    chat = await stored_chat(bot.sessionmaker, USER)
    assert chat is not None and chat.state == ChatState.PAUSED
    assert "Resumed" in texts(await bot.say(USER, "/resume"))
    [confirm] = await bot.say(USER, "/stop")
    assert labels(confirm) == ["Yes, delete everything", "No, keep it"]
    assert await bot.press(USER, "No, keep it") == "Kept"
    assert await stored_chat(bot.sessionmaker, USER) is not None
    [confirm] = await bot.say(USER, "/stop")
    assert await bot.press(USER, "Yes, delete everything") == "Deleted"
    assert "Deleted everything" in bot.emulator.chat(USER).last.text
    assert await stored_chat(bot.sessionmaker, USER) is None
    # the same confirmation, pressed again (a second client, a replay), is harmless
    again = await bot.press_data(USER, confirm.message_id, "x:yes")
    assert again == "Already deleted."


async def test_forged_and_stale_buttons_get_a_polite_answer(bot: LocalBot) -> None:
    [welcome] = await bot.say(USER, "/start")
    mid = welcome.message_id
    assert "expired" in (await bot.press_data(USER, mid, "zz:whatever") or "")
    assert "expired" in (await bot.press_data(USER, mid, "u:not-a-number") or "")
    assert await bot.press_data(USER, mid, "u:999999") == "You no longer follow that."
    assert "expired" in (await bot.press_data(USER, mid, "s:every full moon") or "")
    # another chat's subscription id cannot be removed from here
    await bot.say(777, "/subscribe secrets")
    chat = await stored_chat(bot.sessionmaker, 777)
    assert chat is not None and chat.id is not None
    async with bot.sessionmaker() as session:
        [sub] = await sub_store.list_subscriptions(session, chat_id=chat.id)
    assert await bot.press_data(USER, mid, f"u:{sub.id}") == "You no longer follow that."
    async with bot.sessionmaker() as session:
        assert await sub_store.count_subscriptions(session, chat_id=chat.id) == 1


async def test_unknown_commands_and_plain_messages_get_help(bot: LocalBot) -> None:
    [reply] = await bot.say(USER, "/frobnicate now")
    assert reply.text.startswith("I don't know /frobnicate.")
    assert "/subscribe" in reply.text
    [reply] = await bot.say(USER, "hello? <script>")
    assert reply.text.startswith("I only understand commands.")
    [reply] = await bot.say(USER, "/start@digest_test_bot")
    assert "Hi!" in reply.text


async def test_per_chat_rate_limit_answers_once_politely(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with running(sqlite_sessionmaker, commands_per_minute=3) as bot:
        for _ in range(3):
            await bot.say(USER, "/help")
        [reply] = await bot.say(USER, "/list")
        assert "faster than I can keep up" in reply.text
        await bot.say(USER, "/list", replies=0)  # refused again, silently
        await bot.say(USER, "plain text is no way around it", replies=0)
        assert len(bot.emulator.chat(USER).messages) == 4
        # other chats are not affected
        [reply] = await bot.say(502, "/help")
        assert "What I can do" in reply.text


async def test_one_chat_in_order_while_chats_run_side_by_side(bot: LocalBot) -> None:
    words = ["word0", "word1"]
    for user in (USER, 503):
        for word in words:
            bot.emulator.user(user).send(f"/mute {word}")
        bot.emulator.user(user).send(f"/unmute {words[0]}")
        bot.emulator.user(user).send(f"/mute {words[0]}")
    for user in (USER, 503):
        replies = await bot.emulator.wait_for_messages(user, 4)
        assert [m.text for m in replies] == [
            "Muted word0.",
            "Muted word1.",
            "Unmuted word0.",
            "Muted word0.",  # in order: the unmute made room under the limit of 2
        ]


HOSTILE = [
    "<b>bold</b> <script>alert(1)</script>",
    "&amp; &lt; &#0; &nosuch; & < >",
    '"unclosed',
    "NEAR(a b) OR ; DROP TABLE chat; --",
    "😀" * 40 + " עברית ‏mixed‎ zero​width",
    "x" * 3000,
    "-",
    "OR OR OR",
    "@@@ /// ###",
    "line one\nline two",
]
COMMANDS = [
    "/subscribe",
    "/unsubscribe",
    "/mute",
    "/unmute",
    "/timezone",
    "/quiet",
    "/max",
    "/schedule",
    "/search",
    "/latest",
    "/channel",
    "/removefeed",
    "/nosuchcommand",
]


async def test_hostile_arguments_get_one_valid_answer_each(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with running(sqlite_sessionmaker, admin_ids=str(USER), commands_per_minute=10_000) as bot:
        for command in COMMANDS:
            for argument in HOSTILE:
                [reply] = await bot.say(USER, f"{command} {argument}")
                assert "something went wrong" not in reply.text, (command, argument)
                assert reply.text.strip()
        [reply] = await bot.say(USER, "x" * 4000)
        assert reply.text.startswith("I only understand commands.")


async def test_a_long_list_arrives_as_several_valid_messages(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    topics = [f"topic{n} " + " ".join(f"w{n}x{i}" for i in range(24)) for n in range(30)]
    assert all(len(t) <= 200 for t in topics) and sum(map(len, topics)) > 4096
    async with running(sqlite_sessionmaker, max_subscriptions=50, max_query_length=200) as bot:
        for topic in topics:
            await bot.say(USER, f"/subscribe {topic}")
        first, second = await bot.say(USER, "/list", replies=2)
    text = first.text + "\n" + second.text
    assert first.text.startswith("Settings for this chat")
    assert all(f"topic{n} " in text for n in range(30))
