"""The Telegram limits issue 16 added to the emulator, each against the source it follows:
telegram-bot-api `telegram-bot-api/Client.cpp`, tdlib `td/telegram/MessageEntity.cpp` and
`td/telegram/ReplyMarkup.cpp` (webhook URLs: telegram_emulator/tests/test_webhook.py)."""

from __future__ import annotations

from typing import Any

import pytest

from telegram_emulator import Emulator
from telegram_emulator.tests.support import error, send


@pytest.fixture
def emulator() -> Emulator:
    em = Emulator(token="123:ABC")
    em.user(42, "Ada").send("/start")
    return em


# ----- 32 KiB of raw text (Client.cpp `get_formatted_text`: `text.size() > (1 << 15)`) ------------


async def test_raw_text_over_32768_bytes_is_too_long_even_when_short_once_parsed(
    emulator: Emulator,
) -> None:
    link = '<a href="https://e.example/' + "x" * 2000 + '">s</a> '
    text = link * 16  # 16 characters of text, 32,560 bytes of HTML
    assert (await send(emulator, text=text, parse_mode="HTML"))[0] == 200
    padded = text + "é" * 104  # 32,768 bytes exactly: still accepted
    assert len(padded.encode()) == 32768
    assert (await send(emulator, text=padded, parse_mode="HTML"))[0] == 200
    status, body = await send(emulator, text=padded + "a", parse_mode="HTML")
    assert (status, body) == (400, error("Bad Request: text is too long"))


async def test_the_byte_limit_is_checked_before_parsing_and_on_edits(emulator: Emulator) -> None:
    broken = "<b>" + "y" * 40_000  # invalid HTML, but too long first
    assert (await send(emulator, text=broken, parse_mode="HTML"))[1] == error(
        "Bad Request: text is too long"
    )
    assert (await send(emulator, text="z" * 32769))[1] == error("Bad Request: text is too long")
    _, sent = await send(emulator, text="short")
    status, body = await emulator.call(
        "editMessageText",
        {"chat_id": 42, "message_id": sent["result"]["message_id"], "text": "é" * 16385},
    )
    assert (status, body) == (400, error("Bad Request: text is too long"))


# ----- entities over 100 (MessageEntity.cpp `get_input_message_entities`) ------------------------


async def test_links_and_code_are_kept_before_bold_and_italic(emulator: Emulator) -> None:
    bold = "".join(f"<b>b{i}</b> " for i in range(60))  # first by offset
    links = "".join(
        f'<a href="https://e.example/{i}">l{i}</a> <code>c{i}</code> ' for i in range(45)
    )
    _, body = await send(emulator, text=bold + links, parse_mode="HTML")
    kinds = [e["type"] for e in body["result"]["entities"]]
    assert kinds.count("text_link") == 45 and kinds.count("code") == 45
    assert kinds.count("bold") == 10  # the room left; not the first 100 by offset
    assert len(kinds) == 100


async def test_touching_formatting_runs_are_merged_before_counting(emulator: Emulator) -> None:
    # 120 bold letters written as separate tags but touching: one bold run for Telegram
    text = "".join(f"<b>{c}</b>" for c in "ab" * 60) + " " + "<i>x</i> " * 99
    _, body = await send(emulator, text=text, parse_mode="HTML")
    entities = body["result"]["entities"]
    assert entities[0] == {"type": "bold", "offset": 0, "length": 120}
    assert [e["type"] for e in entities].count("italic") == 99


async def test_given_entities_telegram_detects_itself_are_ignored(emulator: Emulator) -> None:
    # Client.cpp `get_text_entity_type`: url, mention, hashtag... are not taken from the bot
    given = [
        {"type": "url", "offset": 0, "length": 5},
        {"type": "bold", "offset": 6, "length": 4},
    ]
    _, body = await send(emulator, text="hello world", entities=given)
    assert body["result"]["entities"] == [{"type": "bold", "offset": 6, "length": 4}]


# ----- inline keyboards (ReplyMarkup.cpp `get_reply_markup`, Client.cpp) --------------------------


def button(i: int, **extra: Any) -> dict[str, Any]:
    return {"text": f"b{i}", "callback_data": f"d{i}", **extra}


async def test_at_most_12_buttons_a_row_and_300_in_all_the_rest_dropped(
    emulator: Emulator,
) -> None:
    rows = [[button(r * 20 + c) for c in range(20)] for r in range(30)]  # 20 wide, 600 in all
    status, body = await send(emulator, text="x", reply_markup={"inline_keyboard": rows})
    assert status == 200
    kept = body["result"]["reply_markup"]["inline_keyboard"]
    assert [len(row) for row in kept] == [12] * 25
    assert kept[0][-1]["text"] == "b11" and kept[-1][-1]["text"] == "b491"


async def test_empty_text_buttons_are_skipped_and_an_empty_keyboard_is_none(
    emulator: Emulator,
) -> None:
    rows = [[{"text": "", "callback_data": "a"}, button(1)], [{"text": "", "url": "x"}]]
    _, body = await send(emulator, text="x", reply_markup={"inline_keyboard": rows})
    assert body["result"]["reply_markup"] == {"inline_keyboard": [[button(1)]]}
    only_empty = {"inline_keyboard": [[{"text": "", "callback_data": "a"}]]}
    _, body = await send(emulator, text="y", reply_markup=only_empty)
    assert "reply_markup" not in body["result"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [("ftp://e.example/f", "Unsupported URL protocol"), ("https:///path", "URL host is empty")],
)
async def test_url_buttons_are_checked(emulator: Emulator, url: str, reason: str) -> None:
    markup = {"inline_keyboard": [[{"text": "Open", "url": url}]]}
    _, body = await send(emulator, text="x", reply_markup=markup)
    assert body == error(f"Bad Request: inline keyboard button URL '{url}' is invalid: {reason}")
    good = {"inline_keyboard": [[{"text": "Open", "url": "https://e.example/a?b=1"}]]}
    assert (await send(emulator, text="x", reply_markup=good))[0] == 200


async def test_reply_markup_that_is_not_an_object(emulator: Emulator) -> None:
    _, body = await emulator.call(
        "sendMessage", {"chat_id": 42, "text": "x", "reply_markup": "{not json"}
    )
    assert body == error("Bad Request: can't parse reply keyboard markup JSON object")
    _, body = await send(emulator, text="x", reply_markup=[[1]])
    assert body == error("Bad Request: object expected as reply markup")


# ----- callback answers, identifiers --------------------------------------------------------------


async def test_callback_answer_text_is_at_most_200_characters(emulator: Emulator) -> None:
    _, sent = await send(emulator, text="x", reply_markup={"inline_keyboard": [[button(1)]]})
    message_id = sent["result"]["message_id"]
    first = emulator.user(42).press_data(message_id, "d1")["callback_query"]["id"]
    second = emulator.user(42).press_data(message_id, "d1")["callback_query"]["id"]
    status, body = await emulator.call(
        "answerCallbackQuery", {"callback_query_id": first, "text": "é" * 201}
    )
    # The Bot API's documented 0-200; the server's MESSAGE_TOO_LONG passes through verbatim
    # (Client.cpp `fail_query_with_error` keeps an upper-case error as it is).
    assert (status, body) == (400, error("Bad Request: MESSAGE_TOO_LONG"))
    assert first not in emulator.callback_answers  # refused: not shown
    status, _ = await emulator.call(
        "answerCallbackQuery", {"callback_query_id": second, "text": "é" * 200}
    )
    answer = emulator.callback_answers[second]
    assert status == 200 and answer is not None and answer["text"] == "é" * 200


async def test_missing_identifiers_in_telegrams_words(emulator: Emulator) -> None:
    # Client.cpp `process_edit_message_text_query` / `get_inline_message_id`
    assert (await emulator.call("editMessageText", {"text": "x"}))[1] == error(
        "Bad Request: message identifier is not specified"
    )
    # Client.cpp `get_user_id`
    for user_id in ({}, {"user_id": "0"}, {"user_id": "abc"}):
        status, body = await emulator.call("getChatMember", {"chat_id": 42, **user_id})
        assert (status, body) == (400, error("Bad Request: invalid user_id specified"))
