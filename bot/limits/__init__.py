"""Every rate limit of the bot, in one place. Outgoing messages: `SendLimits` (Telegram's
global, per-chat and per-group rates) paced by a `SendLimiter` (`LocalLimiter` in one process,
`RedisLimiter` shared across processes; `make_limiter` picks one from the settings), which the
delivery worker uses directly and command replies through `SharedRateLimiter`. Incoming
commands: `CommandThrottle`, a per-chat bucket in the polling process.

Modules: `sending` (the buckets), `replies` (python-telegram-bot's rate-limiter hook),
`commands` (the command throttle)."""

from bot.limits.commands import COMMAND, TAP, CommandThrottle
from bot.limits.replies import SharedRateLimiter
from bot.limits.sending import (
    LocalLimiter,
    RedisLimiter,
    SendLimiter,
    SendLimits,
    make_limiter,
)

__all__ = [
    "COMMAND",
    "TAP",
    "CommandThrottle",
    "LocalLimiter",
    "RedisLimiter",
    "SendLimiter",
    "SendLimits",
    "SharedRateLimiter",
    "make_limiter",
]
