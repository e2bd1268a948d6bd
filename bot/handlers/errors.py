"""The last resort: log a handler's exception and tell the user the truth about it.

A storage error (the database read-only, down, or its file gone) is said as what it is:
STORAGE_DOWN, not "Your progress is saved", and logged as one line with a count, not a
traceback per update (issue 29). Anything else is a bug: logged with its traceback, and the
user told to try again.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot import texts
from bot.context import LimberContext
from bot.logs import Repeats

log = logging.getLogger(__name__)
_REPEATS = Repeats(log)


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


async def on_error(update: object, context: LimberContext) -> None:
    if _storage(context.error) and context.error is not None:
        _REPEATS.failed("updates", context.error)
    else:
        log.error(
            "unhandled error for update %s",
            getattr(update, "update_id", None),
            exc_info=context.error,
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
