"""The store's history: finished sessions (for streaks and /stats) and back-pain answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update

from bot.store.models import PainReport, SessionLog, User
from bot.store.records import LogRecord, log_record
from bot.store.transactions import Transactions


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

    async def record_pain(self, user_id: int, day: date, score: int, now: datetime) -> None:
        """Store (or correct) the day's answer."""
        async with self.writing() as db:
            row = await db.get(PainReport, (user_id, day))
            if row is None:
                db.add(PainReport(user_id=user_id, day=day, score=score, answered_at=now))
            else:
                row.score = score
                row.answered_at = now

    async def pain_reports(self, user_id: int) -> dict[date, int]:
        async with self.reading() as db:
            rows = await db.scalars(
                select(PainReport).where(PainReport.user_id == user_id).order_by(PainReport.day)
            )
            return {r.day: r.score for r in rows}
