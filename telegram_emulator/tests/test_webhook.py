"""Webhook mode: updates are POSTed, in order and with the secret token, to a loopback URL
(allowed only with `Emulator(allow_local_webhooks=True)`); setWebhook's URL rules follow
telegram-bot-api `telegram-bot-api/Client.cpp` and `telegram-bot-api/WebhookActor.cpp`."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from telegram_emulator import Emulator


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
    emulator = Emulator(allow_local_webhooks=True)
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
    refused = {
        "http://example.org/hook": "HTTPS url must be provided for webhook",
        "https://example.org:8080/hook": "Webhook can be set up only on ports 80, 88, 443 or 8443",
        "http://127.0.0.1:8443/hook": "HTTPS url must be provided for webhook",
        "https://127.0.0.1/hook": "IP address 127.0.0.1 is reserved",
        "https://10.1.2.3:8443/hook": "IP address 10.1.2.3 is reserved",
        "https://localhost:88/hook": "IP address 127.0.0.1 is reserved",
    }
    for url, reason in refused.items():
        status, body = await emulator.call("setWebhook", {"url": url})
        assert (status, body["description"]) == (400, f"Bad Request: bad webhook: {reason}"), url
    assert emulator.webhook is None
    for port in ("", ":80", ":88", ":8443"):
        assert (await emulator.call("setWebhook", {"url": f"https://e.example{port}/h"}))[0] == 200
    # Accepted, but never contacted: the emulator only talks to loopback.
    assert (await emulator.call("setWebhook", {"url": "https://example.org/hook"}))[0] == 200
    _, info = await emulator.call("getWebhookInfo", {})
    assert info["result"]["url"] == "https://example.org/hook"
    assert "loopback" in info["result"]["last_error_message"]
    await emulator.remove_webhook()


async def test_local_webhooks_only_when_allowed() -> None:
    emulator = Emulator(allow_local_webhooks=True)
    try:
        for url in ("http://127.0.0.1:9/hook", "https://localhost:12345/h", "http://[::1]:8/h"):
            assert (await emulator.call("setWebhook", {"url": url}))[0] == 200, url
        # the allowance covers loopback only: other hosts keep Telegram's rules
        status, body = await emulator.call("setWebhook", {"url": "http://example.org/hook"})
        assert status == 400 and "HTTPS url must be provided" in body["description"]
    finally:
        await emulator.remove_webhook()
