"""The weekday picker of a reminder: `wd:<kind>` shows it, `wd:<kind>:<mask>` sets the days,
`wd:back` returns to /settings.

A day button carries the whole mask it sets (not "toggle Tuesday"), so a double tap sets the
same days twice instead of switching the day back off.
"""

from __future__ import annotations

from typing import Annotated

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.domain.nudge_rules import REMINDERS
from bot.domain.schedule import EVERY_DAY, WORKDAYS, day_bit, on_day
from bot.keyboards.callback import CallbackData, NoneAs, OneOf, Range


class DaysPress(CallbackData, prefix="wd"):
    kind: Annotated[str | None, NoneAs("back"), OneOf(*REMINDERS)]  # None: back to /settings
    # None: show the picker for `kind`. A mask of 0 reads (the handler refuses it).
    days: Annotated[int | None, Range(0, EVERY_DAY)] = None

    def valid(self) -> bool:
        return self.kind is not None or self.days is None


def days_keyboard(kind: str, days: int) -> InlineKeyboardMarkup:
    """A kind chooser row, the seven days (each toggling itself), presets and Back."""
    kinds = [
        InlineKeyboardButton(
            f"{'• ' if k == kind else ''}{texts.reminder_name(k)}",
            callback_data=DaysPress(k).pack(),
        )
        for k in REMINDERS
    ]
    day_buttons = [
        InlineKeyboardButton(
            texts.day_button(d, on_day(days, d)),
            callback_data=DaysPress(kind, days ^ day_bit(d)).pack(),
        )
        for d in range(7)
    ]
    presets = [
        InlineKeyboardButton(texts.BUTTON_WORKDAYS, callback_data=DaysPress(kind, WORKDAYS).pack()),
        InlineKeyboardButton(
            texts.BUTTON_EVERY_DAY, callback_data=DaysPress(kind, EVERY_DAY).pack()
        ),
    ]
    back = [InlineKeyboardButton(texts.BUTTON_BACK, callback_data=DaysPress(None).pack())]
    return InlineKeyboardMarkup([kinds, day_buttons[:4], day_buttons[4:], presets, back])
