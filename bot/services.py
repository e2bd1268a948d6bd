"""What every handler and job needs, reachable from PTB's context in a typed way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.clock import Clock
from bot.config import Settings
from bot.metrics import Metrics
from bot.nudges import NudgeDispatcher
from bot.progress import Progress
from bot.routines import Library
from bot.sessions.coach import Coach
from bot.store.repo import Store
from bot.subscription import Subscriptions

KEY = "services"

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


def services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    """The Services of the Application that runs this callback."""
    found = context.application.bot_data[KEY]
    assert isinstance(found, Services)
    return found
