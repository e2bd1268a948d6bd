"""The mobility check's buttons: an answer `rc:<YYYYMMDD>:<side>:<degrees>` (side `l` or `r`),
and the after-session offer `rc:go`. The day rides in the data, so an answer counts for the
day it was asked on, and a press on an old message is recognised."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.domain.mobility import ANGLES, LEFT, RIGHT
from bot.keyboards.callback import CallbackData, NoneAs, OneOf, Tokens


class ReachPress(CallbackData, prefix="rc"):
    day: Annotated[date | None, NoneAs("go")] = None  # None: the offer's "check now" button
    side: Annotated[str | None, Tokens({LEFT: "l", RIGHT: "r"})] = None
    degrees: Annotated[int | None, OneOf(*ANGLES)] = None

    def valid(self) -> bool:
        # An answer has all three; the offer none.
        return (self.day is None) == (self.side is None) == (self.degrees is None)


def reach_keyboard(day: date, side: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.reach_choice(a), callback_data=ReachPress(day, side, a).pack()
                )
                for a in ANGLES
            ]
        ]
    )


def reach_offer_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.BUTTON_REACH_NOW, callback_data=ReachPress().pack())]]
    )
