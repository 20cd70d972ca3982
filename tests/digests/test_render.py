"""Rendering and splitting: every part Telegram accepts, within its limits, golden files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digests.render import (
    ItemView,
    Renderer,
    SourceView,
    TopicGroup,
    safe_url,
    tg_escape,
)
from digests.split import MAX_ENTITIES, MAX_TEXT_UTF16, split_html
from telegram_emulator.html import parse_html, utf16_len
from tests.support.render import CREATED, sample_digest, sample_items

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("DIGESTBOT_REGENERATE_GOLDEN") == "1"


def check_parts(parts: list[str]) -> list[str]:
    """Each part parses as Telegram parses it and is within the limits; returns plain texts."""
    plain = []
    for part in parts:
        text, entities = parse_html(part)
        assert utf16_len(text) <= MAX_TEXT_UTF16
        assert len(entities) <= MAX_ENTITIES
        assert text.strip()
        plain.append(text)
    return plain


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGENERATE or not path.exists():
        path.write_text(text + "\n", encoding="utf-8")
    assert text + "\n" == path.read_text(encoding="utf-8"), f"{name} changed; regenerate"


def test_digest_templates_golden() -> None:
    html = Renderer().render_digest(sample_digest())
    golden("digest.html", html)
    (plain,) = check_parts([html])
    assert 'Regulators & "AI safety" <labs> agree' in plain
    assert "+4" in plain and "/more" in plain
    assert "März" in plain  # the chat's language
    assert "18:30" in plain  # 17:30 UTC in Berlin


def test_results_and_nothing_new_golden() -> None:
    renderer = Renderer()
    results = renderer.render_results(title="Search: <ai>", articles=sample_items())
    golden("results.html", results)
    nothing = renderer.render_nothing_new(since=CREATED, timezone="UTC")
    golden("nothing_new.html", nothing)
    tokyo = renderer.render_results(title="t", articles=sample_items()[:1], timezone="Asia/Tokyo")
    texts = check_parts([results, nothing, tokyo])
    assert "Search: <ai>" in texts[0]
    assert "02:30" in texts[2]  # Tokyo time
    _, entities = parse_html(tokyo)
    links = [e["url"] for e in entities if e["type"] == "text_link"]
    assert links == ["https://news.example/a?x=1&y=2", "https://wire.example/b"]
    assert renderer.render_nothing_new().startswith("Nothing new on your topics since your last")


def test_only_http_links() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://user:pw@example.com/") is None
    assert safe_url("ftp://example.com/") is None
    assert safe_url("https://example.com/a b") == "https://example.com/a%20b"
    html = Renderer().render_digest(sample_digest())
    assert "javascript" not in html


def test_override_directory(tmp_path: Path) -> None:
    (tmp_path / "digest_header.html.j2").write_text("<b>Mine</b> {{ value }}")
    renderer = Renderer(tmp_path)
    assert renderer.render_digest(sample_digest()).startswith("<b>Mine</b>")
    assert "▍" in renderer.render_digest(sample_digest())  # others still packaged


def test_undefined_names_raise(tmp_path: Path) -> None:
    (tmp_path / "digest_header.html.j2").write_text("{{ nonsense }}")
    with pytest.raises(Exception, match="nonsense"):
        Renderer(tmp_path).render_digest(sample_digest())


def test_long_digest_splits_at_item_boundaries() -> None:
    items = tuple(
        ItemView(i, f"Story {i}", f"https://e.example/{i}", "E", CREATED, "Sentence. " * 60)
        for i in range(40)
    )
    digest = sample_digest(groups=(TopicGroup("t", items),))
    parts = Renderer().digest_parts(digest)
    plain = check_parts(parts)
    assert len(parts) > 1
    for text in plain[1:]:
        assert text.startswith("Story ")  # each part starts with a story, none cut mid-way
    assert sum(t.count("Story ") for t in plain) == 40


def test_entity_limit_splits() -> None:
    html = "\n\n".join(f"<b>{i}</b> <i>x</i>" for i in range(120))
    parts = split_html(html)
    assert len(parts) == 3
    check_parts(parts)


def test_overlong_item_is_cut_at_sentences_with_tags_carried() -> None:
    html = "<b>Head</b>\n<i>" + "A sentence here. " * 600 + "</i>"
    parts = split_html(html)
    plain = check_parts(parts)
    assert len(parts) >= 3
    assert all(p.rstrip().endswith(".") for p in plain[:-1])
    assert all(p.startswith("<i>") for p in parts[1:])


def test_a_word_longer_than_a_message_is_cut() -> None:
    parts = split_html('<a href="https://e.example/">' + "😀" * 5000 + "</a>")
    check_parts(parts)
    assert len(parts) == 3


PIECES = ["<", ">", "&", '"', "'", ";", " ", "\n", "&amp;", "&lt;b&gt;", "\u200b", "\u200f"]
PIECES += ["\u202e", "😀", "עברית", "&#0;", "\x00", "<b>", "</a>", "&#128512;"]
nasty = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=60).map("".join)
urls = st.one_of(
    st.none(),
    st.text(max_size=80),
    st.builds(lambda s: "https://example.com/" + s, st.text(max_size=60)),
)


@st.composite
def items(draw: st.DrawFn) -> ItemView:
    title = draw(st.one_of(nasty, st.just("W" * 10_000), st.just("word " * 2_000)))
    return ItemView(
        draw(st.integers(1, 10**6)),
        title,
        draw(urls),
        draw(nasty),
        draw(st.none() | st.just(CREATED)),
        draw(st.one_of(nasty, st.just("Long sentence goes on. " * 400))),
        tuple(SourceView(draw(nasty) or "x", draw(urls)) for _ in range(draw(st.integers(0, 3)))),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(items(), min_size=1, max_size=25),
    nasty,
    st.integers(0, 1000),
)
def test_any_articles_render_into_valid_parts(
    stories: list[ItemView], topic: str, more: int
) -> None:
    digest = sample_digest(groups=(TopicGroup(topic, tuple(stories)),), more=more)
    renderer = Renderer()
    check_parts(renderer.digest_parts(digest))
    check_parts(split_html(renderer.render_results(title=topic or "t", articles=stories)))


@st.composite
def telegram_html(draw: st.DrawFn) -> str:
    """Valid Telegram HTML: escaped text in nested tags, long words and sentences, blank lines."""

    def fragment(depth: int) -> str:
        kind = draw(st.sampled_from(["text", "long", "tag", "link"] if depth < 3 else ["text"]))
        if kind == "text":
            return tg_escape(draw(nasty))
        if kind == "long":
            return draw(st.sampled_from(["W" * 4200, "Sentence here. " * 300, "😀" * 2100]))
        inner = "".join(fragment(depth + 1) for _ in range(draw(st.integers(1, 3))))
        if kind == "link":
            return f'<a href="https://e.example/{draw(st.integers())}">{inner}</a>'
        tag = draw(st.sampled_from(["b", "i", "u", "s", "code"]))
        return f"<{tag}>{inner}</{tag}>"

    blocks = [
        "".join(fragment(0) for _ in range(draw(st.integers(1, 4))))
        for _ in range(draw(st.integers(1, 12)))
    ]
    return "\n\n".join(blocks) + "."


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(telegram_html())
def test_split_any_valid_html_into_valid_parts(html: str) -> None:
    whole, _ = parse_html(html)  # the input is valid
    plain = check_parts(split_html(html))
    assert "".join("".join(p.split()) for p in plain) == "".join(whole.split())


def test_an_update_to_a_story_already_sent_is_marked() -> None:
    first, _ = sample_items()
    update = ItemView(
        first.article_id, first.title, first.url, first.source, first.published, "", update=True
    )
    digest = sample_digest(groups=(TopicGroup("energy", (update, sample_items()[1])),))
    plain = check_parts(Renderer().digest_parts(digest))
    text = "\n".join(plain)
    assert text.count("Update:") == 1
    assert text.index("Update:") < text.index("Regulators")


def test_a_story_shared_by_zones_shows_each_zones_time() -> None:
    """A story is rendered once per language and each zone fills in its own time; a title
    that holds the marks used for that is rendered per zone instead, as it is."""
    renderer = Renderer()
    item = sample_items()[0]  # published 17:30 UTC
    berlin = renderer.story(item, "Europe/Berlin", "en")
    tokyo = renderer.story(item, "Asia/Tokyo", "en")
    assert "1 Mar, 18:30" in berlin and "2 Mar, 02:30" in tokyo
    assert str(tokyo) == str(Renderer().story(item, "Asia/Tokyo", "en"))  # as if alone
    tricky = ItemView(9, "Odd \ue0000\ue001 title", None, "Blog", item.published, "")
    assert "Odd \ue0000\ue001 title" in renderer.story(tricky, "Asia/Tokyo", "en")
    assert "2 Mar, 02:30" in renderer.story(tricky, "Asia/Tokyo", "en")
