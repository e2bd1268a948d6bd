"""Inline keyboards and their compact callback data.

Session buttons carry `s:<session id>:<action>:<version>` (well under Telegram's 64 bytes): the
id says which session, the version which step it was pressed on, so a stale press is told
apart from a current one without any per-message state.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.domain.session import Event, Phase, SessionState, Status
from bot.routines import Library

SESSION_PREFIX = "s"
NUDGE_PREFIX = "n"
SNOOZE_MINUTES = (15, 30, 60)
ROUTINE_PREFIX = "r"

_ACTIONS = {
    e.value for e in (Event.READY, Event.PAUSE, Event.RESUME, Event.SKIP, Event.STOP, Event.HURT)
}


@dataclass(frozen=True, slots=True)
class SessionButton:
    """A parsed session button press."""

    session_id: int
    event: Event
    version: int


def session_data(session_id: int, event: Event, version: int) -> str:
    return f"{SESSION_PREFIX}:{session_id}:{event.value}:{version}"


def parse_session_data(data: str) -> SessionButton | None:
    """Parse callback data; None for anything forged or malformed."""
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != SESSION_PREFIX or parts[2] not in _ACTIONS:
        return None
    # ASCII only: str.isdigit() accepts "²", which int() refuses, and the bot writes only 0-9.
    if not all(p.isascii() and p.isdigit() for p in (parts[1], parts[3])):
        return None
    if len(parts[1]) > 18 or len(parts[3]) > 9:
        return None
    return SessionButton(int(parts[1]), Event(parts[2]), int(parts[3]))


def session_keyboard(
    session_id: int, state: SessionState, version: int
) -> InlineKeyboardMarkup | None:
    """The buttons for the step `state` shows; None once it has ended."""

    def button(label: str, event: Event) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=session_data(session_id, event, version))

    if not state.live:
        return None
    if state.status is Status.PAUSED:
        return InlineKeyboardMarkup(
            [[button(texts.BUTTON_RESUME, Event.RESUME), button(texts.BUTTON_STOP, Event.STOP)]]
        )
    if state.phase is Phase.INTRO:
        return InlineKeyboardMarkup(
            [
                [button(texts.BUTTON_READY, Event.READY)],
                [button(texts.BUTTON_SKIP, Event.SKIP), button(texts.BUTTON_STOP, Event.STOP)],
            ]
        )
    return InlineKeyboardMarkup(
        [
            [
                button(texts.BUTTON_PAUSE, Event.PAUSE),
                button(texts.BUTTON_SKIP, Event.SKIP),
                button(texts.BUTTON_STOP, Event.STOP),
            ],
            [button(texts.BUTTON_HURT, Event.HURT)],
        ]
    )


def routine_data(routine_id: str) -> str:
    return f"{ROUTINE_PREFIX}:{routine_id}"


def parse_routine_data(data: str) -> str | None:
    prefix, _, rid = data.partition(":")
    return rid if prefix == ROUTINE_PREFIX and rid else None


def routines_keyboard(library: Library) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.routine_button(r), callback_data=routine_data(r.id))]
            for r in library.routines.values()
        ]
    )


@dataclass(frozen=True, slots=True)
class NudgeButton:
    action: str  # "go", "snooze", "skip"
    kind: str
    minutes: int = 0


@cache
def nudge_keyboard(kind: str) -> InlineKeyboardMarkup:
    """Start now / Snooze 15, 30, 60 min / Skip today (built once: a wave sends thousands)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_START_NOW, callback_data=f"{NUDGE_PREFIX}:go:{kind}"
                )
            ],
            [
                InlineKeyboardButton(
                    f"💤 {m} min" if m < 60 else "💤 1 h",
                    callback_data=f"{NUDGE_PREFIX}:snooze:{kind}:{m}",
                )
                for m in SNOOZE_MINUTES
            ],
            [
                InlineKeyboardButton(
                    texts.BUTTON_SKIP_TODAY, callback_data=f"{NUDGE_PREFIX}:skip:{kind}"
                )
            ],
        ]
    )


def parse_nudge_data(data: str) -> NudgeButton | None:
    """Parse nudge callback data; None for anything forged or malformed."""
    parts = data.split(":")
    if len(parts) < 3 or parts[0] != NUDGE_PREFIX or parts[2] not in ("morning", "bedtime"):
        return None
    if parts[1] in ("go", "skip") and len(parts) == 3:
        return NudgeButton(parts[1], parts[2])
    if parts[1] == "snooze" and len(parts) == 4 and parts[3] in {str(m) for m in SNOOZE_MINUTES}:
        return NudgeButton("snooze", parts[2], int(parts[3]))
    return None
