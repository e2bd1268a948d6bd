"""The /deletedata confirmation: `del:yes:<user id>` or `del:no:<user id>`.

The user id in the data lets the press be checked against who presses it.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts

DELETE_PREFIX = "del"


def delete_keyboard(user_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_DELETE, callback_data=f"{DELETE_PREFIX}:yes:{user_id}"
                )
            ],
            [
                InlineKeyboardButton(
                    texts.BUTTON_KEEP, callback_data=f"{DELETE_PREFIX}:no:{user_id}"
                )
            ],
        ]
    )


def parse_delete_data(data: str, presser_id: int) -> bool | None:
    """True to erase, False to keep; None for anything forged or pressed by someone else."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != DELETE_PREFIX or parts[1] not in ("yes", "no"):
        return None
    if parts[2] != str(presser_id):
        return None
    return parts[1] == "yes"
