"""The python-telegram-bot shim: a 429's wait and request timeouts read through the public API,
whatever type the library hands them out as."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import RetryAfter
from telegram.request import BaseRequest

from bot.telegram_compat import retry_after_seconds, timeout_or


@pytest.mark.parametrize("given", [7, timedelta(seconds=7)])
def test_retry_after_is_seconds_as_digestbot_runs(given: int | timedelta) -> None:
    assert retry_after_seconds(RetryAfter(given)) == 7.0


def test_retry_after_is_seconds_without_ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    fractional, whole = RetryAfter(timedelta(seconds=2.5)), RetryAfter(30)
    monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    # the library's int-or-float answer, its deprecation warning silenced (warnings are errors)
    assert retry_after_seconds(fractional) == 2.5
    assert retry_after_seconds(whole) == 30.0


def test_timeouts_not_passed_take_the_requests_own() -> None:
    assert timeout_or(BaseRequest.DEFAULT_NONE, 5.0) == 5.0
    assert timeout_or(BaseRequest.DEFAULT_NONE, None) is None


def test_timeouts_passed_win_and_none_means_no_timeout() -> None:
    assert timeout_or(2, 5.0) == 2.0
    assert timeout_or(0.5, 5.0) == 0.5
    assert timeout_or(None, 5.0) is None
