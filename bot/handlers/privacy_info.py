"""/privacy: what Limber keeps, why, for how long, who sees it, how to export and erase it.

Open to everyone, with or without /start: reading the policy must not create data.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts


async def privacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.PRIVACY)
