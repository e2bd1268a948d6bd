"""The guided session as a pure state machine.

A session walks a routine: for each stretch an intro card (the steps, waiting for Ready), then a
timed hold per side with a short switch between sides, then the next stretch, then done. The
state is persisted row by row (see store), so it must be a plain value that survives a restart;
this module decides every transition and says how the chat should change, and nothing else:
no Telegram, no database, no clock of its own (`now` is passed in).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.routines import Routine


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    DONE = "done"
    STOPPED = "stopped"


class Phase(StrEnum):
    INTRO = "intro"  # the stretch's steps are shown; waiting for Ready
    HOLD = "hold"  # a timed hold on one side
    SWITCH = "switch"  # a short timed pause to change legs


class Event(StrEnum):
    READY = "ready"
    TIMER = "timer"  # the timed phase is over
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"  # skip the rest of this stretch
    STOP = "stop"
    HURT = "hurt"  # "this hurts": end now, with the advice to see a doctor
    INTERRUPTED = "interrupted"  # the bot was down past its follow-up: ask before going on
    # routines.toml changed under the session (found at a wake or a restart): end it if its
    # stretch is no longer in the routine
    ROUTINE_CHANGED = "routine_changed"


class EndReason(StrEnum):
    FINISHED = "finished"
    STOPPED = "stopped"
    HURT = "hurt"
    REPLACED = "replaced"  # a new /stretch took its place
    OUTDATED = "outdated"  # the routine was shortened and its stretch is gone


class Render(StrEnum):
    """How the chat changes after a transition."""

    SEND = "send"  # close the current message's buttons and send a new message
    EDIT = "edit"  # edit the current message in place (pause/resume)


LIVE = (Status.ACTIVE, Status.PAUSED)


@dataclass(frozen=True, slots=True)
class SessionState:
    """Where a session is. Positions index into the routine; times are aware UTC."""

    status: Status
    phase: Phase
    stretch_index: int
    side: int
    started_at: datetime
    holds_done: int = 0
    stretches_done: int = 0
    stretches_skipped: int = 0
    next_event_at: datetime | None = None
    paused_remaining: float | None = None
    ended_at: datetime | None = None
    end_reason: EndReason | None = None
    # The length of the timed phase under way, fixed when it began: routines.toml may change
    # (and the bot restart) during a hold, and the hold's closing line must say what was
    # really held. None outside a timed phase, and in rows saved before it was kept.
    phase_seconds: int | None = None

    @property
    def live(self) -> bool:
        """Whether the session can still change."""
        return self.status in LIVE

    @property
    def timed(self) -> bool:
        """Whether a follow-up is due by itself (a hold or a switch, not paused)."""
        return self.status is Status.ACTIVE and self.phase in (Phase.HOLD, Phase.SWITCH)


@dataclass(frozen=True, slots=True)
class Transition:
    state: SessionState
    render: Render


class InvalidEvent(Exception):
    """The event does not apply to the session as it is (stale button, ended session)."""


def begin(routine: Routine, now: datetime) -> SessionState:
    """A new session, showing the first stretch's intro."""
    del routine  # every routine has >= 1 stretch (validated when loaded)
    return SessionState(
        status=Status.ACTIVE, phase=Phase.INTRO, stretch_index=0, side=0, started_at=now
    )


def apply(
    state: SessionState,
    event: Event,
    routine: Routine,
    now: datetime,
    *,
    switch_seconds: int,
) -> Transition:
    """The session after `event`; raise InvalidEvent if it does not apply now."""
    if not state.live:
        raise InvalidEvent(f"session already {state.status}")
    if event is Event.STOP:
        return Transition(_end(state, now, EndReason.STOPPED), Render.SEND)
    if event is Event.HURT:
        return Transition(_end(state, now, EndReason.HURT), Render.SEND)
    if not fits(state, routine):
        # Shortened while the user was on a stretch it no longer has: whatever they pressed,
        # the session cannot go on there, so it ends (kindly: the chat says why).
        return Transition(_end(state, now, EndReason.OUTDATED), Render.SEND)
    if event is Event.ROUTINE_CHANGED:
        raise InvalidEvent("the session still fits its routine")
    if event is Event.PAUSE:
        return _pause(state, now)
    if event is Event.RESUME:
        return _resume(state, now)
    if event is Event.INTERRUPTED:
        return _interrupt(state, routine, switch_seconds)
    if state.status is Status.PAUSED:
        raise InvalidEvent("session is paused")
    if event is Event.READY:
        if state.phase is not Phase.INTRO:
            raise InvalidEvent("not waiting for Ready")
        return Transition(_start_hold(state, routine, now, side=0), Render.SEND)
    if event is Event.TIMER:
        return _timer(state, routine, now, switch_seconds)
    if event is Event.SKIP:
        skipped = replace(state, stretches_skipped=state.stretches_skipped + 1)
        return Transition(_next_stretch(skipped, routine, now), Render.SEND)
    raise InvalidEvent(f"unknown event {event}")


def fits(state: SessionState, routine: Routine) -> bool:
    """Whether the routine (as loaded now) still has the stretch the session is on."""
    return 0 <= state.stretch_index < len(routine.stretches)


def seconds_left(state: SessionState, now: datetime) -> float:
    """Time left in the current timed phase (or frozen while paused)."""
    if state.status is Status.PAUSED:
        return state.paused_remaining or 0.0
    if state.next_event_at is None:
        return 0.0
    return max(0.0, (state.next_event_at - now).total_seconds())


def phase_seconds(state: SessionState, routine: Routine, switch_seconds: int) -> int:
    """The full length of the current timed phase."""
    if state.phase is Phase.HOLD:
        return routine.stretches[state.stretch_index].hold_seconds
    if state.phase is Phase.SWITCH:
        return switch_seconds
    return 0


def _timer(state: SessionState, routine: Routine, now: datetime, switch_seconds: int) -> Transition:
    if not state.timed or state.next_event_at is None:
        raise InvalidEvent("no timed phase running")
    if now < state.next_event_at:
        raise InvalidEvent("the timed phase is not over yet")
    if state.phase is Phase.SWITCH:
        return Transition(_start_hold(state, routine, now, side=1), Render.SEND)
    stretch = routine.stretches[state.stretch_index]
    held = replace(state, holds_done=state.holds_done + 1)
    if state.side + 1 < stretch.sides:
        if switch_seconds <= 0:
            return Transition(_start_hold(held, routine, now, side=1), Render.SEND)
        switching = replace(
            held,
            phase=Phase.SWITCH,
            side=1,
            next_event_at=now + timedelta(seconds=switch_seconds),
            phase_seconds=switch_seconds,
        )
        return Transition(switching, Render.SEND)
    completed = replace(held, stretches_done=held.stretches_done + 1)
    return Transition(_next_stretch(completed, routine, now), Render.SEND)


def _start_hold(state: SessionState, routine: Routine, now: datetime, *, side: int) -> SessionState:
    hold = routine.stretches[state.stretch_index].hold_seconds
    return replace(
        state,
        phase=Phase.HOLD,
        side=side,
        next_event_at=now + timedelta(seconds=hold),
        paused_remaining=None,
        phase_seconds=hold,
    )


def _next_stretch(state: SessionState, routine: Routine, now: datetime) -> SessionState:
    nxt = state.stretch_index + 1
    if nxt >= len(routine.stretches):
        return _end(state, now, EndReason.FINISHED)
    return replace(
        state,
        phase=Phase.INTRO,
        stretch_index=nxt,
        side=0,
        next_event_at=None,
        paused_remaining=None,
        phase_seconds=None,
    )


def _end(state: SessionState, now: datetime, reason: EndReason) -> SessionState:
    status = Status.DONE if reason is EndReason.FINISHED else Status.STOPPED
    return replace(
        state,
        status=status,
        next_event_at=None,
        paused_remaining=None,
        ended_at=now,
        end_reason=reason,
    )


def _pause(state: SessionState, now: datetime) -> Transition:
    if not state.timed:
        raise InvalidEvent("nothing to pause")
    paused = replace(
        state,
        status=Status.PAUSED,
        paused_remaining=seconds_left(state, now),
        next_event_at=None,
    )
    return Transition(paused, Render.EDIT)


def _resume(state: SessionState, now: datetime) -> Transition:
    if state.status is not Status.PAUSED:
        raise InvalidEvent("not paused")
    remaining = state.paused_remaining or 0.0
    resumed = replace(
        state,
        status=Status.ACTIVE,
        paused_remaining=None,
        next_event_at=now + timedelta(seconds=remaining),
    )
    return Transition(resumed, Render.EDIT)


def _interrupt(state: SessionState, routine: Routine, switch_seconds: int) -> Transition:
    """After downtime: pause with the whole phase to do again, and ask the user."""
    if not state.timed:
        raise InvalidEvent("nothing was running")
    again = phase_seconds(state, routine, switch_seconds)
    paused = replace(
        state,
        status=Status.PAUSED,
        paused_remaining=float(again),
        next_event_at=None,
        phase_seconds=again,
    )
    return Transition(paused, Render.SEND)
