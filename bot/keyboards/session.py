"""The session's buttons: Ready, Pause, Resume, Skip, Stop, This hurts.

Session buttons carry `s:<session id>:<action>:<version>` (well under Telegram's 64 bytes): the
id says which session, the version which step it was pressed on, so a stale press is told
apart from a current one without any per-message state.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot import texts
from bot.domain.session import Event, Phase, SessionState, Status

SESSION_PREFIX = "s"

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
    session_id: int, state: SessionState, version: int, player_url: str | None = None
) -> InlineKeyboardMarkup | None:
    """The buttons for the step `state` shows; None once it has ended. With `player_url`
    (PUBLIC_URL is set), a stretch card also carries the button that opens the player."""
    markup = _session_buttons(session_id, state, version)
    if markup is None or player_url is None or state.phase is not Phase.INTRO:
        return markup
    opener = InlineKeyboardButton(texts.player_button(), web_app=WebAppInfo(player_url))
    return InlineKeyboardMarkup([*markup.inline_keyboard, [opener]])


def _session_buttons(
    session_id: int, state: SessionState, version: int
) -> InlineKeyboardMarkup | None:

    def button(label: str, event: Event) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=session_data(session_id, event, version))

    if not state.live:
        return None
    if state.status is Status.PAUSED:
        return InlineKeyboardMarkup(
            [[button(texts.BUTTON_RESUME, Event.RESUME), button(texts.BUTTON_STOP, Event.STOP)]]
        )
    if state.phase is Phase.INTRO and not state.hands_free:
        return InlineKeyboardMarkup(
            [
                [button(texts.BUTTON_READY, Event.READY)],
                [button(texts.BUTTON_SKIP, Event.SKIP), button(texts.BUTTON_STOP, Event.STOP)],
                [button(texts.BUTTON_HURT, Event.HURT)],
            ]
        )
    # Hands-free, every step has Pause, Skip, Stop and "This hurts"; the get-ready count has
    # Ready too (start the hold now).
    ready = [[button(texts.BUTTON_READY, Event.READY)]] if state.phase is Phase.INTRO else []
    return InlineKeyboardMarkup(
        [
            *ready,
            [
                button(texts.BUTTON_PAUSE, Event.PAUSE),
                button(texts.BUTTON_SKIP, Event.SKIP),
                button(texts.BUTTON_STOP, Event.STOP),
            ],
            [button(texts.BUTTON_HURT, Event.HURT)],
        ]
    )
