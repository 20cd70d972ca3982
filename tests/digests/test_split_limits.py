"""Every part the splitter makes is within all three of Telegram's limits for one text message
— 4096 UTF-16 units once parsed, 100 entities, and 32,768 bytes of raw text (telegram-bot-api
`telegram-bot-api/Client.cpp`, `get_formatted_text`: `text.size() > (1 << 15)` is "Text is too
long") — and the emulator, which enforces them as Telegram does, accepts each part."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digests.render import DigestView, ItemView, Renderer, SourceView, TopicGroup
from digests.split import MAX_ENTITIES, MAX_TEXT_BYTES, MAX_TEXT_UTF16, raw_bytes, split_html
from telegram_emulator import Emulator
from telegram_emulator.entities import parse_message
from telegram_emulator.html import utf16_len

CREATED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
URL_CHARS = st.sampled_from("abcxyz0123456789-_./?=&%~")


@st.composite
def long_url(draw: st.DrawFn) -> str:
    """An http(s) URL up to the 2,048 characters a feed may carry, `&` and all."""
    size = draw(st.sampled_from([10, 300, 1200, 2000]))
    pattern = "".join(draw(st.lists(URL_CHARS, min_size=1, max_size=12)))
    tail = (pattern * (size // len(pattern) + 1))[:size]
    return f"https://{draw(st.sampled_from(['a.example', 'news.example.org']))}/{tail}"


@st.composite
def story(draw: st.DrawFn) -> ItemView:
    sources = draw(st.integers(0, 12))
    return ItemView(
        draw(st.integers(1, 10**6)),
        draw(st.sampled_from(["Short", "Ünïcode 😀 title & <tags>", "Word " * 40])),
        draw(long_url()),
        "Source",
        None,
        draw(st.sampled_from(["", "One sentence.", "Long sentence goes on. " * 30])),
        tuple(SourceView(f"Outlet {i}", draw(long_url())) for i in range(sources)),
    )


def check(part: str, emulator: Emulator) -> None:
    text, entities = parse_message(part)
    assert raw_bytes(part) <= MAX_TEXT_BYTES
    assert utf16_len(text) <= MAX_TEXT_UTF16
    assert len(entities) <= MAX_ENTITIES
    emulator.formatted({"text": part, "parse_mode": "HTML"})  # raises ApiError if refused


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(story(), min_size=1, max_size=30))
def test_digests_with_long_urls_and_many_links_split_within_every_limit(
    stories: list[ItemView],
) -> None:
    digest = DigestView(groups=(TopicGroup("topic", tuple(stories)),), created=CREATED)
    emulator = Emulator()
    parts = Renderer().digest_parts(digest)
    assert parts
    for part in parts:
        check(part, emulator)


def test_a_part_of_short_text_and_long_links_is_cut_by_its_bytes() -> None:
    # ten stories with eight 2,000-byte links each: ~400 characters of text, ~160 KB of HTML
    links = ", ".join(f'<a href="https://e.example/{"x" * 2000}">S{i}</a>' for i in range(8))
    html = "\n\n".join(f"<b>Story {n}</b>\nAlso reported by {links}" for n in range(10))
    assert raw_bytes(html) > MAX_TEXT_BYTES and utf16_len(parse_message(html)[0]) < MAX_TEXT_UTF16
    parts = split_html(html)
    assert len(parts) >= 5
    emulator = Emulator()
    for part in parts:
        check(part, emulator)
    assert sum(parse_message(p)[0].count("Story ") for p in parts) == 10


def test_one_block_of_many_long_links_is_cut_inside_with_tags_closed() -> None:
    links = " ".join(
        f'<a href="https://e.example/{i}/{"y" * 2040}">link {i}</a>' for i in range(40)
    )
    parts = split_html(f"<i>{links}</i>")
    assert len(parts) >= 3
    emulator = Emulator()
    for part in parts:
        check(part, emulator)
        assert part.startswith("<i>") and part.endswith("</i>")
    assert sum(parse_message(p)[0].count("link ") for p in parts) == 40
