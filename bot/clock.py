"""Time, injected.

Holds, nudges and streaks all depend on "now". Production uses the wall clock; tests move a
clock by hand and `python -m bot try --speed N` runs one N times faster. The scheduler underneath
(APScheduler) always waits in real seconds, so a clock also converts clock time to real delay.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the bot needs to know about time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...

    def real_delay(self, seconds: float) -> float:
        """How many real seconds pass while this clock moves `seconds`."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def real_delay(self, seconds: float) -> float:
        return max(0.0, seconds)


class MovableClock:
    """A clock that only moves when told to, for tests of schedules.

    It still follows real time between moves (offset over the wall clock) unless frozen, so
    timed follow-ups scheduled in real seconds stay consistent with what it reports.
    """

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        self._frozen = frozen
        self._base = start or datetime.now(UTC)
        self._real_base = time.monotonic()

    def now(self) -> datetime:
        if self._frozen:
            return self._base
        return self._base + timedelta(seconds=time.monotonic() - self._real_base)

    def set(self, instant: datetime) -> None:
        """Jump to `instant` (aware)."""
        self._base = instant.astimezone(UTC)
        self._real_base = time.monotonic()

    def advance(self, delta: timedelta) -> None:
        """Move forward by `delta`."""
        self.set(self.now() + delta)

    def real_delay(self, seconds: float) -> float:
        return max(0.0, seconds)


class ScaledClock:
    """A clock running `speed` times faster than real time (for `python -m bot try`)."""

    def __init__(self, speed: float, start: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._base = start or datetime.now(UTC)
        self._real_base = time.monotonic()

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._real_base) * self.speed
        return self._base + timedelta(seconds=elapsed)

    def advance(self, delta: timedelta) -> None:
        """Jump forward, e.g. to the next nudge."""
        self._base += delta

    def real_delay(self, seconds: float) -> float:
        return max(0.0, seconds / self.speed)
