"""The update queue and long polling: what getUpdates and the webhook deliver, and who waits.

Updates are kept until confirmed (a getUpdates offset or a webhook's 2xx), filtered by the
last `allowed_updates`; a newer getUpdates ends an older one still waiting with Telegram's
conflict error. Everything that changes the emulator's state calls `notify()`, which wakes the
waiters (long polls, `wait_for`, the webhook sender).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from telegram_emulator.errors import ApiError
from telegram_emulator.state import JSON

# Update types Telegram leaves out unless `allowed_updates` names them.
_NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_TERMINATED = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class UpdateQueue:
    """Updates waiting for the bot, oldest first, and the futures waiting for a change."""

    def __init__(self) -> None:
        # Update types delivered (Telegram remembers the last `allowed_updates`); None: default.
        self.allowed: frozenset[str] | None = None
        self._updates: list[JSON] = []
        self._next_id = 1
        self._generation = 0
        self._waiters: set[asyncio.Future[None]] = set()

    def add(self, kind: str, payload: JSON) -> JSON:
        """Queue an update of `kind` ("message", "callback_query"...) and wake the waiters."""
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._updates.append(update)
        self.notify()
        return update

    @property
    def pending(self) -> list[JSON]:
        return list(self._updates)

    def set_allowed(self, allowed: Any) -> None:
        """Remember a method's `allowed_updates` (a list; anything else leaves it as it was)."""
        if isinstance(allowed, list):
            self.allowed = frozenset(str(kind) for kind in allowed) or None

    def deliverable(self) -> list[JSON]:
        """Queued updates of the allowed types; the others are dropped, as Telegram does."""

        def wanted(update: JSON) -> bool:
            kind = next(k for k in update if k != "update_id")
            if self.allowed is None:
                return kind not in _NOT_BY_DEFAULT
            return kind in self.allowed

        self._updates = [u for u in self._updates if wanted(u)]
        return self._updates

    def confirm(self, update_id: int) -> None:
        """Forget updates up to `update_id` (what a getUpdates offset or a webhook 2xx does)."""
        self._updates = [u for u in self._updates if u["update_id"] > update_id]

    def drop_pending(self) -> None:
        """Forget every queued update (`drop_pending_updates`)."""
        self._updates.clear()

    async def poll(
        self,
        *,
        offset: int,
        limit: int,
        timeout: float,  # noqa: ASYNC109  (getUpdates' own parameter, in seconds)
        closed: Callable[[], bool],
    ) -> list[JSON]:
        """getUpdates: confirm by `offset`, then wait up to `timeout` s for something to deliver.

        A negative offset keeps only the last `-offset` updates. Raises the 409 conflict when a
        newer poll starts while this one waits; returns early once `closed()` holds.
        """
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        self._generation += 1
        generation = self._generation
        self.notify()  # an older long poll still waiting ends with a conflict
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.deliverable() and not closed():
            left = deadline - loop.time()
            if left <= 0:
                break
            await self.wait_change(left)
            if self._generation != generation:
                raise ApiError(409, _TERMINATED)
        return self._updates[:limit]

    def notify(self) -> None:
        """Wake everyone waiting for a change (thread-safe)."""
        for waiter in list(self._waiters):
            if not waiter.done():
                waiter.get_loop().call_soon_threadsafe(_wake, waiter)

    async def wait_change(self, seconds: float) -> None:
        """Wait until `notify()` is called or `seconds` pass."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, seconds)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
