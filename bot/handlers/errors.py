"""The last resort: log a handler's exception and tell the user their progress is safe."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import texts

log = logging.getLogger(__name__)


def _storage(error: BaseException | None) -> bool:
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    from bot.store.errors import DatabaseProblem

    while error is not None:
        if isinstance(error, DatabaseProblem | OperationalError | OSError) or (
            isinstance(error, SQLAlchemyError) and "read-only" in str(error)
        ):
            return True
        error = error.__cause__ or error.__context__
    return False


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error(
        "unhandled error for update %s", getattr(update, "update_id", None), exc_info=context.error
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    # The database refusing writes (read-only, unreachable) passes by itself, and saying so
    # keeps a user from tapping on into silence; anything else is our fault.
    sorry = texts.STORAGE_DOWN if _storage(context.error) else texts.SOMETHING_WRONG
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(sorry[:200], show_alert=True)
        else:
            await context.bot.send_message(update.effective_chat.id, sorry)
    except TelegramError:
        log.warning("could not tell the user about the error")
