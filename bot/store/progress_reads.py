"""The store's reads for a user's progress in one go (the weekly summary, /stats)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select

from bot.domain.mobility import ReachAnswer
from bot.store.models import PainReport, ReachCheck, SessionLog, User
from bot.store.transactions import Transactions

# Core selects of just the columns needed, in one read transaction and one thread hop: the
# weekly summary goes out to many users in the same hour, and four ORM reads cost 2.6-3.4 ms
# of CPU a summary (measured; a nudge costs about 0.4 ms), which took the nudge wave under its
# 1,000/s. Core selects in one async transaction: 1.3-1.5 ms; on one thread hop: 0.4-0.6 ms.


@dataclass(frozen=True, slots=True)
class ProgressInputs:
    timezone: str
    # (finished_at, zone, duration_seconds, routine_id), oldest first.
    sessions: list[tuple[datetime, str, int, str]]
    pain: dict[date, int]
    reach: list[ReachAnswer]


class ProgressReads(Transactions):
    async def progress_inputs(self, user_id: int) -> ProgressInputs | None:
        """Everything the weekly summary reads, or None for an unknown user."""

        def work(conn: Connection) -> ProgressInputs | None:
            zone = conn.scalar(select(User.timezone).where(User.id == user_id))
            if zone is None:
                return None
            log = conn.execute(
                select(
                    SessionLog.finished_at,
                    SessionLog.timezone,
                    SessionLog.duration_seconds,
                    SessionLog.routine_id,
                )
                .where(SessionLog.user_id == user_id)
                .order_by(SessionLog.id)
            )
            sessions = [(r[0], r[1], r[2], r[3]) for r in log]
            pain = conn.execute(
                select(PainReport.day, PainReport.score).where(PainReport.user_id == user_id)
            )
            scores = {r[0]: r[1] for r in pain}
            reach = conn.execute(
                select(ReachCheck.day, ReachCheck.side, ReachCheck.degrees)
                .where(ReachCheck.user_id == user_id)
                .order_by(ReachCheck.day, ReachCheck.side)
            )
            answers = [ReachAnswer(r[0], r[1], r[2]) for r in reach]
            return ProgressInputs(str(zone), sessions, scores, answers)

        # One thread hop for the four selects (the SQLite lane; run_sync on PostgreSQL).
        return await self._hot_read(work)
