"""Command replies paced by the process's send limiter — the one the delivery worker uses.

Telegram's 30 messages a second is one budget per bot: replies and digests together, and,
with `DIGESTBOT_REDIS_URL`, across every process. python-telegram-bot's own AIORateLimiter
kept a second budget beside the worker's and let a full second's worth through at once, so
replies drew 429s and were given up after two tries. Here a reply takes its turn in the
shared buckets (global, per chat, per group minute), and a 429 waits as long as Telegram
asks and tries again: flood control delays a reply, it does not lose it.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot import metrics
from bot.limits.sending import SendLimiter
from bot.telegram_compat import retry_after_seconds

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
#: Tries after a 429 before the error reaches the handler (each waits what Telegram asked).
MAX_RETRIES = 5
#: Methods that post a message count against Telegram's limits; the rest pass straight on.
_POSTING = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})


def is_posting(endpoint: str) -> bool:
    return endpoint in _POSTING or (endpoint.startswith("send") and endpoint != "sendChatAction")


def chat_key(chat_id: object) -> int | None:
    """The chat a request writes to, as the limiter counts chats (an @channel name as a stable
    negative number: a channel is paced like a group)."""
    if chat_id is None:
        return None
    if isinstance(chat_id, int):
        return chat_id
    try:
        return int(str(chat_id))
    except ValueError:
        return -1 - zlib.crc32(str(chat_id).encode())


class SharedRateLimiter(BaseRateLimiter[int]):
    """A python-telegram-bot rate limiter on a `SendLimiter` (`bot/limits/sending.py`)."""

    def __init__(self, limiter: SendLimiter, *, max_retries: int = MAX_RETRIES) -> None:
        self.limiter = limiter
        self.max_retries = max_retries

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None  # the limiter is the application's, closed with it

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = chat_key(data.get("chat_id")) if is_posting(endpoint) else None
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        attempt = 0
        while True:
            if chat_id is not None:
                await self.limiter.acquire(chat_id, group=chat_id < 0)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                metrics.FLOOD_WAITS.inc()
                if attempt >= retries:
                    logger.warning(
                        "flood wait: giving up method=%s after %d tries", endpoint, attempt + 1
                    )
                    raise
                seconds = retry_after_seconds(exc)
                logger.info("flood wait method=%s chat=%s seconds=%s", endpoint, chat_id, seconds)
                if chat_id is not None:
                    await self.limiter.flood_wait(chat_id, seconds)
                else:
                    await asyncio.sleep(seconds)
                attempt += 1
            finally:
                if chat_id is not None:
                    self.limiter.done(chat_id, group=chat_id < 0)
