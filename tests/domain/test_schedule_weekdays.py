"""next_occurrence_on and the weekly summary's instant, table-tested on DST days, one-day
masks and the wrap over the week, each case also checked against a brute-force walk."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.nudge_rules import next_weekly, weekly_days, weekly_time
from bot.domain.schedule import (
    EVERY_DAY,
    SUNDAY,
    WORKDAYS,
    day_bit,
    next_occurrence,
    next_occurrence_on,
)
from tests.domain.test_schedule import brute_force


def brute_force_on(local: time, zone: str, after: datetime, days: int) -> datetime:
    """Independent: the daily brute force, repeated until the local date is in the mask."""
    at = after
    for _ in range(10):
        at = brute_force(local, zone, at)
        wall = at.astimezone(ZoneInfo(zone))
        # In a gap the instant lands after the jump, on the same local date.
        if days & day_bit(wall.weekday()):
            return at
    raise AssertionError("none within ten days")


SUN_ONLY = day_bit(SUNDAY)
CASES = [
    # zone, local, after (UTC), mask, expected (UTC), why
    (
        "Europe/Berlin",
        time(15, 0),
        datetime(2026, 11, 27, 14, 30, tzinfo=UTC),  # Friday 15:30 Berlin: today's is past
        WORKDAYS,
        datetime(2026, 11, 30, 14, 0, tzinfo=UTC),
        "weekdays: Friday's has passed, the next is Monday",
    ),
    (
        "Europe/Berlin",
        time(15, 0),
        datetime(2026, 11, 27, 13, 0, tzinfo=UTC),
        WORKDAYS,
        datetime(2026, 11, 27, 14, 0, tzinfo=UTC),
        "weekdays: later today (Friday)",
    ),
    (
        "Europe/Berlin",
        time(22, 0),
        datetime(2026, 10, 24, 12, 0, tzinfo=UTC),  # Saturday; DST ends Sunday 03:00
        SUN_ONLY,
        datetime(2026, 10, 25, 21, 0, tzinfo=UTC),
        "one day a week, on the fall-back Sunday: 22:00 CET",
    ),
    (
        "Europe/Berlin",
        time(2, 30),
        datetime(2027, 3, 27, 12, 0, tzinfo=UTC),  # Saturday; Sunday 02:00 jumps to 03:00
        SUN_ONLY,
        datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
        "one day a week, in the spring-forward gap: at the jump (03:00 CEST)",
    ),
    (
        "Europe/Berlin",
        time(2, 30),
        datetime(2026, 10, 24, 12, 0, tzinfo=UTC),
        SUN_ONLY,
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        "one day a week, ambiguous 02:30: its first occurrence (CEST)",
    ),
    (
        "Europe/Berlin",
        time(2, 30),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        SUN_ONLY,
        datetime(2026, 11, 1, 1, 30, tzinfo=UTC),
        "after the first 02:30 the second is skipped: next Sunday",
    ),
    (
        "America/New_York",
        time(7, 0),
        datetime(2026, 11, 29, 13, 0, tzinfo=UTC),  # Sunday 08:00 EST
        day_bit(0) | day_bit(6),
        datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
        "Sunday's has passed: Monday",
    ),
    (
        "Pacific/Kiritimati",
        time(9, 0),
        datetime(2026, 11, 27, 20, 0, tzinfo=UTC),  # already Saturday 10:00 there (UTC+14)
        day_bit(5),
        datetime(2026, 12, 4, 19, 0, tzinfo=UTC),
        "the local date is a day ahead of UTC: the Saturday there",
    ),
    (
        "Australia/Lord_Howe",
        time(2, 15),
        datetime(2026, 10, 3, 0, 0, tzinfo=UTC),  # Lord Howe moves 30 min on Sun 4 Oct 02:00
        SUN_ONLY,
        datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
        "a half-hour gap on the chosen day: at the end of the gap",
    ),
]


@pytest.mark.parametrize(("zone", "local", "after", "days", "expected", "why"), CASES)
def test_next_occurrence_on_chosen_days(
    zone: str, local: time, after: datetime, days: int, expected: datetime, why: str
) -> None:
    got = next_occurrence_on(local, zone, after, days)
    assert got == expected, why
    assert got == brute_force_on(local, zone, after, days), why


def test_every_day_is_the_daily_rule() -> None:
    after = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)
    for local in (time(2, 30), time(7, 0), time(23, 59)):
        expected = next_occurrence(local, "America/New_York", after)
        assert next_occurrence_on(local, "America/New_York", after, EVERY_DAY) == expected


def test_each_single_day_mask_lands_on_that_weekday() -> None:
    after = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
    for weekday in range(7):
        got = next_occurrence_on(time(8, 0), "Asia/Kolkata", after, day_bit(weekday))
        local = got.astimezone(ZoneInfo("Asia/Kolkata"))
        assert local.weekday() == weekday and f"{local:%H:%M}" == "08:00"
        assert timedelta(0) < got - after <= timedelta(days=7)


def test_an_empty_mask_is_refused() -> None:
    with pytest.raises(ValueError):
        next_occurrence_on(time(8, 0), "UTC", datetime(2026, 1, 1, tzinfo=UTC), 0)


WEEKLY_CASES = [
    # bedtime, zone, after (UTC), expected (UTC), why
    (
        time(22, 0),
        "Europe/Berlin",
        datetime(2026, 10, 21, tzinfo=UTC),
        datetime(2026, 10, 25, 21, 0, tzinfo=UTC),
        "Sunday 22:00 after fall-back (CET)",
    ),
    (
        time(22, 0),
        "Europe/Berlin",
        datetime(2026, 10, 25, 21, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 21, 0, tzinfo=UTC),
        "the week after: next Sunday",
    ),
    (
        time(0, 30),
        "Europe/Berlin",
        datetime(2026, 10, 21, tzinfo=UTC),
        datetime(2026, 10, 25, 23, 30, tzinfo=UTC),
        "bedtime after midnight: Monday 00:30 closes Sunday",
    ),
    (
        time(22, 0),
        "America/New_York",
        datetime(2026, 10, 30, tzinfo=UTC),
        datetime(2026, 11, 2, 3, 0, tzinfo=UTC),
        "Sunday 22:00 EST, the US fall-back day",
    ),
]


@pytest.mark.parametrize(("local", "zone", "after", "expected", "why"), WEEKLY_CASES)
def test_the_weekly_summary_closes_the_local_week(
    local: time, zone: str, after: datetime, expected: datetime, why: str
) -> None:
    assert next_weekly(local, zone, after) == expected, why
    assert weekly_days(local) in (day_bit(0), day_bit(6))


@pytest.mark.parametrize(
    ("bedtime", "on", "expected"),
    [
        ("22:00", True, "22:02"),
        ("23:59", True, "00:01"),
        ("22:00", False, "20:00"),
        (None, True, "20:00"),
    ],
)
def test_the_summary_comes_just_after_the_bedtime_nudge_never_with_it(
    bedtime: str | None, on: bool, expected: str
) -> None:
    assert weekly_time(bedtime, on) == expected
