"""Buttons for the person on the floor:

- `/stretch` mid-session: `sr:keep:<session id>` (carry on) or `sr:new:<session id>:<routine>`
  (start over); the session id says which session the question was about, so an answer after
  that session ended is told apart;
- after "This hurts": `hp:<days>` (pause nudges for 3 or 7 days; 0: no thanks);
- /settings, how sessions run: `ss:hold:<20|30|45|60>`, `ss:pace:<relaxed|normal|quick>`,
  `ss:mode:<free|tap>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.domain.session import PACES

RESTART_PREFIX = "sr"
HURT_PAUSE_PREFIX = "hp"
SESSION_SETTINGS_PREFIX = "ss"
HOLD_CHOICES = (20, 30, 45, 60)
HURT_PAUSE_DAYS = (3, 7)


@dataclass(frozen=True, slots=True)
class RestartPress:
    start_over: bool
    session_id: int
    routine_id: str | None = None


@dataclass(frozen=True, slots=True)
class SessionSettingPress:
    what: str  # "hold", "pace" or "mode"
    value: str


def restart_keyboard(session_id: int, routine_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_CARRY_ON, callback_data=f"{RESTART_PREFIX}:keep:{session_id}"
                ),
                InlineKeyboardButton(
                    texts.BUTTON_START_OVER,
                    callback_data=f"{RESTART_PREFIX}:new:{session_id}:{routine_id}",
                ),
            ]
        ]
    )


def parse_restart_data(data: str) -> RestartPress | None:
    parts = data.split(":")
    if len(parts) < 3 or parts[0] != RESTART_PREFIX:
        return None
    if not (parts[2].isascii() and parts[2].isdigit()) or len(parts[2]) > 18:
        return None
    if parts[1] == "keep" and len(parts) == 3:
        return RestartPress(False, int(parts[2]))
    if parts[1] == "new" and len(parts) == 4 and parts[3]:
        return RestartPress(True, int(parts[2]), parts[3])
    return None


def hurt_pause_keyboard() -> InlineKeyboardMarkup:
    labels = {3: texts.BUTTON_PAUSE_3, 7: texts.BUTTON_PAUSE_7}
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(labels[d], callback_data=f"{HURT_PAUSE_PREFIX}:{d}")
                for d in HURT_PAUSE_DAYS
            ],
            [InlineKeyboardButton(texts.BUTTON_NO_THANKS, callback_data=f"{HURT_PAUSE_PREFIX}:0")],
        ]
    )


def parse_hurt_pause_data(data: str) -> int | None:
    """Days to pause (0: no thanks); None for anything the bot did not write."""
    prefix, _, days = data.partition(":")
    if prefix != HURT_PAUSE_PREFIX or days not in ("0", *map(str, HURT_PAUSE_DAYS)):
        return None
    return int(days)


def session_settings_rows(
    hands_free: bool, hold_seconds: int | None, pace: str
) -> list[list[InlineKeyboardButton]]:
    """The /settings rows about sessions, the current choice ticked."""

    def button(label: str, chosen: bool, what: str, value: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            texts.button_chosen(label, chosen),
            callback_data=f"{SESSION_SETTINGS_PREFIX}:{what}:{value}",
        )

    current_hold = hold_seconds or 30  # the built-in routines hold 30 s
    return [
        [button(texts.button_hold(s), s == current_hold, "hold", str(s)) for s in HOLD_CHOICES],
        [button(texts.pace_label(p), p == pace, "pace", p) for p in PACES],
        [
            button(texts.BUTTON_HANDS_FREE, hands_free, "mode", "free"),
            button(texts.BUTTON_TAP_THROUGH, not hands_free, "mode", "tap"),
        ],
    ]


def parse_session_setting(data: str) -> SessionSettingPress | None:
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != SESSION_SETTINGS_PREFIX:
        return None
    what, value = parts[1], parts[2]
    valid = {
        "hold": {str(s) for s in HOLD_CHOICES},
        "pace": set(PACES),
        "mode": {"free", "tap"},
    }
    if value not in valid.get(what, set()):
        return None
    return SessionSettingPress(what, value)
