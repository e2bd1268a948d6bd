"""The team break's buttons: `tb:<break id>:in` and `tb:<break id>:out`."""

from __future__ import annotations

from typing import Annotated

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.keyboards.callback import CallbackData, Tokens


class TeamPress(CallbackData, prefix="tb"):
    break_id: int
    joining: Annotated[bool, Tokens({True: "in", False: "out"})]


def team_keyboard(break_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.team_button_in(), callback_data=TeamPress(break_id, True).pack()
                ),
                InlineKeyboardButton(
                    texts.team_button_out(), callback_data=TeamPress(break_id, False).pack()
                ),
            ]
        ]
    )
