"""After "This hurts": offer to pause the nudges for a few days, and the next day ask how the
back is (the pain question, once).

When to ask: at a fixed local hour the next day, PAIN_CHECK_HOUR (10:00), not at the first
nudge. The person may take the offered pause, and then there is no nudge to ask at; and a
fixed late-morning hour comes after a night's rest and the first hours on their feet, when
the answer says how the back really is, yet early enough that a worse answer still leaves the
day to see a doctor. The question is the daily one (`Progress.ask_pain`), so it is asked at
most once that day, and its answer can be changed the same day.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.error import TelegramError

from bot import texts
from bot.clock import Clock
from bot.keyboards import hurt_pause_keyboard
from bot.store.repo import Store

log = logging.getLogger(__name__)

PAIN_CHECK_HOUR = time(10, 0)
# How often due checks are looked for (one indexed query): a question at most a minute late.
CHECK_EVERY_SECONDS = 60.0
CHECK_JOB = "pain-checks"

AskPain = Callable[[int, int], Awaitable[bool]]


def next_day_check(now: datetime, zone: str) -> datetime:
    """PAIN_CHECK_HOUR on the local day after `now`, as a UTC instant."""
    tz = ZoneInfo(zone)
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(tomorrow, PAIN_CHECK_HOUR, tzinfo=tz).astimezone(ZoneInfo("UTC"))


class Aftercare:
    def __init__(self, store: Store, clock: Clock, bot: Bot, ask_pain: AskPain) -> None:
        self.store = store
        self.clock = clock
        self.bot = bot
        self.ask_pain = ask_pain

    async def after_hurt(self, user_id: int, chat_id: int) -> None:
        """Right after the advice: schedule tomorrow's question, then offer the pause."""
        user = await self.store.get_user(user_id)
        zone = user.timezone if user else "UTC"
        await self.store.schedule_pain_check(user_id, next_day_check(self.clock.now(), zone))
        await self.bot.send_message(
            chat_id, texts.HURT_PAUSE_OFFER, reply_markup=hurt_pause_keyboard()
        )

    async def tick(self) -> int:
        """Ask every due check; returns how many were asked."""
        asked = 0
        for user_id, chat_id in await self.store.claim_pain_checks(self.clock.now()):
            try:
                asked += bool(await self.ask_pain(user_id, chat_id))
            except TelegramError as exc:
                log.info("user %s: pain check not sent: %s", user_id, exc)
        return asked
