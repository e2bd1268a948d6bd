"""`python -m tests.crash_bot`: the real bot process, on a fast clock that survives restarts.

tests/scenarios/test_crash.py kills this process with SIGKILL and starts it again, many times,
against one database. Holds and nudges are stored as clock instants, so the clock must run on
from one process to the next: it is anchored to a wall-clock instant given in the environment
(`LIMBER_TEST_CLOCK=<speed>@<unix time>`), not to the process's own start. Everything else is
`python -m bot` unchanged.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta

from bot.__main__ import main


class AnchoredClock:
    """Runs `speed` times faster than the wall clock from `anchor` (a Unix time) on."""

    def __init__(self, speed: float, anchor: float) -> None:
        self.speed = speed
        self.anchor = anchor
        self._start = datetime.fromtimestamp(anchor, UTC)

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.time() - self.anchor) * self.speed)

    def real_delay(self, seconds: float) -> float:
        return max(0.0, seconds / self.speed)


if __name__ == "__main__":
    speed, _, anchor = os.environ["LIMBER_TEST_CLOCK"].partition("@")
    sys.exit(main(["run"], clock=AnchoredClock(float(speed), float(anchor))))
