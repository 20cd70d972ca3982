"""Send pacing (bot/limits/sending.py) on a fake clock: the global, per-chat and per-group limits,
flood waits for one chat or for everything, and the Redis backend shared by two processes."""

from __future__ import annotations

import asyncio
import itertools
import uuid

import pytest

from bot.limits import LocalLimiter, RedisLimiter, SendLimits, make_limiter
from bot.settings import Settings
from tests.support.db import redis_or_skip


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def _send(limiter: LocalLimiter | RedisLimiter, chat: int, *, group: bool = False) -> None:
    """One message: wait for our turn, then the (instant) request is answered."""
    await limiter.acquire(chat, group=group)
    limiter.done(chat, group=group)


def _max_in_window(times: list[float], window: float) -> int:
    return max(sum(1 for u in times if t <= u < t + window - 1e-9) for t in times)


async def test_global_rate_is_filled_but_never_exceeded() -> None:
    fake = FakeTime()
    limiter = LocalLimiter(SendLimits(global_rate=30), clock=fake.clock, sleep=fake.sleep)
    times = []
    start = fake.now
    for chat in range(300):
        await _send(limiter, chat)
        times.append(fake.now)
    assert _max_in_window(times, 1.0) <= 30
    assert times[-1] - start == pytest.approx(299 * limiter.limits.global_interval)
    assert 299 / (times[-1] - start) >= 0.98 * 30


async def test_one_chat_gets_one_message_a_second_and_a_group_twenty_a_minute() -> None:
    fake = FakeTime()
    limiter = LocalLimiter(SendLimits(global_rate=30), clock=fake.clock, sleep=fake.sleep)
    private = []
    for _ in range(5):
        await _send(limiter, 1)
        private.append(fake.now)
    spacing = [b - a for a, b in itertools.pairwise(private)]
    assert spacing == pytest.approx([1 / limiter.limits.headroom] * 4)
    fake.now += 100
    group = []
    for _ in range(41):
        await _send(limiter, -100, group=True)
        group.append(fake.now)
    assert _max_in_window(group, 60.0) == 20
    assert group[-1] - group[0] == pytest.approx(40 * 3.0 / limiter.limits.headroom)


async def test_concurrent_senders_share_the_budget() -> None:
    fake = FakeTime()
    limiter = LocalLimiter(SendLimits(global_rate=10), clock=fake.clock, sleep=fake.sleep)
    times: dict[int, float] = {}

    async def send(chat: int) -> None:
        await _send(limiter, chat)
        times[chat] = fake.now

    await asyncio.gather(*(send(chat) for chat in range(20)))
    assert sorted(times) == list(range(20))
    assert _max_in_window(sorted(times.values()), 1.0) <= 10


async def test_sends_still_in_flight_hold_back_the_next_window() -> None:
    """However late requests go out, never more than the limit reach Telegram in one second:
    a send waits for the answer of the one `limit` sends before it, plus a second."""
    fake = FakeTime()
    limiter = LocalLimiter(
        SendLimits(global_rate=5, headroom=1.0), clock=fake.clock, sleep=fake.sleep
    )
    for chat in range(5):
        await limiter.acquire(chat)  # five requests go out and hang
    sixth = asyncio.create_task(limiter.acquire(99))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not sixth.done()
    fake.now += 3.0  # the first answer comes three seconds later
    answered = fake.now
    limiter.done(0)
    await sixth
    assert fake.now >= answered + 1.0


async def test_flood_wait_pauses_the_chat_and_a_global_one_everything() -> None:
    fake = FakeTime()
    limiter = LocalLimiter(SendLimits(global_rate=30), clock=fake.clock, sleep=fake.sleep)
    await _send(limiter, 1)
    assert not await limiter.flood_wait(1, 10)
    start = fake.now
    await _send(limiter, 2)  # another chat is not held up
    assert fake.now - start < 0.1
    await _send(limiter, 1)
    assert fake.now - start >= 10
    fake.now += 100
    assert not await limiter.flood_wait(3, 5)
    assert await limiter.flood_wait(4, 5)  # two chats within a second: the limit was global
    start = fake.now
    await _send(limiter, 5)
    assert fake.now - start >= 5
    fake.now += 100
    assert not await limiter.flood_wait(-100, 40)  # a group's per-minute wait
    assert await limiter.flood_wait(6, 2)
    start = fake.now
    await _send(limiter, 7)
    assert 2 <= fake.now - start < 3  # everything waits the shorter of the two


def test_limits_come_from_the_settings() -> None:
    free = SendLimits.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    assert (free.global_rate, free.per_chat_rate, free.group_per_minute) == (30, 1, 20)
    paid = SendLimits.from_settings(Settings(_env_file=None, paid_broadcast=True))  # type: ignore[call-arg]
    assert paid.global_rate == 1000 and paid.paid_broadcast
    assert isinstance(make_limiter(Settings(_env_file=None)), LocalLimiter)  # type: ignore[call-arg]


async def test_redis_limiter_shares_one_budget_across_processes() -> None:
    url = "redis://127.0.0.1:6379/0"
    await redis_or_skip(url)
    prefix = f"test:{uuid.uuid4().hex}"
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    limits = SendLimits(global_rate=20)
    first = RedisLimiter(limits, url=url, prefix=prefix, sleep=record)
    second = RedisLimiter(limits, url=url, prefix=prefix, sleep=record)
    try:
        for n in range(40):  # two "processes", alternating, nobody actually sleeping
            await _send(first if n % 2 else second, n)
        # 40 reservations at 20/s from both: the last one is about two seconds out
        assert 1.5 < max(waits) < 2.1
        assert not await first.flood_wait(7, 30)
        assert await second.flood_wait(8, 30)  # seen by the other process: global
        waits.clear()
        await _send(first, 99)
        assert waits and max(waits) > 25
    finally:
        await first.close()
        await second.close()
