"""The /language choice: one button per shipped language, `lang:<code>` (e.g. `lang:pt_BR`).

Each button names its language in that language (Deutsch, Русский), so a reader finds their
own whatever the bot speaks now; the current one is ticked.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import i18n

LANGUAGE_PREFIX = "lang"


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            f"✓ {i18n.NATIVE_NAMES[code]}" if code == current else i18n.NATIVE_NAMES[code],
            callback_data=f"{LANGUAGE_PREFIX}:{code}",
        )
        for code in i18n.LANGUAGES
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def parse_language_data(data: str) -> str | None:
    """The shipped language a press names, or None for anything else (old or forged data)."""
    prefix, _, code = data.partition(":")
    if prefix != LANGUAGE_PREFIX:
        return None
    return code if code in i18n.LANGUAGES else None
