"""Session follow-ups on PTB's JobQueue: arm and cancel a wake per session.

A follow-up is a `run_once` job named after the session; when it fires it calls `wake(id)`,
which re-reads the row (the row is the truth, the job only a reminder).

No misfire grace: APScheduler drops a job that fires more than `misfire_grace_time` late (1 s
by default), which a paused VM, a slow disk or a blocked event loop easily causes, and the
session then stayed in its hold for good. A late follow-up still runs, once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import CallbackContext, Job, JobQueue

AnyContext = CallbackContext[Any, Any, Any, Any]
Wake = Callable[[int], Awaitable[None]]

# A late job still runs (once, however late), and never two of one at a time.
JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


def job_name(session_id: int) -> str:
    return f"session:{session_id}"


class FollowUps:
    """The JobQueue side of session follow-ups: one pending wake per session at most."""

    def __init__(self, queue: JobQueue[Any] | None, wake: Wake) -> None:
        self._queue = queue
        self._wake = wake

    def arm(self, session_id: int, real_seconds: float) -> None:
        """Wake the session in `real_seconds`, replacing its pending follow-up."""
        self.cancel(session_id)
        assert self._queue is not None, "the job-queue extra is required"
        self._queue.run_once(
            self._run,
            when=max(0.0, real_seconds),
            data=session_id,
            name=job_name(session_id),
            job_kwargs=JOB_KWARGS,
        )

    def cancel(self, session_id: int) -> None:
        """Drop the session's pending follow-up, if any."""
        if self._queue is None:
            return
        for job in self._queue.get_jobs_by_name(job_name(session_id)):
            job.schedule_removal()

    async def _run(self, context: AnyContext) -> None:
        job: Job[Any] | None = context.job
        if job is None or not isinstance(job.data, int):
            return
        await self._wake(job.data)
