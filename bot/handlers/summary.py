"""The schedule as the user reads it: zone, nudge times, the next nudge, a pause, a /stop."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot import i18n, texts
from bot.domain.nudge_rules import BEDTIME, DESK, MORNING, REMINDERS, WEEKLY
from bot.places.labels import stored_place_label
from bot.subscription import Schedule


def summary(schedule: Schedule, now: datetime) -> str:
    user = schedule.user
    zone = user.timezone
    morning = _clock(schedule.time_of(MORNING)) if schedule.enabled(MORNING) else None
    bedtime = _clock(schedule.time_of(BEDTIME)) if schedule.enabled(BEDTIME) else None
    next_line = None
    upcoming = schedule.next_nudge()
    if upcoming is not None and user.active:
        kind, at = upcoming
        paused = user.paused_until
        if paused is None or paused <= at:
            local = at.astimezone(ZoneInfo(zone))
            next_line = texts.next_nudge_line(
                kind, texts.clock(local), texts.describe_delay(at - now)
            )
    paused_until = None
    if user.paused_until and user.paused_until > now:
        paused_until = local_text(user.paused_until, zone)
    text = texts.schedule_summary(
        _zone_text(zone, user.place), morning, bedtime, next_line, paused_until
    )
    # After /stop nothing is scheduled, whatever the times say: say so, and how to undo it.
    return text if user.active else f"{texts.NUDGES_STOPPED}\n\n{text}"


def settings_text(schedule: Schedule, now: datetime) -> str:
    extras = texts.schedule_extras(
        _clock(schedule.time_of(DESK)) if schedule.enabled(DESK) else None,
        schedule.days_of(DESK),
        {kind: schedule.days_of(kind) for kind in REMINDERS if kind != DESK},
        schedule.enabled(WEEKLY),
    )
    return f"{texts.SETTINGS_TITLE}\n\n{summary(schedule, now)}\n{extras}"


def enabled(schedule: Schedule) -> dict[str, bool] | None:
    """Which nudges are on, for the /settings toggles; None after /stop (no toggles)."""
    if not schedule.user.active:
        return None
    return {kind: schedule.enabled(kind) for kind in (MORNING, BEDTIME, DESK, WEEKLY)}


def _zone_text(zone: str, place: str | None) -> str:
    """ "Lyon, France (Europe/Paris)": the place the user chose (else the zone as a place), in
    the reader's language, and the zone's id."""
    label = stored_place_label(place, zone, i18n.current())
    return zone if label == zone else f"{label} ({zone})"


def _clock(hhmm: str) -> str:
    """A stored "HH:MM" as the user's language writes a time (Babel)."""
    return texts.clock(time.fromisoformat(hhmm))


def local_text(instant: datetime, zone: str) -> str:
    return texts.day_and_time(instant.astimezone(ZoneInfo(zone)))
