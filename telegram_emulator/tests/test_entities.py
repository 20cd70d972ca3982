"""After parsing, entities are fixed as Telegram fixes them (tdlib's fix_formatted_text)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telegram_emulator.entities import EmptyTextError, parse_message
from telegram_emulator.html import escape, utf16_len


def test_adjacent_runs_of_one_type_merge() -> None:
    assert parse_message("<b>a</b><b>b</b> <i>c</i>") == (
        "ab c",
        [{"type": "bold", "offset": 0, "length": 2}, {"type": "italic", "offset": 3, "length": 1}],
    )


def test_bold_is_split_around_a_link() -> None:
    text, entities = parse_message('<b>Hello <a href="https://x.org">link</a> end</b>')
    assert text == "Hello link end"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 6},
        {"type": "text_link", "offset": 6, "length": 4, "url": "https://x.org/"},
        {"type": "bold", "offset": 6, "length": 4},
        {"type": "bold", "offset": 10, "length": 4},
    ]


def test_nothing_is_formatted_inside_code() -> None:
    assert parse_message("<code>a <b>b</b></code>") == (
        "a b",
        [{"type": "code", "offset": 0, "length": 3}],
    )


def test_control_characters_and_carriage_returns() -> None:
    assert parse_message("a\tb\r\nc", None) == ("a b\nc", [])


def test_trim_stops_at_the_first_entity() -> None:
    assert parse_message("  <b>x</b>  ") == ("x", [{"type": "bold", "offset": 0, "length": 1}])
    assert parse_message("<b> x </b>") == (" x", [{"type": "bold", "offset": 0, "length": 2}])


def test_blank_text_is_empty() -> None:
    with pytest.raises(EmptyTextError):
        parse_message(" \n<b> </b>\t")


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp", "Mn"])))
def test_fixed_entities_stay_inside_the_text(text: str) -> None:
    html = f"<b>{escape(text)}</b> <i>x</i>"
    plain, entities = parse_message(html)
    size = utf16_len(plain)
    assert all(e["offset"] >= 0 and e["offset"] + e["length"] <= size for e in entities)
    assert all(e["length"] > 0 for e in entities)


# Bot API "Formatting options": bold, italic, underline, strikethrough and spoiler can contain
# and be part of any entity except pre and code; "all other entities can't contain each other"
# — date_time is one of those others, like text_link and custom_emoji.


def test_date_time_keeps_formatting_around_and_inside() -> None:
    text, entities = parse_message('<b>at <tg-time unix="5" format="t"><i>noon</i></tg-time></b>')
    assert text == "at noon"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "date_time", "offset": 3, "length": 4, "unix_time": 5, "date_time_format": "t"},
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "italic", "offset": 3, "length": 4},
    ]


@pytest.mark.parametrize(
    ("html", "kept"),
    [
        ('<a href="https://x.org">see <tg-time unix="5">then</tg-time></a>', "text_link"),
        ('<tg-time unix="5">see <a href="https://x.org">then</a></tg-time>', "date_time"),
        ('<code>a <tg-time unix="5">then</tg-time></code>', "code"),
        ('<tg-time unix="5"><code>then</code> ok</tg-time>', "date_time"),
    ],
)
def test_date_time_and_other_entities_do_not_nest(html: str, kept: str) -> None:
    _, entities = parse_message(html)
    assert [e["type"] for e in entities] == [kept]


def test_date_time_may_sit_in_a_blockquote() -> None:
    _, entities = parse_message('<blockquote>at <tg-time unix="5">noon</tg-time></blockquote>')
    assert [e["type"] for e in entities] == ["blockquote", "date_time"]
