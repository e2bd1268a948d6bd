"""The back-pain question's buttons: `p:<YYYYMMDD>:<0..10>`, the day asked and the score."""

from __future__ import annotations

from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

PAIN_PREFIX = "p"


def pain_keyboard(day: date) -> InlineKeyboardMarkup:
    stamp = f"{day:%Y%m%d}"
    row = [
        InlineKeyboardButton(str(n), callback_data=f"{PAIN_PREFIX}:{stamp}:{n}") for n in range(11)
    ]
    return InlineKeyboardMarkup([row[:6], row[6:]])


def parse_pain_data(data: str) -> tuple[date, int] | None:
    """Parse a pain button's data; None for anything the bot did not write.

    ASCII only: str.isdigit() also passes "²", which int() then refuses.
    """
    if not data.isascii():
        return None
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != PAIN_PREFIX or not parts[2].isdigit():
        return None
    try:
        day = datetime.strptime(parts[1], "%Y%m%d").date()
    except ValueError:
        return None
    score = int(parts[2])
    return (day, score) if 0 <= score <= 10 else None
