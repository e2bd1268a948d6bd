"""/privacy: what Limber keeps, why, for how long, who sees it, how to export and erase it.

Open to everyone, with or without /start: reading the policy must not create data.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.context import LimberContext
from bot.handlers.registry import Chats, Handlers


async def privacy_command(update: Update, context: LimberContext) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.PRIVACY)


def handlers(chats: Chats) -> Handlers:
    return [CommandHandler("privacy", privacy_command, filters=chats.private)]
