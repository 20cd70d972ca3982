"""`Emulator.observe`: a driver hears of every stored message at once, and no more after it
stops listening."""

from __future__ import annotations

from telegram_emulator import Emulator, Message


async def test_observer_sees_each_stored_message_until_removed() -> None:
    emulator = Emulator()
    seen: list[Message] = []
    stop = emulator.observe(seen.append)
    emulator.user(42).send("/help")
    status, _ = await emulator.call("sendMessage", {"chat_id": 42, "text": "hi"})
    assert status == 200
    assert [(m.chat_id, m.from_bot, m.text) for m in seen] == [
        (42, False, "/help"),
        (42, True, "hi"),
    ]
    stop()
    await emulator.call("sendMessage", {"chat_id": 42, "text": "again"})
    assert len(seen) == 2
