"""When a nudge is next due: a local wall-clock time in an IANA zone, as a UTC instant.

zoneinfo does the offsets; this module adds the two rules a daily reminder needs on DST days:
a local time that does not exist (spring forward) fires at the first instant after the gap,
and a local time that happens twice (fall back) fires once, at its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=1024)
def zone_info(zone: str) -> ZoneInfo:
    """A cached ZoneInfo (ZoneInfo caches too, but this skips its key normalisation)."""
    return ZoneInfo(zone)


def next_occurrence(local_time: time, zone: str | ZoneInfo, after: datetime) -> datetime:
    """The first instant strictly after `after` at which `zone`'s clocks show `local_time`."""
    tz = zone if isinstance(zone, ZoneInfo) else zone_info(zone)
    if after.tzinfo is None:
        raise ValueError("`after` must be timezone-aware")
    start = after.astimezone(tz).date()
    for offset in range(-1, 3):
        candidate = _instant(start + timedelta(days=offset), local_time, tz)
        if candidate > after:
            return candidate
    raise AssertionError("no occurrence within three days")  # pragma: no cover


def _instant(day: date, local_time: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of `local_time` on `day`: first occurrence, or the end of a gap."""
    naive = datetime.combine(day, local_time.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=tz).astimezone(UTC)  # fold=0: the earlier offset
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first
    # In a spring-forward gap: fold=1 maps to before the jump, fold=0 to after it. The jump
    # lies between; halve on whole seconds (tzdata transitions fall on whole seconds).
    low = int(naive.replace(tzinfo=tz, fold=1).timestamp())
    high = int(first.timestamp())
    before = _offset(datetime.fromtimestamp(low, UTC), tz)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(datetime.fromtimestamp(middle, UTC), tz) == before:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


def _offset(instant: datetime, tz: ZoneInfo) -> timedelta | None:
    return instant.astimezone(tz).utcoffset()


# Weekday masks: bit 0 is Monday .. bit 6 Sunday (date.weekday()), as habit trackers offer
# "weekdays only" or "not on Sundays". A mask is a small int, so a nudge row stores it in one
# column and the rule below stays a pure function of it.
EVERY_DAY = 0b1111111
WORKDAYS = 0b0011111  # Monday to Friday
MONDAY, SUNDAY = 0, 6


def day_bit(weekday: int) -> int:
    """The mask bit of a weekday (0 = Monday .. 6 = Sunday)."""
    return 1 << weekday


def on_day(days: int, weekday: int) -> bool:
    return bool(days & day_bit(weekday))


def next_occurrence_on(
    local_time: time, zone: str | ZoneInfo, after: datetime, days: int
) -> datetime:
    """Like `next_occurrence`, but only on the local weekdays in the mask `days`.

    The weekday is the local calendar date whose wall clock shows `local_time` (for a time in a
    spring-forward gap, the date of the gap): the same DST rules hold, on fewer days.
    """
    if not days & EVERY_DAY:
        raise ValueError("a weekday mask needs at least one day")
    if days & EVERY_DAY == EVERY_DAY:
        return next_occurrence(local_time, zone, after)
    tz = zone if isinstance(zone, ZoneInfo) else zone_info(zone)
    if after.tzinfo is None:
        raise ValueError("`after` must be timezone-aware")
    start = after.astimezone(tz).date()
    # From the day before (a local date behind `after`'s UTC date) to 8 days on: a one-day
    # mask is met within 7 days of any start, plus the day of a time already past.
    for offset in range(-1, 9):
        day = start + timedelta(days=offset)
        if not on_day(days, day.weekday()):
            continue
        candidate = _instant(day, local_time, tz)
        if candidate > after:
            return candidate
    raise AssertionError("no occurrence within nine days")  # pragma: no cover
