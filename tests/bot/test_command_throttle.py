"""The per-chat command limit as a new subscriber meets it: a scripted normal setup (about 25
commands and button taps in 40 s) is never refused at the default limit, while a flood from
one chat is refused — with one polite warning — and other chats carry on."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.limits import TAP, CommandThrottle
from bot.settings import Settings
from tests.support.harness import NOW, running, sqlite_sessionmaker

__all__ = ["sqlite_sessionmaker"]

NEWCOMER, FLOODER, BYSTANDER = 401, 402, 403
DEFAULT_LIMIT = Settings.model_fields["commands_per_minute"].default
REFUSED = "faster than I can keep up"

# What a person does when first meeting the bot: ("say", text) or ("tap", button label).
SETUP: list[tuple[str, str]] = [
    ("say", "/start"),
    ("tap", "technology"),
    ("tap", "science"),
    ("tap", "climate"),
    ("tap", "✅ science"),  # changed their mind
    ("tap", "space"),
    ("tap", "⏰ daily 08:00"),
    ("say", "/help"),
    ("say", "/topics"),
    ("tap", "economy"),
    ("say", "/subscribe ferry OR harbour"),
    ("say", "/list"),
    ("say", "/timezone Berlin"),
    ("say", "/schedule weekdays 07:30"),
    ("say", "/quiet 22:00-07:00"),
    ("say", "/max 5"),
    ("say", "/mute football"),
    ("say", "/latest"),
    ("say", "/search climate"),
    ("say", "/list"),
    ("say", "/unsubscribe economy"),
    ("say", "/digest"),
    ("say", "/timezone"),
    ("say", "/list"),
    ("say", "/help"),
]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_a_normal_setup_is_never_refused_while_a_flood_is(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock(NOW)
    step = timedelta(seconds=40) / len(SETUP)
    async with running(
        sqlite_sessionmaker,
        clock=clock,
        commands_per_minute=DEFAULT_LIMIT,
        max_subscriptions=50,
    ) as bot:
        for kind, text in SETUP:
            if kind == "say":
                replies = await bot.say(NEWCOMER, text)
                assert REFUSED not in replies[0].text, text
            else:
                answer = await bot.press(NEWCOMER, text)
                assert answer is None or "Too many requests" not in answer, text
            clock.now += step
        assert clock.now - NOW <= timedelta(seconds=41)

        # a flood: 60 commands in 6 seconds from one chat
        before = len(bot.emulator.chat(FLOODER).messages)
        for _ in range(60):
            await bot.say(FLOODER, "/list", replies=0)
            clock.now += timedelta(seconds=0.1)
        answered = bot.emulator.chat(FLOODER).texts[before:]
        warnings = [t for t in answered if REFUSED in t]
        assert len(warnings) == 1
        assert len(answered) - 1 < 30  # about a bucketful, not 60
        [reply] = await bot.say(BYSTANDER, "/list")  # others are not held up
        assert REFUSED not in reply.text
        # a minute later the flooder is answered again
        clock.now += timedelta(minutes=1)
        [reply] = await bot.say(FLOODER, "/list")
        assert "Settings for" in reply.text


def test_taps_cost_half_and_the_bucket_refills_at_the_steady_rate() -> None:
    throttle = CommandThrottle(4)
    assert all(throttle.allow(1, NOW, cost=TAP) for _ in range(8))
    assert not throttle.allow(1, NOW, cost=TAP)
    assert not throttle.allow(1, NOW + timedelta(seconds=10))  # 0.67 of a command back
    assert throttle.allow(1, NOW + timedelta(seconds=15))  # one command a 15 s
    assert not throttle.allow(1, NOW + timedelta(seconds=15))
    assert throttle.allow(2, NOW)  # another chat has its own bucket
