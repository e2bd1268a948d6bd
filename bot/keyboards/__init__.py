"""Every inline keyboard the bot sends and the codec of its callback data, one module per
feature. Each codec has a prefix (the part before the first ":"); `pattern` turns it into the
CallbackQueryHandler pattern, so app.py routes presses from the same constants that write them.
"""

from __future__ import annotations

import re

from bot.keyboards.desk import DESK_PREFIX, desk_time_keyboard, parse_desk_data
from bot.keyboards.floor import (
    HURT_PAUSE_PREFIX,
    RESTART_PREFIX,
    SESSION_SETTINGS_PREFIX,
    RestartPress,
    SessionSettingPress,
    hurt_pause_keyboard,
    parse_hurt_pause_data,
    parse_restart_data,
    parse_session_setting,
    restart_keyboard,
    session_settings_rows,
)
from bot.keyboards.language import LANGUAGE_PREFIX, language_keyboard, parse_language_data
from bot.keyboards.nudge import (
    NUDGE_PREFIX,
    SNOOZE_MINUTES,
    NudgeButton,
    nudge_keyboard,
    parse_nudge_data,
)
from bot.keyboards.pain import (
    PAIN_CHECK_PREFIX,
    PAIN_PREFIX,
    PainCheckPress,
    pain_check_keyboard,
    pain_keyboard,
    parse_pain_check_data,
    parse_pain_data,
)
from bot.keyboards.privacy import DELETE_PREFIX, delete_keyboard, parse_delete_data
from bot.keyboards.reach import (
    REACH_PREFIX,
    ReachPress,
    parse_reach_data,
    reach_keyboard,
    reach_offer_keyboard,
)
from bot.keyboards.routine import (
    ROUTINE_PREFIX,
    parse_routine_data,
    routine_data,
    routines_keyboard,
)
from bot.keyboards.session import (
    SESSION_PREFIX,
    SessionButton,
    parse_session_data,
    session_data,
    session_keyboard,
)
from bot.keyboards.settings import (
    MENU_PREFIX,
    TIME_CHOICES,
    TIME_PREFIX,
    ZONE_PREFIX,
    MenuPress,
    TimePress,
    ZonePress,
    parse_menu_data,
    parse_time_data,
    parse_zone_data,
    parse_zone_press,
    place_keyboard,
    settings_keyboard,
    time_check_keyboard,
    time_keyboard,
    zone_keyboard,
)
from bot.keyboards.weekdays import DAYS_PREFIX, DaysPress, days_keyboard, parse_days_data


def pattern(prefix: str) -> str:
    """The CallbackQueryHandler pattern for one codec's data."""
    return f"^{re.escape(prefix)}:"


__all__ = [
    "DAYS_PREFIX",
    "DELETE_PREFIX",
    "DESK_PREFIX",
    "HURT_PAUSE_PREFIX",
    "LANGUAGE_PREFIX",
    "MENU_PREFIX",
    "NUDGE_PREFIX",
    "PAIN_CHECK_PREFIX",
    "PAIN_PREFIX",
    "REACH_PREFIX",
    "RESTART_PREFIX",
    "ROUTINE_PREFIX",
    "SESSION_PREFIX",
    "SESSION_SETTINGS_PREFIX",
    "SNOOZE_MINUTES",
    "TIME_CHOICES",
    "TIME_PREFIX",
    "ZONE_PREFIX",
    "DaysPress",
    "MenuPress",
    "NudgeButton",
    "PainCheckPress",
    "ReachPress",
    "RestartPress",
    "SessionButton",
    "SessionSettingPress",
    "TimePress",
    "ZonePress",
    "days_keyboard",
    "delete_keyboard",
    "desk_time_keyboard",
    "hurt_pause_keyboard",
    "language_keyboard",
    "nudge_keyboard",
    "pain_check_keyboard",
    "pain_keyboard",
    "parse_days_data",
    "parse_delete_data",
    "parse_desk_data",
    "parse_hurt_pause_data",
    "parse_language_data",
    "parse_menu_data",
    "parse_nudge_data",
    "parse_pain_check_data",
    "parse_pain_data",
    "parse_reach_data",
    "parse_restart_data",
    "parse_routine_data",
    "parse_session_data",
    "parse_session_setting",
    "parse_time_data",
    "parse_zone_data",
    "parse_zone_press",
    "pattern",
    "place_keyboard",
    "reach_keyboard",
    "reach_offer_keyboard",
    "restart_keyboard",
    "routine_data",
    "routines_keyboard",
    "session_data",
    "session_keyboard",
    "session_settings_rows",
    "settings_keyboard",
    "time_check_keyboard",
    "time_keyboard",
    "zone_keyboard",
]
