"""The weekday picker of a reminder: `wd:<kind>` shows it, `wd:<kind>:<mask>` sets the days,
`wd:back` returns to /settings.

A day button carries the whole mask it sets (not "toggle Tuesday"), so a double tap sets the
same days twice instead of switching the day back off.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.domain.nudge_rules import REMINDERS
from bot.domain.schedule import EVERY_DAY, WORKDAYS, day_bit, on_day

DAYS_PREFIX = "wd"


@dataclass(frozen=True, slots=True)
class DaysPress:
    kind: str | None  # None: back to /settings
    days: int | None = None  # None: show the picker for `kind`


def days_keyboard(kind: str, days: int) -> InlineKeyboardMarkup:
    """A kind chooser row, the seven days (each toggling itself), presets and Back."""
    kinds = [
        InlineKeyboardButton(
            f"{'• ' if k == kind else ''}{texts.reminder_name(k)}",
            callback_data=f"{DAYS_PREFIX}:{k}",
        )
        for k in REMINDERS
    ]
    day_buttons = [
        InlineKeyboardButton(
            texts.day_button(d, on_day(days, d)),
            callback_data=f"{DAYS_PREFIX}:{kind}:{days ^ day_bit(d)}",
        )
        for d in range(7)
    ]
    presets = [
        InlineKeyboardButton(
            texts.BUTTON_WORKDAYS, callback_data=f"{DAYS_PREFIX}:{kind}:{WORKDAYS}"
        ),
        InlineKeyboardButton(
            texts.BUTTON_EVERY_DAY, callback_data=f"{DAYS_PREFIX}:{kind}:{EVERY_DAY}"
        ),
    ]
    back = [InlineKeyboardButton(texts.BUTTON_BACK, callback_data=f"{DAYS_PREFIX}:back")]
    return InlineKeyboardMarkup([kinds, day_buttons[:4], day_buttons[4:], presets, back])


def parse_days_data(data: str) -> DaysPress | None:
    """None for anything forged or malformed; a mask of 0 parses (the handler refuses it)."""
    parts = data.split(":")
    if parts[0] != DAYS_PREFIX:
        return None
    if parts[1:] == ["back"]:
        return DaysPress(None)
    if len(parts) == 2 and parts[1] in REMINDERS:
        return DaysPress(parts[1])
    if len(parts) == 3 and parts[1] in REMINDERS and parts[2].isascii() and parts[2].isdigit():
        days = int(parts[2])
        return DaysPress(parts[1], days) if days <= EVERY_DAY else None
    return None
