"""The guided session as a pure state machine.

A session walks a routine: for each stretch an intro card (the steps), then a timed hold per side
with a switch-sides pause between sides, then the next stretch, then done. Hands-free (the
default), the intro is itself timed: a get-ready count after which the hold starts by itself, so
a person holding a leg with both hands never has to tap; tap-through waits for Ready instead. The
state is persisted row by row (see store), so it must be a plain value that survives a restart;
this module decides every transition and says how the chat should change, and nothing else:
no Telegram, no database, no clock of its own (`now` is passed in).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.routines import Routine, Stretch


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    DONE = "done"
    STOPPED = "stopped"


class Phase(StrEnum):
    INTRO = "intro"  # the stretch's steps; the get-ready count (hands-free) or waiting for Ready
    HOLD = "hold"  # a timed hold on one side
    SWITCH = "switch"  # a short timed pause to change legs


class Event(StrEnum):
    READY = "ready"
    TIMER = "timer"  # the timed phase is over
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"  # skip to the next hold (on the intro: the whole stretch, nothing held yet)
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
    EXPIRED = "expired"  # paused longer than the pause limit: ended by itself


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
    # How this session runs, fixed when it begins (the user's /settings then): hands-free or
    # tap-through, every hold's length (None: each stretch's hold_seconds), and the pace of
    # the get-ready and switch pauses in percent of the routine's (150 relaxed, 60 quick).
    hands_free: bool = False
    hold_seconds: int | None = None
    pace_percent: int = 100
    # Holds actually held of the stretch under way: a stretch counts as done only when every
    # side of it was held (a skipped hold does not count).
    stretch_holds: int = 0
    # The session's duration is its active time: holds, get-ready counts and switches, never a
    # pause. `active_seconds` is what was banked at the last change, `active_since` when the
    # session last changed while running (None while paused and once ended); `paused_at` when
    # the pause under way began (a pause longer than the limit ends the session).
    active_seconds: float = 0.0
    active_since: datetime | None = None
    paused_at: datetime | None = None

    @property
    def live(self) -> bool:
        """Whether the session can still change."""
        return self.status in LIVE

    @property
    def timed(self) -> bool:
        """Whether a follow-up is due by itself (a hold, a switch or a hands-free get-ready
        count; not paused)."""
        if self.status is not Status.ACTIVE:
            return False
        return self.phase in (Phase.HOLD, Phase.SWITCH) or (
            self.phase is Phase.INTRO and self.hands_free
        )

    @property
    def counts(self) -> bool:
        """Whether the session is recorded (streak, /stats, weekly summary): at least one
        stretch held on every side, however it ended (finished, Stop, "This hurts", a pause
        past the limit). A replaced session is closed by the store, not here."""
        return (
            self.status in (Status.DONE, Status.STOPPED)
            and self.stretches_done > 0
            and self.end_reason is not EndReason.REPLACED
        )

    @property
    def duration_seconds(self) -> int:
        """Active seconds so far (all of them once ended): what the record says it took."""
        return max(0, round(self.active_seconds))


@dataclass(frozen=True, slots=True)
class Transition:
    state: SessionState
    render: Render


class InvalidEvent(Exception):
    """The event does not apply to the session as it is (stale button, ended session)."""


# The get-ready count before a hold for a stretch without pose data (its position unknown)
# that sets no ready_seconds: time to read the card, put the phone down and get into position.
READY_SECONDS = 10
# The switch-sides pause of a stretch that sets none (the bot's SWITCH_SECONDS default).
SWITCH_SECONDS = 10
# The pace of the pauses (/settings), in percent of the routine's get-ready and switch times.
PACES = {"relaxed": 150, "normal": 100, "quick": 60}
# The chiropractor's hold: 30 seconds a side. A shorter hold may be chosen in /settings, and is
# then marked as shorter than the advice wherever it shows (the setting and the card).
ADVISED_HOLD_SECONDS = 30
# A pause longer than this ends the session by itself, counted by what was held (issue 23:
# a session paused overnight "finished" in 601 min). 30 min: a phone call or a cup of tea
# fits; coming back later is a new session.
PAUSE_LIMIT_SECONDS = 30 * 60

# Get-ready, for a stretch with pose data (issue 23): reading its card, then getting into
# position. 25 s reads a card of about 100 words (the four cards have 80-110) at about 240
# words a minute. Moving: 20 s to get down to the floor, or between the floor and a chair,
# for a back that hurts (the old 15 s left a person mid-move when the hold began); 10 s to
# sit at a chair's edge; 5 s to shift on the floor from one floor stretch to the next; 10 s
# more for a prop to set up (a towel to fetch and loop, a wall corner or doorway to shuffle
# into).
READ_SECONDS = 25
MOVE_SECONDS = {
    (None, "floor"): 20,
    (None, "chair"): 10,
    ("floor", "floor"): 5,
    ("chair", "chair"): 5,
    ("floor", "chair"): 20,
    ("chair", "floor"): 20,
}
PROP_SECONDS = 10
_SET_UP_PROPS = ("wall", "corner", "doorway", "towel")


def position(stretch: Stretch) -> str | None:
    """Where the stretch is done, from its pose data: "chair" (a chair among its props),
    "floor" (lying: on the floor or a bed), None without pose data."""
    if stretch.pose is None:
        return None
    return "chair" if stretch.pose.prop("chair") is not None else "floor"


def base_ready_seconds(routine: Routine, index: int, default: int = READY_SECONDS) -> int:
    """The get-ready count before stretch `index`'s first hold, before the pace scales it:
    its own ready_seconds if set, the default without pose data, else reading the card plus
    the move from the previous stretch's position (the first card: from standing)."""
    stretch = routine.stretches[index]
    if stretch.ready_seconds is not None:
        return stretch.ready_seconds
    here = position(stretch)
    if here is None:
        return default
    before = position(routine.stretches[index - 1]) if index > 0 else None
    move = MOVE_SECONDS.get((before, here), MOVE_SECONDS[(None, here)])
    assert stretch.pose is not None
    props = any(stretch.pose.prop(kind) is not None for kind in _SET_UP_PROPS)
    return READ_SECONDS + move + (PROP_SECONDS if props else 0)


def estimated_seconds(
    routine: Routine,
    *,
    hold_seconds: int | None = None,
    pace_percent: int = 100,
    switch_seconds: int = SWITCH_SECONDS,
    ready_seconds: int = READY_SECONDS,
) -> int:
    """How long the routine takes hands-free at this hold length and pace: every get-ready
    count, hold and switch, as a session runs them (what the card and /routines announce)."""
    total = 0
    for index, stretch in enumerate(routine.stretches):
        total += _paced(base_ready_seconds(routine, index, ready_seconds), pace_percent)
        total += (hold_seconds or stretch.hold_seconds) * stretch.sides
        if stretch.sides > 1:
            own = stretch.switch_seconds
            switch = own if own is not None else switch_seconds
            total += _paced(switch, pace_percent) if switch > 0 else 0
    return total


def begin(
    routine: Routine,
    now: datetime,
    *,
    hands_free: bool = False,
    hold_seconds: int | None = None,
    pace_percent: int = 100,
    ready_seconds: int = READY_SECONDS,
) -> SessionState:
    """A new session, showing the first stretch's intro (and counting down to its hold when
    hands-free)."""
    state = SessionState(
        status=Status.ACTIVE,
        phase=Phase.INTRO,
        stretch_index=0,
        side=0,
        started_at=now,
        hands_free=hands_free,
        hold_seconds=hold_seconds,
        pace_percent=pace_percent,
        active_since=now,
    )
    return _intro_timer(state, routine, now, ready_seconds)


def hold_length(state: SessionState, routine: Routine) -> int:
    """How long each hold of the current stretch lasts in this session."""
    return state.hold_seconds or routine.stretches[state.stretch_index].hold_seconds


def ready_length(state: SessionState, routine: Routine, default: int = READY_SECONDS) -> int:
    """The get-ready count before the current stretch's first hold, at the session's pace."""
    return _paced(base_ready_seconds(routine, state.stretch_index, default), state.pace_percent)


def switch_length(state: SessionState, routine: Routine, default: int) -> int:
    """The switch-sides pause of the current stretch, at the session's pace (0: none)."""
    stretch = routine.stretches[state.stretch_index]
    seconds = stretch.switch_seconds if stretch.switch_seconds is not None else default
    return _paced(seconds, state.pace_percent) if seconds > 0 else 0


def _paced(seconds: int, percent: int) -> int:
    return max(1, round(seconds * percent / 100))


def apply(
    state: SessionState,
    event: Event,
    routine: Routine,
    now: datetime,
    *,
    switch_seconds: int,
    ready_seconds: int = READY_SECONDS,
    pause_limit_seconds: int = PAUSE_LIMIT_SECONDS,
) -> Transition:
    """The session after `event`; raise InvalidEvent if it does not apply now.
    `switch_seconds` and `ready_seconds` are the defaults for stretches that set none; a pause
    longer than `pause_limit_seconds` ends the session, whatever comes next (but "This hurts",
    which keeps its advice)."""
    if not state.live:
        raise InvalidEvent(f"session already {state.status}")
    if _expired(state, now) and event is not Event.HURT:
        return Transition(_end(state, _paused_at(state, now), EndReason.EXPIRED), Render.SEND)
    if event is Event.INTERRUPTED:
        # The phase under way is done again from its start: the time it ran does not count.
        state = replace(state, active_since=None)
    else:
        state = _bank(state, routine, now, switch_seconds, ready_seconds)
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
        return _pause(state, now, pause_limit_seconds)
    if event is Event.RESUME:
        return _resume(state, now)
    if event is Event.INTERRUPTED:
        return _interrupt(state, routine, now, switch_seconds, ready_seconds, pause_limit_seconds)
    if state.status is Status.PAUSED:
        raise InvalidEvent("session is paused")
    if event is Event.READY:
        if state.phase is not Phase.INTRO:
            raise InvalidEvent("not waiting for Ready")
        return Transition(_start_hold(state, routine, now, side=0), Render.SEND)
    if event is Event.TIMER:
        return _timer(state, routine, now, switch_seconds, ready_seconds)
    if event is Event.SKIP:
        return Transition(_skip(state, routine, now, switch_seconds, ready_seconds), Render.SEND)
    raise InvalidEvent(f"unknown event {event}")


def _expired(state: SessionState, now: datetime) -> bool:
    """Paused past its limit (next_event_at: the instant the pause runs out)."""
    return (
        state.status is Status.PAUSED
        and state.next_event_at is not None
        and now >= state.next_event_at
    )


def _paused_at(state: SessionState, now: datetime) -> datetime:
    """When the session last ran: an expired session ended when its pause began (its streak
    day and "stretched today" are those of the work, not of the limit running out)."""
    return state.paused_at or now


def _bank(
    state: SessionState, routine: Routine, now: datetime, switch_seconds: int, ready_seconds: int
) -> SessionState:
    """Add the active time since the last change to `active_seconds`. A phase counts at most
    its planned length (a late wake, a tap-through card read for an hour), and a paused
    session adds nothing."""
    if state.status is not Status.ACTIVE or state.active_since is None:
        return state
    elapsed = max(0.0, (now - state.active_since).total_seconds())
    planned = state.phase_seconds
    if planned is None and fits(state, routine):
        if state.phase is Phase.INTRO:
            planned = ready_length(state, routine, ready_seconds)
        else:
            planned = phase_seconds(state, routine, switch_seconds, ready_seconds)
    if planned is not None:
        elapsed = min(elapsed, float(planned))
    return replace(state, active_seconds=state.active_seconds + elapsed, active_since=now)


def _skip(
    state: SessionState, routine: Routine, now: datetime, switch_seconds: int, ready_seconds: int
) -> SessionState:
    """Skip moves to the next hold: from the intro past the whole stretch (nothing held yet),
    from a switch straight into the hold, from a hold to the other side (or the next stretch)."""
    if state.phase is Phase.INTRO:
        skipped = replace(state, stretches_skipped=state.stretches_skipped + 1)
        return _next_stretch(skipped, routine, now, ready_seconds)
    if state.phase is Phase.SWITCH:
        return _start_hold(state, routine, now, side=state.side)
    return _after_hold(state, routine, now, switch_seconds, ready_seconds)


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


def phase_seconds(
    state: SessionState, routine: Routine, switch_seconds: int, ready_seconds: int = READY_SECONDS
) -> int:
    """The full length of the current timed phase."""
    if state.phase is Phase.HOLD:
        return hold_length(state, routine)
    if state.phase is Phase.SWITCH:
        return switch_length(state, routine, switch_seconds)
    if state.hands_free:
        return ready_length(state, routine, ready_seconds)
    return 0


def _timer(
    state: SessionState, routine: Routine, now: datetime, switch_seconds: int, ready_seconds: int
) -> Transition:
    if not state.timed or state.next_event_at is None:
        raise InvalidEvent("no timed phase running")
    if now < state.next_event_at:
        raise InvalidEvent("the timed phase is not over yet")
    if state.phase in (Phase.SWITCH, Phase.INTRO):
        return Transition(_start_hold(state, routine, now, side=state.side), Render.SEND)
    held = replace(state, holds_done=state.holds_done + 1, stretch_holds=state.stretch_holds + 1)
    return Transition(_after_hold(held, routine, now, switch_seconds, ready_seconds), Render.SEND)


def _after_hold(
    state: SessionState, routine: Routine, now: datetime, switch_seconds: int, ready_seconds: int
) -> SessionState:
    """The hold of `state.side` is over (held or skipped): the other side, or the next stretch."""
    stretch = routine.stretches[state.stretch_index]
    if state.side + 1 < stretch.sides:
        switch = switch_length(state, routine, switch_seconds)
        if switch <= 0:
            return _start_hold(state, routine, now, side=state.side + 1)
        return replace(
            state,
            phase=Phase.SWITCH,
            side=state.side + 1,
            next_event_at=now + timedelta(seconds=switch),
            paused_remaining=None,
            phase_seconds=switch,
        )
    if state.stretch_holds >= stretch.sides:
        state = replace(state, stretches_done=state.stretches_done + 1)
    else:
        state = replace(state, stretches_skipped=state.stretches_skipped + 1)
    return _next_stretch(state, routine, now, ready_seconds)


def _start_hold(state: SessionState, routine: Routine, now: datetime, *, side: int) -> SessionState:
    hold = hold_length(state, routine)
    return replace(
        state,
        phase=Phase.HOLD,
        side=side,
        next_event_at=now + timedelta(seconds=hold),
        paused_remaining=None,
        phase_seconds=hold,
    )


def _next_stretch(
    state: SessionState, routine: Routine, now: datetime, ready_seconds: int
) -> SessionState:
    nxt = state.stretch_index + 1
    if nxt >= len(routine.stretches):
        return _end(state, now, EndReason.FINISHED)
    intro = replace(
        state,
        phase=Phase.INTRO,
        stretch_index=nxt,
        side=0,
        next_event_at=None,
        paused_remaining=None,
        phase_seconds=None,
        stretch_holds=0,
    )
    return _intro_timer(intro, routine, now, ready_seconds)


def _intro_timer(
    state: SessionState, routine: Routine, now: datetime, ready_seconds: int
) -> SessionState:
    """Hands-free, the intro counts down to its hold; tap-through, it waits for Ready."""
    if not state.hands_free:
        return state
    ready = ready_length(state, routine, ready_seconds)
    return replace(state, next_event_at=now + timedelta(seconds=ready), phase_seconds=ready)


def _end(state: SessionState, now: datetime, reason: EndReason) -> SessionState:
    status = Status.DONE if reason is EndReason.FINISHED else Status.STOPPED
    return replace(
        state,
        status=status,
        next_event_at=None,
        paused_remaining=None,
        ended_at=now,
        end_reason=reason,
        active_since=None,
        paused_at=None,
    )


def _pause(state: SessionState, now: datetime, limit: int) -> Transition:
    """Freeze the phase; the paused state's next_event_at is when the pause runs out."""
    if not state.timed:
        raise InvalidEvent("nothing to pause")
    paused = replace(
        state,
        status=Status.PAUSED,
        paused_remaining=seconds_left(state, now),
        next_event_at=now + timedelta(seconds=limit),
        active_since=None,
        paused_at=now,
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
        active_since=now,
        paused_at=None,
    )
    return Transition(resumed, Render.EDIT)


def _interrupt(
    state: SessionState,
    routine: Routine,
    now: datetime,
    switch_seconds: int,
    ready_seconds: int,
    limit: int,
) -> Transition:
    """After downtime: pause with the whole phase to do again, and ask the user."""
    if not state.timed:
        raise InvalidEvent("nothing was running")
    again = phase_seconds(state, routine, switch_seconds, ready_seconds)
    paused = replace(
        state,
        status=Status.PAUSED,
        paused_remaining=float(again),
        next_event_at=now + timedelta(seconds=limit),
        phase_seconds=again,
        active_since=None,
        paused_at=now,
    )
    return Transition(paused, Render.SEND)
