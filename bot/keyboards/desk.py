"""The desk-break time choices: `dk:<HHMM>` sets the time (and turns the nudge on), `dk:ask`
shows the choices, `dk:back` returns to /settings."""

from __future__ import annotations

from datetime import time
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.keyboards.callback import CallbackData

DESK_CHOICES = ("10:00", "11:00", "12:00", "14:00", "15:00", "16:00", "17:00")


class DeskPress(CallbackData, prefix="dk"):
    choice: time | Literal["ask", "back"]


def desk_time_keyboard() -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            texts.clock(time.fromisoformat(t)),
            callback_data=DeskPress(time.fromisoformat(t)).pack(),
        )
        for t in DESK_CHOICES
    ]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append([InlineKeyboardButton(texts.BUTTON_BACK, callback_data=DeskPress("back").pack())])
    return InlineKeyboardMarkup(rows)
