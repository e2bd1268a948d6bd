"""The back-pain question's buttons: `p:<YYYYMMDD>:<0..10>`, the day asked and the score; and
the check before a session after pain (bot/domain/pain_care.py): `pc:<routine id>:<0..10>`,
`pc:<routine id>:go` (start anyway) or `pc:<routine id>:no` (not now)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts

PAIN_PREFIX = "p"
PAIN_CHECK_PREFIX = "pc"
START_ANYWAY = "go"
NOT_NOW = "no"


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


@dataclass(frozen=True, slots=True)
class PainCheckPress:
    routine_id: str
    score: int | None  # None: Start anyway or Not now
    start: bool  # True for a score or Start anyway, False for Not now


def pain_check_keyboard(routine_id: str) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(str(n), callback_data=f"{PAIN_CHECK_PREFIX}:{routine_id}:{n}")
        for n in range(11)
    ]
    return InlineKeyboardMarkup(
        [
            row[:6],
            row[6:],
            [
                InlineKeyboardButton(
                    texts.BUTTON_START_ANYWAY,
                    callback_data=f"{PAIN_CHECK_PREFIX}:{routine_id}:{START_ANYWAY}",
                ),
                InlineKeyboardButton(
                    texts.BUTTON_NOT_NOW,
                    callback_data=f"{PAIN_CHECK_PREFIX}:{routine_id}:{NOT_NOW}",
                ),
            ],
        ]
    )


def parse_pain_check_data(data: str) -> PainCheckPress | None:
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != PAIN_CHECK_PREFIX or not parts[1] or not data.isascii():
        return None
    routine_id, answer = parts[1], parts[2]
    if answer == START_ANYWAY:
        return PainCheckPress(routine_id, None, True)
    if answer == NOT_NOW:
        return PainCheckPress(routine_id, None, False)
    if answer.isdigit() and 0 <= int(answer) <= 10 and len(answer) <= 2:
        return PainCheckPress(routine_id, int(answer), True)
    return None
