"""Session follow-ups on the event loop's own timers: arm and cancel a wake per session.

A follow-up is a `loop.call_later` timer kept per session; when it fires it starts
`wake(id, version)` in a task of its own, which re-reads the row (the row is the truth, the
timer only a reminder). `version` is the session's version the follow-up was armed for (None:
adopt whatever the row says, as the sweep and a restart do): a row that has moved past it was
changed by another worker, whose own follow-up now owns the session's next step, so this one
drops out.

Not JobQueue jobs: every step shown arms one, and with 600 follow-ups pending an APScheduler
job cost 75 us to arm and cancel against 2.4 us for the loop's timer (docs/design-notes.md).
The loop's timers wait in monotonic time, so a wall-clock jump (a VM restored, NTP fixing the
clock) neither drops nor hurries them, and a late one (a paused VM, a blocked loop) still runs,
once. The coach's repeating sweep stays a JobQueue job: one for the whole process.

A wake that raises (the database full, or restarting) is tried again with backoff, for as long
as it takes: the row still says what is due, so a retry does exactly what the first try would
have done.

And whatever else drops a follow-up (a bug, a timer lost with a worker), the coach sweeps:
`repeat` runs its sweep every few seconds, which re-arms any session whose step is overdue
with nothing `pending` for it.

At a stop, wakes under way get a moment to finish what they are sending (`close`); the rest
are cancelled quietly: the next start resumes every live session from its row.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import CallbackContext, JobQueue

from bot.logs import Repeats

log = logging.getLogger(__name__)

AnyContext = CallbackContext[Any, Any, Any, Any]
Wake = Callable[[int, int | None], Awaitable[None]]

# The sweep's JobQueue job: a late run still runs (once, however late), never two at a time.
JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
# A failed wake is tried again after 1, 2, 4, ... real seconds, at most 30 apart: through a
# 12 s PostgreSQL restart (issue 18) the tries come at 0, 1, 3, 7 and 15 s, at most 3 s after
# the database is back, and a long outage costs one log line per session every 30 s, not a
# busy loop.
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 30.0
# At a stop, how long wakes under way may take to finish their send before they are cancelled:
# a step sent but not yet marked shown is sent again by the next start.
STOP_GRACE_SECONDS = 2.0


def retry_delay(attempt: int) -> float:
    """Real seconds before retry number `attempt` (0-based) of a failed wake."""
    return min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2.0 ** min(attempt, 16))


class FollowUps:
    """Session follow-ups on the loop's timers: one pending wake per session at most."""

    def __init__(
        self, queue: JobQueue[Any] | None, wake: Wake, *, stop_grace: float = STOP_GRACE_SECONDS
    ) -> None:
        self._queue = queue  # for the sweep's repeating job alone
        self._wake = wake
        self._stop_grace = stop_grace
        self._timers: dict[int, asyncio.TimerHandle] = {}
        # Wakes running now, per session: their timer has fired, but a sweep must not start
        # a second wake beside them.
        self._running: Counter[int] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._repeats = Repeats(log)

    def arm(
        self,
        session_id: int,
        real_seconds: float,
        *,
        attempt: int = 0,
        version: int | None = None,
    ) -> None:
        """Wake the session in `real_seconds`, replacing its pending follow-up (`attempt`
        counts the failed wakes before this one; `version`: the session's version this
        follow-up is for, None for whatever it is by then)."""
        self.cancel(session_id)
        if self._closed:
            return  # stopping: the next start resumes the session from its row
        self._timers[session_id] = asyncio.get_running_loop().call_later(
            max(0.0, real_seconds),
            self._fire,
            session_id,
            attempt,
            version,
            # A wake starts clean, as a job did: nothing of the arming update's context (its
            # language, the countdown's send priority) may leak into it.
            context=contextvars.Context(),
        )

    def cancel(self, session_id: int) -> None:
        """Drop the session's pending follow-up, if any."""
        timer = self._timers.pop(session_id, None)
        if timer is not None:
            timer.cancel()

    def pending(self, session_id: int) -> bool:
        """Whether a wake is armed or running for the session in this process."""
        return session_id in self._running or session_id in self._timers

    def pending_job(self, session_id: int) -> bool:
        """Whether a follow-up is armed for the session."""
        return session_id in self._timers

    def repeat(self, callback: Callable[[], Awaitable[object]], every: float, name: str) -> None:
        """Run `callback` every `every` real seconds; a late run still runs (once), and one
        that raises is logged and tried again at the next turn."""
        if self._queue is None:
            return

        async def turn(context: AnyContext) -> None:
            try:
                await callback()
            except Exception as exc:  # one line with a count, not a traceback per turn
                self._repeats.failed(name, exc)
            else:
                self._repeats.worked(name)

        self._queue.run_repeating(
            turn, interval=every, first=every, name=name, job_kwargs=JOB_KWARGS
        )

    async def close(self) -> None:
        """Arm nothing more, drop what is armed, give the wakes under way `stop_grace` seconds
        to finish and cancel the rest (the next start resumes their sessions)."""
        self._closed = True
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=self._stop_grace)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)
            log.info(
                "stopped %d session follow-up(s) under way; the next start resumes them",
                len(late),
            )

    def _fire(self, session_id: int, attempt: int, version: int | None) -> None:
        # A cancelled timer never fires: this one is the session's pending follow-up.
        del self._timers[session_id]
        self._running[session_id] += 1
        task = asyncio.get_running_loop().create_task(self._run(session_id, attempt, version))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, session_id: int, attempt: int, version: int | None) -> None:
        try:
            await self._wake(session_id, version)
        except Exception as exc:  # whatever it was, the session must not freeze for it
            delay = retry_delay(attempt)
            # Every session's retries in one run of lines (each retries 1..30 s apart).
            self._repeats.failed("session follow-ups", exc)
            # The wake may have armed the next follow-up before it failed; that one stands.
            if not self.pending_job(session_id):
                self.arm(session_id, delay, attempt=attempt + 1, version=version)
        else:
            self._repeats.worked("session follow-ups")
        finally:
            self._running[session_id] -= 1
            if not self._running[session_id]:
                del self._running[session_id]
