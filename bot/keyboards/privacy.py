"""The /deletedata confirmation: `del:yes:<user id>` or `del:no:<user id>`.

The user id in the data lets the press be checked against who presses it.
"""

from __future__ import annotations

from typing import Annotated

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.keyboards.callback import CallbackData, Tokens


class DeletePress(CallbackData, prefix="del"):
    erase: Annotated[bool, Tokens({True: "yes", False: "no"})]
    user_id: int  # whose data: a press by anyone else is refused (bot/handlers/privacy.py)


def delete_keyboard(user_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_DELETE, callback_data=DeletePress(True, user_id).pack()
                )
            ],
            [
                InlineKeyboardButton(
                    texts.BUTTON_KEEP, callback_data=DeletePress(False, user_id).pack()
                )
            ],
        ]
    )
