"""The context PTB hands every handler, error handler and job callback of the bot, with what
they need named and typed: `context.services` and `context.known_user` / `update_user`.

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
    __slots__ = ("known_user",)

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        # The sender's row as read at the start of this update (app.py, for the language), so
        # the handler that follows need not read it again (a /stretch was three reads of the
        # same row): NO_ROW if the read found none (a newcomer's insert then needs no second
        # read), None if there was no read or it failed (a session press reads no row).
        self.known_user: UserRecord | NoRow | None = None

    @property
    def update_user(self) -> UserRecord | None:
        """The sender's row as read at the start of this update, if there is one."""
        known = self.known_user
        return None if known is NO_ROW else known

    @property
    def services(self) -> Services:
        """The Services of the Application that runs this callback."""
        found = self.application.bot_data[KEY]
        assert isinstance(found, Services)
        return found


CONTEXT_TYPES = ContextTypes(context=LimberContext)
