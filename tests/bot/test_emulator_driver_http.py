"""The HTTP driver as a tool for trying the bot by hand: channels made through
`POST /_emulator/groups` are real channels (so `/channel` works), the notices answered to
button taps are shown, and `transcript?format=html` is a page a browser opens."""

from __future__ import annotations

import httpx

from bot.demo import LocalBot
from tests.support.harness import ADMIN


async def test_a_channel_made_by_the_driver_can_be_linked_with_slash_channel(bot: LocalBot) -> None:
    async with bot.emulator.serve() as url, httpx.AsyncClient(base_url=url) as client:
        made = await client.post(
            "/_emulator/groups",
            json={
                "chat_id": -100777,
                "title": "Morning Brief",
                "type": "channel",
                "username": "morningbrief",
                "admins": [ADMIN],
            },
        )
        assert made.json()["result"]["type"] == "channel"
        bad = await client.post("/_emulator/groups", json={"chat_id": -5, "type": "forum"})
        assert bad.status_code == 400 and "type must be" in bad.json()["description"]
        [reply] = await bot.say(ADMIN, "/channel @morningbrief")
        assert "Linked Morning Brief" in reply.text


async def test_notices_and_the_html_transcript(bot: LocalBot) -> None:
    emulator = bot.emulator
    async with emulator.serve() as url, httpx.AsyncClient(base_url=url) as client:
        [welcome] = await bot.say(42, "/start")
        # the quick-setup buttons the bot makes: callback_data "t:<topic>" (bot/handlers/keyboards)
        data = next(b["callback_data"] for b in welcome.buttons() if b["text"] == "technology")
        assert data == "t:technology"
        pressed = await client.post(
            "/_emulator/updates",
            json={
                "user_id": 42,
                "chat_id": 42,
                "callback_data": data,
                "message_id": welcome.message_id,
            },
        )
        query_id = pressed.json()["result"]["callback_query"]["id"]
        await bot.answer_of(pressed.json()["result"])
        notices = (await client.get("/_emulator/chats/42/notices")).json()["result"]
        assert notices == [
            {
                "callback_query_id": query_id,
                "user_id": 42,
                "chat_id": 42,
                "message_id": welcome.message_id,
                "data": "t:technology",
                "answered": True,
                "text": "Following technology",
                "show_alert": False,
                "url": None,
            }
        ]
        assert emulator.chat(42).notices == notices

        page = await client.get("/_emulator/chats/42/transcript", params={"format": "html"})
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.text.startswith("<!doctype html>") and "<button>" in page.text
        plain = (await client.get("/_emulator/chats/42/transcript")).json()["result"]
        assert "/start" in plain
        for view in ("messages", "notices", "transcript"):
            missing = await client.get(f"/_emulator/chats/999/{view}")
            assert (missing.status_code, missing.json()["description"]) == (404, "chat not found")
        bad = await client.get("/_emulator/chats/abc/messages")
        assert (bad.status_code, bad.json()["description"]) == (400, "bad chat id")
