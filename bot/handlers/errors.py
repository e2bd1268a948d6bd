"""The last resort: log a handler's exception and tell the user their progress is safe."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import texts

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error(
        "unhandled error for update %s", getattr(update, "update_id", None), exc_info=context.error
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.SOMETHING_WRONG[:200])
        else:
            await context.bot.send_message(update.effective_chat.id, texts.SOMETHING_WRONG)
    except TelegramError:
        log.warning("could not tell the user about the error")
