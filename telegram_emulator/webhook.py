"""Webhook delivery: while a webhook is set, updates are POSTed to it in order, as Telegram does.

Only loopback URLs are ever contacted (the emulator never reaches another host), and setWebhook
accepts them only with `Emulator(allow_local_webhooks=True)` (Telegram refuses reserved
addresses); any other URL Telegram would accept is accepted but reported in getWebhookInfo's
`last_error_message`. A delivery
that fails (connection error, non-2xx answer) is retried after `retry_seconds`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

if TYPE_CHECKING:
    from telegram_emulator.core import Emulator

logger = logging.getLogger(__name__)

NOT_LOOPBACK = "the emulator delivers webhooks only to loopback addresses"


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def reserved_address(url: str) -> str | None:
    """The address of a URL whose host is a loopback, private or otherwise reserved IP (or
    localhost), as Telegram names it when refusing such a webhook; None for any other host."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    return str(address) if not address.is_global else None


@dataclass
class Webhook:
    """The webhook a bot set, and its delivery state (as getWebhookInfo reports it)."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    retry_seconds: float = 0.5
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    def info(self, pending: int) -> dict[str, Any]:
        data: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
            "max_connections": self.max_connections,
        }
        if is_loopback(self.url):
            data["ip_address"] = "127.0.0.1"
        if self.last_error_date is not None:
            data["last_error_date"] = self.last_error_date
            data["last_error_message"] = self.last_error_message
        return data


async def deliver(emulator: Emulator, hook: Webhook) -> None:
    """Post queued updates to `hook` one by one until the webhook is removed or replaced."""
    headers = {"Content-Type": "application/json"}
    if hook.secret_token:
        headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
    async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
        while emulator.webhook is hook:
            pending = emulator.deliverable_updates()
            if not pending:
                await emulator.wait_change(1.0)
                continue
            update = pending[0]
            try:
                answer = await client.post(hook.url, json=update, headers=headers)
                ok = 200 <= answer.status_code < 300
                error = None if ok else f"Wrong response from the webhook: {answer.status_code}"
            except httpx.HTTPError as exc:
                ok, error = False, f"Connection failed: {exc.__class__.__name__}"
            if ok:
                emulator.confirm_update(update["update_id"])
                hook.delivered += 1
                continue
            hook.last_error_date = emulator.now()
            hook.last_error_message = error
            logger.info("webhook delivery failed url=%s error=%s", hook.url, error)
            await asyncio.sleep(hook.retry_seconds)
