"""The emulator: one bot's local Telegram Bot API, its configuration and its one entry point.

`Emulator.call(method, params)` is what both front ends use (the in-process `BaseRequest` and
the HTTP server); it runs a method of `telegram_emulator.methods` and answers
`(http_status, json_body)` as Telegram does. The people and their chats live in
`telegram_emulator.people` (the base class), the update queue in `telegram_emulator.updates`
and Telegram's checks of what the bot sends in `telegram_emulator.checks`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram_emulator.checks import coerce_params, formatted_text
from telegram_emulator.clock import Clock, ManualClock
from telegram_emulator.errors import ApiError, InjectedFault, bad_request
from telegram_emulator.limits import ApiLimits, Faults, FloodControl
from telegram_emulator.methods import METHODS
from telegram_emulator.people import People
from telegram_emulator.state import JSON, Chat, Message, User
from telegram_emulator.webhook import Webhook

if TYPE_CHECKING:
    from telegram_emulator.request import EmulatorRequest

logger = logging.getLogger(__name__)

__all__ = ["ApiError", "Clock", "Emulator", "InjectedFault", "ManualClock", "Stats", "bad_request"]

NO_METHOD = "Not Found: method not found"


@dataclass
class Stats:
    """Counters other tests read: what was sent where and when, and what was refused."""

    requests: Counter[str] = field(default_factory=Counter)
    sent_per_chat: Counter[int] = field(default_factory=Counter)
    send_times: dict[int, list[float]] = field(default_factory=dict)
    too_many_requests: int = 0
    errors: Counter[int] = field(default_factory=Counter)
    faults: int = 0

    def to_json(self) -> JSON:
        return {
            "requests": dict(self.requests),
            "sent_per_chat": {str(k): v for k, v in self.sent_per_chat.items()},
            "too_many_requests": self.too_many_requests,
            "errors": {str(k): v for k, v in self.errors.items()},
            "faults": self.faults,
        }


class Emulator(People):
    """A local Telegram Bot API for one bot: state, rules, updates, faults and a driver.

    ```python
    emulator = Emulator(token="123:ABC", clock=ManualClock())
    app = ApplicationBuilder().token(emulator.token).request(emulator.request())
        .get_updates_request(emulator.request()).build()
    emulator.user(42).send("/start")
    await emulator.wait_for_messages(42, 1)
    print(emulator.chat(42).transcript())
    ```
    """

    def __init__(
        self,
        *,
        token: str = "123:ABC",
        bot_username: str = "digest_test_bot",
        bot_name: str = "Digest Bot",
        clock: Clock = time.time,
        limits: ApiLimits | None = None,
        privacy_mode: bool = True,
        allow_local_webhooks: bool = False,
    ) -> None:
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123
        bot = User(id=bot_id, first_name=bot_name, username=bot_username, is_bot=True)
        super().__init__(bot=bot, clock=clock, privacy_mode=privacy_mode)
        self.token = token
        # Telegram accepts only HTTPS webhooks on ports 80/88/443/8443 at public addresses;
        # this lets a local bot receive updates on a loopback URL (plain HTTP, any port).
        self.allow_local_webhooks = allow_local_webhooks
        self.flood = FloodControl(limits or ApiLimits())
        self.faults: Faults | None = None
        self.stats = Stats()
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.webhook: Webhook | None = None
        # How long a request given a "timeout" fault hangs on the HTTP front end.
        self.fault_hang_seconds = 30.0
        self.closed = False

    # ----- configuration -------------------------------------------------------------------

    @property
    def limits(self) -> ApiLimits:
        return self.flood.limits

    def inject_faults(
        self,
        kind: str = "500",
        *,
        next_n: int = 0,
        fraction: float = 0.0,
        applied: bool = False,
        methods: Iterable[str] | None = None,
        seed: int | None = None,
    ) -> Faults:
        """Make the next `next_n` requests (or a `fraction` of them) fail with `kind`."""
        self.faults = Faults(
            kind=kind,
            next_n=next_n,
            fraction=fraction,
            applied=applied,
            methods=frozenset(methods) if methods is not None else None,
            seed=seed,
        )
        return self.faults

    def clear_faults(self) -> None:
        self.faults = None

    def reset_stats(self) -> None:
        """Start the counters afresh (e.g. after a benchmark's warm-up)."""
        self.stats = Stats()

    # ----- front ends -----------------------------------------------------------------------

    def request(self) -> EmulatorRequest:
        """A `telegram.request.BaseRequest` that talks to this emulator in-process."""
        from telegram_emulator.request import EmulatorRequest

        return EmulatorRequest(self)

    @asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve the Bot API over HTTP; yields the base URL (`base_url=f"{url}/bot"` for PTB)."""
        from telegram_emulator.server import serve

        async with serve(self, host=host, port=port) as url:
            yield url

    # ----- the one entry point -----------------------------------------------------------------

    async def call(self, method: str, raw_params: dict[str, Any] | None = None) -> tuple[int, JSON]:
        """Run one Bot API method: (HTTP status, JSON body). Raises `InjectedFault`."""
        self.stats.requests[method] += 1
        fault = self.faults.pick(method) if self.faults else None
        if fault is not None:
            self.stats.faults += 1
            if self.faults is not None and self.faults.applied:
                await self._run(method, raw_params)
            if fault in ("timeout", "drop"):
                raise InjectedFault(fault)
            code = int(fault)
            phrase = "Internal Server Error" if code == 500 else "Bad Gateway"
            return code, {"ok": False, "error_code": code, "description": phrase}
        return await self._run(method, raw_params)

    async def _run(self, method: str, raw_params: dict[str, Any] | None) -> tuple[int, JSON]:
        handler = METHODS.get(method.lower())
        if handler is None:  # Client.cpp `on_cmd`
            self.stats.errors[404] += 1
            return 404, {"ok": False, "error_code": 404, "description": NO_METHOD}
        try:
            params = coerce_params(raw_params or {})
            result = await handler(self, params)
        except ApiError as exc:
            self.stats.errors[exc.code] += 1
            if exc.code == 429:
                self.stats.too_many_requests += 1
            return exc.code, exc.to_json()
        return 200, {"ok": True, "result": result}

    def check_token(self, token: str) -> bool:
        return token == self.token

    # ----- updates and waiting ------------------------------------------------------------------

    @property
    def allowed_updates(self) -> frozenset[str] | None:
        """The update types getUpdates and the webhook deliver (None: Telegram's default)."""
        return self.updates.allowed

    @property
    def pending_updates(self) -> list[JSON]:
        return self.updates.pending

    def deliverable_updates(self) -> list[JSON]:
        """Queued updates of the allowed types, oldest first."""
        return self.updates.deliverable()

    def confirm_update(self, update_id: int) -> None:
        """Forget updates up to `update_id` (what a getUpdates offset or a webhook 2xx does)."""
        self.updates.confirm(update_id)

    def changed(self) -> None:
        """Wake whoever waits for a change (a sent, edited or deleted message, an answer)."""
        self.updates.notify()

    async def wait_change(self, seconds: float) -> None:
        """Wait until something changes (a new update, a sent message...) or `seconds` pass."""
        await self.updates.wait_change(seconds)

    async def poll_updates(
        self,
        *,
        offset: int,
        limit: int,
        timeout: float,  # noqa: ASYNC109  (getUpdates' own parameter, in seconds)
    ) -> list[JSON]:
        """getUpdates' long poll (see `UpdateQueue.poll`); ends early when the server stops."""
        return await self.updates.poll(
            offset=offset, limit=limit, timeout=timeout, closed=lambda: self.closed
        )

    @property
    def webhook_url(self) -> str:
        return self.webhook.url if self.webhook else ""

    async def remove_webhook(self) -> None:
        """Stop webhook delivery (deleteWebhook, or the end of `serve()`)."""
        hook, self.webhook = self.webhook, None
        if hook is not None and hook.task is not None:
            hook.task.cancel()
            if hook.task.get_loop() is asyncio.get_running_loop():
                await asyncio.wait([hook.task])  # let it close its HTTP client

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> None:
        """Wait (real time) until `predicate()` holds; TimeoutError after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(f"emulator: condition not met within {timeout} s")
            await self.updates.wait_change(min(left, 0.5))

    async def wait_for_messages(
        self,
        chat_id: int,
        n: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[Message]:
        """Wait until the bot has sent at least `n` messages to `chat_id`; return them."""
        await self.wait_for(lambda: self._bot_count(chat_id) >= n, timeout)
        return self._bot_messages(chat_id)

    # ----- what the sending methods check ------------------------------------------------------

    def chat_for_bot(self, chat_ref: Any) -> Chat:
        """The chat a method addresses, or Telegram's error for it."""
        if chat_ref is None or chat_ref == "":
            raise bad_request("chat_id is empty")
        chat: Chat | None = None
        if isinstance(chat_ref, str) and chat_ref.startswith("@"):
            name = chat_ref[1:].lower()
            chat = next(
                (c for c in self.chats.values() if (c.username or "").lower() == name), None
            )
        elif isinstance(chat_ref, int):
            chat = self.chats.get(chat_ref)
        if chat is None or not chat.exists:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    def formatted(self, params: JSON, key: str = "text") -> tuple[str, list[JSON], str | None]:
        """The text, entities and parse mode Telegram stores for `params`, or its refusal."""
        return formatted_text(params, key)

    def check_flood(self, chat: Chat, *, paid: bool) -> None:
        """Record a send to `chat`, or raise Telegram's 429 with `retry_after`."""
        wait = self.flood.check(
            chat.id, is_private=chat.type == "private", paid=paid, now=self.clock()
        )
        if wait is not None:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})

    def find_bot_message(self, params: JSON) -> tuple[Chat, Message | None]:
        """The chat `params` address and the message `message_id` names there (None: gone)."""
        chat = self.chat_for_bot(params.get("chat_id"))
        message_id = params.get("message_id")
        message = chat.find(int(message_id)) if message_id is not None else None
        return chat, message
