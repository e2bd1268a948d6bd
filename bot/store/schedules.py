"""The store's nudge rows: each user's two daily nudges, and the tick's claim of due ones."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Nudge, User, UTCDateTime
from bot.store.records import (
    ClaimConflict,
    DueNudge,
    NudgeRecord,
    due_nudge,
    nudge_record,
)
from bot.store.transactions import Transactions

_NUDGES = cast(Table, Nudge.__table__)
# Due rows with what sending needs, oldest first.
_DUE = (
    select(
        Nudge.user_id,
        Nudge.kind,
        Nudge.local_time,
        Nudge.next_nudge_at,
        Nudge.days,
        User.chat_id,
        User.timezone,
        User.first_name,
        User.paused_until,
        User.last_finished_at,
        User.language,
        User.language_code,
    )
    .join(User, User.id == Nudge.user_id)
    .where(Nudge.next_nudge_at <= bindparam("b_now", type_=UTCDateTime()))
    .order_by(Nudge.next_nudge_at)
    .limit(bindparam("b_limit"))
)
# PostgreSQL: a second worker skips the rows this one claims instead of waiting for them.
_DUE_LOCKED = _DUE.with_for_update(of=Nudge, skip_locked=True)
# Moves one claimed row, only if it is still at the instant it was claimed at.
_MOVE_CLAIMED = (
    update(_NUDGES)
    .where(
        _NUDGES.c.user_id == bindparam("b_user"),
        _NUDGES.c.kind == bindparam("b_kind"),
        _NUDGES.c.next_nudge_at == bindparam("b_old", type_=UTCDateTime()),
    )
    .values(next_nudge_at=bindparam("b_new", type_=UTCDateTime()))
)


class Schedules(Transactions):
    async def nudges_of(self, user_id: int) -> dict[str, NudgeRecord]:
        async with self.reading() as db:
            rows = await db.scalars(select(Nudge).where(Nudge.user_id == user_id))
            return {r.kind: nudge_record(r) for r in rows}

    async def put_nudge(
        self,
        user_id: int,
        kind: str,
        local_time: str,
        enabled: bool,
        next_nudge_at: datetime | None,
        days: int | None = None,
    ) -> None:
        """Create or replace one of the user's nudges (`days` None: keep the weekdays, or
        every day for a new row)."""
        async with self.writing() as db:
            row = await db.get(Nudge, (user_id, kind))
            if row is None:
                db.add(
                    Nudge(
                        user_id=user_id,
                        kind=kind,
                        local_time=local_time,
                        enabled=enabled,
                        next_nudge_at=next_nudge_at,
                        days=0b1111111 if days is None else days,
                    )
                )
            else:
                row.local_time = local_time
                row.enabled = enabled
                row.next_nudge_at = next_nudge_at
                if days is not None:
                    row.days = days

    async def defer_nudge(self, user_id: int, kind: str, seen: datetime, at: datetime) -> bool:
        """Bring a claimed nudge back for `at` (it waits for a session's end), by
        compare-and-set on the instant the claim moved it to: a change the user made
        meanwhile (a new time, turned off) wins. False when it did."""
        async with self.writing() as db:
            result = await db.execute(
                update(Nudge)
                .where(
                    Nudge.user_id == user_id,
                    Nudge.kind == kind,
                    Nudge.enabled.is_(True),
                    Nudge.next_nudge_at == seen,
                )
                .values(next_nudge_at=at)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def move_nudge(self, user_id: int, kind: str, at: datetime | None) -> bool:
        """Move a nudge's next instant (snooze, skip); False if the user has no such nudge."""
        async with self.writing() as db:
            result = await db.execute(
                update(Nudge)
                .where(Nudge.user_id == user_id, Nudge.kind == kind, Nudge.enabled.is_(True))
                .values(next_nudge_at=at)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def claim_due(self, now: datetime, limit: int) -> list[DueNudge]:
        """Claim up to `limit` nudges due at `now`, moving each to its next instant.

        The select and the moves are one transaction: on SQLite it is BEGIN IMMEDIATE (no
        other writer in between), on PostgreSQL the rows are locked FOR UPDATE SKIP LOCKED (a
        second worker takes other rows). The moves still compare-and-set the old instant, so
        a row changed meanwhile by a snooze or settings change is not claimed twice.
        Claim first, send after the commit: a crash in between loses a nudge, never repeats one.
        """
        async with self.writing() as db:
            locked = self.engine.dialect.name == "postgresql"
            stmt = _DUE_LOCKED if locked else _DUE
            rows = (await db.execute(stmt, {"b_now": now, "b_limit": limit})).all()
            if not rows:
                return []
            claimed = [due_nudge(r, now) for r in rows]
            await _move(db, claimed)
            return claimed

    async def next_nudge_at(self) -> datetime | None:
        """The earliest pending nudge (for `try`'s jump-to-next-nudge and health checks)."""
        async with self.reading() as db:
            return await db.scalar(select(func.min(Nudge.next_nudge_at)))


async def _move(db: AsyncSession, claimed: list[DueNudge]) -> None:
    moved = await db.execute(
        _MOVE_CLAIMED,
        [
            {"b_user": c.user_id, "b_kind": c.kind, "b_old": c.due_at, "b_new": c.next_at}
            for c in claimed
        ],
    )
    count = getattr(moved, "rowcount", -1)
    if count >= 0 and count != len(claimed):
        # Never send what was not claimed: roll back and let the next tick retry.
        raise ClaimConflict(f"claimed {count} of {len(claimed)} due nudges")
