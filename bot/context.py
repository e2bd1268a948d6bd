"""The context PTB hands every handler, error handler and job callback of the bot, with what
they need named and typed: `context.services` and `context.update_user`.

bot/app.py registers it (`ContextTypes(context=LimberContext)`), so PTB builds one for each
update and shares it between the handler groups that update passes through: what the group -3
handler (app.py `_use_language`) reads is there for the feature handler after it, explicitly,
where a ContextVar carried it before. Job callbacks get one too (PTB builds it per run).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.services import KEY, Services
from bot.store.repo import NO_ROW, NoRow, UserRecord


class LimberContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    __slots__ = ("update_user", "update_user_read")

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        # The sender's row as read at the start of this update (app.py, for the language;
        # None if not stored or unreadable), so the handler that follows need not read it
        # again: a /stretch was three reads of the same row.
        self.update_user: UserRecord | None = None
        # Whether that read happened and answered (a session press reads no row; a failed
        # read is not an answer).
        self.update_user_read = False

    @property
    def known_user(self) -> UserRecord | NoRow | None:
        """The sender's row as read at the start of this update: NO_ROW if it found none,
        None if it did not read. For a handler that nothing awaited since (else a /stop or a
        setting changed meanwhile may be missed)."""
        if self.update_user is None and self.update_user_read:
            return NO_ROW
        return self.update_user

    @property
    def services(self) -> Services:
        """The Services of the Application that runs this callback."""
        found = self.application.bot_data[KEY]
        assert isinstance(found, Services)
        return found


CONTEXT_TYPES = ContextTypes(context=LimberContext)
