"""The nudges' rules: when a nudge is next due (`next_nudge_at`, the one home of that rule) and
which claimed nudges are sent and which are quietly skipped. Pure, so it is table-tested."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum

from bot.domain.schedule import (
    EVERY_DAY,
    MONDAY,
    SUNDAY,
    WORKDAYS,
    day_bit,
    next_occurrence,
    next_occurrence_on,
)
from bot.domain.streaks import is_morning

MORNING = "morning"
BEDTIME = "bedtime"
KINDS = (MORNING, BEDTIME)
# The weekly summary is a schedule row like the nudges, so it is claimed the same way
# (compare-and-set on next_nudge_at): once per user per week across restarts and workers.
WEEKLY = "weekly"
# Sunday evening when bedtime nudges are off.
WEEKLY_FALLBACK_TIME = "20:00"
# Just after the bedtime nudge, never with it: two messages to one chat at the same instant
# break Telegram's one-a-second per chat, and the 429 that follows stalls every send (the
# nudge benchmark saw 139 of them and 3.7 nudges/s when kinds of one chat came due together).
WEEKLY_AFTER_BEDTIME = timedelta(minutes=2)
# The desk break (the chair stretch, "can be done at work"): off until the user turns it on,
# then on workdays at 15:00 unless they choose otherwise.
DESK = "desk"
DESK_TIME = "15:00"
DESK_DAYS = WORKDAYS
# The reminders to stretch, whose weekdays the user chooses.
REMINDERS = (MORNING, BEDTIME, DESK)
DEFAULT_TIMES = {MORNING: "07:30", BEDTIME: "22:00"}
# A session finished this long before a nudge is due counts for that nudge's slot.
ALREADY_STRETCHED_WINDOW = timedelta(hours=3)


class SkipReason(StrEnum):
    LATE = "late"  # overdue past the grace window (the bot was down): don't nag late
    PAUSED = "paused"  # holiday mode
    STRETCHED = "stretched"  # the user already did a session in this slot


def skip_reason(
    due_at: datetime,
    now: datetime,
    grace: timedelta,
    paused_until: datetime | None,
    last_finished_at: datetime | None,
    kind: str = MORNING,
) -> SkipReason | None:
    """Why a due nudge should not be sent, or None to send it."""
    if now - due_at > grace:
        return SkipReason.LATE
    if paused_until is not None and paused_until > due_at:
        return SkipReason.PAUSED
    if kind == WEEKLY:
        return None  # a summary is not a reminder to stretch: a session just done is news
    if last_finished_at is not None and last_finished_at > due_at - ALREADY_STRETCHED_WINDOW:
        return SkipReason.STRETCHED
    return None


def default_days(kind: str) -> int:
    return DESK_DAYS if kind == DESK else EVERY_DAY


def parse_hhmm(value: str) -> time:
    """A stored "07:30" as a time of day."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def next_nudge_at(
    kind: str,
    local_time: str,
    zone: str,
    due_at: datetime,
    now: datetime,
    days: int = EVERY_DAY,
) -> datetime:
    """THE rule for a nudge's next instant after it was due at `due_at` (claimed by the
    dispatcher, or set again by a settings change): never in the past, even after a long
    downtime; on the kind's days, at `local_time` in `zone` (DST-aware). The store's claim
    and the subscriptions both call this, and nothing else decides it."""
    after = max(now, due_at)
    if days == EVERY_DAY and kind != WEEKLY:
        # The common case stays the daily rule (the benchmark's hot path).
        return next_occurrence(parse_hhmm(local_time), zone, after)
    return next_due(kind, parse_hhmm(local_time), zone, after, days)


def next_due(kind: str, local_time: time, zone: str, after: datetime, days: int) -> datetime:
    """A schedule row's next instant after `after`: the weekly summary closes the week; the
    reminders come on their chosen weekdays. One rule for the tick's claim and for settings."""
    if kind == WEEKLY:
        return next_weekly(local_time, zone, after)
    return next_occurrence_on(local_time, zone, after, days or EVERY_DAY)


def weekly_time(bedtime_time: str | None, bedtime_on: bool) -> str:
    """When the weekly summary comes: just after the bedtime nudge, else Sunday 20:00."""
    if not bedtime_on or not bedtime_time:
        return WEEKLY_FALLBACK_TIME
    hours, minutes = (int(p) for p in bedtime_time.split(":"))
    total = (hours * 60 + minutes + WEEKLY_AFTER_BEDTIME.seconds // 60) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def weekly_days(local_time: time) -> int:
    """The weekday the summary fires: Sunday, or Monday for a bedtime after midnight (00:30 on
    Monday is still Sunday night: streak days end at 03:00), so it closes the whole week."""
    return day_bit(MONDAY if local_time.hour < 3 else SUNDAY)


def next_weekly(local_time: time, zone: str, after: datetime) -> datetime:
    """The weekly summary's next instant (the DST rules of bot/domain/schedule.py)."""
    return next_occurrence_on(local_time, zone, after, weekly_days(local_time))


def kind_for_now(kind: str, now: datetime, zone: str) -> str:
    """What a reminder's "Start now" starts when pressed: the routine for the time of day it is
    pressed, not the one it was sent for. A morning nudge answered at 21:00 is a bedtime
    session (and counts as one). The desk break stays a desk break."""
    if kind not in (MORNING, BEDTIME):
        return kind
    return MORNING if is_morning(now, zone) else BEDTIME
