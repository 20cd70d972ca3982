"""Webhook mode: updates are POSTed, in order and with the secret token, to a loopback URL."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from bot.emulator import Emulator


async def test_updates_delivered_to_webhook_with_retry() -> None:
    received: list[dict[str, Any]] = []
    answers = [500]  # the first delivery fails, then the endpoint works

    async def hook(request: web.Request) -> web.Response:
        assert request.headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret"
        if answers:
            return web.Response(status=answers.pop())
        received.append(await request.json())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    emulator = Emulator()
    emulator.user(42).send("/start")  # queued before the webhook is set: delivered too
    try:
        status, body = await emulator.call(
            "setWebhook", {"url": f"http://127.0.0.1:{port}/hook", "secret_token": "s3cret"}
        )
        assert (status, body["result"]) == (200, True)
        emulator.webhook.retry_seconds = 0.05  # type: ignore[union-attr]
        emulator.user(42).send("second")
        await emulator.wait_for(lambda: len(received) == 2, timeout=20)
        assert [u["message"]["text"] for u in received] == ["/start", "second"]
        _, info = await emulator.call("getWebhookInfo", {})
        assert info["result"]["pending_update_count"] == 0
        assert info["result"]["last_error_message"] == "Wrong response from the webhook: 500"
        status, body = await emulator.call("getUpdates", {})
        assert status == 409
        assert (await emulator.call("deleteWebhook", {}))[1]["result"] is True
        emulator.user(42).send("third")
        await asyncio.sleep(0.2)
        assert len(received) == 2
        assert [
            u["message"]["text"] for u in (await emulator.call("getUpdates", {}))[1]["result"]
        ] == ["third"]
    finally:
        await emulator.remove_webhook()
        await runner.cleanup()


async def test_webhook_url_rules() -> None:
    emulator = Emulator()
    status, body = await emulator.call("setWebhook", {"url": "http://example.org/hook"})
    assert (status, body["description"]) == (
        400,
        "Bad Request: bad webhook: HTTPS url must be provided for webhook",
    )
    # Accepted, but never contacted: the emulator only talks to loopback.
    assert (await emulator.call("setWebhook", {"url": "https://example.org/hook"}))[0] == 200
    _, info = await emulator.call("getWebhookInfo", {})
    assert info["result"]["url"] == "https://example.org/hook"
    assert "loopback" in info["result"]["last_error_message"]
    await emulator.remove_webhook()
