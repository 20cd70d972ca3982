"""Command replies share the delivery worker's send budget and survive flood control: a burst
of replies to many chats stays under Telegram's overall limit, and a reply refused with 429
is sent once the wait is over instead of being dropped. Real time, about 3 s."""

from __future__ import annotations

import asyncio
import time

from telegram.ext import ExtBot

from bot.limits import LocalLimiter, SendLimits, SharedRateLimiter
from bot.limits.replies import chat_key, is_posting
from telegram_emulator import ApiLimits, Emulator


def _bot(emulator: Emulator, limiter: LocalLimiter) -> ExtBot[int]:
    return ExtBot(
        emulator.token, request=emulator.request(), rate_limiter=SharedRateLimiter(limiter)
    )


async def test_a_burst_of_replies_is_paced_under_the_overall_limit() -> None:
    emulator = Emulator(limits=ApiLimits(global_per_second=20))
    chats = [emulator.private_chat(1000 + n).id for n in range(45)]
    limiter = LocalLimiter(SendLimits(global_rate=20))
    bot = _bot(emulator, limiter)
    await bot.initialize()
    started = time.monotonic()
    await asyncio.gather(*(bot.send_message(chat, f"reply {chat}") for chat in chats))
    elapsed = time.monotonic() - started
    await bot.shutdown()
    assert emulator.stats.too_many_requests == 0
    assert all(emulator.chat(chat).messages[-1].text == f"reply {chat}" for chat in chats)
    assert elapsed >= 44 / 20 - 0.1  # paced, not sent in one go


async def test_a_reply_refused_by_flood_control_is_sent_after_the_wait() -> None:
    # Telegram allows less than we think (another process used the budget): 429s come back
    emulator = Emulator(limits=ApiLimits(global_per_second=3))
    chats = [emulator.private_chat(2000 + n).id for n in range(6)]
    bot = _bot(emulator, LocalLimiter(SendLimits(global_rate=30)))
    await bot.initialize()
    await asyncio.gather(*(bot.send_message(chat, "answer") for chat in chats))
    await bot.shutdown()
    assert emulator.stats.too_many_requests > 0
    assert [len(emulator.chat(chat).messages) for chat in chats] == [1] * 6


def test_only_posting_methods_are_paced_and_any_chat_id_is_counted() -> None:
    assert is_posting("sendMessage") and is_posting("copyMessage")
    assert not is_posting("sendChatAction") and not is_posting("answerCallbackQuery")
    assert chat_key(42) == 42 and chat_key("-100123") == -100123
    assert chat_key("@news") == chat_key("@news") and (chat_key("@news") or 0) < 0
    assert chat_key(None) is None
