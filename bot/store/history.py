"""The store's history: finished sessions (for streaks and /stats) and back-pain answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update

from bot.domain.pain_care import DOCTOR_AFTER_IN_A_ROW, DOCTOR_AT_MOST_EVERY, PainSignals
from bot.domain.session import EndReason
from bot.store import pg_hot
from bot.store.models import GuidedSession, PainReport, SessionLog, User
from bot.store.records import LogRecord, log_record
from bot.store.transactions import Transactions

# What the check before a session reads (domain/pain_care.check_before_session), in one
# statement: every way into a session runs it, and it was three reads and a transaction.
_RECENT = (
    select(PainReport.score, PainReport.answered_at)
    .where(PainReport.user_id == bindparam("b_user"))
    .order_by(PainReport.day.desc())
    .limit(DOCTOR_AFTER_IN_A_ROW)
    .subquery()
)
_NEWEST = select(_RECENT).order_by(_RECENT.c.answered_at.desc()).limit(1).subquery()
_BEFORE_SESSION = select(
    select(func.max(GuidedSession.ended_at))
    .where(
        GuidedSession.user_id == bindparam("b_user"),
        GuidedSession.end_reason == EndReason.HURT.value,
    )
    .scalar_subquery()
    .label("hurt"),
    select(_NEWEST.c.score).scalar_subquery().label("score"),
    select(_NEWEST.c.answered_at).scalar_subquery().label("answered_at"),
)
_BEFORE_SESSION_PG = pg_hot.Compiled(_BEFORE_SESSION)


class History(Transactions):
    async def session_log(self, user_id: int) -> list[LogRecord]:
        """A user's finished sessions, oldest first."""
        async with self.reading() as db:
            rows = await db.scalars(
                select(SessionLog).where(SessionLog.user_id == user_id).order_by(SessionLog.id)
            )
            return [log_record(r) for r in rows]

    async def claim_pain_question(self, user_id: int, day: date) -> bool:
        """True once per local day: whether to ask "how's your back?" now."""
        async with self.writing() as db:
            result = await db.execute(
                update(User)
                .where(
                    User.id == user_id,
                    (User.pain_asked_on.is_(None)) | (User.pain_asked_on != day),
                )
                .values(pain_asked_on=day)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def record_pain(self, user_id: int, day: date, score: int, now: datetime) -> int | None:
        """Store (or correct) the day's answer; returns the day's answer before (None: none),
        so that advice given for a 9 is not given again when the 9 is corrected to an 8."""
        async with self.writing() as db:
            row = await db.get(PainReport, (user_id, day))
            if row is None:
                db.add(PainReport(user_id=user_id, day=day, score=score, answered_at=now))
                return None
            before = row.score
            row.score = score
            row.answered_at = now
            return before

    async def pain_before_session(self, user_id: int) -> PainSignals:
        """The newest answer and the last "This hurts": what the check before a session
        reads (the other signals left empty), in one statement."""
        params: dict[str, object] = {"b_user": user_id}
        row: Any
        if self._pg is not None:
            row = await self._pg.one(_BEFORE_SESSION_PG.sql, *_BEFORE_SESSION_PG.args(params))
        else:
            row = await self._hot_read(lambda conn: conn.execute(_BEFORE_SESSION, params).one())
        assert row is not None  # a SELECT of three subqueries: always one row
        return PainSignals(
            latest_score=row.score, latest_answered_at=row.answered_at, last_hurt_at=row.hurt
        )

    async def pain_signals(self, user_id: int) -> PainSignals:
        """What bears on pain (bot/domain/pain_care.py): the newest answers, the last "This
        hurts" and when a doctor was last suggested."""
        async with self.reading() as db:
            answers = list(
                await db.scalars(
                    select(PainReport)
                    .where(PainReport.user_id == user_id)
                    .order_by(PainReport.day.desc())
                    .limit(DOCTOR_AFTER_IN_A_ROW)
                )
            )
            hurt = await db.scalar(
                select(func.max(GuidedSession.ended_at)).where(
                    GuidedSession.user_id == user_id,
                    GuidedSession.end_reason == EndReason.HURT.value,
                )
            )
            suggested = await db.scalar(select(User.doctor_suggested_at).where(User.id == user_id))
        newest = max(answers, key=lambda a: a.answered_at, default=None)
        return PainSignals(
            latest_score=newest.score if newest else None,
            latest_answered_at=newest.answered_at if newest else None,
            last_hurt_at=hurt,
            recent_scores=tuple(a.score for a in reversed(answers)),
            doctor_suggested_at=suggested,
        )

    async def claim_doctor_suggestion(self, user_id: int, now: datetime) -> bool:
        """True for the one caller that may suggest a doctor now: not within the last four
        weeks (compare-and-set, so two workers or a double tap send it once)."""
        async with self.writing() as db:
            result = await db.execute(
                update(User)
                .where(
                    User.id == user_id,
                    User.doctor_suggested_at.is_(None)
                    | (User.doctor_suggested_at <= now - DOCTOR_AT_MOST_EVERY),
                )
                .values(doctor_suggested_at=now)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def pain_reports(self, user_id: int) -> dict[date, int]:
        async with self.reading() as db:
            rows = await db.scalars(
                select(PainReport).where(PainReport.user_id == user_id).order_by(PainReport.day)
            )
            return {r.day: r.score for r in rows}
