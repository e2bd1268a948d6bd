"""Sessions a restart or a lost follow-up left behind: re-armed at start, swept while running.

Apart from the coach because none of it decides a step: it finds the sessions that need a
wake and hands each to the coach's wake (or its "interrupted" event), each inside its own
error boundary. The coach builds it with those two as callables, so the arrow stays one way
(coach → recovery, never back).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot import i18n
from bot.clock import Clock
from bot.sessions.aftercare import CHECK_EVERY_SECONDS, CHECK_JOB, Aftercare
from bot.sessions.followups import FollowUps, retry_delay
from bot.store.repo import Store

log = logging.getLogger(__name__)

# After a restart, a session's ending not yet shown is shown if it is at most this old.
ENDING_RESHOW_WINDOW = timedelta(hours=1)
# The sweep looks for sessions whose step is overdue with no follow-up pending every 5 real
# seconds (one indexed query: next_event_at < now - grace), so a lost follow-up costs the
# user at most ~15 s. A wake fires within milliseconds of its time and moves next_event_at on
# as soon as it commits, and one in flight in this process counts as pending; the 10 s grace
# is for webhook workers, which cannot see each other's jobs: another worker's follow-up is
# swept only once that worker has been stuck for 10 s, not while it is merely busy.
SWEEP_SECONDS = 5.0
SWEEP_GRACE = timedelta(seconds=10)
SWEEP_JOB = "session-sweep"

# The coach's two ways in: wake a session in its user's language, and apply "interrupted".
SessionAction = Callable[[int], Awaitable[object]]


class Recovery:
    """Resume after a start, and sweep for follow-ups that were lost."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        follow_ups: FollowUps,
        *,
        ask_after: timedelta,
        wake: SessionAction,
        interrupt: SessionAction,
        aftercare: Aftercare | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.follow_ups = follow_ups
        # A timed step overdue by more than this at start is asked about, not carried on.
        self.ask_after = ask_after
        self.wake = wake
        self.interrupt = interrupt
        self.aftercare = aftercare

    async def resume_all(self) -> int:
        """After a start: re-arm every live session; ask first where a follow-up is long overdue."""
        records = await self.store.live_sessions()
        now = self.clock.now()
        for record in records:
            state = record.state
            if (
                state.timed
                and state.next_event_at is not None
                and now - state.next_event_at > self.ask_after
            ):
                with i18n.using(await self.store.session_language(record.id)):
                    await self._restore(record.id, self.interrupt(record.id))
            else:
                await self._restore(record.id, self.wake(record.id))
        # Endings a crash or an outage kept from the chat: the finishing message carries the
        # streak, so it is shown late rather than never (but not hours late).
        for record in await self.store.unshown_endings(now - ENDING_RESHOW_WINDOW):
            await self._restore(record.id, self.wake(record.id))
        if records:
            log.info("resumed %d live session(s)", len(records))
        return len(records)

    async def _restore(self, session_id: int, restoring: Awaitable[object]) -> None:
        """One session's restore, inside its own error boundary: whatever is wrong with one
        user's session (or the database just then) must never stop the bot starting for
        everyone. It is logged and handed to the follow-ups, which retry with backoff."""
        try:
            await restoring
        except Exception:
            log.exception("session %s: could not be restored; will try again", session_id)
            if not self.follow_ups.pending(session_id):
                self.follow_ups.arm(session_id, retry_delay(0), attempt=1)

    def start_sweeping(self) -> None:
        """Sweep for lost follow-ups from now on (every SWEEP_SECONDS), and ask the pain
        checks due after a "This hurts" (every CHECK_EVERY_SECONDS)."""
        self.follow_ups.repeat(self.sweep, SWEEP_SECONDS, SWEEP_JOB)
        if self.aftercare is not None:
            self.follow_ups.repeat(self.aftercare.tick, CHECK_EVERY_SECONDS, CHECK_JOB)

    async def sweep(self) -> int:
        """Re-arm every session whose step is overdue and has no follow-up pending, whatever
        dropped it. The wake re-reads the row, so one that is not needed after all does
        nothing; returns how many were re-armed."""
        armed = 0
        for session_id in await self.store.overdue_sessions(self.clock.now() - SWEEP_GRACE):
            if not self.follow_ups.pending(session_id):
                log.warning("session %s: follow-up was lost; waking it now", session_id)
                self.follow_ups.arm(session_id, 0.0)
                armed += 1
        return armed
