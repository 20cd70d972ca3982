"""Transcripts show what a subscriber saw; injected faults reach the real client over HTTP."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

from telegram_emulator import Emulator, ManualClock
from telegram_emulator.transcript import entities_to_html


async def test_text_and_html_transcripts() -> None:
    emulator = Emulator(clock=ManualClock(1_800_000_000))
    emulator.user(42, "Ada").send("/start")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="m")]])
    async with Bot(
        emulator.token, request=emulator.request(), get_updates_request=emulator.request()
    ) as bot:
        await bot.send_message(
            42,
            'Top <b>story</b> &amp; <a href="https://x.org/a">link</a>',
            parse_mode="HTML",
            reply_markup=keyboard,
        )
    text = emulator.chat(42).transcript()
    assert text == (
        "[2027-01-15 08:00:00] Ada:\n/start\n\n"
        "[2027-01-15 08:00:00] Digest Bot:\nTop story & link\n  [ More ]\n"
    )
    page = emulator.chat(42).transcript(html=True)
    assert 'Top <b>story</b> &amp; <a href="https://x.org/a">link</a>' in page
    assert "<button>More</button>" in page


def test_entities_to_html_nests_and_counts_utf16() -> None:
    entities = [
        {"type": "bold", "offset": 0, "length": 5},
        {"type": "italic", "offset": 3, "length": 2},
        {"type": "pre", "offset": 6, "length": 1, "language": "py"},
    ]
    assert entities_to_html("😀a<b c", entities) == (
        '<b>😀a<i>&lt;b</i></b> <pre><code class="language-py">c</code></pre>'
    )


@pytest.mark.parametrize(
    ("kind", "error"), [("drop", NetworkError), ("timeout", TimedOut), ("502", NetworkError)]
)
async def test_http_faults_reach_the_client(kind: str, error: type[Exception]) -> None:
    emulator = Emulator()
    emulator.user(42).send("/start")
    emulator.fault_hang_seconds = 3.0
    async with emulator.serve() as url:
        request = HTTPXRequest(read_timeout=0.5, connect_timeout=5)
        async with Bot(
            emulator.token,
            base_url=f"{url}/bot",
            request=request,
            get_updates_request=HTTPXRequest(),
        ) as bot:
            emulator.inject_faults(kind, next_n=1, methods=["sendMessage"])
            with pytest.raises(error):
                await bot.send_message(42, "lost")
            assert (await bot.send_message(42, "delivered")).text == "delivered"
    assert emulator.chat(42).texts == ["delivered"]
    assert emulator.stats.faults == 1
