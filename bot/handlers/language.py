"""/language: pick the language Limber speaks; `/language de` picks it directly.

The choice is stored per user (users.language) and confirmed in the new language, so the
reader sees at once that it worked. Without a choice, the language follows the Telegram app's.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import i18n, texts
from bot.context import LimberContext
from bot.handlers.press import claim, pressed_message, read_press
from bot.handlers.registry import Chats, Handlers
from bot.keyboards.language import LanguagePress, language_keyboard


async def language_command(update: Update, context: LimberContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    wanted = " ".join(context.args or []).strip()
    if not wanted:
        await message.reply_text(texts.ASK_LANGUAGE, reply_markup=language_keyboard(i18n.current()))
        return
    chosen = i18n.normalize(wanted) or _by_name(wanted)
    if chosen is None:
        await message.reply_text(
            texts.UNKNOWN_LANGUAGE, reply_markup=language_keyboard(i18n.current())
        )
        return
    svc = context.services
    if not await svc.subscriptions.set_language(user.id, chosen):
        await message.reply_text(texts.NO_USER)
        return
    i18n.set_language(chosen)  # the rest of this update (the confirmation) in the new language
    await message.reply_text(texts.language_set(chosen))


async def language_button(update: Update, context: LimberContext) -> None:
    read = await read_press(update, LanguagePress)
    if read is None:
        return
    query, chosen = read[0], read[1].code
    if await pressed_message(query) is None:
        return
    svc = context.services
    if not await svc.subscriptions.set_language(query.from_user.id, chosen):
        await query.answer(texts.NO_USER)
        return
    i18n.set_language(chosen)  # the confirmation (and the "already done") in the new language
    await claim(query, texts.language_set(chosen))


def _by_name(wanted: str) -> str | None:
    """ "/language Deutsch", "/language русский": a language by its own name."""
    folded = wanted.casefold()
    for code, name in i18n.NATIVE_NAMES.items():
        if name.casefold() == folded or name.split(" (")[0].casefold() == folded:
            return code
    return None


def handlers(chats: Chats) -> Handlers:
    return [
        CommandHandler("language", language_command, filters=chats.private),
        CallbackQueryHandler(language_button, pattern=LanguagePress.pattern),
    ]
