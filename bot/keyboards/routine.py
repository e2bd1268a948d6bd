"""The /routines menu: a button per routine, `r:<routine id>`."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.keyboards.callback import CallbackData
from bot.routines import Library


class RoutinePress(CallbackData, prefix="r"):
    routine_id: str  # looked up in the library when pressed: it may have changed since


def routines_keyboard(
    library: Library, *, hold_seconds: int | None = None, pace: int = 100
) -> InlineKeyboardMarkup:
    """A button per routine, with its duration at the person's hold length and pace."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.routine_button(r, hold_seconds=hold_seconds, pace=pace),
                    callback_data=RoutinePress(r.id).pack(),
                )
            ]
            for r in library.routines.values()
        ]
    )
