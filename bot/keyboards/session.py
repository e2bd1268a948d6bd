"""The session's buttons: Ready, Pause, Resume, Skip, Stop, This hurts.

Session buttons carry `s:<session id>:<action>:<version>` (well under Telegram's 64 bytes): the
id says which session, the version which step it was pressed on, so a stale press is told
apart from a current one without any per-message state.
"""

from __future__ import annotations

from typing import Annotated

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot import texts
from bot.domain.session import Event, Phase, SessionState, Status
from bot.keyboards.callback import CallbackData, Digits, OneOf

ACTIONS = (Event.READY, Event.PAUSE, Event.RESUME, Event.SKIP, Event.STOP, Event.HURT)


class SessionPress(CallbackData, prefix="s"):
    """Ready, Pause, Resume, Skip, Stop or This hurts, pressed on step `version` of a session:
    the hot path, read on every press during a session."""

    session_id: Annotated[int, Digits(18)]
    event: Annotated[Event, OneOf(*ACTIONS)]
    version: Annotated[int, Digits(9)]


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
        data = SessionPress(session_id, event, version).pack()
        return InlineKeyboardButton(label, callback_data=data)

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
