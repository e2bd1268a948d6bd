"""Every sentence a user reads, in the user's language: one module per feature.

Kept together so the tone stays consistent (calm, encouraging, never medical advice beyond the
seed's "talk to your doctor; stop if it hurts"). English is the source: each sentence is a
gettext msgid, translated through bot/i18n.py into the language of the current update or job
(bot/locales/<lang>/LC_MESSAGES/limber.po). How a sentence is written: bot/texts/base.py.

Everything is read through this package, `texts.NAME` and `texts.function(...)`:
- fixed sentences are `Sentence` descriptors on each feature's class (`Session.BUTTON_READY`).
  This module's class inherits every feature's class, so `texts.BUTTON_READY` is the same
  descriptor: translated at each read, in the language of the moment. Each name is declared
  below (`BUTTON_READY: str`) for mypy, which then refuses a misspelled one;
  tests/i18n/test_texts_typed.py checks the declarations are exactly the sentences;
- the functions are each feature module's own, imported here whole.

The features: common (any chat), help (/help, the menu, the descriptions), onboarding (the
welcome, time zone and nudge times), settings, session (a guided session and how it runs),
pain_care, nudges, progress (/stats, its picture, the weekly summary, /reach), privacy (and
/export, /deletedata), team (group desk breaks), player (the Mini App), admin, and sandbox (the
`try` tool's notes, English only).

A new fixed sentence: `NAME = Sentence("...")` in its feature's class, and `NAME: str` below.
Then `pybabel extract/update` (README, "Languages") and a translation in each .po;
tests/i18n/test_i18n_catalogs.py names every msgid a language is missing.
"""

from __future__ import annotations

import sys
from types import ModuleType

from bot.texts.admin import *  # noqa: F403
from bot.texts.admin import Admin
from bot.texts.base import *  # noqa: F403
from bot.texts.common import *  # noqa: F403
from bot.texts.common import Common
from bot.texts.help import *  # noqa: F403
from bot.texts.help import Help
from bot.texts.nudges import *  # noqa: F403
from bot.texts.nudges import Nudges
from bot.texts.onboarding import *  # noqa: F403
from bot.texts.onboarding import Onboarding
from bot.texts.pain_care import *  # noqa: F403
from bot.texts.pain_care import PainCare
from bot.texts.player import *  # noqa: F403
from bot.texts.privacy import *  # noqa: F403
from bot.texts.privacy import Privacy
from bot.texts.progress import *  # noqa: F403
from bot.texts.progress import Progress
from bot.texts.sandbox import *  # noqa: F403
from bot.texts.session import *  # noqa: F403
from bot.texts.session import Session
from bot.texts.settings import *  # noqa: F403
from bot.texts.settings import Settings
from bot.texts.team import *  # noqa: F403


class _Texts(
    ModuleType,
    Common,
    Help,
    Onboarding,
    Settings,
    Session,
    PainCare,
    Nudges,
    Progress,
    Privacy,
    Admin,
):
    """The class of this module: `texts.NAME` finds the feature's `Sentence` on it, and reads
    it at each use in the current language (Python's documented way to give a module
    attributes that are computed, without a module `__getattr__`)."""


sys.modules[__name__].__class__ = _Texts


# -- the fixed sentences' names, for mypy -----------------------------------------------------
# Declared, not assigned: each is read through `_Texts` above. A name used but not declared
# here is a mypy error, so a typo is found before it runs.
# Common, bot/texts/common.py
STALE_BUTTON: str
UNKNOWN_BUTTON: str
STORAGE_DOWN: str
SOMETHING_WRONG: str
FREE_TEXT: str
NO_USER: str
ALREADY_DONE: str
FLOOD_NOTICE: str

# Help, bot/texts/help.py
SHORT_DESCRIPTION: str
DESCRIPTION: str
DESCRIPTION_PRIVACY_LINE: str

# Onboarding, bot/texts/onboarding.py
ASK_TIMEZONE: str
BAD_ZONE: str
OFFSET_ZONE: str
BAD_LOCATION: str
LOCATION_UNASKED: str
BAD_TIME: str
ZONE_NOT_SET: str

# Settings, bot/texts/settings.py
BUTTON_OFF: str
SETTINGS_TITLE: str
STOPPED: str
RESUMED: str
BAD_PAUSE: str
NOT_PAUSED: str
BUTTON_CHANGE_ZONE: str
NUDGES_STOPPED: str
ASK_LANGUAGE: str
UNKNOWN_LANGUAGE: str
BUTTON_DESK_TIME: str
BUTTON_DAYS: str
BUTTON_BACK: str
BUTTON_WORKDAYS: str
BUTTON_EVERY_DAY: str
ASK_DESK_TIME: str
KEEP_ONE_DAY: str

# Session, bot/texts/session.py
BUTTON_READY: str
BUTTON_SKIP: str
BUTTON_STOP: str
BUTTON_PAUSE: str
BUTTON_RESUME: str
BUTTON_HURT: str
SESSION_ENDED: str
NOT_YOURS: str
SESSION_WAITS: str
BUTTON_CARRY_ON: str
BUTTON_START_OVER: str
CARRYING_ON: str
STARTING_OVER: str
BUTTON_HANDS_FREE: str
BUTTON_TAP_THROUGH: str
SETTINGS_SAVED: str

# PainCare, bot/texts/pain_care.py
MEDICAL_NOTE: str
WARNING_SIGNS: str
PAIN_CHECK_QUESTION: str
BUTTON_START_ANYWAY: str
BUTTON_NOT_NOW: str
PAIN_CHECK_ANYWAY: str
PAIN_CHECK_NOT_NOW: str
DOCTOR_AFTER_ANSWERS: str
HURT_PAUSE_OFFER: str
BUTTON_PAUSE_3: str
BUTTON_PAUSE_7: str
BUTTON_NO_THANKS: str
HURT_NO_PAUSE: str

# Nudges, bot/texts/nudges.py
BUTTON_START_NOW: str
BUTTON_SKIP_TODAY: str
STREAK_AT_STAKE: str
DESK_STARTED: str

# Progress, bot/texts/progress.py
PAIN_QUESTION: str
NO_HISTORY: str
CHART_TITLE: str
CHART_PAIN_TITLE: str
CHART_NO_PAIN: str
CHART_REACH_TITLE: str
CHART_NO_REACH: str
CHART_FREEZE: str
CHART_THIS_WEEK: str
WEEKLY_TITLE: str
REACH_INTRO: str
BUTTON_REACH_NOW: str
REACH_OFFER: str
REACH_STALE: str
REACH_CAPTION: str

# Privacy, bot/texts/privacy.py
PRIVACY: str
NO_DATA: str
EXPORT_ZIP_CAPTION: str
CONFIRM_DELETE: str
BUTTON_DELETE: str
BUTTON_KEEP: str
DELETED: str
KEPT: str
NOTHING_TO_DELETE: str

# Admin, bot/texts/admin.py
ADMIN_NO_DUE_NUDGE: str
ADMIN_THIS_PROCESS: str
