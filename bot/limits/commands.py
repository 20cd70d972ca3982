"""Per-chat command rate limit, kept in the polling process (exactly one process receives
updates, so memory is the right place).

A token bucket per chat: it holds `per_minute` commands and refills at `per_minute` a minute.
A new chat starts full, so its first minute allows up to twice the rate — a person setting the
bot up (about 20 commands and taps in 40 s) is never refused — while a flood is refused after
that first bucketful and then held to the steady rate. A button tap costs half a command:
tapping through the setup keyboards is the bot's own suggestion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)
COMMAND = 1.0
TAP = 0.5


@dataclass
class _Bucket:
    tokens: float
    at: datetime


class CommandThrottle:
    """Allows `per_minute` commands per chat at the steady rate, with a burst of as many;
    tells a chat once per minute that it is limited."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._buckets: dict[int, _Bucket] = {}
        self._warned: dict[int, datetime] = {}

    def allow(self, chat_id: int, now: datetime, *, cost: float = COMMAND) -> bool:
        """Take `cost` from the chat's bucket; False (and nothing taken) when it holds less."""
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            if len(self._buckets) >= 100_000:  # bound memory under a flood of new chats
                self._forget_idle(now)
            bucket = self._buckets[chat_id] = _Bucket(float(self.per_minute), now)
        bucket.tokens = self._level(bucket, now)
        bucket.at = max(bucket.at, now)
        if bucket.tokens < cost:
            return False
        bucket.tokens -= cost
        return True

    def should_warn(self, chat_id: int, now: datetime) -> bool:
        """True the first time a limited chat is refused in a window (no reply floods)."""
        last = self._warned.get(chat_id)
        if last is not None and now - last < WINDOW:
            return False
        self._warned[chat_id] = now
        return True

    def _level(self, bucket: _Bucket, now: datetime) -> float:
        elapsed = max(0.0, (now - bucket.at).total_seconds())
        refill = elapsed * self.per_minute / WINDOW.total_seconds()
        return min(float(self.per_minute), bucket.tokens + refill)

    def _forget_idle(self, now: datetime) -> None:
        """Drop chats whose bucket has refilled (they start full again anyway)."""
        full = float(self.per_minute)
        for chat_id in [c for c, b in self._buckets.items() if self._level(b, now) >= full]:
            del self._buckets[chat_id]
            self._warned.pop(chat_id, None)
