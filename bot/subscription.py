"""A user's subscription: joining (/start), their row, language and onboarding answers, and
the nudge schedule: time zone, morning and bedtime times, holiday mode, unsubscribe.

Every change ends in `reschedule`, which recomputes both nudges' next instants from the user's
zone and times, so "a change of zone or time takes effect for the next nudge" holds by
construction rather than by remembering to update the right rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.clock import Clock
from bot.domain.nudge_rules import (
    BEDTIME,
    DEFAULT_TIMES,
    DESK,
    DESK_TIME,
    KINDS,
    WEEKLY,
    WEEKLY_FALLBACK_TIME,
    default_days,
    next_nudge_at,
    weekly_time,
)
from bot.domain.onboarding import decode, zone_known
from bot.store.coaching import KEEP
from bot.store.repo import NoRow, NudgeRecord, Store, UserRecord


@dataclass(frozen=True, slots=True)
class Schedule:
    """What /settings shows."""

    user: UserRecord
    nudges: dict[str, NudgeRecord]

    def time_of(self, kind: str) -> str:
        found = self.nudges.get(kind)
        return found.local_time if found else _default_time(kind)

    def enabled(self, kind: str) -> bool:
        found = self.nudges.get(kind)
        return found.enabled if found else kind != DESK  # the desk break is off by default

    def days_of(self, kind: str) -> int:
        found = self.nudges.get(kind)
        return found.days if found else default_days(kind)

    def next_nudge(self) -> tuple[str, datetime] | None:
        """The next nudge to come, if any."""
        pending = [
            (n.next_nudge_at, n.kind)
            for n in self.nudges.values()
            if n.next_nudge_at and n.kind in KINDS  # the reminders, not the weekly summary
        ]
        if not pending:
            return None
        at, kind = min(pending)
        return kind, at


def _default_time(kind: str) -> str:
    if kind == DESK:
        return DESK_TIME
    return DEFAULT_TIMES.get(kind, WEEKLY_FALLBACK_TIME)


class Subscriptions:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # The subscriber: handlers read and change the user's row here, not on the store.

    async def join(
        self,
        user_id: int,
        chat_id: int,
        first_name: str,
        language_code: str | None,
        known: UserRecord | NoRow | None = None,
    ) -> tuple[UserRecord, bool]:
        """Create or reactivate the user; the row and whether it is new (`known`: the row as
        this update read it a moment ago, or NO_ROW if there was none: it spares a read, and a
        write when nothing changed)."""
        return await self.store.upsert_user(
            user_id, chat_id, first_name, language_code, self.clock.now(), known
        )

    async def subscriber(self, user_id: int) -> UserRecord | None:
        """The user's row; None for someone who never sent /start (or erased their data)."""
        return await self.store.get_user(user_id)

    async def set_language(self, user_id: int, language: str) -> bool:
        """The language picked with /language; False when the user is unknown."""
        return await self.store.set_language(user_id, language, self.clock.now())

    async def set_session_prefs(
        self,
        user_id: int,
        *,
        hands_free: bool | None = None,
        hold_seconds: int | None = None,
        pace: str | None = None,
    ) -> UserRecord | None:
        """/settings: how the user's next sessions run (the one under way keeps its own); the
        row as saved. None keeps a setting as it is (no button clears the hold length)."""
        hold = KEEP if hold_seconds is None else hold_seconds
        now = self.clock.now()
        await self.store.set_session_prefs(
            user_id, now, hands_free=hands_free, hold_seconds=hold, pace=pace
        )
        return await self.store.get_user(user_id)

    async def set_onboarding(self, user_id: int, pending: str | None) -> None:
        """The next question still to ask, as bot/domain/onboarding.py encodes it."""
        await self.store.update_user(user_id, self.clock.now(), onboarding=pending)

    async def operator_counts(self, now: datetime) -> tuple[int, int, int, datetime | None]:
        """For /admin: subscribers (nudges on), users who started a session in the last week,
        sessions started since `now`'s midnight, and the oldest nudge due at `now` but not sent.
        `now` is the caller's, which it also measures the overdue minutes from."""
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return await self.store.operator_counts(now, now - timedelta(days=7), midnight)

    # The schedule.

    async def schedule(self, user_id: int) -> Schedule | None:
        user = await self.store.get_user(user_id)
        if user is None:
            return None
        return Schedule(user, await self.store.nudges_of(user_id))

    async def ensure_nudges(self, user_id: int) -> None:
        """Give a (new or returning) subscriber both nudges and the weekly summary (on until
        turned off in /settings), keeping times they chose."""
        existing = await self.store.nudges_of(user_id)
        for kind in KINDS:
            if kind not in existing:
                await self.store.put_nudge(user_id, kind, DEFAULT_TIMES[kind], True, None)
        if WEEKLY not in existing:
            await self.store.put_nudge(user_id, WEEKLY, WEEKLY_FALLBACK_TIME, True, None)
        await self.reschedule(user_id)

    async def reschedule(self, user_id: int) -> Schedule | None:
        """Recompute both nudges' next instants from the user's current settings."""
        user = await self.store.get_user(user_id)
        if user is None:
            return None
        now = self.clock.now()
        nudges = await self.store.nudges_of(user_id)
        for nudge in nudges.values():
            at: datetime | None = None
            local_time = nudge.local_time
            if nudge.kind == WEEKLY:
                # The summary comes with the bedtime nudge, or Sunday 20:00 without one.
                bedtime = nudges.get(BEDTIME)
                local_time = weekly_time(
                    bedtime.local_time if bedtime else None, bedtime.enabled if bedtime else False
                )
            # No nudges until the zone is known: 07:30 UTC is nobody's morning.
            if user.active and nudge.enabled and zone_known(decode(user.onboarding)):
                at = next_nudge_at(nudge.kind, local_time, user.timezone, now, now, nudge.days)
            await self.store.put_nudge(user_id, nudge.kind, local_time, nudge.enabled, at)
        return await self.schedule(user_id)

    async def set_timezone(
        self, user_id: int, zone: str, place: str | None = None
    ) -> Schedule | None:
        """A new zone; `place` is the place chosen for it (None: the zone itself)."""
        await self.store.update_user(user_id, self.clock.now(), timezone=zone, place=place)
        return await self.reschedule(user_id)

    async def set_time(self, user_id: int, kind: str, local: time) -> Schedule | None:
        await self.store.put_nudge(user_id, kind, f"{local:%H:%M}", True, None)
        return await self.reschedule(user_id)

    async def set_enabled(self, user_id: int, kind: str, enabled: bool) -> Schedule | None:
        current = (await self.store.nudges_of(user_id)).get(kind)
        local = current.local_time if current else _default_time(kind)
        days = None if current else default_days(kind)
        await self.store.put_nudge(user_id, kind, local, enabled, None, days)
        return await self.reschedule(user_id)

    async def set_days(self, user_id: int, kind: str, days: int) -> Schedule | None:
        """Choose a reminder's weekdays (a mask with at least one day; the caller checks)."""
        current = (await self.store.nudges_of(user_id)).get(kind)
        local = current.local_time if current else _default_time(kind)
        enabled = current.enabled if current else kind != DESK
        await self.store.put_nudge(user_id, kind, local, enabled, None, days)
        return await self.reschedule(user_id)

    async def set_reminder_time(self, user_id: int, kind: str, local: time) -> Schedule | None:
        """Set a reminder's time and turn it on, keeping (or defaulting) its weekdays."""
        current = (await self.store.nudges_of(user_id)).get(kind)
        days = None if current else default_days(kind)
        await self.store.put_nudge(user_id, kind, f"{local:%H:%M}", True, None, days)
        return await self.reschedule(user_id)

    async def pause(self, user_id: int, days: int) -> datetime:
        until = self.clock.now() + timedelta(days=days)
        await self.store.update_user(user_id, self.clock.now(), paused_until=until)
        return until

    async def resume(self, user_id: int) -> Schedule | None:
        await self.store.update_user(user_id, self.clock.now(), paused_until=None)
        return await self.reschedule(user_id)

    async def unsubscribe(self, user_id: int) -> None:
        """No more nudges; history stays, and /start subscribes again."""
        await self.store.set_active(user_id, False, self.clock.now())

    async def snooze(self, user_id: int, kind: str, minutes: int) -> datetime | None:
        at = self.clock.now() + timedelta(minutes=minutes)
        return at if await self.store.move_nudge(user_id, kind, at) else None

    async def skip_today(self, user_id: int, kind: str) -> Schedule | None:
        """Drop a snoozed repeat, if any: the nudge goes back to its regular time."""
        return await self.reschedule(user_id)
