"""Answers before steps: a pressed button's spinner stops before other presses' steps are
drawn.

When many people press at once (200 press Ready in the same second), every press shares one
event loop: its answer (answerCallbackQuery) and, right after it, the next step (closing the
old message, rendering and sending the new one). Interleaved, the steps of the first presses
take CPU the last presses need for their answers. So once a press is answered, its step waits
while other presses of this process still wait for theirs: at most `WAIT_AT_MOST` seconds,
so a step is never held back for long, and not at all when nobody else is waiting (a press on
its own goes straight on). The steps go out at the rate limiter's pace anyway (about 30 a
second), so this delays none of them by more than the wait.

Per process: webhook workers each order their own presses.
"""

from __future__ import annotations

import asyncio
import contextlib

# The longest a step waits behind other presses' answers (real seconds).
WAIT_AT_MOST = 0.25


class AnswersFirst:
    """Counts the presses waiting for their answer; `turn()` waits (bounded) until none is."""

    def __init__(self, wait_at_most: float = WAIT_AT_MOST) -> None:
        self.wait_at_most = wait_at_most
        self.waiting = 0
        self._none_waiting: asyncio.Event | None = None

    def pressed(self) -> Waiting:
        """A press came in: it waits for its answer until its `Waiting.answered()`."""
        self.waiting += 1
        return Waiting(self)

    def _answered(self) -> None:
        self.waiting -= 1
        if self.waiting == 0 and self._none_waiting is not None:
            self._none_waiting.set()
            self._none_waiting = None

    async def turn(self) -> None:
        """Wait until no press of this process waits for its answer, at most `wait_at_most`."""
        if self.waiting == 0:
            return
        if self._none_waiting is None:
            self._none_waiting = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.wait_at_most):
                await self._none_waiting.wait()


class Waiting:
    """One press waiting for its answer."""

    __slots__ = ("_of",)

    def __init__(self, of: AnswersFirst) -> None:
        self._of: AnswersFirst | None = of

    def answered(self) -> None:
        """Answered (or never to be answered by the coach): counted out, the first time only."""
        if self._of is not None:
            of, self._of = self._of, None
            of._answered()
