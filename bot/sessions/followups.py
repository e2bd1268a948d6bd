"""Session follow-ups on PTB's JobQueue: arm and cancel a wake per session.

A follow-up is a `run_once` job named after the session; when it fires it calls
`wake(id, version)`, which re-reads the row (the row is the truth, the job only a reminder).
`version` is the session's version the follow-up was armed for (None: adopt whatever the row
says, as the sweep and a restart do): a row that has moved past it was changed by another
worker, whose own follow-up now owns the session's next step, so this one drops out.

No misfire grace: APScheduler drops a job that fires more than `misfire_grace_time` late (1 s
by default), which a paused VM, a slow disk or a blocked event loop easily causes, and the
session then stayed in its hold for good. A late follow-up still runs, once.

A wake that raises (the database full, or restarting) is tried again with backoff, for as long
as it takes: the row still says what is due, so a retry does exactly what the first try would
have done.

And whatever else drops a follow-up (a clock jump, a bug, a job lost with a worker), the coach
sweeps: `repeat` runs its sweep every few seconds, which re-arms any session whose step is
overdue with nothing `pending` for it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.jobstores.base import JobLookupError  # type: ignore[import-untyped]
from telegram.ext import CallbackContext, Job, JobQueue

from bot.logs import Repeats

log = logging.getLogger(__name__)

AnyContext = CallbackContext[Any, Any, Any, Any]
Wake = Callable[[int, int | None], Awaitable[None]]

# A late job still runs (once, however late), and never two of one at a time.
JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
# A failed wake is tried again after 1, 2, 4, ... real seconds, at most 30 apart: through a
# 12 s PostgreSQL restart (issue 18) the tries come at 0, 1, 3, 7 and 15 s, at most 3 s after
# the database is back, and a long outage costs one log line per session every 30 s, not a
# busy loop.
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 30.0


def retry_delay(attempt: int) -> float:
    """Real seconds before retry number `attempt` (0-based) of a failed wake."""
    return min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2.0 ** min(attempt, 16))


def job_name(session_id: int) -> str:
    return f"session:{session_id}"


class FollowUps:
    """The JobQueue side of session follow-ups: one pending wake per session at most."""

    def __init__(self, queue: JobQueue[Any] | None, wake: Wake) -> None:
        self._queue = queue
        self._wake = wake
        # Sessions whose wake is running now: their job has left the queue, but a sweep must
        # not start a second wake beside it.
        self._running: set[int] = set()
        # Each session's pending job, kept here because PTB finds jobs by name by building a
        # Job for every job in the scheduler: with 300 sessions in a burst of presses, that
        # scan was 2 % of a worker's CPU and grows with the square of the sessions.
        self._jobs: dict[int, Job[Any]] = {}
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
        assert self._queue is not None, "the job-queue extra is required"
        self._jobs[session_id] = self._queue.run_once(
            self._run,
            when=max(0.0, real_seconds),
            data=(session_id, attempt, version),
            name=job_name(session_id),
            job_kwargs=JOB_KWARGS,
        )

    def cancel(self, session_id: int) -> None:
        """Drop the session's pending follow-up, if any."""
        job = self._jobs.pop(session_id, None)
        if job is not None and not job.removed:
            # A job that has just fired has left APScheduler's store a loop turn or two
            # before `_run` forgets it: removing it then raises, and nothing is left to drop.
            with contextlib.suppress(JobLookupError):
                job.schedule_removal()

    def pending(self, session_id: int) -> bool:
        """Whether a wake is armed or running for the session in this process."""
        return session_id in self._running or self.pending_job(session_id)

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

    def pending_job(self, session_id: int) -> bool:
        """Whether a follow-up is armed for the session."""
        job = self._jobs.get(session_id)
        return job is not None and not job.removed

    async def _run(self, context: AnyContext) -> None:
        job: Job[Any] | None = context.job
        if job is None or not isinstance(job.data, tuple):
            return
        session_id, attempt, version = job.data
        if self._jobs.get(session_id) is job:
            del self._jobs[session_id]  # run: no longer pending
        self._running.add(session_id)
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
            self._running.discard(session_id)
