"""A session as the page shows it: one JSON object built from the same row and the same
sentences as the chat's message, so the two views cannot tell different stories."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import i18n, routine_catalog, texts
from bot.clock import Clock
from bot.domain import session as machine
from bot.domain.session import Phase, SessionState, Status
from bot.keyboards.session import SessionPress, session_keyboard
from bot.routines import Library, Routine
from bot.store.repo import SessionRecord

# The countdown step the ending's text is written with (the chat's own; an ending has none).
_STEP = 5


def _actions(record: SessionRecord) -> list[str]:
    """The events the chat's keyboard offers for this step, in its order: the page offers
    exactly what the chat does (the same function decides both)."""
    markup = session_keyboard(record.id, record.state, record.version)
    if markup is None:
        return []
    found = []
    for row in markup.inline_keyboard:
        for button in row:
            pressed = SessionPress.unpack(str(button.callback_data or ""))
            if pressed is not None:
                found.append(pressed.event.value)
    return found


def _stretch(routine: Routine, state: SessionState) -> dict[str, Any]:
    stretch = routine.stretches[state.stretch_index]
    words = routine_catalog.stretch_text(stretch, i18n.current())
    return {
        "index": state.stretch_index,
        "total": len(routine.stretches),
        "name": texts.stretch_name(stretch),
        "title": texts.player_title(routine, state),
        "steps": list(words.steps),
        "tip": words.tip or "",
        "picture": stretch.pose is not None,
    }


def clock_fields(clock: Clock) -> dict[str, float]:
    """The bot's clock for the page: now (ms) and its rate against real time (`limber try
    --speed 10` runs 10 clock seconds a real one), so the ring counts as the bot does."""
    real = clock.real_delay(1.0)
    return {"now": clock.now().timestamp() * 1000, "rate": 1.0 / real if real > 0 else 1.0}


def session_view(
    record: SessionRecord, library: Library, now: datetime, pause_limit_seconds: int | None = None
) -> dict[str, Any]:
    """The page's picture of one session (in the current language); `pause_limit_seconds` as
    the chat names it in the ending of a pause that ran out."""
    state = record.state
    routine = library.get(record.routine_id) or library.default
    fits = machine.fits(state, routine)
    left = machine.seconds_left(state, now)
    view: dict[str, Any] = {
        "id": record.id,
        "version": record.version,
        "status": state.status.value,
        "phase": state.phase.value,
        "side": state.side,
        "hands_free": state.hands_free,
        "routine": texts.routine_title(routine),
        "routine_id": routine.id,
        "timed": state.timed or bool(state.status is Status.PAUSED and state.paused_remaining),
        "left": left,
        "full": state.phase_seconds or (left if state.phase is not Phase.INTRO else 0),
        "actions": _actions(record),
        "cue": texts.player_cue(routine, state) if fits or not state.live else "",
        "stretch": _stretch(routine, state) if fits else None,
        "text": "",
    }
    if not state.live:
        # The chat's own ending (what was done, praise only if it counts, or the advice).
        view["text"] = texts.view(
            routine, state, 0.0, _STEP, first=False, pause_limit_seconds=pause_limit_seconds
        )
    return view
