"""When a session wakes next: the pure schedule of follow-ups, as a table.

A wake ends a timed phase, edits the hold's countdown, or retries a step the chat does not
show yet. The rules a user notices: the hold ends on time, the countdown changes at most once
a real second (and never in the last 1.2 real seconds, which belong to the closing edit), and
a step that failed to show is tried again within 5 s.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.session import EndReason, Phase, SessionState, Status
from bot.sessions.wakes import RealDelay, countdown_step, min_clock_step, next_wake_in

T0 = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


def real(speed: float) -> RealDelay:
    return lambda seconds: max(0.0, seconds / speed)


def state(
    phase: Phase = Phase.HOLD,
    *,
    left: float | None = 20.0,
    status: Status = Status.ACTIVE,
) -> SessionState:
    ended = status in (Status.DONE, Status.STOPPED)
    return SessionState(
        status=status,
        phase=phase,
        stretch_index=0,
        side=0,
        started_at=T0 - timedelta(minutes=1),
        next_event_at=None if left is None else T0 + timedelta(seconds=left),
        paused_remaining=12.0 if status is Status.PAUSED else None,
        ended_at=T0 if ended else None,
        end_reason=EndReason.FINISHED if ended else None,
    )


@pytest.mark.parametrize(
    ("case", "session", "shown", "step", "speed", "expected"),
    [
        # Shown, counting down at 1x with a 5 s step: wake when the shown number changes.
        ("hold, 20 s left: next edit at 15", state(left=20), True, 5, 1, 5.0),
        ("hold, 17 s left: next edit at 15", state(left=17), True, 5, 1, 2.0),
        ("edit would come <1 s after the last: skip to 10", state(left=15.5), True, 5, 1, 5.5),
        ("6 s left: the edit at 5 is still 1 s away", state(left=6), True, 5, 1, 1.0),
        ("5.5 s left: no edit squeezed in, wake at the end", state(left=5.5), True, 5, 1, 5.5),
        ("1 s left: wake at the end", state(left=1), True, 5, 1, 1.0),
        ("hold overdue: wake now", state(left=-3), True, 5, 1, 0.0),
        # At 10x a 10 s step is one real second: the edit at 10 would be 1.0 real s before
        # the end, inside the 1.2 s kept for the closing edit.
        ("10x clock, 20 s left: straight to the end", state(left=20), True, 10, 10, 20.0),
        ("10x clock, 40 s left: edit at 30", state(left=40), True, 10, 10, 10.0),
        # The Telegram budget is short: a longer step, or no countdown edits at all (None).
        ("budget tight, 15 s step, 20 s left: edit at 15", state(left=20), True, 15, 1, 5.0),
        # ... and looks again in 15 s, so the countdown comes back when the budget is free.
        ("budget exhausted: no edit, look again in 15 s", state(left=20), True, None, 1, 15.0),
        ("budget exhausted, 10 s left: wake at the end", state(left=10), True, None, 1, 10.0),
        ("no edits, but unshown: still retried in 5 s", state(left=20), False, None, 1, 5.0),
        # Other phases wake once, at their end.
        ("switch: at its end", state(Phase.SWITCH, left=3), True, 5, 1, 3.0),
        ("intro waits for Ready", state(Phase.INTRO, left=None), True, 5, 1, None),
        ("paused waits for Resume", state(left=None, status=Status.PAUSED), True, 5, 1, None),
        ("ended and shown: nothing more", state(left=None, status=Status.DONE), True, 5, 1, None),
        # Not shown yet: try again within 5 s, or at the phase's end if that comes first.
        ("unshown hold: retry in 5 s", state(left=20), False, 5, 1, 5.0),
        ("unshown hold ending in 2 s: at its end", state(left=2), False, 5, 1, 2.0),
        ("unshown and overdue: now", state(left=-1), False, 5, 1, 0.0),
        ("unshown intro: retry in 5 s", state(Phase.INTRO, left=None), False, 5, 1, 5.0),
        ("unshown ending: retry in 5 s", state(left=None, status=Status.DONE), False, 5, 1, 5.0),
    ],
)
def test_next_wake(
    case: str,
    session: SessionState,
    shown: bool,
    step: int | None,
    speed: float,
    expected: float | None,
) -> None:
    got = next_wake_in(session, shown=shown, now=T0, step=step, real_delay=real(speed))
    assert got == pytest.approx(expected) if expected is not None else got is None, case


@pytest.mark.parametrize(
    ("speed", "step_seconds", "min_step", "step"),
    [
        (1, 5, 1, 5),  # the wall clock: the configured 5 s
        (5, 5, 5, 5),  # `try --speed 5`: 5 clock-s are one real second
        (10, 5, 10, 10),  # 10x: widened to 10 clock-s, one edit per real second
        (2.5, 1, 3, 3),  # rounded up, never more than one edit a real second
    ],
)
def test_the_countdown_step_is_never_under_a_real_second(
    speed: float, step_seconds: int, min_step: int, step: int
) -> None:
    assert min_clock_step(real(speed)) == min_step
    assert countdown_step(step_seconds, real(speed)) == step


def test_a_clock_that_never_moves_real_time_still_gets_a_step() -> None:
    assert min_clock_step(lambda seconds: 0.0) == 1
