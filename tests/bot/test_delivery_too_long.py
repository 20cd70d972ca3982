"""A part Telegram refuses as too long is split again in the outbox and delivered, in order,
never lost: the real delivery worker against the emulator, which refuses a `text` over 32,768
bytes as the Bot API does (telegram-bot-api `telegram-bot-api/Client.cpp`, `get_formatted_text`:
"Text is too long", checked on the raw parameter before parsing)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.split import MAX_TEXT_BYTES, raw_bytes, resplit
from storage.models import DeliveryStatus
from telegram_emulator import parse_message
from tests.support.delivery import RETRY_AFTER_WARNING, make_rig

pytestmark = pytest.mark.filterwarnings(RETRY_AFTER_WARNING)

LINKS = ", ".join(f'<a href="https://e.example/{i}/{"q" * 2000}">Outlet {i}</a>' for i in range(6))


def oversized_part(stories: int) -> str:
    """A part made before the byte limit was counted: short text, long links, > 32 KiB."""
    return "\n\n".join(f"<b>Story {n}</b>\nAlso reported by {LINKS}" for n in range(stories))


async def test_a_part_refused_as_too_long_is_split_and_delivered_in_order(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    rig = await make_rig(sessionmaker)
    chat = await rig.chat(42)
    big = oversized_part(6)
    assert raw_bytes(big) > MAX_TEXT_BYTES
    await rig.enqueue(chat, [big, "<i>last part of the first digest</i>"])
    await rig.enqueue(chat, ["<u>the next digest</u>"])

    await rig.drain()

    assert rig.emulator.stats.errors[400] == 1  # refused once, then sent as smaller parts
    texts = rig.emulator.chat(42).texts
    assert len(texts) >= 4
    stories = [line for t in texts for line in t.splitlines() if line.startswith("Story ")]
    assert stories == [f"Story {n}" for n in range(6)]  # in order, none twice, none lost
    assert texts[-2:] == ["last part of the first digest", "the next digest"]
    parts = await rig.parts(chat)
    assert {p.status for p in parts} == {DeliveryStatus.SENT}
    assert all(raw_bytes(p.text) <= MAX_TEXT_BYTES for p in parts)


def test_plain_text_parts_are_split_as_plain_text() -> None:
    text = "\n\n".join(f"Line {n} <not a tag> & more " + "ä" * 3000 for n in range(8))
    pieces = resplit(text, None)
    assert len(pieces) >= 2
    assert all(raw_bytes(p) <= MAX_TEXT_BYTES for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    html_pieces = resplit(oversized_part(3), "HTML")
    assert all(parse_message(p)[0] for p in html_pieces)
