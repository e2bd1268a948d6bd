"""The back-pain question's buttons: `p:<YYYYMMDD>:<0..10>`, the day asked and the score; and
the check before a session after pain (bot/domain/pain_care.py): `pc:<routine id>:<0..10>`,
`pc:<routine id>:go` (start anyway) or `pc:<routine id>:no` (not now)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Final, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.keyboards.callback import CallbackData, Range

START_ANYWAY: Final = "go"
NOT_NOW: Final = "no"


class PainPress(CallbackData, prefix="p"):
    day: date  # the day asked: an answer counts for it, however late it is pressed
    score: Annotated[int, Range(0, 10)]


def pain_keyboard(day: date) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(str(n), callback_data=PainPress(day, n).pack()) for n in range(11)]
    return InlineKeyboardMarkup([row[:6], row[6:]])


class PainCheckPress(CallbackData, prefix="pc"):
    routine_id: str
    answer: Annotated[int | Literal["go", "no"], Range(0, 10)]  # a score, Start anyway, Not now

    @property
    def score(self) -> int | None:
        """None: Start anyway or Not now."""
        return self.answer if isinstance(self.answer, int) else None

    @property
    def start(self) -> bool:
        """True for a score or Start anyway, False for Not now."""
        return self.answer != NOT_NOW


def pain_check_keyboard(routine_id: str) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(str(n), callback_data=PainCheckPress(routine_id, n).pack())
        for n in range(11)
    ]
    return InlineKeyboardMarkup(
        [
            row[:6],
            row[6:],
            [
                InlineKeyboardButton(
                    texts.BUTTON_START_ANYWAY,
                    callback_data=PainCheckPress(routine_id, START_ANYWAY).pack(),
                ),
                InlineKeyboardButton(
                    texts.BUTTON_NOT_NOW, callback_data=PainCheckPress(routine_id, NOT_NOW).pack()
                ),
            ],
        ]
    )
