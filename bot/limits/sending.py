"""Our own send pacing, so Telegram's 429s stay rare: a global rate, a per-chat rate and a
per-group rate per minute, each a GCRA token bucket that hands out reserved send times.

`LocalLimiter` keeps its state in this process; `RedisLimiter` keeps it in Redis so several
worker processes share one budget. Both take an injectable clock and sleep for tests.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

PAID_BROADCAST_RATE = 1000.0  # Bot API: paid broadcasts may go up to 1000 messages/s
FREE_GLOBAL_RATE = 30.0
GLOBAL_WINDOW = 1.0  # two chats flood-waited within this many seconds: the limit was global
#: A shared send turn missed by more than this many seconds (or one global interval, if longer)
#: is given up for a new one: sends that all woke late together (a busy event loop, a starved
#: process) would reach Telegram as one burst, over the limit however evenly the turns were
#: handed out. The turn passed unused, so the budget is never overspent. A process late every
#: time still sends after `LATE_TRIES` turns.
LATE_TURN = 0.005
LATE_TRIES = 3


@dataclass(frozen=True)
class SendLimits:
    """Messages per second overall and per chat, per minute per group or channel; `burst`
    is how many sends may go back to back after an idle spell."""

    global_rate: float = FREE_GLOBAL_RATE
    per_chat_rate: float = 1.0
    group_per_minute: float = 20.0
    global_burst: int = 1
    chat_burst: int = 1
    paid_broadcast: bool = False
    #: Pace at this fraction of each limit: a send scheduled on time can reach Telegram a few
    #: milliseconds late, and one send too many in a window costs a flood wait of a second.
    headroom: float = 0.99

    @property
    def global_interval(self) -> float:
        return 1.0 / (self.global_rate * self.headroom)

    @classmethod
    def from_settings(cls, settings: Settings) -> SendLimits:
        rate = settings.rate_global
        if settings.paid_broadcast and rate <= FREE_GLOBAL_RATE:
            rate = PAID_BROADCAST_RATE  # the switch alone means "as fast as paid allows"
        return cls(
            global_rate=min(rate, PAID_BROADCAST_RATE),
            per_chat_rate=settings.rate_per_chat,
            group_per_minute=float(settings.rate_per_group_minute),
            paid_broadcast=settings.paid_broadcast,
        )

    def chat_interval(self, *, group: bool) -> float:
        """Seconds between two sends to one chat (a group: the slower of its two limits)."""
        interval = 1.0 / self.per_chat_rate
        if group:
            interval = max(interval, 60.0 / self.group_per_minute)
        return interval / self.headroom


class SendLimiter(Protocol):
    """What the delivery worker needs from a limiter."""

    limits: SendLimits

    async def acquire(self, chat_id: int, *, group: bool = False) -> None:
        """Wait until a message to `chat_id` may go out, and count it."""

    def done(self, chat_id: int, *, group: bool = False) -> None:
        """The request `acquire` allowed has been answered (or failed)."""

    async def flood_wait(self, chat_id: int, seconds: float) -> bool:
        """Telegram said 429 for `chat_id`: pause that chat (or, when the limit looks global,
        everything) for `seconds`. Returns True when everything was paused."""

    async def close(self) -> None: ...


class _Gcra:
    """One generic cell rate bucket: a theoretical arrival time, advanced per reservation."""

    __slots__ = ("tat",)

    def __init__(self) -> None:
        self.tat = 0.0

    def earliest(self, now: float, interval: float, burst: int) -> float:
        return max(now, self.tat - interval * (burst - 1))

    def take(self, at: float, interval: float) -> None:
        self.tat = max(self.tat, at) + interval


class _Window:
    """At most `limit` sends in any `span` seconds as the server counts them: a send may start
    only when fewer than `limit` sends are in flight or *completed* within the last `span`.
    A send reaches the server before its answer reaches us, so however late a scheduled send
    goes out, the server never sees one too many (the GCRA pacing alone cannot promise that)."""

    __slots__ = ("changed", "done", "in_flight", "limit", "lock", "span")

    def __init__(self, limit: int, span: float) -> None:
        self.limit = max(1, limit)
        self.span = span + 0.002  # the server drops a send exactly `span` old: keep a margin
        self.done: deque[float] = deque()
        self.in_flight = 0
        self.changed = asyncio.Event()
        self.lock = asyncio.Lock()  # one waiter watches the window, the rest queue behind it

    async def enter(self, clock: Clock, sleep: Sleep) -> None:
        async with self.lock:
            while True:
                now = clock()
                while self.done and self.done[0] <= now - self.span:
                    self.done.popleft()
                if len(self.done) + self.in_flight < self.limit:
                    self.in_flight += 1
                    return
                if self.done:
                    await sleep(self.done[0] + self.span - now)
                else:
                    self.changed.clear()
                    await self.changed.wait()

    def leave(self, now: float) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.done.append(now)
        if len(self.done) > self.limit:
            self.done.popleft()
        self.changed.set()

    @property
    def idle(self) -> bool:
        return not self.in_flight and not self.done


class LocalLimiter:
    """Pacing for one process: each `acquire` reserves the earliest time that satisfies both
    the global and the chat's bucket, then sleeps until it. Reservations queue in call order,
    so the global rate is filled exactly while there is work."""

    def __init__(
        self,
        limits: SendLimits,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        guard: bool = True,
    ) -> None:
        """`guard=False` drops the in-flight window (`_Window`): for a clock that only moves
        when a test moves it, where waiting for the window would never end."""
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._guard = guard
        self._global = _Gcra()
        self._chats: dict[int, _Gcra] = {}
        self._paused_until = 0.0
        self._last_flood: tuple[int, float, float] | None = None
        self._window = _Window(math.floor(limits.global_rate), 1.0)
        self._group_windows: dict[int, _Window] = {}

    def _group_window(self, chat_id: int) -> _Window:
        window = self._group_windows.get(chat_id)
        if window is None:
            if len(self._group_windows) > 10_000:
                self._group_windows = {k: w for k, w in self._group_windows.items() if not w.idle}
            limit = math.floor(self.limits.group_per_minute)
            window = self._group_windows[chat_id] = _Window(limit, 60.0)
        return window

    def _chat(self, chat_id: int) -> _Gcra:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 50_000:
                self._prune()
            bucket = self._chats[chat_id] = _Gcra()
        return bucket

    def _prune(self) -> None:
        now = self._clock()
        self._chats = {k: v for k, v in self._chats.items() if v.tat > now}

    async def acquire(self, chat_id: int, *, group: bool = False) -> None:
        limits = self.limits
        g_interval = limits.global_interval
        c_interval = limits.chat_interval(group=group)
        while True:
            now = self._clock()
            chat = self._chat(chat_id)
            at = max(
                self._paused_until,
                self._global.earliest(now, g_interval, limits.global_burst),
                chat.earliest(now, c_interval, limits.chat_burst),
            )
            self._global.take(at, g_interval)
            chat.take(at, c_interval)
            if at > now:
                await self._sleep(at - now)
            # a global flood wait that began while we slept applies to us too
            if self._paused_until <= max(at, self._clock()):
                break
        if not self._guard:
            return
        if not group:
            await self._window.enter(self._clock, self._sleep)
            return
        window = self._group_window(chat_id)
        await window.enter(self._clock, self._sleep)
        try:
            await self._window.enter(self._clock, self._sleep)
        except BaseException:
            window.in_flight -= 1  # cancelled while waiting: this send never happens
            raise

    def done(self, chat_id: int, *, group: bool = False) -> None:
        if not self._guard:
            return
        now = self._clock()
        self._window.leave(now)
        if group:
            self._group_window(chat_id).leave(now)

    async def flood_wait(self, chat_id: int, seconds: float) -> bool:
        now = self._clock()
        chat = self._chat(chat_id)
        chat.tat = max(chat.tat, now + seconds)
        last, self._last_flood = self._last_flood, (chat_id, now, seconds)
        is_global = last is not None and last[0] != chat_id and now - last[1] <= GLOBAL_WINDOW
        if is_global:
            assert last is not None
            # the shorter of the two waits: a group's long per-minute wait must not stop all
            pause = min(seconds, last[2])
            self._paused_until = max(self._paused_until, now + pause)
            self._global.tat = max(self._global.tat, now + pause)
            logger.warning("flood wait (global) seconds=%s", pause)
        else:
            logger.info("flood wait chat=%s seconds=%s", chat_id, seconds)
        return is_global

    async def close(self) -> None:
        return None


# --- shared across processes ------------------------------------------------------------------

# KEYS: global tat, chat tat, pause-until, last flood. ARGV: global interval, global burst,
# chat interval, chat burst. Times are Redis server time in seconds, so every process agrees.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local gi, gb, ci, cb = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local gtat = tonumber(redis.call('GET', KEYS[1]) or '0')
local ctat = tonumber(redis.call('GET', KEYS[2]) or '0')
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
local at = math.max(now, paused, gtat - gi * (gb - 1), ctat - ci * (cb - 1))
gtat = math.max(gtat, at) + gi
ctat = math.max(ctat, at) + ci
local ttl = math.ceil(math.max(gtat, ctat) - now) + 60
redis.call('SET', KEYS[1], tostring(gtat), 'EX', ttl)
redis.call('SET', KEYS[2], tostring(ctat), 'EX', math.ceil(ctat - now) + 60)
return {tostring(at), tostring(now)}
"""

_FLOOD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local seconds, chat, window = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local ctat = tonumber(redis.call('GET', KEYS[2]) or '0')
redis.call('SET', KEYS[2], tostring(math.max(ctat, now + seconds)), 'EX', math.ceil(seconds) + 60)
local last = redis.call('GET', KEYS[4])
redis.call('SET', KEYS[4], chat .. ' ' .. tostring(now) .. ' ' .. tostring(seconds), 'EX', 60)
if last then
  local a = string.find(last, ' ')
  local b = string.find(last, ' ', a + 1)
  local lchat = string.sub(last, 1, a - 1)
  local lnow = tonumber(string.sub(last, a + 1, b - 1))
  local lseconds = tonumber(string.sub(last, b + 1))
  if lchat ~= chat and now - lnow <= window then
    local until_ = now + math.min(seconds, lseconds)
    local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
    redis.call('SET', KEYS[3], tostring(math.max(paused, until_)), 'EX', math.ceil(seconds) + 60)
    local gtat = tonumber(redis.call('GET', KEYS[1]) or '0')
    redis.call('SET', KEYS[1], tostring(math.max(gtat, until_)), 'EX', math.ceil(seconds) + 60)
    return 1
  end
end
return 0
"""


class RedisLimiter:
    """The same pacing as `LocalLimiter`, its buckets in Redis: several worker processes
    share one global budget, one budget per chat and one flood-wait pause."""

    def __init__(
        self,
        limits: SendLimits,
        *,
        url: str,
        prefix: str = "digestbot:rate",
        sleep: Sleep = asyncio.sleep,
        client: Any = None,
    ) -> None:
        import redis.asyncio as redis

        self.limits = limits
        self._sleep = sleep
        self._redis: Any = client or redis.Redis.from_url(url)
        self._own_client = client is None
        self._prefix = prefix
        self._acquire = self._redis.register_script(_ACQUIRE)
        self._flood = self._redis.register_script(_FLOOD)
        # this process's own sends also keep to the window (see `_Window`)
        self._local = LocalLimiter(limits, sleep=sleep)

    def _keys(self, chat_id: int) -> list[str]:
        p = self._prefix
        return [f"{p}:global", f"{p}:chat:{chat_id}", f"{p}:paused", f"{p}:last_flood"]

    async def acquire(self, chat_id: int, *, group: bool = False) -> None:
        limits = self.limits
        args: list[str | int] = [
            repr(limits.global_interval),
            limits.global_burst,
            repr(limits.chat_interval(group=group)),
            limits.chat_burst,
        ]
        late_after = max(LATE_TURN, limits.global_interval)
        for tries in range(1, LATE_TRIES + 1):
            asked = time.monotonic()
            at_text, now_text = await self._acquire(keys=self._keys(chat_id), args=args)
            wait = float(at_text) - float(now_text)
            # Redis read its clock after `asked`: lateness is overstated by the trip there,
            # never understated (an answer that came back late is lateness too).
            deadline = asked + wait
            if wait > 0:
                await self._sleep(wait)
            late = time.monotonic() - deadline
            if late <= late_after or tries == LATE_TRIES:
                break
            logger.debug("send turn missed by %.3f s chat=%s: taking a new one", late, chat_id)
        if group:
            await self._local._group_window(chat_id).enter(self._local._clock, self._sleep)
        await self._local._window.enter(self._local._clock, self._sleep)

    def done(self, chat_id: int, *, group: bool = False) -> None:
        self._local.done(chat_id, group=group)

    async def flood_wait(self, chat_id: int, seconds: float) -> bool:
        args = [repr(float(seconds)), str(chat_id), repr(GLOBAL_WINDOW)]
        result = await self._flood(keys=self._keys(chat_id), args=args)
        is_global = bool(int(result))
        logger.warning("flood wait chat=%s seconds=%s global=%s", chat_id, seconds, is_global)
        return is_global

    async def close(self) -> None:
        if self._own_client:
            await self._redis.aclose()


def make_limiter(settings: Settings, *, clock: Clock = time.monotonic) -> SendLimiter:
    """The limiter the settings ask for: Redis-backed when `redis_url` is set."""
    limits = SendLimits.from_settings(settings)
    if settings.redis_url:
        return RedisLimiter(limits, url=settings.redis_url)
    return LocalLimiter(limits, clock=clock)
