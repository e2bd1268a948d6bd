"""The store's whole-user and whole-bot views: every row of one user (/export) and the
operators' figures (/admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot.store.models import Base, GuidedSession, Nudge, User
from bot.store.transactions import Transactions


class Operators(Transactions):
    async def rows_of_user(
        self, user_id: int
    ) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
        """Every row holding the user's data, by table: (column names, rows). `users` by its
        id, every other table by its user_id column. Read from the schema, so a table added
        later is exported (and found by /export's test) without a change here."""
        found: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
        async with self.reading() as db:
            for table in Base.metadata.sorted_tables:
                column = table.c.id if table.name == User.__tablename__ else table.c.get("user_id")
                if column is None:
                    continue
                result = await db.execute(
                    select(table).where(column == user_id).order_by(*table.primary_key.columns)
                )
                found[table.name] = (list(result.keys()), [tuple(r) for r in result.all()])
        return found

    async def operator_counts(
        self, now: datetime, week_ago: datetime, midnight: datetime
    ) -> tuple[int, int, int, datetime | None]:
        """For /admin: subscribers (nudges on), users who started a session since `week_ago`,
        sessions started since `midnight`, and the oldest nudge due at `now` but not sent."""
        async with self.reading() as db:
            subscribers = await db.scalar(
                select(func.count()).select_from(User).where(User.active.is_(True))
            )
            active_week = await db.scalar(
                select(func.count(func.distinct(GuidedSession.user_id))).where(
                    GuidedSession.started_at >= week_ago
                )
            )
            today = await db.scalar(
                select(func.count())
                .select_from(GuidedSession)
                .where(GuidedSession.started_at >= midnight)
            )
            oldest_due = await db.scalar(
                select(func.min(Nudge.next_nudge_at)).where(Nudge.next_nudge_at <= now)
            )
        return int(subscribers or 0), int(active_week or 0), int(today or 0), oldest_due
