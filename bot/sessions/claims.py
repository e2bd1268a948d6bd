"""One owner per session's step (issue 29): who may show a step and act on a session.

Every worker that handles a press, sweeps an overdue session or resumes sessions at start arms
a follow-up of its own; when two followed one session, both sent its step. So a step is
claimed on the row before it is sent, as a nudge is: the compare-and-set that makes a version
claims its step for the worker that made it (`claim()` passed to the store), and a wake that
finds a step unshown claims it by compare-and-set first (`claim_show`). A wake meeting another
worker's live claim steps aside (`mine`). A claim runs out after CLAIM_REAL_SECONDS, so a dead
owner's step is shown by another worker then.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from bot.clock import Clock
from bot.sessions.followups import FollowUps
from bot.store.repo import SessionRecord, StepClaim, Store

# A claim holds this many real seconds: longer than a send can take (a wait at the rate
# limiter, a picture upload with its retries: ~20 s at worst here) plus a database outage that
# keeps its owner from recording it (retries 1..30 s apart), so a live owner is never
# overtaken; a dead owner's step waits this long for another worker.
CLAIM_REAL_SECONDS = 60.0
# A look at another worker's claim comes this long after it runs out.
CLAIM_MARGIN_SECONDS = 1.0


class StepClaims:
    """This worker's side of step claims."""

    def __init__(self, store: Store, clock: Clock, follow_ups: FollowUps, grace: timedelta):
        self.store = store
        self.clock = clock
        self.follow_ups = follow_ups
        # A shown step's timer this overdue means its owner is stuck or dead (the sweep's).
        self.grace = grace
        # This worker's name on its claims (a restart is a new worker).
        self.token = uuid.uuid4().hex[:16]
        # SQLite is one process: a claim not this worker's was left by a dead one.
        self.sole = store.single_process

    def claim(self) -> StepClaim:
        """This worker's claim on a step, from now for CLAIM_REAL_SECONDS of real time."""
        per_real_second = self.clock.real_delay(1.0)
        seconds = CLAIM_REAL_SECONDS / per_real_second if per_real_second > 0 else 0.0
        return StepClaim(self.token, self.clock.now() + timedelta(seconds=seconds))

    async def claim_show(self, record: SessionRecord) -> SessionRecord | None:
        """Claim the showing of the record's unshown step; None when someone else has it."""
        return await self.store.claim_show(record, self.claim(), self.clock.now(), sole=self.sole)

    def mine(self, record: SessionRecord) -> bool:
        """Whether a wake may act on the session: not while another worker's claim on its
        step is live, unless the step is shown and its timer long overdue (the owner is stuck
        or dead). While another worker is showing the step, look again when its claim runs
        out."""
        now = self.clock.now()
        until = record.claimed_until
        if self.sole or record.claimed_by in (None, self.token) or until is None or until <= now:
            return True
        if record.shown_version != record.version:
            wait = (until - now).total_seconds()
            self.follow_ups.arm(
                record.id,
                self.clock.real_delay(wait) + CLAIM_MARGIN_SECONDS,
                version=record.version,
            )
            return False
        due = record.state.next_event_at
        return record.state.timed and due is not None and now - due > self.grace
