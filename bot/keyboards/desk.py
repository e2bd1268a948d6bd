"""The desk-break time choices: `dk:<HHMM>` sets the time (and turns the nudge on)."""

from __future__ import annotations

from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.domain.timeinput import parse_time_of_day

DESK_PREFIX = "dk"
DESK_CHOICES = ("10:00", "11:00", "12:00", "14:00", "15:00", "16:00", "17:00")


def desk_time_keyboard() -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            texts.clock(time.fromisoformat(t)), callback_data=f"{DESK_PREFIX}:{t.replace(':', '')}"
        )
        for t in DESK_CHOICES
    ]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append([InlineKeyboardButton(texts.BUTTON_BACK, callback_data=f"{DESK_PREFIX}:back")])
    return InlineKeyboardMarkup(rows)


def parse_desk_data(data: str) -> time | str | None:
    """The chosen time, "ask" (show the choices), "back", or None for anything forged."""
    parts = data.split(":")
    if len(parts) != 2 or parts[0] != DESK_PREFIX:
        return None
    if parts[1] in ("back", "ask"):
        return parts[1]
    if len(parts[1]) != 4 or not parts[1].isascii() or not parts[1].isdigit():
        return None
    return parse_time_of_day(f"{parts[1][:2]}:{parts[1][2:]}")
