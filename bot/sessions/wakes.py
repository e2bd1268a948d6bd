"""When a session's next follow-up is due: a pure function of its state and the time.

A follow-up is one of: the end of a timed phase (hold, switch), a countdown edit during a hold,
or a retry of a step that could not be shown. Nothing here touches Telegram, the database or
the event loop; `followups.py` arms what this returns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from bot.domain.session import Phase, SessionState, Status

# Real seconds a clock takes to move the given clock seconds (`Clock.real_delay`).
RealDelay = Callable[[float], float]

# A show that failed (network) is retried this often until it works.
RESHOW_RETRY_SECONDS = 5.0
# While countdowns are off (the Telegram budget is short), a hold looks again this often.
BUDGET_RECHECK_SECONDS = 15.0
# The last countdown edit comes at least this long (real seconds) before the hold's end.
LAST_EDIT_GAP_SECONDS = 1.2


def min_clock_step(real_delay: RealDelay) -> int:
    """Clock seconds that pass in one real second (1 normally, N at --speed N)."""
    per_real_second = real_delay(1.0)
    return max(1, math.ceil(1.0 / per_real_second)) if per_real_second > 0 else 1


def countdown_step(step_seconds: int, real_delay: RealDelay) -> int:
    """The countdown's cadence in clock seconds: never more than one edit per real second per
    chat, even on a fast clock."""
    return max(step_seconds, min_clock_step(real_delay))


def next_wake_in(
    state: SessionState,
    *,
    shown: bool,
    now: datetime,
    step: int | None,
    real_delay: RealDelay,
) -> float | None:
    """Clock seconds from `now` to the session's next wake; None when nothing is due.

    `shown` says whether the chat shows the row's current version; `step` is the countdown
    cadence (`countdown_step`), None for no countdown edits (the hold's end only).
    """
    if not shown:
        # A card not shown waits for its show (its timer would start the hold unseen).
        if state.timed and state.next_event_at is not None and state.phase is not Phase.INTRO:
            left = max(0.0, (state.next_event_at - now).total_seconds())
            return min(RESHOW_RETRY_SECONDS, left)
        return RESHOW_RETRY_SECONDS
    paused = state.status is Status.PAUSED  # its next event: the end of the pause's limit
    if not (state.timed or paused) or state.next_event_at is None:
        return None
    left = max(0.0, (state.next_event_at - now).total_seconds())
    if paused or state.phase is not Phase.HOLD:
        return left
    if step is None:
        # No countdown edits while the budget is short; look again now and then, so the
        # countdown comes back once it is free (the hold's end is never later for it).
        return min(left, BUDGET_RECHECK_SECONDS)
    # Wake when the shown (rounded-up) number changes; at least `step` apart, so a chat never
    # gets more than one edit per second.
    target = (math.ceil(left / step) - 1) * step if left > 0 else 0
    # The message was just shown or edited: the next edit waits at least a real second.
    while target > 0 and real_delay(left - target) < 1.0:
        target -= step
    # The hold's end edits the message too: no countdown edit in the last real second+.
    if target <= 0 or real_delay(target) < LAST_EDIT_GAP_SECONDS:
        return left
    return left - target
