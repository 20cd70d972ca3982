"""python-telegram-bot values read through its public API only: a 429's wait in seconds and a
request's timeouts, whichever type the installed version and `PTB_TIMEDELTA` give them."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram.error import RetryAfter
from telegram.request import BaseRequest
from telegram.warnings import PTBDeprecationWarning


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked to wait, in seconds. `RetryAfter.retry_after` is a timedelta
    with `PTB_TIMEDELTA=1` (as digestbot runs) and an int, with a deprecation warning, without
    it; both mean the same wait, so the warning says nothing here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: object = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, int | float):
        return float(value)
    raise TypeError(f"RetryAfter.retry_after is {type(value).__name__}")


def timeout_or(value: object, default: float | None) -> float | None:
    """A `BaseRequest.do_request` timeout: `default` (the request's own) when the caller passed
    none (`BaseRequest.DEFAULT_NONE`, as the library documents), else what was passed (None:
    no timeout)."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    if value is None or isinstance(value, int | float):
        return None if value is None else float(value)
    return default  # any other "not passed" marker of the library's
