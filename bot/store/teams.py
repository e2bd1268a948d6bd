"""The store's group chats: a team's desk break, each break's message and who was in.

The schedule is claimed like a nudge: the tick moves `team_groups.next_announce_at` forward by
compare-and-set (FOR UPDATE SKIP LOCKED on PostgreSQL) and creates the break's row in the same
transaction, so a break is announced once however many workers tick. Each later edit of the
break's message is claimed the same way on `team_breaks.version`. The end of a break counts it
for every participant who uses Limber privately in the transaction that ends it: a session row
(already shown: nothing is sent to them) and its log line, as for a desk break of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.session import EndReason, Phase, Status
from bot.domain.streaks import local_day
from bot.domain.team import ANNOUNCE_AHEAD
from bot.store.models import GuidedSession, SessionLog, TeamBreak, TeamGroup, TeamJoin, User
from bot.store.transactions import Transactions

LIVE, DONE, CANCELLED = "live", "done", "cancelled"
# A break still without its message this long after its time was never announced.
UNANNOUNCED_AFTER = timedelta(minutes=5)
# The routine a team break counts as in a participant's own history.
DESK_ROUTINE = "desk"


@dataclass(frozen=True, slots=True)
class GroupRecord:
    chat_id: int
    language: str
    timezone: str | None
    local_time: str | None
    days: int
    present: bool
    next_break_at: datetime | None


@dataclass(frozen=True, slots=True)
class ClaimedBreak:
    """A break whose announcement this worker claimed (None: skipped, too late to start)."""

    group: GroupRecord
    break_id: int | None
    break_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimedFrame:
    """An edit of a break's message this worker claimed: the stage to show, and who is in."""

    break_id: int
    chat_id: int
    message_id: int
    break_at: datetime
    local_day: date
    stage: str
    names: list[str]
    group: GroupRecord
    # The group's done breaks by local day: people in (for the team's streak), at the end only.
    people_by_day: dict[date, int]


class Joined(StrEnum):
    IN = "in"
    ALREADY = "already"
    ENDED = "ended"


# Decides a claimed group's next break: (the group's row) -> (its next break's instant).
NextBreak = Callable[[GroupRecord, datetime], datetime]
# Decides a claimed break's stage and the instant of the edit after it (None: the end).
Plan = Callable[[datetime], tuple[str, datetime | None]]


def _group(row: TeamGroup) -> GroupRecord:
    return GroupRecord(
        row.chat_id,
        row.language,
        row.timezone,
        row.local_time,
        row.days,
        row.present,
        row.next_break_at,
    )


class Teams(Transactions):
    async def group_of(self, chat_id: int) -> GroupRecord | None:
        async with self.reading() as db:
            row = await db.get(TeamGroup, chat_id)
            return None if row is None else _group(row)

    async def group_joined(self, chat_id: int, language: str, now: datetime) -> bool:
        """The bot is in the group (added, or seen there): True the first time, when it
        introduces itself (claimed by compare-and-set, so once across workers)."""
        async with self.writing() as db:
            row = await db.get(TeamGroup, chat_id)
            if row is None:
                db.add(
                    TeamGroup(chat_id=chat_id, language=language, created_at=now, updated_at=now)
                )
            else:
                row.present, row.updated_at = True, now
            await db.flush()
            claimed = await db.execute(
                update(TeamGroup)
                .where(TeamGroup.chat_id == chat_id, TeamGroup.introduced_at.is_(None))
                .values(introduced_at=now)
            )
            return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]

    async def group_gone(self, chat_id: int, now: datetime) -> None:
        """The bot was removed (or the group deleted, or Telegram answered 403): no break is
        announced or edited there any more. The settings stay until /deletedata, so a bot
        added back finds them (an admin turns the break on again with /deskbreak)."""
        async with self.writing() as db:
            await db.execute(
                update(TeamGroup)
                .where(TeamGroup.chat_id == chat_id)
                .values(present=False, next_announce_at=None, next_break_at=None, updated_at=now)
            )
            await _cancel_live(db, chat_id, now)

    async def set_team_break(
        self,
        chat_id: int,
        *,
        local_time: str | None,
        days: int,
        timezone: str | None,
        language: str,
        set_by: int,
        next_break_at: datetime | None,
        announce_at: datetime | None,
        now: datetime,
    ) -> None:
        """Set (or, with `local_time` None, stop) the group's break."""
        async with self.writing() as db:
            row = await db.get(TeamGroup, chat_id)
            if row is None:
                row = TeamGroup(chat_id=chat_id, created_at=now, introduced_at=now)
                db.add(row)
            row.local_time, row.days, row.timezone = local_time, days, timezone
            row.language, row.set_by, row.present, row.updated_at = language, set_by, True, now
            row.next_break_at, row.next_announce_at = next_break_at, announce_at

    async def move_group(self, old: int, new: int, now: datetime) -> bool:
        """The group became a supergroup: its settings and history follow to the new id.
        False when there is nothing to move (already moved, by the other half of the pair of
        updates Telegram sends, or another worker)."""
        async with self.writing() as db:
            if await db.get(TeamGroup, new) is not None:
                return False
            moved = await db.execute(
                update(TeamGroup)
                .where(TeamGroup.chat_id == old)
                .values(chat_id=new, updated_at=now)
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                return False
            # The live break's message stays in the old chat, which can no longer be edited.
            await _cancel_live(db, old, now)
            await db.execute(update(TeamBreak).where(TeamBreak.chat_id == old).values(chat_id=new))
            return True

    async def delete_group(self, chat_id: int) -> None:
        """/deletedata by an admin: the group's settings, breaks and who joined them."""
        async with self.writing() as db:
            ids = select(TeamBreak.id).where(TeamBreak.chat_id == chat_id)
            await db.execute(delete(TeamJoin).where(TeamJoin.break_id.in_(ids)))
            await db.execute(delete(TeamBreak).where(TeamBreak.chat_id == chat_id))
            await db.execute(delete(TeamGroup).where(TeamGroup.chat_id == chat_id))

    async def group_counts(self, chat_id: int) -> tuple[int, int]:
        """For /privacy in a group: (breaks kept, names kept)."""
        async with self.reading() as db:
            ids = select(TeamBreak.id).where(TeamBreak.chat_id == chat_id)
            breaks = await db.scalar(select(func.count()).select_from(ids.subquery()))
            people = await db.scalar(
                select(func.count(func.distinct(TeamJoin.user_id))).where(
                    TeamJoin.break_id.in_(ids)
                )
            )
            return int(breaks or 0), int(people or 0)

    async def forget_team_member(self, user_id: int) -> None:
        """A person's /deletedata: their name goes from every break they joined."""
        async with self.writing() as db:
            await db.execute(delete(TeamJoin).where(TeamJoin.user_id == user_id))

    async def live_team_breaks(self) -> int:
        """Breaks announced and not yet over (the sandbox waits for them at the end)."""
        async with self.reading() as db:
            found = await db.scalar(
                select(func.count()).select_from(TeamBreak).where(TeamBreak.state == LIVE)
            )
            return int(found or 0)

    # The tick ----------------------------------------------------------------------------------

    async def next_team_event(self) -> datetime | None:
        """The earliest announcement or edit due (an idle tick costs two indexed reads)."""
        async with self.reading() as db:
            first = await db.scalar(select(func.min(TeamGroup.next_announce_at)))
            edit = await db.scalar(
                select(func.min(TeamBreak.next_frame_at)).where(TeamBreak.state == LIVE)
            )
            found = [t for t in (first, edit) if t is not None]
            return min(found) if found else None

    async def claim_due_breaks(
        self, now: datetime, limit: int, next_break: NextBreak, too_late: datetime
    ) -> list[ClaimedBreak]:
        """Claim groups whose announcement is due, moving each to its next break; a break
        whose time is before `too_late` (the bot was down) is skipped, not started late."""
        async with self.writing() as db:
            stmt = (
                select(TeamGroup)
                .where(TeamGroup.next_announce_at <= now, TeamGroup.present.is_(True))
                .order_by(TeamGroup.next_announce_at)
                .limit(limit)
            )
            if self.engine.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            claimed: list[ClaimedBreak] = []
            for row in (await db.scalars(stmt)).all():
                group = _group(row)
                break_at = row.next_break_at
                if break_at is None:
                    continue
                upcoming = next_break(group, max(now, break_at))
                moved = await db.execute(
                    update(TeamGroup)
                    .where(
                        TeamGroup.chat_id == row.chat_id,
                        TeamGroup.next_announce_at == row.next_announce_at,
                    )
                    .values(next_break_at=upcoming, next_announce_at=upcoming - ANNOUNCE_AHEAD)
                )
                if moved.rowcount != 1:  # type: ignore[attr-defined]
                    continue  # changed meanwhile (a new /deskbreak): not ours to announce
                if break_at < too_late:
                    claimed.append(ClaimedBreak(group, None, break_at))
                    continue
                claimed.append(
                    ClaimedBreak(group, await _new_break(db, group, break_at, now), break_at)
                )
            return claimed

    async def break_announced(self, break_id: int, message_id: int, first_edit: datetime) -> None:
        async with self.writing() as db:
            await db.execute(
                update(TeamBreak)
                .where(TeamBreak.id == break_id, TeamBreak.state == LIVE)
                .values(message_id=message_id, next_frame_at=first_edit)
            )

    async def cancel_break(self, break_id: int, now: datetime) -> None:
        async with self.writing() as db:
            await db.execute(
                update(TeamBreak)
                .where(TeamBreak.id == break_id, TeamBreak.state == LIVE)
                .values(state=CANCELLED, next_frame_at=None, updated_at=now)
            )

    async def join_break(
        self, break_id: int, user_id: int, first_name: str, now: datetime, refresh: datetime
    ) -> Joined:
        """ "I'm in" (once per person). Before the start the message shows the new name by
        `refresh`: the next edit is moved there, unless one is due sooner."""
        async with self.writing() as db:
            row = await db.get(TeamBreak, break_id)
            if row is None or row.state != LIVE:
                return Joined.ENDED
            if await db.get(TeamJoin, (break_id, user_id)) is not None:
                return Joined.ALREADY
            db.add(
                TeamJoin(break_id=break_id, user_id=user_id, first_name=first_name, joined_at=now)
            )
            await _refresh_soon(db, row, now, refresh)
            return Joined.IN

    async def leave_break(
        self, break_id: int, user_id: int, now: datetime, refresh: datetime
    ) -> bool:
        """ "Not today": out of a live break; False when the break is over."""
        async with self.writing() as db:
            row = await db.get(TeamBreak, break_id)
            if row is None or row.state != LIVE:
                return False
            gone = await db.execute(
                delete(TeamJoin).where(TeamJoin.break_id == break_id, TeamJoin.user_id == user_id)
            )
            if gone.rowcount:  # type: ignore[attr-defined]
                await _refresh_soon(db, row, now, refresh)
            return True

    async def names_in(self, break_id: int) -> list[str]:
        async with self.reading() as db:
            return await _names(db, break_id)

    async def claim_due_frames(self, now: datetime, limit: int, plan: Plan) -> list[ClaimedFrame]:
        """Claim up to `limit` breaks whose next edit is due, each moved to the edit after it
        by compare-and-set on its version; the last one ends the break and counts it for each
        participant who uses Limber privately, in this same transaction."""
        async with self.writing() as db:
            stmt = (
                select(TeamBreak, TeamGroup)
                .join(TeamGroup, TeamGroup.chat_id == TeamBreak.chat_id)
                .where(
                    TeamBreak.state == LIVE,
                    TeamBreak.next_frame_at <= now,
                    TeamBreak.message_id.is_not(None),
                )
                .order_by(TeamBreak.next_frame_at)
                .limit(limit)
            )
            if self.engine.dialect.name == "postgresql":
                stmt = stmt.with_for_update(of=TeamBreak, skip_locked=True)
            await _cancel_unannounced(db, now)
            frames: list[ClaimedFrame] = []
            for brk, grp in (await db.execute(stmt)).all():
                stage, next_at = plan(brk.break_at)
                ended = next_at is None
                moved = await db.execute(
                    update(TeamBreak)
                    .where(TeamBreak.id == brk.id, TeamBreak.version == brk.version)
                    .values(
                        version=brk.version + 1,
                        next_frame_at=next_at,
                        shown_stage=stage,
                        state=DONE if ended else LIVE,
                        updated_at=now,
                    )
                )
                if moved.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                names = await _names(db, brk.id)
                by_day: dict[date, int] = {}
                if ended:
                    await _count_for_people(db, brk, now)
                    by_day = await _people_by_day(db, brk.chat_id)
                assert brk.message_id is not None
                frames.append(
                    ClaimedFrame(
                        brk.id,
                        brk.chat_id,
                        brk.message_id,
                        brk.break_at,
                        brk.local_day,
                        stage,
                        names,
                        _group(grp),
                        by_day,
                    )
                )
            return frames


async def _new_break(
    db: AsyncSession, group: GroupRecord, break_at: datetime, now: datetime
) -> int:
    zone = group.timezone or "UTC"
    result = await db.execute(
        insert(TeamBreak)
        .values(
            chat_id=group.chat_id,
            break_at=break_at,
            local_day=local_day(break_at, zone),
            state=LIVE,
            version=1,
            people=0,
            updated_at=now,
        )
        .returning(TeamBreak.id)
    )
    return int(result.scalar_one())


async def _refresh_soon(db: AsyncSession, row: TeamBreak, now: datetime, refresh: datetime) -> None:
    """Before the start only (after it, every edit shows who is in anyway); the version is
    not bumped: a claim of the current edit stays valid."""
    if row.break_at <= now or row.message_id is None:
        return
    await db.execute(
        update(TeamBreak)
        .where(TeamBreak.id == row.id, TeamBreak.next_frame_at > refresh)
        .values(next_frame_at=refresh)
    )


async def _cancel_unannounced(db: AsyncSession, now: datetime) -> None:
    """A break claimed but never announced (a crash between the claim and the send, or its
    announcement refused): over once its time is long past, not live for ever."""
    await db.execute(
        update(TeamBreak)
        .where(
            TeamBreak.state == LIVE,
            TeamBreak.message_id.is_(None),
            TeamBreak.break_at < now - UNANNOUNCED_AFTER,
        )
        .values(state=CANCELLED, updated_at=now)
    )


async def _cancel_live(db: AsyncSession, chat_id: int, now: datetime) -> None:
    await db.execute(
        update(TeamBreak)
        .where(TeamBreak.chat_id == chat_id, TeamBreak.state == LIVE)
        .values(state=CANCELLED, next_frame_at=None, updated_at=now)
    )


async def _names(db: AsyncSession, break_id: int) -> list[str]:
    rows = await db.scalars(
        select(TeamJoin.first_name)
        .where(TeamJoin.break_id == break_id)
        .order_by(TeamJoin.joined_at)
    )
    return list(rows)


async def _people_by_day(db: AsyncSession, chat_id: int) -> dict[date, int]:
    rows = await db.execute(
        select(TeamBreak.local_day, func.max(TeamBreak.people))
        .where(TeamBreak.chat_id == chat_id, TeamBreak.state == DONE)
        .group_by(TeamBreak.local_day)
    )
    return {day: int(n) for day, n in rows.all()}


async def _count_for_people(db: AsyncSession, brk: TeamBreak, now: datetime) -> None:
    """The break's number of people, and a desk break in the history of each participant who
    uses Limber privately (their own zone, so it counts on their own local day)."""
    joined = (await db.scalars(select(TeamJoin.user_id).where(TeamJoin.break_id == brk.id))).all()
    await db.execute(update(TeamBreak).where(TeamBreak.id == brk.id).values(people=len(joined)))
    if not joined:
        return
    users = (
        await db.execute(select(User.id, User.chat_id, User.timezone).where(User.id.in_(joined)))
    ).all()
    for user_id, chat_id, zone in users:
        session_id = (
            await db.execute(
                insert(GuidedSession)
                .values(
                    user_id=user_id,
                    chat_id=chat_id,
                    routine_id=DESK_ROUTINE,
                    status=Status.DONE.value,
                    phase=Phase.HOLD.value,
                    stretch_index=0,
                    side=1,
                    holds_done=2,
                    stretches_done=1,
                    stretches_skipped=0,
                    started_at=brk.break_at,
                    ended_at=now,
                    end_reason=EndReason.FINISHED.value,
                    hands_free=True,
                    stretch_holds=2,
                    active_seconds=float(max(0, int((now - brk.break_at).total_seconds()))),
                    # Shown: a restart must not show this ending in their private chat.
                    version=1,
                    shown_version=1,
                    updated_at=now,
                )
                .returning(GuidedSession.id)
            )
        ).scalar_one()
        await db.execute(
            insert(SessionLog).values(
                user_id=user_id,
                session_id=session_id,
                routine_id=DESK_ROUTINE,
                started_at=brk.break_at,
                finished_at=now,
                holds_done=2,
                holds_total=2,
                stretches_done=1,
                duration_seconds=max(0, int((now - brk.break_at).total_seconds())),
                timezone=zone,
            )
        )
        await db.execute(update(User).where(User.id == user_id).values(last_finished_at=now))
