"""Flood control as Telegram applies it to bots: per chat, per group, overall; and fault injection.

Both are driven by the emulator's injectable clock, so tests can step time instead of sleeping.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass, field


@dataclass
class ApiLimits:
    """Configurable flood limits (defaults follow Telegram's published guidance).

    - private chats: `per_chat_rate` messages/s, with bursts of up to `per_chat_burst`;
    - groups, supergroups and channels: `group_per_minute` messages per 60 s;
    - the whole bot: `global_per_second`, or `paid_per_second` for `allow_paid_broadcast` sends.
    Set `enabled=False` to switch flood control off.
    """

    per_chat_rate: float = 1.0
    per_chat_burst: int = 3
    group_per_minute: int = 20
    global_per_second: int = 30
    paid_per_second: int = 1000
    enabled: bool = True


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class FloodControl:
    """Decides whether a send may happen now; otherwise how long to wait (whole seconds)."""

    limits: ApiLimits = field(default_factory=ApiLimits)
    _buckets: dict[int, _Bucket] = field(default_factory=dict)
    _group_sends: dict[int, deque[float]] = field(default_factory=dict)
    _global_sends: deque[float] = field(default_factory=deque)
    _chat_blocked_until: dict[int, float] = field(default_factory=dict)
    _global_blocked_until: float = 0.0

    def check(self, chat_id: int, *, is_private: bool, paid: bool, now: float) -> int | None:
        """None when a send to `chat_id` is allowed now (and record it), else `retry_after`."""
        if not self.limits.enabled:
            return None
        # A refused sender that comes back before its wait is over is refused again.
        if now < self._global_blocked_until:
            return _seconds(self._global_blocked_until - now)
        until = self._chat_blocked_until.get(chat_id, 0.0)
        if now < until:
            return _seconds(until - now)

        wait = self._global_wait(paid=paid, now=now)
        if wait is not None:
            self._global_blocked_until = now + wait
            return wait
        wait = self._private_wait(chat_id, now) if is_private else self._group_wait(chat_id, now)
        if wait is not None:
            self._chat_blocked_until[chat_id] = now + wait
            return wait

        self._global_sends.append(now)
        if is_private:
            self._buckets[chat_id].tokens -= 1
        else:
            self._group_sends.setdefault(chat_id, deque()).append(now)
        return None

    def _global_wait(self, *, paid: bool, now: float) -> int | None:
        limit = self.limits.paid_per_second if paid else self.limits.global_per_second
        sends = self._global_sends
        while sends and sends[0] <= now - 1.0:
            sends.popleft()
        if len(sends) < limit:
            return None
        return _seconds(sends[-limit] + 1.0 - now)

    def _private_wait(self, chat_id: int, now: float) -> int | None:
        burst = float(self.limits.per_chat_burst)
        rate = self.limits.per_chat_rate
        bucket = self._buckets.setdefault(chat_id, _Bucket(tokens=burst, updated=now))
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            return None
        return _seconds((1.0 - bucket.tokens) / rate)

    def _group_wait(self, chat_id: int, now: float) -> int | None:
        sends = self._group_sends.setdefault(chat_id, deque())
        while sends and sends[0] <= now - 60.0:
            sends.popleft()
        limit = self.limits.group_per_minute
        if len(sends) < limit:
            return None
        return _seconds(sends[-limit] + 60.0 - now)


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait - 1e-9))


FAULT_KINDS = ("500", "502", "timeout", "drop")


@dataclass
class Faults:
    """Fault injection: the next N requests, or a random fraction of them, fail.

    `kind` is "500", "502", "timeout" (the client's request times out) or "drop" (the
    connection is closed without an answer). With `applied=True` the method still takes effect
    before its answer is lost, the case that makes a careless client send twice.
    `methods` limits the faults to those Bot API methods (default: all but getUpdates).
    """

    kind: str = "500"
    next_n: int = 0
    fraction: float = 0.0
    applied: bool = False
    methods: frozenset[str] | None = None
    seed: int | None = None
    injected: int = 0
    _rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}")
        if not 0.0 <= self.fraction <= 1.0:
            raise ValueError("fault fraction must be between 0 and 1")
        self._rng = random.Random(self.seed)

    def pick(self, method: str) -> str | None:
        """The fault to inject into this call of `method`, if any."""
        if self.methods is None:
            if method.lower() == "getupdates":
                return None
        elif method not in self.methods:
            return None
        if self.next_n > 0:
            self.next_n -= 1
            self.injected += 1
            return self.kind
        if self.fraction and self._rng.random() < self.fraction:
            self.injected += 1
            return self.kind
        return None
