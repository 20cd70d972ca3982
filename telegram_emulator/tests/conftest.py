"""The emulator's tests stand alone: no fixture or setting of digestbot's `tests/` is needed."""

from __future__ import annotations

import os

# python-telegram-bot's future behaviour (`RetryAfter.retry_after` a timedelta), opted into
# early, as digestbot runs; without it reading the attribute warns (and warnings are errors).
os.environ.setdefault("PTB_TIMEDELTA", "1")
