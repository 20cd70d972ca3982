"""The emulator's sense of time: any `() -> float` of epoch seconds; tests step a `ManualClock`."""

from __future__ import annotations

from collections.abc import Callable

Clock = Callable[[], float]


class ManualClock:
    """A clock for tests: starts at `start` (epoch seconds) and moves only with `advance()`."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
