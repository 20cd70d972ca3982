"""The HTML parse mode behaves like tdlib's parse_html: texts, entities, errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telegram_emulator.html import EntityParseError, escape, parse_html, utf16_len


def test_plain_text_and_basic_entities() -> None:
    text, entities = parse_html(
        "<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <tg-spoiler>x</tg-spoiler>"
    )
    assert text == "bold it u s x"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 5, "length": 2},
        {"type": "underline", "offset": 8, "length": 1},
        {"type": "strikethrough", "offset": 10, "length": 1},
        {"type": "spoiler", "offset": 12, "length": 1},
    ]


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


def test_offsets_are_utf16_code_units() -> None:
    text, entities = parse_html("😀 <b>é😀x</b>")
    assert text == "😀 é😀x"
    assert entities == [{"type": "bold", "offset": 3, "length": 4}]
    assert utf16_len(text) == 7


def test_nested_entities_sorted_outer_first() -> None:
    _, entities = parse_html("<b>a <i>b</i></b>")
    assert entities == [
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "italic", "offset": 2, "length": 1},
    ]


def test_links_code_pre_blockquote_emoji() -> None:
    text, entities = parse_html(
        '<a href="https://Example.com">site</a> <code>c</code> '
        '<pre><code class="language-python">p</code></pre> '
        "<pre>q</pre> <blockquote>r</blockquote> <blockquote expandable>s</blockquote> "
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert text == "site c p q r s 👍"
    assert entities == [
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
    ]


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
