"""Per-chat command rate limit: a sliding one-minute window, kept in the polling process
(exactly one process receives updates, so memory is the right place)."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)


class CommandThrottle:
    """Allows `per_minute` commands per chat; tells a chat once per window that it is limited."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[int, deque[datetime]] = {}
        self._warned: dict[int, datetime] = {}

    def allow(self, chat_id: int, now: datetime) -> bool:
        times = self._seen.setdefault(chat_id, deque())
        while times and now - times[0] >= WINDOW:
            times.popleft()
        if len(times) >= self.per_minute:
            return False
        times.append(now)
        if len(self._seen) > 100_000:  # bound memory under a flood of new chats
            self._forget_idle(now)
        return True

    def should_warn(self, chat_id: int, now: datetime) -> bool:
        """True the first time a limited chat is refused in a window (no reply floods)."""
        last = self._warned.get(chat_id)
        if last is not None and now - last < WINDOW:
            return False
        self._warned[chat_id] = now
        return True

    def _forget_idle(self, now: datetime) -> None:
        for chat_id in [c for c, t in self._seen.items() if not t or now - t[-1] >= WINDOW]:
            del self._seen[chat_id]
            self._warned.pop(chat_id, None)
