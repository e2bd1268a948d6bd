"""The nudge's buttons: Start now (`n:go:<kind>`), Snooze (`n:snooze:<kind>:<minutes>`),
Skip today (`n:skip:<kind>`)."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import i18n, texts
from bot.domain.nudge_rules import REMINDERS
from bot.keyboards.callback import CallbackData, OneOf

SNOOZE_MINUTES = (15, 30, 60)


class NudgePress(CallbackData, prefix="n"):
    action: Literal["go", "snooze", "skip"]
    kind: Annotated[str, OneOf(*REMINDERS)]
    minutes: Annotated[int | None, OneOf(*SNOOZE_MINUTES)] = None  # a snooze's, only

    def valid(self) -> bool:
        return (self.action == "snooze") == (self.minutes is not None)


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
                    texts.BUTTON_START_NOW, callback_data=NudgePress("go", kind).pack()
                )
            ],
            [
                InlineKeyboardButton(
                    texts.button_snooze(m), callback_data=NudgePress("snooze", kind, m).pack()
                )
                for m in SNOOZE_MINUTES
            ],
            [
                InlineKeyboardButton(
                    texts.BUTTON_SKIP_TODAY, callback_data=NudgePress("skip", kind).pack()
                )
            ],
        ]
    )
