"""How late the stand-in's own event loop runs, so a 429 it gives can be told apart from one
it caused.

The stand-in stamps a request when its handler runs, not when the bytes reached its socket.
While its process waits for a core (two cores here, shared with three bot workers and
PostgreSQL in the fleet tests) or its loop is busy, requests that arrived evenly are stamped
together, and a fleet pacing itself at 26 a second can look like 31 in one second. A bot-wide
429 records the worst lateness of the second before it (`worst`): a 429 beside a lag of
100 ms or more says "look at the stand-in", one beside 2 ms says "look at the bot".
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

# The watcher sleeps this long between looks: 200 wake-ups a second cost the stand-in's
# process about 1 % of a core, and a stall shorter than this is invisible (and harmless: at
# 30 sends a second it bunches at most one).
TICK_SECONDS = 0.005
# Lateness below this is the loop's normal jitter and is not kept.
KEEP_ABOVE_SECONDS = 0.010
# Lateness is kept for this long (a 429 looks one second back).
KEEP_SECONDS = 5.0


class LoopLag:
    """Watches the running loop's lateness from `start()` until `stop()`."""

    def __init__(self) -> None:
        self._late: deque[tuple[float, float]] = deque()  # (when seen, how late)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def worst(self, seconds: float = 1.0, now: float | None = None) -> float:
        """The longest the loop ran late in the last `seconds`, in seconds (0 if never)."""
        since = (time.monotonic() if now is None else now) - seconds
        return max((late for seen, late in self._late if seen >= since), default=0.0)

    def note(self, seen: float, late: float) -> None:
        if late >= KEEP_ABOVE_SECONDS:
            self._late.append((seen, late))
        while self._late and seen - self._late[0][0] > KEEP_SECONDS:
            self._late.popleft()

    async def _watch(self) -> None:
        while True:
            asked = time.monotonic()
            await asyncio.sleep(TICK_SECONDS)
            seen = time.monotonic()
            self.note(seen, seen - asked - TICK_SECONDS)
