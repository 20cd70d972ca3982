"""Helpers the emulator's tests share: a send as python-telegram-bot encodes it, a Bot wired
to the emulator in-process, and Telegram's error envelope."""

from __future__ import annotations

import json
from typing import Any

from telegram import Bot

from telegram_emulator import Emulator


async def send(em: Emulator, **params: Any) -> tuple[int, dict[str, Any]]:
    params.setdefault("chat_id", 42)
    # As python-telegram-bot sends them: every value a string, objects JSON-encoded.
    encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    return await em.call("sendMessage", encoded)


def local_bot(em: Emulator) -> Bot:
    """A Bot whose every request, getUpdates included, goes to the emulator."""
    return Bot(em.token, request=em.request(), get_updates_request=em.request())


def error(description: str, code: int = 400, **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body
