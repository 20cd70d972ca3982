"""The in-process front end: a `telegram.request.BaseRequest` that answers from the emulator.

Parameters travel exactly as python-telegram-bot's own HTTP client sends them (JSON-encoded
form values), so both front ends exercise the same parsing.

Only python-telegram-bot's public API is used: the emulator answers at once, so `do_request`
takes the four timeouts (read, write, connect, pool) as `*_timeouts` / `**_named_timeouts`
typed `object` (wider than the base class's private `ODVInput[float]`, so still a valid
override) and ignores them.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from telegram_emulator.errors import InjectedFault

if TYPE_CHECKING:
    from telegram_emulator.core import Emulator


class EmulatorRequest(BaseRequest):
    """Plug into `ApplicationBuilder().request(...)` / `.get_updates_request(...)`."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self._tasks: set[asyncio.Task[tuple[int, bytes]]] = set()
        self._closed = False

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        self._closed = False

    async def shutdown(self) -> None:
        # A long poll in flight ends now instead of holding shutdown for its timeout.
        self._closed = True
        for task in list(self._tasks):
            task.cancel()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *_timeouts: object,
        **_named_timeouts: object,
    ) -> tuple[int, bytes]:
        if self._closed:
            raise NetworkError("the emulator request object was shut down")
        path = urlsplit(url).path.rstrip("/").split("/")
        api_method = path[-1]
        token = path[-2][3:] if len(path) >= 2 and path[-2].startswith("bot") else ""
        if not self.emulator.check_token(token):
            return 401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}'
        params = request_data.json_parameters if request_data is not None else {}
        task = asyncio.ensure_future(self._call(api_method, dict(params)))
        self._tasks.add(task)
        try:
            return await task
        except asyncio.CancelledError:
            if self._closed:
                raise NetworkError("the emulator request object was shut down") from None
            raise
        finally:
            self._tasks.discard(task)

    async def _call(self, method: str, params: dict[str, str]) -> tuple[int, bytes]:
        try:
            status, body = await self.emulator.call(method, params)
        except InjectedFault as fault:
            if fault.kind == "timeout":
                raise TimedOut("Timed out (injected by the emulator)") from None
            raise NetworkError("Connection dropped (injected by the emulator)") from None
        return status, json.dumps(body).encode("utf-8")
