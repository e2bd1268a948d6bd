"""Pain acted on: what Limber says and does after a high pain answer or "This hurts".

The rules are bot/domain/pain_care.py's (pure); this module reads the signals from the store,
sends the advice, asks before a session, and makes sure the suggestion to see a doctor goes out
once (a compare-and-set on users.doctor_suggested_at, like a nudge's claim).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import Bot

from bot import texts
from bot.clock import Clock
from bot.domain import pain_care
from bot.domain.weekly import rounded
from bot.keyboards import hurt_pause_keyboard, pain_check_keyboard
from bot.routines import Routine
from bot.store.repo import Store

log = logging.getLogger(__name__)


class PainCare:
    def __init__(self, store: Store, clock: Clock, bot: Bot) -> None:
        self.store = store
        self.clock = clock
        self.bot = bot

    async def record(self, user_id: int, day: date, score: int) -> int | None:
        """Store (or correct) the day's pain answer; returns the one it replaced (None: none),
        for `answered` to tell a new high answer from a corrected one."""
        return await self.store.record_pain(user_id, day, score, self.clock.now())

    async def answered(self, user_id: int, chat_id: int, score: int, before: int | None) -> None:
        """After a pain answer was recorded (`before`: the day's answer it replaced). A high
        one brings the advice and the pause offer, once per day however often it is
        corrected; three high ones in a row bring the suggestion to see a doctor, once."""
        if pain_care.is_high(score) and (before is None or not pain_care.is_high(before)):
            await self.bot.send_message(
                chat_id, texts.pain_high_advice(score), reply_markup=hurt_pause_keyboard()
            )
        await self._doctor_after_answers(user_id, chat_id)

    async def _doctor_after_answers(self, user_id: int, chat_id: int) -> None:
        now = self.clock.now()
        signals = await self.store.pain_signals(user_id)
        if pain_care.doctor_after_answers(
            signals, now
        ) and await self.store.claim_doctor_suggestion(user_id, now):
            await self.bot.send_message(chat_id, texts.DOCTOR_AFTER_ANSWERS)

    async def check_first(self, user_id: int) -> bool:
        """Should the next session begin with "how is your back right now?"."""
        signals = await self.store.pain_before_session(user_id)
        return pain_care.check_before_session(signals, self.clock.now())

    async def ask_first(self, chat_id: int, routine: Routine) -> None:
        await self.bot.send_message(
            chat_id, texts.PAIN_CHECK_QUESTION, reply_markup=pain_check_keyboard(routine.id)
        )

    def today(self, zone: str) -> date:
        return self.clock.now().astimezone(ZoneInfo(zone)).date()

    async def weekly_line(
        self, user_id: int, average: float | None, before: float | None, at: datetime
    ) -> str | None:
        """The weekly summary's doctor line, when the weekly average rose by 3 or more and no
        doctor was suggested in the last four weeks (claimed here: sent once)."""
        if not pain_care.doctor_after_weeks(average, before, None, at):
            return None
        if not await self.store.claim_doctor_suggestion(user_id, at):
            return None
        now, then = rounded(average), rounded(before)
        assert now is not None and then is not None
        return texts.doctor_after_weeks(now, then)
