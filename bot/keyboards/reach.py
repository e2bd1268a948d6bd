"""The mobility check's buttons: an answer `rc:<YYYYMMDD>:<side>:<degrees>` (side `l` or `r`),
and the after-session offer `rc:go`. The day rides in the data, so an answer counts for the
day it was asked on, and a press on an old message is recognised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.domain.mobility import ANGLES, LEFT, RIGHT

REACH_PREFIX = "rc"
_SIDE_CODES = {LEFT: "l", RIGHT: "r"}
_CODE_SIDES = {v: k for k, v in _SIDE_CODES.items()}


@dataclass(frozen=True, slots=True)
class ReachPress:
    day: date | None = None  # None: the offer's "check now" button
    side: str = ""
    degrees: int = 0


def reach_keyboard(day: date, side: str) -> InlineKeyboardMarkup:
    stamp = f"{day:%Y%m%d}"
    code = _SIDE_CODES[side]
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.reach_choice(a), callback_data=f"{REACH_PREFIX}:{stamp}:{code}:{a}"
                )
                for a in ANGLES
            ]
        ]
    )


def reach_offer_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.BUTTON_REACH_NOW, callback_data=f"{REACH_PREFIX}:go")]]
    )


def parse_reach_data(data: str) -> ReachPress | None:
    """None for anything the bot did not write (ASCII digits only, known sides and angles)."""
    if not data.isascii():
        return None
    parts = data.split(":")
    if parts == [REACH_PREFIX, "go"]:
        return ReachPress()
    if len(parts) != 4 or parts[0] != REACH_PREFIX or parts[2] not in _CODE_SIDES:
        return None
    if not parts[3].isdigit() or int(parts[3]) not in ANGLES:
        return None
    try:
        day = datetime.strptime(parts[1], "%Y%m%d").date()
    except ValueError:
        return None
    return ReachPress(day, _CODE_SIDES[parts[2]], int(parts[3]))
