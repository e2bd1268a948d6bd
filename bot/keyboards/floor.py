"""Buttons for the person on the floor:

- `/stretch` mid-session: `sr:keep:<session id>` (carry on) or `sr:new:<session id>:<routine>`
  (start over); the session id says which session the question was about, so an answer after
  that session ended is told apart;
- after "This hurts": `hp:<days>` (pause nudges for 3 or 7 days; 0: no thanks);
- /settings, how sessions run: `ss:hold:<20|30|45|60>`, `ss:pace:<relaxed|normal|quick>`,
  `ss:mode:<free|tap>`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.domain.session import PACES
from bot.keyboards.callback import CallbackData, OneOf, Tokens

HOLD_CHOICES = (20, 30, 45, 60)
HURT_PAUSE_DAYS = (3, 7)
_SETTING_VALUES = {
    "hold": {str(s) for s in HOLD_CHOICES},
    "pace": set(PACES),
    "mode": {"free", "tap"},
}


class RestartPress(CallbackData, prefix="sr"):
    start_over: Annotated[bool, Tokens({True: "new", False: "keep"})]
    session_id: int  # the session asked about: an answer after it ended is told apart
    routine_id: str | None = None  # the routine to start over with (Start over only)

    def valid(self) -> bool:
        return self.start_over == (self.routine_id is not None)


class HurtPausePress(CallbackData, prefix="hp"):
    days: Annotated[int, OneOf(0, *HURT_PAUSE_DAYS)]  # 0: no thanks


class SessionSettingPress(CallbackData, prefix="ss"):
    what: Literal["hold", "pace", "mode"]
    value: str

    def valid(self) -> bool:
        return self.value in _SETTING_VALUES[self.what]


def restart_keyboard(session_id: int, routine_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_CARRY_ON, callback_data=RestartPress(False, session_id).pack()
                ),
                InlineKeyboardButton(
                    texts.BUTTON_START_OVER,
                    callback_data=RestartPress(True, session_id, routine_id).pack(),
                ),
            ]
        ]
    )


def hurt_pause_keyboard() -> InlineKeyboardMarkup:
    labels = {3: texts.BUTTON_PAUSE_3, 7: texts.BUTTON_PAUSE_7}
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(labels[d], callback_data=HurtPausePress(d).pack())
                for d in HURT_PAUSE_DAYS
            ],
            [InlineKeyboardButton(texts.BUTTON_NO_THANKS, callback_data=HurtPausePress(0).pack())],
        ]
    )


def session_settings_rows(
    hands_free: bool, hold_seconds: int | None, pace: str
) -> list[list[InlineKeyboardButton]]:
    """The /settings rows about sessions, the current choice ticked."""

    def button(
        label: str, chosen: bool, what: Literal["hold", "pace", "mode"], value: str
    ) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            texts.button_chosen(label, chosen),
            callback_data=SessionSettingPress(what, value).pack(),
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
