"""The /routines menu: a button per routine, `r:<routine id>`."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.routines import Library

ROUTINE_PREFIX = "r"


def routine_data(routine_id: str) -> str:
    return f"{ROUTINE_PREFIX}:{routine_id}"


def parse_routine_data(data: str) -> str | None:
    prefix, _, rid = data.partition(":")
    return rid if prefix == ROUTINE_PREFIX and rid else None


def routines_keyboard(
    library: Library, *, hold_seconds: int | None = None, pace: int = 100
) -> InlineKeyboardMarkup:
    """A button per routine, with its duration at the person's hold length and pace."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.routine_button(r, hold_seconds=hold_seconds, pace=pace),
                    callback_data=routine_data(r.id),
                )
            ]
            for r in library.routines.values()
        ]
    )
