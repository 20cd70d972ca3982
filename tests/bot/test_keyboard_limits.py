"""Keyboards and button notices within Telegram's limits, end to end against the emulator: the
unsubscribe list pages with ◀ ▶ instead of losing buttons (Telegram keeps at most 12 a row and
300 in all, tdlib `td/telegram/ReplyMarkup.cpp`), and a notice longer than answerCallbackQuery's
200 characters is cut at a word instead of being refused."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.callbacks import decode
from bot.handlers.keyboards import PAGE_SIZE
from bot.handlers.notices import MAX_NOTICE, fit_notice
from tests.support.harness import labels, running, sqlite_sessionmaker

__all__ = ["sqlite_sessionmaker"]

USER = 502
TOPICS = [f"topic{n:02d}" for n in range(19)]  # three pages of eight


async def test_a_long_unsubscribe_list_pages_and_every_topic_stays_reachable(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with running(sqlite_sessionmaker, max_subscriptions=40) as bot:
        for topic in TOPICS:
            await bot.say(USER, f"/subscribe {topic}")
        [keyboard] = await bot.say(USER, "/unsubscribe")
        assert labels(keyboard) == [f"✖ {t}" for t in TOPICS[:PAGE_SIZE]] + ["1/3", "▶"]
        assert all(len(row) <= 12 for row in keyboard.reply_markup["inline_keyboard"])  # type: ignore[index]

        seen: list[str] = []
        for page in range(3):
            message = bot.emulator.chat(USER).messages[-1]
            seen += [label for label in labels(message) if label.startswith("✖ ")]
            if page < 2:
                assert await bot.press(USER, "▶") in ("", None)
        assert seen == [f"✖ {t}" for t in TOPICS]
        assert labels(bot.emulator.chat(USER).messages[-1])[-2:] == ["◀", "3/3"]

        # unsubscribing on a later page redraws that page, not the first
        assert await bot.press(USER, "◀") in ("", None)
        answer = await bot.press(USER, f"✖ {TOPICS[9]}")
        assert answer == f"Unsubscribed from {TOPICS[9]}"
        page_two = labels(bot.emulator.chat(USER).messages[-1])
        assert page_two[0] == f"✖ {TOPICS[8]}" and f"✖ {TOPICS[9]}" not in page_two
        assert page_two[-3:] == ["◀", "2/3", "▶"]


def test_page_callback_data_is_compact_and_checked() -> None:
    page = decode("p:u2")
    assert page is not None and (page.action, page.arg) == ("p", "u2")
    for forged in ("p:", "p:x1", "p:u", "p:u-1", "p:u٣", "p:u1234567"):
        assert decode(forged) is None, forged


async def test_a_notice_over_200_characters_is_cut_at_a_word(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    query = " ".join(["longword"] * 22)  # 197 characters: "Unsubscribed from " makes 215
    async with running(sqlite_sessionmaker, max_query_length=200) as bot:
        await bot.say(USER, f"/subscribe {query}")
        [keyboard] = await bot.say(USER, "/unsubscribe")
        [label] = labels(keyboard)
        answer = await bot.press(USER, label)  # the emulator refuses a text over 200
        assert answer is not None and len(answer) <= MAX_NOTICE
        assert answer.startswith("Unsubscribed from longword") and answer.endswith("longword…")


def test_fit_notice() -> None:
    assert fit_notice("short") == "short"
    cut = fit_notice("word " * 60)
    assert len(cut) <= MAX_NOTICE and cut.endswith("word…")
    assert len(fit_notice("x" * 500)) == MAX_NOTICE  # one long word: cut inside it
    emoji = fit_notice("😀" * 150)  # 300 UTF-16 units
    assert len(emoji.encode("utf-16-le")) // 2 <= MAX_NOTICE
