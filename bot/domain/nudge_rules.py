"""Which claimed nudges are sent and which are quietly skipped. Pure, so it is table-tested."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

MORNING = "morning"
BEDTIME = "bedtime"
KINDS = (MORNING, BEDTIME)
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
) -> SkipReason | None:
    """Why a due nudge should not be sent, or None to send it."""
    if now - due_at > grace:
        return SkipReason.LATE
    if paused_until is not None and paused_until > due_at:
        return SkipReason.PAUSED
    if last_finished_at is not None and last_finished_at > due_at - ALREADY_STRETCHED_WINDOW:
        return SkipReason.STRETCHED
    return None
