"""Every Telegram rule the emulator enforces, with Telegram's exact error texts.

One test per rule, grouped as the Bot API documents them; it runs a little past 500 lines
because the rules are one checklist, read top to bottom against the emulator's document."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from telegram_emulator import ApiLimits, Emulator, ManualClock
from telegram_emulator.tests.support import error, local_bot, send


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def emulator(clock: ManualClock) -> Emulator:
    em = Emulator(token="123:ABC", clock=clock)
    em.user(42, "Ada").send("/start")
    return em


# ----- text and entities -------------------------------------------------------------------------


async def test_html_message_stored_with_utf16_entities(emulator: Emulator) -> None:
    status, body = await send(
        emulator, text="👋 <b>Hi</b> &amp; <a href='https://x.org'>x</a>", parse_mode="HTML"
    )
    assert status == 200
    message = body["result"]
    assert message["text"] == "👋 Hi & x"
    assert message["entities"] == [
        {"type": "bold", "offset": 3, "length": 2},
        {"type": "text_link", "offset": 8, "length": 1, "url": "https://x.org/"},
    ]
    assert message["chat"] == {"id": 42, "type": "private", "first_name": "Ada"}
    assert message["from"]["is_bot"] is True
    assert isinstance(message["date"], int)
    stored = emulator.chat(42).last
    assert (stored.text, stored.parse_mode) == ("👋 Hi & x", "HTML")


PARSE = "Bad Request: can't parse entities: "


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<div>x</div>", PARSE + 'Unsupported start tag "div" at byte offset 0'),
        ("<b>x</i>", PARSE + 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        (
            "<b><i>x</b></i>",
            PARSE + 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        ),
        ("<b>unclosed", PARSE + 'Can\'t find end tag corresponding to start tag "b"'),
        ("1 < 2", PARSE + 'Unsupported start tag "" at byte offset 2'),
        # telegram-bot-api Client.cpp `get_input_message_text`: an empty parameter
        ("", "Bad Request: message text is empty"),
        # tdlib MessageEntity.cpp `fix_formatted_text`: nothing but whitespace once parsed
        ("   \n ", "Bad Request: text must be non-empty"),
        ("<b></b>", "Bad Request: text must be non-empty"),
    ],
)
async def test_bad_html_and_empty_text_are_refused(
    emulator: Emulator, text: str, description: str
) -> None:
    status, body = await send(emulator, text=text, parse_mode="HTML")
    assert (status, body) == (400, error(description))
    assert emulator.chat(42).messages == []


async def test_tg_time_is_sent_as_a_date_time_entity(emulator: Emulator) -> None:
    # Bot API "Formatting options" (HTML style, "Date-time entity formatting") and MessageEntity
    # `date_time`; the refusal's text is inferred (see docs/emulator.md).
    status, body = await send(
        emulator,
        text='Next digest <tg-time unix="1796000000" format="wDt">Mon 09:00</tg-time>',
        parse_mode="HTML",
    )
    assert status == 200
    assert body["result"]["entities"] == [
        {
            "type": "date_time",
            "offset": 12,
            "length": 9,
            "unix_time": 1796000000,
            "date_time_format": "wDt",
        }
    ]
    status, body = await send(
        emulator, text='<tg-time unix="1796000000" format="x">soon</tg-time>', parse_mode="HTML"
    )
    reason = 'Invalid date-time format in the tag "tg-time" at byte offset 0'
    assert (status, body) == (400, error(PARSE + reason))


async def test_length_counted_in_utf16_after_parsing(emulator: Emulator) -> None:
    fits = "😀" * 2048  # 4096 UTF-16 code units, 2048 characters
    assert (await send(emulator, text=f"<b>{fits}</b>", parse_mode="HTML"))[0] == 200
    emulator.limits.enabled = False
    status, body = await send(emulator, text=fits + "a")
    assert (status, body) == (400, error("Bad Request: message is too long"))
    assert (await send(emulator, text="a" * 4096))[0] == 200
    assert (await send(emulator, text="a" * 4097))[1] == error("Bad Request: message is too long")


async def test_surrounding_whitespace_trimmed_entities_follow(emulator: Emulator) -> None:
    _, body = await send(emulator, text="\n  <b>x</b> y  \n", parse_mode="HTML")
    assert body["result"]["text"] == "x y"
    assert body["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 1}]


async def test_at_most_100_entities_kept(emulator: Emulator) -> None:
    _, body = await send(emulator, text="<b>x</b> " * 150, parse_mode="HTML")
    assert len(body["result"]["entities"]) == 100


async def test_unsupported_parse_mode(emulator: Emulator) -> None:
    _, body = await send(emulator, text="x", parse_mode="BBCode")
    assert body == error("Bad Request: unsupported parse_mode")
    status, body = await send(emulator, text="*x*", parse_mode="MarkdownV2")
    assert status == 501  # not emulated, and the emulator says so


# ----- keyboards and commands --------------------------------------------------------------------


def keyboard(data: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": "Go", "callback_data": data}]]}


async def test_callback_data_limit_is_64_bytes(emulator: Emulator) -> None:
    assert (await send(emulator, text="x", reply_markup=keyboard("é" * 32)))[0] == 200
    for bad in ("é" * 32 + "a", "a" * 65):
        status, body = await send(emulator, text="x", reply_markup=keyboard(bad))
        assert (status, body) == (400, error("Bad Request: BUTTON_DATA_INVALID"))
    # Client.cpp `get_inline_keyboard_button`: an empty callback_data counts as none at all
    status, body = await send(emulator, text="x", reply_markup=keyboard(""))
    assert (status, body) == (
        400,
        error(
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard"
        ),
    )


async def test_text_only_inline_button_refused(emulator: Emulator) -> None:
    _, body = await send(emulator, text="x", reply_markup={"inline_keyboard": [[{"text": "a"}]]})
    assert body == error(
        "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard"
    )


async def test_set_my_commands_limits(emulator: Emulator) -> None:
    async def set_commands(commands: list[dict[str, str]]) -> dict[str, Any]:
        return (await emulator.call("setMyCommands", {"commands": json.dumps(commands)}))[1]

    ok = [{"command": "start", "description": "Start"}]
    assert (await set_commands(ok))["ok"] is True
    assert (await emulator.call("getMyCommands", {}))[1]["result"] == ok
    too_many = [{"command": f"c{i}", "description": "d"} for i in range(101)]
    assert await set_commands(too_many) == error("Bad Request: BOT_COMMANDS_TOO_MUCH")
    for bad in ("Start!", "", "a" * 33):
        assert await set_commands([{"command": bad, "description": "d"}]) == error(
            "Bad Request: BOT_COMMAND_INVALID"
        )
    for desc in ("", "d" * 257):
        assert await set_commands([{"command": "ok", "description": desc}]) == error(
            "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
        )
    assert (await emulator.call("deleteMyCommands", {}))[1]["result"] is True
    assert (await emulator.call("getMyCommands", {}))[1]["result"] == []


async def test_commands_are_kept_per_scope_and_language(emulator: Emulator) -> None:
    async def call(method: str, **params: Any) -> dict[str, Any]:
        encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        return (await emulator.call(method, encoded))[1]

    english = [{"command": "start", "description": "Start"}]
    russian = [{"command": "start", "description": "Начать"}]
    admin = [*english, {"command": "stats", "description": "Stats"}]
    assert (await call("setMyCommands", commands=english))["ok"] is True
    assert (await call("setMyCommands", commands=russian, language_code="ru"))["ok"] is True
    chat_scope = {"type": "chat", "chat_id": 5}
    assert (await call("setMyCommands", commands=admin, scope=chat_scope))["ok"] is True
    assert (await call("getMyCommands"))["result"] == english
    assert (await call("getMyCommands", language_code="ru"))["result"] == russian
    assert (await call("getMyCommands", language_code="de"))["result"] == []
    assert (await call("getMyCommands", scope=chat_scope))["result"] == admin
    assert (await call("getMyCommands", scope=chat_scope, language_code="ru"))["result"] == []
    for code in ("pt_BR", "zh-hans", "RU", "r"):
        assert await call("setMyCommands", commands=russian, language_code=code) == error(
            "Bad Request: invalid language code specified"
        )


async def test_user_commands_get_bot_command_entity(emulator: Emulator) -> None:
    update = emulator.user(7).send("/topic@digest_test_bot ai safety")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 22}]


# ----- flood control -----------------------------------------------------------------------------


async def test_private_chat_flood_control_and_retry_after(
    emulator: Emulator, clock: ManualClock
) -> None:
    for _ in range(3):  # the burst
        assert (await send(emulator, text="x"))[0] == 200
    status, body = await send(emulator, text="x")
    assert (status, body) == (429, error("Too Many Requests: retry after 1", 429, retry_after=1))
    clock.advance(0.5)
    assert (await send(emulator, text="x"))[0] == 429  # too early: refused again
    clock.advance(0.5)
    assert (await send(emulator, text="x"))[0] == 200
    assert emulator.stats.too_many_requests == 2
    assert emulator.stats.sent_per_chat[42] == 4


async def test_group_limit_is_20_per_minute(emulator: Emulator, clock: ManualClock) -> None:
    emulator.group(-1001, "News", admins=[42])
    for _ in range(20):
        assert (await send(emulator, chat_id=-1001, text="x"))[0] == 200
        clock.advance(1)
    status, body = await send(emulator, chat_id=-1001, text="x")
    assert status == 429
    assert body["parameters"]["retry_after"] == 40
    clock.advance(39)
    assert (await send(emulator, chat_id=-1001, text="x"))[1]["parameters"] == {"retry_after": 1}
    clock.advance(1)
    assert (await send(emulator, chat_id=-1001, text="x"))[0] == 200


async def test_global_limit_and_paid_broadcast(clock: ManualClock) -> None:
    em = Emulator(clock=clock, limits=ApiLimits(global_per_second=30))
    for uid in range(1, 41):
        em.user(uid).send("/start")
    results = [(await send(em, chat_id=uid, text="x"))[0] for uid in range(1, 32)]
    assert results == [200] * 30 + [429]
    clock.advance(1)
    paid = [
        (await send(em, chat_id=uid, text="x", allow_paid_broadcast=True))[0]
        for uid in range(1, 41)
    ]
    assert paid == [200] * 40


async def test_retry_after_raised_by_ptb(emulator: Emulator) -> None:
    async with local_bot(emulator) as bot:
        for _ in range(3):
            await bot.send_message(42, "x")
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(42, "x")
    assert info.value.retry_after == timedelta(seconds=1)  # PTB_TIMEDELTA=1, as digestbot runs


# ----- chat states -------------------------------------------------------------------------------


async def test_unknown_chat_not_found(emulator: Emulator) -> None:
    assert (await send(emulator, chat_id=999, text="x")) == (
        400,
        error("Bad Request: chat not found"),
    )
    emulator.set_chat_state(42, exists=False)
    assert (await send(emulator, text="x"))[1] == error("Bad Request: chat not found")


@pytest.mark.parametrize(
    ("state", "description"),
    [
        ({"blocked": True}, "Forbidden: bot was blocked by the user"),
        ({"deactivated": True}, "Forbidden: user is deactivated"),
    ],
)
async def test_private_chat_states(
    emulator: Emulator, state: dict[str, bool], description: str
) -> None:
    emulator.set_chat_state(42, **state)
    assert await send(emulator, text="x") == (403, error(description, 403))


async def test_blocking_queues_my_chat_member(emulator: Emulator) -> None:
    emulator.set_chat_state(42, blocked=True)
    update = emulator.pending_updates[-1]["my_chat_member"]
    assert update["new_chat_member"]["status"] == "kicked"
    emulator.set_chat_state(42, blocked=False)
    assert (await send(emulator, text="back"))[0] == 200


async def test_kicked_from_groups(emulator: Emulator) -> None:
    emulator.group(-5, "Small", members=[42], supergroup=False)
    emulator.group(-1005, "Big", members=[42])
    emulator.set_chat_state(-5, kicked=True)
    emulator.set_chat_state(-1005, kicked=True)
    assert (await send(emulator, chat_id=-5, text="x"))[1] == error(
        "Forbidden: bot was kicked from the group chat", 403
    )
    assert (await send(emulator, chat_id=-1005, text="x"))[1] == error(
        "Forbidden: bot was kicked from the supergroup chat", 403
    )


async def test_migrated_group(emulator: Emulator) -> None:
    emulator.group(-5, "Small", admins=[42], supergroup=False)
    emulator.set_chat_state(-5, migrate_to_chat_id=-1000000000005)
    status, body = await send(emulator, chat_id=-5, text="x")
    assert (status, body) == (
        400,
        error(
            "Bad Request: group chat was upgraded to a supergroup chat",
            migrate_to_chat_id=-1000000000005,
        ),
    )
    assert (await send(emulator, chat_id=-1000000000005, text="x"))[0] == 200
    async with local_bot(emulator) as bot:
        with pytest.raises(ChatMigrated) as info:
            await bot.send_message(-5, "x")
        assert info.value.new_chat_id == -1000000000005
        emulator.set_chat_state(42, blocked=True)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(42, "x")
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(12345, "x")


# ----- groups, forums, members -------------------------------------------------------------------


async def test_forum_threads_and_members(emulator: Emulator) -> None:
    emulator.group(
        -1009, "Forum", admins=[42], members=[7], forum=True, topics={1: "General", 5: "News"}
    )
    _, body = await send(emulator, chat_id=-1009, text="x", message_thread_id=5)
    assert body["result"]["message_thread_id"] == 5
    assert body["result"]["is_topic_message"] is True
    assert (await send(emulator, chat_id=-1009, text="x", message_thread_id=9))[1] == error(
        "Bad Request: message thread not found"
    )
    async with local_bot(emulator) as bot:
        assert (await bot.get_chat_member(-1009, 42)).status == "creator"
        assert (await bot.get_chat_member(-1009, 7)).status == "member"
        assert (await bot.get_chat_member(-1009, bot.id)).status == "member"
        admins = await bot.get_chat_administrators(-1009)
        assert [a.user.id for a in admins] == [42]
        chat = await bot.get_chat(-1009)
        assert (chat.type, chat.is_forum, chat.title) == ("supergroup", True, "Forum")


# ----- editing, deleting, callbacks --------------------------------------------------------------


async def test_edit_delete_and_callback_answers(emulator: Emulator) -> None:
    async with local_bot(emulator) as bot:
        sent = await bot.send_message(42, "one")
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text("one", chat_id=42, message_id=sent.message_id)
        edited = await bot.edit_message_text(
            "<i>two</i>", chat_id=42, message_id=sent.message_id, parse_mode="HTML"
        )
        assert edited.text == "two"  # type: ignore[union-attr]
        with pytest.raises(BadRequest, match="Message to edit not found"):
            await bot.edit_message_text("x", chat_id=42, message_id=999)
        assert await bot.delete_message(42, sent.message_id)
        with pytest.raises(BadRequest, match="Message to delete not found"):
            await bot.delete_message(42, sent.message_id)
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query("nope")
        assert await bot.send_chat_action(42, "typing")
    assert emulator.chat(42).messages == []
    assert emulator.chat(42).actions == ["typing"]


async def test_delete_message_needs_both_identifiers(emulator: Emulator) -> None:
    """telegram-bot-api Client.cpp `process_delete_message_query`: the chat identifier is
    checked first, then the message identifier, before any chat is looked up."""
    sent = await send(emulator, text="kept")
    assert await emulator.call("deleteMessage", {"message_id": "1"}) == (
        400,
        error("Bad Request: chat identifier is not specified"),
    )
    for params in ({"chat_id": "42"}, {"chat_id": "42", "message_id": "0"}):
        assert await emulator.call("deleteMessage", params) == (
            400,
            error("Bad Request: message identifier is not specified"),
        )
    # an unknown chat is only looked up once both identifiers are given
    assert await emulator.call("deleteMessage", {"chat_id": "777"}) == (
        400,
        error("Bad Request: message identifier is not specified"),
    )
    assert emulator.chat(42).last.text == sent[1]["result"]["text"]


async def test_get_me_reports_the_bot_flags() -> None:
    """Client.cpp `JsonUser` with `full_bot_info`: can_join_groups, can_read_all_group_messages,
    supports_inline_queries, can_connect_to_business, and no other bot-only field."""
    quiet = Emulator(token="77:XYZ", bot_username="quiet_bot", bot_name="Quiet")
    status, body = await quiet.call("getMe", {})
    assert status == 200
    assert body["result"] == {
        "id": 77,
        "is_bot": True,
        "first_name": "Quiet",
        "username": "quiet_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
    }
    # a bot with group privacy off reads every group message, and getMe says so
    _, body = await Emulator(privacy_mode=False).call("getMe", {})
    assert body["result"]["can_read_all_group_messages"] is True
    async with local_bot(quiet) as bot:
        me = await bot.get_me()
    assert (me.username, me.can_join_groups, me.supports_inline_queries) == (
        "quiet_bot",
        True,
        False,
    )


# ----- faults and protocol -----------------------------------------------------------------------


async def test_fault_injection(emulator: Emulator) -> None:
    async with local_bot(emulator) as bot:
        emulator.inject_faults("502", next_n=1)
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(42, "x")
        emulator.inject_faults("timeout", next_n=1, applied=True)
        with pytest.raises(TimedOut):
            await bot.send_message(42, "lost answer")
        emulator.inject_faults("drop", next_n=1)
        with pytest.raises(NetworkError, match="dropped"):
            await bot.send_message(42, "x")
        assert (await bot.send_message(42, "fine")).text == "fine"
    # The "applied" timeout took effect: the subscriber saw it although the bot got no answer.
    assert emulator.chat(42).texts == ["lost answer", "fine"]
    emulator.inject_faults("500", fraction=0.5, seed=1)
    codes = [(await send(emulator, text="x"))[0] for _ in range(3)]
    assert 500 in codes


async def test_get_updates_offset_semantics(emulator: Emulator) -> None:
    emulator.user(43).send("hi")
    _, body = await emulator.call("getUpdates", {})
    first, second = body["result"]
    assert second["update_id"] == first["update_id"] + 1
    _, body = await emulator.call("getUpdates", {"offset": str(second["update_id"])})
    assert [u["update_id"] for u in body["result"]] == [second["update_id"]]
    _, body = await emulator.call(
        "getUpdates", {"offset": str(second["update_id"] + 1), "timeout": "0"}
    )
    assert body["result"] == []
    await emulator.call("setWebhook", {"url": "https://example.org/hook"})
    status, body = await emulator.call("getUpdates", {})
    assert status == 409
    assert body["description"].startswith(
        "Conflict: can't use getUpdates method while webhook is active"
    )


async def test_unknown_method_answers_not_found(emulator: Emulator) -> None:
    assert await emulator.call("sendTeleport", {}) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )  # telegram-bot-api Client.cpp `on_cmd`


async def test_replies_in_groups(emulator: Emulator) -> None:
    emulator.group(-1007, "Club", members=[42])
    update = emulator.user(42).send("/latest", chat_id=-1007)
    asked = update["message"]["message_id"]
    async with local_bot(emulator) as bot:
        sent = await bot.send_message(-1007, "Here", reply_to_message_id=asked)
        assert sent.reply_to_message is not None
        assert sent.reply_to_message.text == "/latest"
        with pytest.raises(BadRequest, match="Message to be replied not found"):
            await bot.send_message(-1007, "x", reply_to_message_id=999)
    _, body = await send(
        emulator,
        chat_id=-1007,
        text="x",
        reply_parameters={"message_id": 999, "allow_sending_without_reply": True},
    )
    assert "reply_to_message" not in body["result"]


async def test_writing_to_a_blocked_bot_unblocks_it(emulator: Emulator) -> None:
    emulator.set_chat_state(42, blocked=True)
    emulator.user(42).send("/start")
    kinds = [next(k for k in u if k != "update_id") for u in emulator.pending_updates]
    assert kinds[-3:] == ["my_chat_member", "my_chat_member", "message"]
    assert emulator.pending_updates[-2]["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert (await send(emulator, text="welcome back"))[0] == 200


async def test_group_privacy_mode(emulator: Emulator) -> None:
    emulator.group(-1008, "Talk", members=[42, 7])
    assert emulator.user(7).send("just chatting", chat_id=-1008)["update_id"] is None
    assert emulator.user(7).send("/help@other_bot", chat_id=-1008)["update_id"] is None
    assert emulator.user(7).send("😀 /help@digest_test_bot", chat_id=-1008)["update_id"] is not None
    assert emulator.user(7).send("/help", chat_id=-1008)["update_id"] is not None
    _, body = await send(emulator, chat_id=-1008, text="Answer")
    reply = emulator.user(7).send(
        "thanks", chat_id=-1008, reply_to_message_id=body["result"]["message_id"]
    )
    assert reply["update_id"] is not None  # a reply to the bot reaches it
    assert [m.text for m in emulator.chat(-1008).history][:1] == ["just chatting"]
    emulator.set_chat_state(-1008, kicked=True)
    assert emulator.user(7).send("/help", chat_id=-1008)["update_id"] is None
