"""Requests per user: a token bucket each, so one page (or someone replaying its initData)
cannot make a worker busy for everyone."""

from __future__ import annotations

import time
from collections.abc import Callable

# A page makes one long-poll at a time plus a press now and then; opening it costs 3-4
# requests (state, words, picture). 20 at once and 5 a second after leave a fast tapper room
# and stop a loop within a second.
BURST = 20.0
PER_SECOND = 5.0
# Long-polls one user may hold open at once (a second device or tab; more is a loop).
MAX_WAITING = 4
# Buckets idle this long are forgotten (a full bucket is the same as none).
FORGET_SECONDS = 60.0


class UserLimits:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._now = monotonic
        self._buckets: dict[int, tuple[float, float]] = {}
        self._waiting: dict[int, int] = {}
        self._swept = monotonic()

    def allow(self, user_id: int) -> bool:
        """Take a token for one request; False when the user is over their rate."""
        now = self._now()
        if now - self._swept > FORGET_SECONDS:
            self._sweep(now)
        tokens, at = self._buckets.get(user_id, (BURST, now))
        tokens = min(BURST, tokens + (now - at) * PER_SECOND)
        if tokens < 1.0:
            self._buckets[user_id] = (tokens, now)
            return False
        self._buckets[user_id] = (tokens - 1.0, now)
        return True

    def start_waiting(self, user_id: int) -> bool:
        if self._waiting.get(user_id, 0) >= MAX_WAITING:
            return False
        self._waiting[user_id] = self._waiting.get(user_id, 0) + 1
        return True

    def stop_waiting(self, user_id: int) -> None:
        left = self._waiting.get(user_id, 1) - 1
        if left > 0:
            self._waiting[user_id] = left
        else:
            self._waiting.pop(user_id, None)

    def _sweep(self, now: float) -> None:
        self._swept = now
        full = [
            user
            for user, (tokens, at) in self._buckets.items()
            if now - at > FORGET_SECONDS or tokens + (now - at) * PER_SECOND >= BURST
        ]
        for user in full:
            del self._buckets[user]
