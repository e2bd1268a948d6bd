"""The nudge's buttons: Start now (`n:go:<kind>`), Snooze (`n:snooze:<kind>:<minutes>`),
Skip today (`n:skip:<kind>`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import i18n, texts
from bot.domain.nudge_rules import REMINDERS

NUDGE_PREFIX = "n"
SNOOZE_MINUTES = (15, 30, 60)


@dataclass(frozen=True, slots=True)
class NudgeButton:
    action: str  # "go", "snooze", "skip"
    kind: str
    minutes: int = 0


def nudge_keyboard(kind: str) -> InlineKeyboardMarkup:
    """Start now / Snooze 15, 30, 60 min / Skip today, in the current language."""
    return _nudge_keyboard(kind, i18n.current())


@cache
def _nudge_keyboard(kind: str, language: str) -> InlineKeyboardMarkup:
    # Built once per kind and language (a wave sends thousands); the language is part of the
    # key, or the first language to be nudged would label every other user's buttons.
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_START_NOW, callback_data=f"{NUDGE_PREFIX}:go:{kind}"
                )
            ],
            [
                InlineKeyboardButton(
                    texts.button_snooze(m), callback_data=f"{NUDGE_PREFIX}:snooze:{kind}:{m}"
                )
                for m in SNOOZE_MINUTES
            ],
            [
                InlineKeyboardButton(
                    texts.BUTTON_SKIP_TODAY, callback_data=f"{NUDGE_PREFIX}:skip:{kind}"
                )
            ],
        ]
    )


def parse_nudge_data(data: str) -> NudgeButton | None:
    """Parse nudge callback data; None for anything forged or malformed."""
    parts = data.split(":")
    if len(parts) < 3 or parts[0] != NUDGE_PREFIX or parts[2] not in REMINDERS:
        return None
    if parts[1] in ("go", "skip") and len(parts) == 3:
        return NudgeButton(parts[1], parts[2])
    if parts[1] == "snooze" and len(parts) == 4 and parts[3] in {str(m) for m in SNOOZE_MINUTES}:
        return NudgeButton("snooze", parts[2], int(parts[3]))
    return None
