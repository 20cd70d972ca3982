"""Texts with a count read right for one and for many: "+1 more story — send /more to see
it", "+2 more stories — … them", "1 story" / "2 stories"."""

from __future__ import annotations

import pytest

from digests import texts
from digests.render import Renderer
from telegram_emulator.html import parse_html
from tests.support.render import sample_digest


@pytest.mark.parametrize(
    ("more", "footer"),
    [
        (1, "+1 more story — send /more to see it."),
        (2, "+2 more stories — send /more to see them."),
        (21, "+21 more stories — send /more to see them."),
    ],
)
def test_the_digest_footer_agrees_with_its_count(more: int, footer: str) -> None:
    html = Renderer().render_digest(sample_digest(more=more, language="en"))
    plain, _ = parse_html(html)
    assert plain.endswith(footer)


def test_counted_nouns() -> None:
    assert texts.stories(1) == "1 story"
    assert texts.stories(0) == "0 stories"
    assert texts.stories(2) == "2 stories"
    assert texts.topics(1) == "1 topic" and texts.topics(5) == "5 topics"
    assert texts.words(1) == "1 word" and texts.chats(1) == "1 chat" and texts.chats(2) == "2 chats"
