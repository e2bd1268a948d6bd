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
    library = load_routines(Path(__file__).parent / "data" / "quick.toml")
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
    assert paused.state.status is Status.PAUSED and paused.state.next_event_at is None
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


def test_skip_moves_to_the_next_stretch_and_the_last_skip_finishes(routine: Routine) -> None:
    s = step(begin(routine, T0), Event.READY, routine, T0)
    s = step(s, Event.SKIP, routine, T0 + timedelta(seconds=2))
    assert (s.phase, s.stretch_index, s.stretches_skipped, s.holds_done) == (Phase.INTRO, 1, 1, 0)
    s = step(s, Event.SKIP, routine, T0 + timedelta(seconds=3))
    assert s.status is Status.DONE and s.stretches_done == 0 and s.stretches_skipped == 2


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
    t = apply(state, event, shortened, T0 + timedelta(hours=1), switch_seconds=SWITCH)
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
