"""The guided-session state machine, without Telegram or a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.session import (
    EndReason,
    Event,
    InvalidEvent,
    Phase,
    Render,
    SessionState,
    Status,
    apply,
    begin,
    fits,
    seconds_left,
)
from bot.routines import Routine, load_routines

T0 = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
SWITCH = 5


@pytest.fixture
def routine() -> Routine:
    library = load_routines(Path(__file__).parents[1] / "data" / "quick.toml")
    return library.routines["quick"]  # one: 10 s each side; two: 20 s once


def step(state: SessionState, event: Event, routine: Routine, at: datetime) -> SessionState:
    return apply(state, event, routine, at, switch_seconds=SWITCH).state


def test_a_whole_session_walks_every_hold_then_finishes(routine: Routine) -> None:
    s = begin(routine, T0)
    assert (s.status, s.phase, s.stretch_index) == (Status.ACTIVE, Phase.INTRO, 0)
    t = T0 + timedelta(seconds=3)
    s = step(s, Event.READY, routine, t)
    assert (s.phase, s.side, s.next_event_at) == (Phase.HOLD, 0, t + timedelta(seconds=10))
    t += timedelta(seconds=10)
    s = step(s, Event.TIMER, routine, t)
    assert (s.phase, s.side, s.holds_done) == (Phase.SWITCH, 1, 1)
    assert s.next_event_at == t + timedelta(seconds=SWITCH)
    t += timedelta(seconds=SWITCH)
    s = step(s, Event.TIMER, routine, t)
    assert (s.phase, s.side, s.next_event_at) == (Phase.HOLD, 1, t + timedelta(seconds=10))
    t += timedelta(seconds=10)
    s = step(s, Event.TIMER, routine, t)
    assert (s.phase, s.stretch_index, s.stretches_done, s.holds_done) == (Phase.INTRO, 1, 1, 2)
    assert s.next_event_at is None
    s = step(s, Event.READY, routine, t)
    t += timedelta(seconds=20)
    s = step(s, Event.TIMER, routine, t)  # "two" is held once: no switch
    assert s.status is Status.DONE and s.end_reason is EndReason.FINISHED
    assert (s.holds_done, s.stretches_done, s.ended_at) == (3, 2, t)


def test_timer_before_the_hold_is_over_is_refused(routine: Routine) -> None:
    s = step(begin(routine, T0), Event.READY, routine, T0)
    with pytest.raises(InvalidEvent):
        step(s, Event.TIMER, routine, T0 + timedelta(seconds=9.99))


def test_pause_freezes_the_time_left_and_resume_continues_it(routine: Routine) -> None:
    s = step(begin(routine, T0), Event.READY, routine, T0)
    paused = apply(s, Event.PAUSE, routine, T0 + timedelta(seconds=4), switch_seconds=SWITCH)
    assert paused.render is Render.EDIT
    assert paused.state.status is Status.PAUSED
    # A paused session's next event is the end of its pause limit (issue 23).
    assert paused.state.next_event_at == T0 + timedelta(seconds=4, minutes=30)
    assert seconds_left(paused.state, T0 + timedelta(hours=1)) == pytest.approx(6)
    with pytest.raises(InvalidEvent):
        step(paused.state, Event.TIMER, routine, T0 + timedelta(seconds=20))
    with pytest.raises(InvalidEvent):
        step(paused.state, Event.READY, routine, T0 + timedelta(seconds=20))
    later = T0 + timedelta(minutes=3)
    resumed = step(paused.state, Event.RESUME, routine, later)
    assert resumed.status is Status.ACTIVE
    assert resumed.next_event_at == later + timedelta(seconds=6)


def test_pause_is_only_for_timed_phases(routine: Routine) -> None:
    with pytest.raises(InvalidEvent):
        step(begin(routine, T0), Event.PAUSE, routine, T0)
    with pytest.raises(InvalidEvent):
        step(begin(routine, T0), Event.RESUME, routine, T0)


def test_skip_moves_to_the_next_hold_and_the_last_skip_finishes(routine: Routine) -> None:
    """Skip in a hold moves to the next hold (issue 13), not past the whole stretch; a stretch
    with a skipped side is not done, and a session with nothing held does not count."""
    s = step(begin(routine, T0), Event.READY, routine, T0)
    s = step(s, Event.SKIP, routine, T0 + timedelta(seconds=2))
    assert (s.phase, s.stretch_index, s.side, s.holds_done) == (Phase.SWITCH, 0, 1, 0)
    s = step(s, Event.SKIP, routine, T0 + timedelta(seconds=3))  # skip the switch pause
    assert (s.phase, s.side, s.next_event_at) == (Phase.HOLD, 1, T0 + timedelta(seconds=13))
    s = step(s, Event.TIMER, routine, T0 + timedelta(seconds=13))  # the right side is held
    assert (s.phase, s.stretch_index, s.holds_done) == (Phase.INTRO, 1, 1)
    assert (s.stretches_done, s.stretches_skipped) == (0, 1)  # one side only: not done
    s = step(s, Event.SKIP, routine, T0 + timedelta(seconds=14))  # on the card: whole stretch
    assert s.status is Status.DONE and s.stretches_done == 0 and s.stretches_skipped == 2
    assert not s.counts


def test_hands_free_runs_on_timers_alone_with_each_stretchs_pauses(routine: Routine) -> None:
    """No Ready: a get-ready count, the hold, the switch, the next card, the end."""
    one, two = routine.stretches
    paced = replace(
        routine,
        stretches=(replace(one, ready_seconds=20, switch_seconds=15), two),
    )
    s = begin(paced, T0, hands_free=True, ready_seconds=10)
    assert s.timed and s.next_event_at == T0 + timedelta(seconds=20)  # the stretch's own 20
    t = T0
    expected = [
        (Phase.HOLD, 0, 10),  # after the 20 s get-ready count: a 10 s hold
        (Phase.SWITCH, 1, 15),  # the stretch's own 15 s to change sides
        (Phase.HOLD, 1, 10),
        (Phase.INTRO, 0, 10),  # the second card: the default 10 s get-ready count
        (Phase.HOLD, 0, 20),
    ]
    for phase, side, seconds in expected:
        assert s.next_event_at is not None
        t = s.next_event_at
        s = step(s, Event.TIMER, paced, t)
        assert (s.phase, s.side, s.next_event_at) == (phase, side, t + timedelta(seconds=seconds))
    s = step(s, Event.TIMER, paced, t + timedelta(seconds=20))
    assert s.status is Status.DONE and s.counts and (s.holds_done, s.stretches_done) == (3, 2)


@pytest.mark.parametrize(
    ("pace", "hold", "ready", "switch", "held"),
    [(100, None, 10, 5, 10), (150, None, 15, 8, 10), (60, 45, 6, 3, 45), (60, 20, 6, 3, 20)],
)
def test_the_settings_set_the_hold_and_scale_the_pauses(
    routine: Routine, pace: int, hold: int | None, ready: int, switch: int, held: int
) -> None:
    s = begin(routine, T0, hands_free=True, hold_seconds=hold, pace_percent=pace)
    assert s.next_event_at == T0 + timedelta(seconds=ready)
    s = step(s, Event.TIMER, routine, T0 + timedelta(seconds=ready))
    assert s.phase_seconds == held
    s = step(s, Event.TIMER, routine, T0 + timedelta(seconds=ready + held))
    assert (s.phase, s.phase_seconds) == (Phase.SWITCH, switch)


def test_hands_free_card_can_be_paused_started_early_or_skipped(routine: Routine) -> None:
    card = begin(routine, T0, hands_free=True)
    paused = apply(card, Event.PAUSE, routine, T0 + timedelta(seconds=4), switch_seconds=SWITCH)
    assert paused.render is Render.EDIT and paused.state.paused_remaining == pytest.approx(6)
    resumed = step(paused.state, Event.RESUME, routine, T0 + timedelta(minutes=1))
    assert resumed.next_event_at == T0 + timedelta(minutes=1, seconds=6)
    early = step(card, Event.READY, routine, T0 + timedelta(seconds=1))
    assert (early.phase, early.next_event_at) == (Phase.HOLD, T0 + timedelta(seconds=11))
    skipped = step(card, Event.SKIP, routine, T0 + timedelta(seconds=1))
    assert (skipped.phase, skipped.stretch_index, skipped.stretches_skipped) == (Phase.INTRO, 1, 1)
    assert skipped.next_event_at == T0 + timedelta(seconds=11)  # the next card counts down too


def test_a_session_counts_only_with_a_stretch_held_on_every_side(routine: Routine) -> None:
    s = begin(routine, T0)
    s = step(s, Event.SKIP, routine, T0)  # the two-sided stretch, skipped on its card
    s = step(s, Event.READY, routine, T0)
    s = step(s, Event.TIMER, routine, T0 + timedelta(seconds=20))  # the one-sided one, held
    assert s.status is Status.DONE and s.counts and s.stretches_done == 1
    stopped = step(begin(routine, T0), Event.STOP, routine, T0)
    assert not stopped.counts


@pytest.mark.parametrize(
    ("event", "reason"), [(Event.STOP, EndReason.STOPPED), (Event.HURT, EndReason.HURT)]
)
def test_stop_and_hurt_end_from_any_live_state(
    routine: Routine, event: Event, reason: EndReason
) -> None:
    intro = begin(routine, T0)
    hold = step(intro, Event.READY, routine, T0)
    paused = step(hold, Event.PAUSE, routine, T0)
    for s in (intro, hold, paused):
        ended = step(s, event, routine, T0 + timedelta(seconds=1))
        assert ended.status is Status.STOPPED and ended.end_reason is reason
        assert ended.next_event_at is None


def test_an_ended_session_accepts_nothing(routine: Routine) -> None:
    ended = step(begin(routine, T0), Event.STOP, routine, T0)
    for event in Event:
        with pytest.raises(InvalidEvent):
            step(ended, event, routine, T0)


def test_interrupted_hold_is_paused_with_the_whole_hold_to_do_again(routine: Routine) -> None:
    s = step(begin(routine, T0), Event.READY, routine, T0)
    t = apply(s, Event.INTERRUPTED, routine, T0 + timedelta(hours=2), switch_seconds=SWITCH)
    assert t.render is Render.SEND
    assert t.state.status is Status.PAUSED and t.state.paused_remaining == 10
    with pytest.raises(InvalidEvent):
        step(begin(routine, T0), Event.INTERRUPTED, routine, T0)


def _on_second_stretch(routine: Routine, where: str) -> SessionState:
    """A session on the second stretch: at its card, in its hold, or with its hold paused."""
    card = step(begin(routine, T0), Event.SKIP, routine, T0)
    if where == "card":
        return card
    hold = step(card, Event.READY, routine, T0)
    return hold if where == "hold" else step(hold, Event.PAUSE, routine, T0)


@pytest.mark.parametrize("where", ["card", "hold", "paused"])
@pytest.mark.parametrize(
    "event",
    [
        Event.READY,
        Event.TIMER,
        Event.PAUSE,
        Event.RESUME,
        Event.SKIP,
        Event.INTERRUPTED,
        Event.ROUTINE_CHANGED,
    ],
)
def test_a_routine_shortened_past_the_session_ends_it_whatever_comes(
    routine: Routine, where: str, event: Event
) -> None:
    """routines.toml lost the stretch the session is on (it now has only the first)."""
    state = _on_second_stretch(routine, where)
    shortened = replace(routine, stretches=routine.stretches[:1])
    assert fits(state, routine) and not fits(state, shortened)
    # 10 minutes on: within the pause limit (past it, a paused session ends as expired).
    t = apply(state, event, shortened, T0 + timedelta(minutes=10), switch_seconds=SWITCH)
    assert t.render is Render.SEND
    assert t.state.status is Status.STOPPED and t.state.end_reason is EndReason.OUTDATED
    assert (t.state.stretch_index, t.state.holds_done) == (state.stretch_index, state.holds_done)


@pytest.mark.parametrize(
    ("event", "reason"), [(Event.STOP, EndReason.STOPPED), (Event.HURT, EndReason.HURT)]
)
def test_stop_and_hurt_keep_their_meaning_on_a_shortened_routine(
    routine: Routine, event: Event, reason: EndReason
) -> None:
    state = _on_second_stretch(routine, "hold")
    shortened = replace(routine, stretches=routine.stretches[:1])
    assert step(state, event, shortened, T0).end_reason is reason  # "this hurts" advice kept


def test_a_routine_change_that_still_fits_changes_nothing(routine: Routine) -> None:
    state = _on_second_stretch(routine, "hold")
    longer = replace(routine, stretches=(*routine.stretches, routine.stretches[0]))
    for r in (routine, longer):
        with pytest.raises(InvalidEvent):
            step(state, Event.ROUTINE_CHANGED, r, T0)


def test_a_timed_phase_keeps_the_length_it_began_with(routine: Routine) -> None:
    """Its closing line says what was held, whatever routines.toml says by then."""
    hold = step(begin(routine, T0), Event.READY, routine, T0)
    assert hold.phase_seconds == 10
    paused = step(hold, Event.PAUSE, routine, T0 + timedelta(seconds=4))
    resumed = step(paused, Event.RESUME, routine, T0 + timedelta(minutes=1))
    assert (paused.phase_seconds, resumed.phase_seconds) == (10, 10)
    switching = step(hold, Event.TIMER, routine, T0 + timedelta(seconds=10))
    assert switching.phase_seconds == SWITCH
    longer = replace(
        routine, stretches=tuple(replace(s, hold_seconds=600) for s in routine.stretches)
    )
    # After downtime the whole hold is done again: as long as the routine says now.
    again = step(hold, Event.INTERRUPTED, longer, T0 + timedelta(hours=2))
    assert again.phase_seconds == 600 and again.paused_remaining == 600
    card = step(begin(routine, T0), Event.SKIP, routine, T0)
    assert card.phase_seconds is None


# Issue 23: the record is what was done ------------------------------------------------------


def _first_stretch_held(routine: Routine) -> SessionState:
    """Ready at T0, both 10 s sides and the 5 s switch held: on the second card at T0+25."""
    s = step(begin(routine, T0), Event.READY, routine, T0)
    s = step(s, Event.TIMER, routine, T0 + timedelta(seconds=10))
    s = step(s, Event.TIMER, routine, T0 + timedelta(seconds=15))
    return step(s, Event.TIMER, routine, T0 + timedelta(seconds=25))


@pytest.mark.parametrize(
    ("event", "status", "reason"),
    [
        (Event.STOP, Status.STOPPED, EndReason.STOPPED),
        (Event.HURT, Status.STOPPED, EndReason.HURT),
        (Event.SKIP, Status.DONE, EndReason.FINISHED),
    ],
)
def test_a_stretch_held_on_every_side_counts_however_the_session_ends(
    routine: Routine, event: Event, status: Status, reason: EndReason
) -> None:
    s = _first_stretch_held(routine)
    assert s.stretches_done == 1
    ended = step(s, event, routine, T0 + timedelta(seconds=27))
    assert (ended.status, ended.end_reason) == (status, reason)
    assert ended.counts and ended.duration_seconds == 27


@pytest.mark.parametrize("event", [Event.STOP, Event.HURT, Event.SKIP])
def test_one_side_held_counts_for_nothing_however_it_ends(routine: Routine, event: Event) -> None:
    s = step(begin(routine, T0), Event.READY, routine, T0)
    s = step(s, Event.TIMER, routine, T0 + timedelta(seconds=10))  # left held, now switching
    s = step(s, Event.SKIP, routine, T0 + timedelta(seconds=11))  # into the right hold
    s = step(s, Event.STOP if event is Event.STOP else event, routine, T0 + timedelta(seconds=12))
    if s.live:  # Skip left the right hold: on to the last card, skipped too
        s = step(s, Event.SKIP, routine, T0 + timedelta(seconds=13))
    assert not s.counts


def test_paused_time_is_not_counted_and_resume_goes_on_counting(routine: Routine) -> None:
    s = step(begin(routine, T0), Event.READY, routine, T0)
    s = step(s, Event.PAUSE, routine, T0 + timedelta(seconds=4))
    s = step(s, Event.RESUME, routine, T0 + timedelta(minutes=20))
    s = step(s, Event.TIMER, routine, s.next_event_at or T0)
    assert s.active_seconds == pytest.approx(10)  # the whole 10 s hold, none of the pause


@pytest.mark.parametrize(
    ("event", "minutes"),
    [(Event.RESUME, 30), (Event.RESUME, 600), (Event.TIMER, 30), (Event.STOP, 45)],
)
def test_a_pause_past_the_limit_ends_the_session_by_what_was_held(
    routine: Routine, event: Event, minutes: int
) -> None:
    s = step(_first_stretch_held(routine), Event.READY, routine, T0 + timedelta(seconds=25))
    s = step(s, Event.PAUSE, routine, T0 + timedelta(seconds=26))  # 1 s into the last hold
    assert s.next_event_at == T0 + timedelta(seconds=26, minutes=30)
    ended = step(s, event, routine, T0 + timedelta(seconds=26, minutes=minutes))
    assert (ended.status, ended.end_reason) == (Status.STOPPED, EndReason.EXPIRED)
    # Ended when it last ran (its day is that of the work), counted by what was held.
    assert ended.ended_at == T0 + timedelta(seconds=26)
    assert ended.counts and ended.duration_seconds == 26


def test_a_pause_within_the_limit_resumes_and_this_hurts_keeps_its_advice(
    routine: Routine,
) -> None:
    s = step(_first_stretch_held(routine), Event.READY, routine, T0 + timedelta(seconds=25))
    s = step(s, Event.PAUSE, routine, T0 + timedelta(seconds=26))  # 1 s into the last hold
    with pytest.raises(InvalidEvent):  # the timer of a pause not yet over
        step(s, Event.TIMER, routine, T0 + timedelta(minutes=29))
    resumed = step(s, Event.RESUME, routine, T0 + timedelta(minutes=29))
    assert resumed.status is Status.ACTIVE
    hurt = step(s, Event.HURT, routine, T0 + timedelta(hours=3))
    assert hurt.end_reason is EndReason.HURT


def test_the_pause_limit_is_the_callers(routine: Routine) -> None:
    s = step(begin(routine, T0), Event.READY, routine, T0)
    paused = apply(
        s, Event.PAUSE, routine, T0, switch_seconds=SWITCH, pause_limit_seconds=20
    ).state
    assert paused.next_event_at == T0 + timedelta(seconds=20)


def test_a_late_wake_counts_a_phase_at_its_planned_length(routine: Routine) -> None:
    """A timer fired late (a busy worker), or a tap-through card read for an hour, counts
    only as long as the phase was planned."""
    s = step(begin(routine, T0), Event.READY, routine, T0)
    s = step(s, Event.TIMER, routine, T0 + timedelta(minutes=5))  # the hold's timer, late
    assert s.active_seconds == pytest.approx(10)
    card = begin(routine, T0)  # tap-through: waits for Ready
    started = step(card, Event.READY, routine, T0 + timedelta(hours=1))
    assert started.active_seconds == pytest.approx(10)  # the default get-ready, no more


def test_an_interrupted_phase_is_not_counted_as_it_is_done_again(routine: Routine) -> None:
    s = step(begin(routine, T0), Event.READY, routine, T0)
    t = apply(s, Event.INTERRUPTED, routine, T0 + timedelta(hours=2), switch_seconds=SWITCH)
    assert t.state.active_seconds == 0 and t.state.paused_at == T0 + timedelta(hours=2)
