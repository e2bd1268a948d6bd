"""Streak rules: pure, replayed from the finished sessions alone.

Rules (the README quotes them):
- A day is the user's local day, and it ends at 03:00, not midnight: a bedtime session at 00:40
  counts for the evening before. Each session's day is taken in the zone it was finished in,
  so a later change of zone never rewrites history nor counts a day twice, and DST changes
  cannot break a streak (days are wall-clock dates).
- A day counts when at least one session was finished that day (skipped stretches included:
  finishing the routine is the habit).
- Slot: a session finished between 03:00 and 14:59 local is a morning session, otherwise a
  bedtime session. A "full day" has both, as the seed asks: stretch morning and night.
- The current streak is the run of counted days ending today or yesterday; today not done yet
  does not break it until the day is over. Best streak is the longest run ever.
- Freezes: one is earned each time the running streak reaches a multiple of 7 days, at most 2
  held. Each missed day inside a streak spends one held freeze instead of breaking it; a frozen
  day keeps the streak but does not add to it. With no freeze held, a missed day breaks it.
- Milestones (3, 7, 14, 30, 60, 100, 200, 365 days) are celebrated once each in a lifetime:
  when the best streak first reaches them.
Nothing but the sessions is stored: the caller computes the summary before and after a new
session and announces `new_events` between the two, so each event is told exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

DAY_STARTS = timedelta(hours=3)
MORNING_ENDS_HOUR = 15
MILESTONES = (3, 7, 14, 30, 60, 100, 200, 365)
FREEZE_EVERY = 7
MAX_FREEZES = 2


@dataclass(frozen=True, slots=True)
class FinishedSession:
    finished_at: datetime
    zone: str
    duration_seconds: int
    routine_id: str


@dataclass(frozen=True, slots=True)
class DayRecord:
    morning: bool = False
    bedtime: bool = False

    @property
    def full(self) -> bool:
        return self.morning and self.bedtime


class EventKind(StrEnum):
    MILESTONE = "milestone"
    FREEZE_EARNED = "freeze_earned"
    FREEZE_SPENT = "freeze_spent"


@dataclass(frozen=True, slots=True)
class StreakEvent:
    kind: EventKind
    value: int  # the milestone's days, or freezes held after the event


@dataclass(frozen=True, slots=True)
class StreakSummary:
    today: date
    current: int
    best: int
    total_sessions: int
    total_minutes: int
    full_days: int
    freezes_held: int
    freezes_earned: int
    freezes_spent: int
    days: dict[date, DayRecord] = field(default_factory=dict)
    frozen_days: frozenset[date] = frozenset()

    @property
    def today_done(self) -> bool:
        return self.today in self.days

    @property
    def at_stake(self) -> bool:
        """A streak that today's session would keep alive."""
        return self.current > 0 and not self.today_done


def local_day(instant: datetime, zone: str) -> date:
    """The streak day of an instant: the local date, with days starting at 03:00."""
    return (instant.astimezone(ZoneInfo(zone)) - DAY_STARTS).date()


def is_morning(instant: datetime, zone: str) -> bool:
    hour = instant.astimezone(ZoneInfo(zone)).hour
    return 3 <= hour < MORNING_ENDS_HOUR


def compute_streaks(
    sessions: Iterable[FinishedSession], today_zone: str, now: datetime
) -> StreakSummary:
    """Replay the sessions day by day (see the module's rules)."""
    days: dict[date, DayRecord] = {}
    total_sessions = 0
    total_seconds = 0
    for s in sessions:
        total_sessions += 1
        total_seconds += s.duration_seconds
        day = local_day(s.finished_at, s.zone)
        record = days.get(day, DayRecord())
        if is_morning(s.finished_at, s.zone):
            record = DayRecord(True, record.bedtime)
        else:
            record = DayRecord(record.morning, True)
        days[day] = record
    today = local_day(now, today_zone)
    run = best = held = earned = spent = 0
    frozen: set[date] = set()
    if days:
        day = min(days)
        last = max(today, max(days))
        while day <= last:
            if day in days:
                run += 1
                best = max(best, run)
                if run % FREEZE_EVERY == 0 and held < MAX_FREEZES:
                    held += 1
                    earned += 1
            elif day < today and run > 0:
                if held > 0:
                    held -= 1
                    spent += 1
                    frozen.add(day)
                else:
                    run = 0
            day += timedelta(days=1)
    return StreakSummary(
        today=today,
        current=run,
        best=best,
        total_sessions=total_sessions,
        total_minutes=round(total_seconds / 60),
        full_days=sum(1 for r in days.values() if r.full),
        freezes_held=held,
        freezes_earned=earned,
        freezes_spent=spent,
        days=days,
        frozen_days=frozenset(frozen),
    )


def new_events(before: StreakSummary | None, after: StreakSummary) -> list[StreakEvent]:
    """What changed between two summaries, to announce once."""
    best_before = before.best if before else 0
    events = [
        StreakEvent(EventKind.MILESTONE, m) for m in MILESTONES if best_before < m <= after.best
    ]
    if after.freezes_spent > (before.freezes_spent if before else 0):
        events.append(StreakEvent(EventKind.FREEZE_SPENT, after.freezes_held))
    if after.freezes_earned > (before.freezes_earned if before else 0):
        events.append(StreakEvent(EventKind.FREEZE_EARNED, after.freezes_held))
    return events
