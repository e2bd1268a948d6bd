"""What every handler and job needs; they reach it as `context.services` (bot/context.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import Application

from bot.clock import Clock
from bot.config import Settings
from bot.groups.teams import Teams
from bot.metrics import Metrics
from bot.nudges import NudgeDispatcher
from bot.pain_care import PainCare
from bot.progress import Progress
from bot.routines import Library
from bot.sessions.coach import Coach
from bot.store.repo import Store
from bot.subscription import Subscriptions

KEY = "services"  # where the Application keeps them: app.bot_data[KEY]

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
    teams: Teams
