"""The HTML parse mode behaves like tdlib's parse_html: texts, entities, errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telegram_emulator.html import EntityParseError, escape, parse_html, utf16_len


def test_aliases_and_span_spoiler() -> None:
    text, entities = parse_html(
        "<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del>"
        '<span class="tg-spoiler">f</span>'
    )
    assert text == "abcdef"
    assert [e["type"] for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "strikethrough",
        "spoiler",
    ]


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        (  # the basic entities
            "<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <tg-spoiler>x</tg-spoiler>",
            "bold it u s x",
            [
                {"type": "bold", "offset": 0, "length": 4},
                {"type": "italic", "offset": 5, "length": 2},
                {"type": "underline", "offset": 8, "length": 1},
                {"type": "strikethrough", "offset": 10, "length": 1},
                {"type": "spoiler", "offset": 12, "length": 1},
            ],
        ),
        (  # offsets and lengths in UTF-16 code units
            "😀 <b>é😀x</b>",
            "😀 é😀x",
            [{"type": "bold", "offset": 3, "length": 4}],
        ),
        (  # nested: the outer entity first
            "<b>a <i>b</i></b>",
            "a b",
            [
                {"type": "bold", "offset": 0, "length": 3},
                {"type": "italic", "offset": 2, "length": 1},
            ],
        ),
        (  # links, code, pre with and without a language, blockquotes, custom emoji
            '<a href="https://Example.com">site</a> <code>c</code> '
            '<pre><code class="language-python">p</code></pre> '
            "<pre>q</pre> <blockquote>r</blockquote> <blockquote expandable>s</blockquote> "
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
            "site c p q r s 👍",
            [
                {"type": "text_link", "offset": 0, "length": 4, "url": "https://example.com/"},
                {"type": "code", "offset": 5, "length": 1},
                {"type": "pre", "offset": 7, "length": 1, "language": "python"},
                {"type": "pre", "offset": 9, "length": 1},
                {"type": "blockquote", "offset": 11, "length": 1},
                {"type": "expandable_blockquote", "offset": 13, "length": 1},
                {
                    "type": "custom_emoji",
                    "offset": 15,
                    "length": 2,
                    "custom_emoji_id": "5368324170671202286",
                },
            ],
        ),
    ],
)
def test_text_and_entities(html: str, text: str, entities: list[dict[str, object]]) -> None:
    assert parse_html(html) == (text, entities)


def test_utf16_len_counts_code_units() -> None:
    assert utf16_len("😀 é😀x") == 7


def test_entities_decoded_and_unknown_named_kept() -> None:
    text, _ = parse_html("&lt;a&gt; &amp; &quot; &#65;&#x42; &nbsp; &copy; & x")
    assert text == '<a> & " AB &nbsp; &copy; & x'


def test_empty_tags_make_no_entity() -> None:
    assert parse_html("a<b></b>c") == ("ac", [])


def test_empty_end_tag_closes_current() -> None:
    assert parse_html("<b>x</>") == ("x", [{"type": "bold", "offset": 0, "length": 1}])


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("ab <p>", 'Unsupported start tag "p" at byte offset 3'),
        ("é<br/>", 'Unsupported start tag "br/" at byte offset 2'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
        ("<a href=", 'Unclosed start tag "a" at byte offset 0'),
        ("<a =x>y</a>", 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<a href=x/y>z</a>", "Unexpected end of name token at byte offset 8"),
        ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
    ],
)
def test_errors_have_tdlib_messages(html: str, message: str) -> None:
    with pytest.raises(EntityParseError) as info:
        parse_html(html)
    assert str(info.value) == message


@given(st.text())
def test_escaped_text_round_trips(text: str) -> None:
    # Lone surrogates cannot be sent as UTF-8 at all.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return
    assert parse_html(escape(text)) == (text, [])


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1))
def test_bold_entity_covers_whole_text(text: str) -> None:
    plain, entities = parse_html(f"<b>{escape(text)}</b>")
    assert plain == text
    assert entities == [{"type": "bold", "offset": 0, "length": utf16_len(text)}]


@pytest.mark.parametrize(
    ("href", "url"),
    [
        ("https://Example.com", "https://example.com/"),
        ("example.com/a?b=1", "http://example.com/a?b=1"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("tg://resolve?domain=news", "tg://resolve?domain=news"),
        ("localhost", None),
        # tdlib reads "mailto:someone" as user info of an http URL
        ("mailto:someone@example.com", "http://mailto:someone@example.com/"),
        ("", None),
    ],
)
def test_text_link_urls_checked_like_telegram(href: str, url: str | None) -> None:
    _, entities = parse_html(f'<a href="{href}">x</a>')
    if url is None:  # dropped; an empty href uses the text "x", itself no valid URL
        assert entities == []
    else:
        assert entities == [{"type": "text_link", "offset": 0, "length": 1, "url": url}]


# ----- <tg-time>: the date_time entity ------------------------------------------------------------
# Rules: Bot API "Formatting options" (HTML style: `<tg-time unix="…" format="…">`, "Date-time
# entity formatting": the format must match r|w?[dD]?[tT]?, empty shows the text as is) and
# MessageEntity (`date_time` with `unix_time` and optional `date_time_format`). The error texts
# are inferred in tdlib's usual shape: no stored tdlib MessageEntity.cpp has the tag yet.


@pytest.mark.parametrize("time_format", ["r", "w", "d", "D", "t", "T", "wD", "dt", "wDT", "wdT"])
def test_tg_time_makes_a_date_time_entity(time_format: str) -> None:
    text, entities = parse_html(
        f'Starts <tg-time unix="1647531900" format="{time_format}">22:45 tomorrow</tg-time>!'
    )
    assert text == "Starts 22:45 tomorrow!"
    assert entities == [
        {
            "type": "date_time",
            "offset": 7,
            "length": 14,
            "unix_time": 1647531900,
            "date_time_format": time_format,
        }
    ]


@pytest.mark.parametrize("attributes", ['unix="1647531900"', 'unix="1647531900" format=""'])
def test_tg_time_without_format_shows_the_text_as_is(attributes: str) -> None:
    # No format (or an empty one) is the same entity: no `date_time_format` field.
    assert parse_html(f"<tg-time {attributes}>😀 soon</tg-time>") == (
        "😀 soon",
        [{"type": "date_time", "offset": 0, "length": 7, "unix_time": 1647531900}],
    )


def test_tg_time_attributes_in_any_order_and_unquoted() -> None:
    _, entities = parse_html("<tg-time format='t' unix=0>x</tg-time>")
    assert entities == [
        {"type": "date_time", "offset": 0, "length": 1, "unix_time": 0, "date_time_format": "t"}
    ]
    # An unquoted value is a name token, lower-cased as tdlib does for every attribute.
    _, entities = parse_html("<tg-time unix=1647531900 format=wDT>x</tg-time>")
    assert entities[0]["date_time_format"] == "wdt"


def test_tg_time_nests_with_formatting() -> None:
    text, entities = parse_html(
        '<b>Due <tg-time unix="1700000000" format="D">Nov 14</tg-time></b> '
        '<tg-time unix="1700000000"><i>then</i></tg-time>'
    )
    assert text == "Due Nov 14 then"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 10},
        {
            "type": "date_time",
            "offset": 4,
            "length": 6,
            "unix_time": 1700000000,
            "date_time_format": "D",
        },
        {"type": "date_time", "offset": 11, "length": 4, "unix_time": 1700000000},
        {"type": "italic", "offset": 11, "length": 4},
    ]


_BAD_UNIX = 'Invalid Unix time in the tag "tg-time" at byte offset 0'


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<tg-time>x</tg-time>", 'Tag "tg-time" must have attribute "unix" at byte offset 0'),
        (
            'ab <tg-time format="r">x</tg-time>',
            'Tag "tg-time" must have attribute "unix" at byte offset 3',
        ),
        ('<tg-time unix="">x</tg-time>', _BAD_UNIX),
        ('<tg-time unix="soon">x</tg-time>', _BAD_UNIX),
        ('<tg-time unix="-5">x</tg-time>', _BAD_UNIX),
        ('<tg-time unix="1.5">x</tg-time>', _BAD_UNIX),
        ('<tg-time unix="2147483648">x</tg-time>', _BAD_UNIX),
        (
            'é<tg-time unix="1" format="rt">x</tg-time>',
            'Invalid date-time format in the tag "tg-time" at byte offset 2',
        ),
        (
            '<tg-time unix="1" format="Tw">x</tg-time>',
            'Invalid date-time format in the tag "tg-time" at byte offset 0',
        ),
        (
            '<tg-time unix="1" format="dD">x</tg-time>',
            'Invalid date-time format in the tag "tg-time" at byte offset 0',
        ),
        (
            '<tg-time unix="1" format="F">x</tg-time>',
            'Invalid date-time format in the tag "tg-time" at byte offset 0',
        ),
    ],
)
def test_tg_time_with_bad_attributes_is_refused(html: str, message: str) -> None:
    with pytest.raises(EntityParseError) as info:
        parse_html(html)
    assert str(info.value) == message


def test_tg_time_unix_time_is_the_largest_32_bit_date_at_most() -> None:
    _, entities = parse_html('<tg-time unix="2147483647">x</tg-time>')
    assert entities[0]["unix_time"] == 2**31 - 1
