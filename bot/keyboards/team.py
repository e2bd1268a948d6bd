"""The team break's buttons: `tb:<break id>:in` and `tb:<break id>:out`."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts

TEAM_PREFIX = "tb"


@dataclass(frozen=True, slots=True)
class TeamPress:
    break_id: int
    joining: bool


def team_keyboard(break_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.team_button_in(), callback_data=f"{TEAM_PREFIX}:{break_id}:in"
                ),
                InlineKeyboardButton(
                    texts.team_button_out(), callback_data=f"{TEAM_PREFIX}:{break_id}:out"
                ),
            ]
        ]
    )


def parse_team_data(data: str) -> TeamPress | None:
    """The press, or None for anything forged."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != TEAM_PREFIX or parts[2] not in ("in", "out"):
        return None
    if not parts[1].isascii() or not parts[1].isdigit() or len(parts[1]) > 18:
        return None
    return TeamPress(int(parts[1]), parts[2] == "in")
