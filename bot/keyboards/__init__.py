"""Every inline keyboard the bot sends and the family of its callback data, one module per
feature. A family (bot/keyboards/callback.py) is a typed dataclass with a prefix: its `pack`
writes a button's data, its `unpack` reads a press, and its `pattern` routes the press to
its handler, so the data is written, read and routed from one declaration.
"""

from __future__ import annotations

from bot.keyboards.callback import CallbackData, families
from bot.keyboards.desk import DeskPress, desk_time_keyboard
from bot.keyboards.floor import (
    HurtPausePress,
    RestartPress,
    SessionSettingPress,
    hurt_pause_keyboard,
    restart_keyboard,
    session_settings_rows,
)
from bot.keyboards.language import LanguagePress, language_keyboard
from bot.keyboards.nudge import SNOOZE_MINUTES, NudgePress, nudge_keyboard
from bot.keyboards.pain import PainCheckPress, PainPress, pain_check_keyboard, pain_keyboard
from bot.keyboards.privacy import DeletePress, delete_keyboard
from bot.keyboards.reach import ReachPress, reach_keyboard, reach_offer_keyboard
from bot.keyboards.routine import RoutinePress, routines_keyboard
from bot.keyboards.session import SessionPress, session_keyboard
from bot.keyboards.settings import (
    TIME_CHOICES,
    MenuPress,
    TimePress,
    ZonePress,
    place_keyboard,
    settings_keyboard,
    time_check_keyboard,
    time_keyboard,
    zone_keyboard,
)
from bot.keyboards.team import TeamPress, team_keyboard
from bot.keyboards.weekdays import DaysPress, days_keyboard

__all__ = [
    "SNOOZE_MINUTES",
    "TIME_CHOICES",
    "CallbackData",
    "DaysPress",
    "DeletePress",
    "DeskPress",
    "HurtPausePress",
    "LanguagePress",
    "MenuPress",
    "NudgePress",
    "PainCheckPress",
    "PainPress",
    "ReachPress",
    "RestartPress",
    "RoutinePress",
    "SessionPress",
    "SessionSettingPress",
    "TeamPress",
    "TimePress",
    "ZonePress",
    "days_keyboard",
    "delete_keyboard",
    "desk_time_keyboard",
    "families",
    "hurt_pause_keyboard",
    "language_keyboard",
    "nudge_keyboard",
    "pain_check_keyboard",
    "pain_keyboard",
    "place_keyboard",
    "reach_keyboard",
    "reach_offer_keyboard",
    "restart_keyboard",
    "routines_keyboard",
    "session_keyboard",
    "session_settings_rows",
    "settings_keyboard",
    "team_keyboard",
    "time_check_keyboard",
    "time_keyboard",
    "zone_keyboard",
]
