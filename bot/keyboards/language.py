"""The /language choice: one button per shipped language, `lang:<code>` (e.g. `lang:pt_BR`).

Each button names its language in that language (Deutsch, Русский), so a reader finds their
own whatever the bot speaks now; the current one is ticked.
"""

from __future__ import annotations

from typing import Annotated

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import i18n
from bot.keyboards.callback import CallbackData, OneOf


class LanguagePress(CallbackData, prefix="lang"):
    code: Annotated[str, OneOf(*i18n.LANGUAGES)]  # a shipped language only


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            f"✓ {i18n.NATIVE_NAMES[code]}" if code == current else i18n.NATIVE_NAMES[code],
            callback_data=LanguagePress(code).pack(),
        )
        for code in i18n.LANGUAGES
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])
