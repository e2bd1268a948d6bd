"""What every handler and job needs, reachable from PTB's context in a typed way."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.clock import Clock
from bot.config import Settings
from bot.metrics import Metrics
from bot.nudges import NudgeDispatcher
from bot.pain_care import PainCare
from bot.progress import Progress
from bot.routines import Library
from bot.sessions.coach import Coach
from bot.store.repo import Store, UserRecord
from bot.subscription import Subscriptions

KEY = "services"

# The sender's row as read at the start of the update (bot/app.py, for the language), so the
# handler that follows need not read it again: a /stretch was three reads of the same row.
# Per update: PTB runs each update in a task of its own, and the groups of one update in it.
_update_user: ContextVar[UserRecord | None] = ContextVar("limber_update_user", default=None)


def remember_update_user(user: UserRecord | None) -> None:
    _update_user.set(user)


def update_user(user_id: int) -> UserRecord | None:
    """The row of `user_id` as read at the start of this update, if it was."""
    found = _update_user.get()
    return found if found is not None and found.id == user_id else None


# The Application as the bot builds it (app.py); here so handlers can name it without
# importing app.py, which imports them.
AnyApp = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    store: Store
    library: Library
    clock: Clock
    coach: Coach
    subscriptions: Subscriptions
    dispatcher: NudgeDispatcher
    metrics: Metrics
    progress: Progress
    pain_care: PainCare


def services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    """The Services of the Application that runs this callback."""
    found = context.application.bot_data[KEY]
    assert isinstance(found, Services)
    return found
