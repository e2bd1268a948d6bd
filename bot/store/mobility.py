"""The store's mobility checks (/reach): answers per day and side, and the weekly offer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update

from bot.domain.mobility import ReachAnswer
from bot.store.models import ReachCheck, User
from bot.store.transactions import Transactions


class Mobility(Transactions):
    async def record_reach(
        self, user_id: int, day: date, side: str, degrees: int, now: datetime
    ) -> None:
        """Store (or correct) one side's answer for the day."""
        async with self.writing() as db:
            row = await db.get(ReachCheck, (user_id, day, side))
            if row is None:
                db.add(
                    ReachCheck(
                        user_id=user_id, day=day, side=side, degrees=degrees, answered_at=now
                    )
                )
            else:
                row.degrees = degrees
                row.answered_at = now

    async def reach_checks(self, user_id: int) -> list[ReachAnswer]:
        """A user's answers, oldest day first."""
        async with self.reading() as db:
            rows = await db.scalars(
                select(ReachCheck)
                .where(ReachCheck.user_id == user_id)
                .order_by(ReachCheck.day, ReachCheck.side)
            )
            return [ReachAnswer(r.day, r.side, r.degrees) for r in rows]

    async def last_reach_day(self, user_id: int) -> date | None:
        async with self.reading() as db:
            found = await db.scalar(
                select(func.max(ReachCheck.day)).where(ReachCheck.user_id == user_id)
            )
            return found if isinstance(found, date) else None

    async def reach_offered_on(self, user_id: int) -> date | None:
        async with self.reading() as db:
            found = await db.scalar(select(User.reach_offered_on).where(User.id == user_id))
            return found if isinstance(found, date) else None

    async def claim_reach_offer(self, user_id: int, day: date, seen: date | None) -> bool:
        """Compare-and-set the day of the last offer: True for exactly one caller, so two
        sessions finishing together (two workers) offer the check once."""
        column = User.reach_offered_on
        async with self.writing() as db:
            result = await db.execute(
                update(User)
                .where(User.id == user_id, column.is_(None) if seen is None else column == seen)
                .values(reach_offered_on=day)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]
