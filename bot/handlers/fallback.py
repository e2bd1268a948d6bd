"""Everything no feature handles: unknown commands, free text, other chats, other media."""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.context import LimberContext


async def unknown_command(update: Update, context: LimberContext) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0].split("@")[0]
    await message.reply_text(texts.unknown_command(command))


async def free_text(update: Update, context: LimberContext) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.FREE_TEXT)


async def unknown_button(update: Update, context: LimberContext) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(texts.UNKNOWN_BUTTON)
