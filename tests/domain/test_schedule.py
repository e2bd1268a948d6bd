"""next_occurrence, table-tested on DST days and odd zones, each case checked two ways:
against a hand-computed UTC instant and against a brute-force walk over the minutes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.schedule import next_occurrence
from bot.texts import describe_delay


def brute_force(local: time, zone: str, after: datetime) -> datetime:
    """Independent: walk UTC minute by minute; the first minute whose wall time is the target,
    or, when the target is skipped that day (a gap), the first minute after the jump."""
    tz = ZoneInfo(zone)
    start = after.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    target = local.hour * 60 + local.minute
    previous_wall = None
    for step in range(0, 3 * 24 * 60):
        instant = start + timedelta(minutes=step)
        wall = instant.astimezone(tz)
        minutes = wall.hour * 60 + wall.minute
        if minutes == target and wall.fold == 0:
            return instant
        if previous_wall is not None and wall.utcoffset() != previous_wall.utcoffset():
            prev_minutes = previous_wall.hour * 60 + previous_wall.minute
            jumped_over = wall.date() == previous_wall.date() and prev_minutes < target < minutes
            if jumped_over:
                return instant
        previous_wall = wall
    raise AssertionError("no occurrence")


CASES = [
    # zone, local time, after (UTC), expected (UTC), why
    (
        "America/New_York",
        time(2, 30),
        datetime(2026, 3, 8, 5, 0, tzinfo=UTC),
        datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
        "spring forward: 02:30 does not exist, fires 03:00 EDT",
    ),
    (
        "America/New_York",
        time(1, 59),
        datetime(2026, 3, 8, 5, 0, tzinfo=UTC),
        datetime(2026, 3, 8, 6, 59, tzinfo=UTC),
        "just before the gap, EST",
    ),
    (
        "America/New_York",
        time(3, 0),
        datetime(2026, 3, 8, 5, 0, tzinfo=UTC),
        datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
        "just after the gap, EDT",
    ),
    (
        "America/New_York",
        time(7, 30),
        datetime(2026, 3, 8, 5, 0, tzinfo=UTC),
        datetime(2026, 3, 8, 11, 30, tzinfo=UTC),
        "the morning after the change",
    ),
    (
        "America/New_York",
        time(1, 30),
        datetime(2026, 11, 1, 4, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        "fall back: first 01:30 (EDT)",
    ),
    (
        "America/New_York",
        time(1, 30),
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 2, 6, 30, tzinfo=UTC),
        "the second 01:30 is not a second nudge",
    ),
    (
        "Europe/London",
        time(1, 30),
        datetime(2026, 3, 29, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        "London spring gap 01:00-02:00",
    ),
    (
        "Europe/London",
        time(1, 30),
        datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        "London fall back, first 01:30 (BST)",
    ),
    (
        "Europe/London",
        time(22, 0),
        datetime(2026, 10, 25, 12, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 22, 0, tzinfo=UTC),
        "evening after the change, GMT",
    ),
    (
        "Australia/Lord_Howe",
        time(2, 15),
        datetime(2026, 10, 3, 0, 0, tzinfo=UTC),
        datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
        "30-minute gap 02:00-02:30",
    ),
    (
        "Australia/Lord_Howe",
        time(1, 45),
        datetime(2026, 4, 4, 12, 0, tzinfo=UTC),
        datetime(2026, 4, 4, 14, 45, tzinfo=UTC),
        "30-minute fall back, first 01:45 (+11)",
    ),
    (
        "Asia/Kolkata",
        time(7, 30),
        datetime(2026, 11, 24, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
        "+05:30, no DST",
    ),
    (
        "Pacific/Chatham",
        time(7, 30),
        datetime(2026, 11, 24, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 17, 45, tzinfo=UTC),
        "+13:45 in summer",
    ),
    (
        "Asia/Tokyo",
        time(0, 0),
        datetime(2026, 11, 24, 15, 0, tzinfo=UTC),
        datetime(2026, 11, 25, 15, 0, tzinfo=UTC),
        "00:00 exactly at `after`: the next day",
    ),
    (
        "Asia/Tokyo",
        time(23, 59),
        datetime(2026, 11, 24, 15, 0, tzinfo=UTC),
        datetime(2026, 11, 25, 14, 59, tzinfo=UTC),
        "23:59",
    ),
    (
        "UTC",
        time(0, 0),
        datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2027, 1, 1, 0, 0, tzinfo=UTC),
        "over a year end",
    ),
]


@pytest.mark.parametrize(
    ("zone", "local", "after", "expected", "why"), CASES, ids=[c[4] for c in CASES]
)
def test_next_occurrence(
    zone: str, local: time, after: datetime, expected: datetime, why: str
) -> None:
    got = next_occurrence(local, zone, after)
    assert got == expected, why
    assert got == brute_force(local, zone, after), why
    assert got.tzinfo is not None and got.utcoffset() == timedelta(0)


def test_after_given_in_another_zone() -> None:
    after = datetime(2026, 11, 24, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 23:00 UTC the day before
    assert next_occurrence(time(7, 30), "Europe/Berlin", after) == datetime(
        2026, 11, 24, 6, 30, tzinfo=UTC
    )


ZONES = sorted(
    z
    for z in available_timezones()
    if "/" in z and not z.startswith(("Etc", "SystemV", "right", "posix"))
)


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    minutes=st.integers(0, 24 * 60 - 1),
    after=st.datetimes(datetime(2020, 1, 1), datetime(2035, 12, 31)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
)
def test_property_matches_the_brute_force(zone: str, minutes: int, after: datetime) -> None:
    local = time(minutes // 60, minutes % 60)
    got = next_occurrence(local, zone, after)
    assert after < got <= after + timedelta(hours=49)
    assert got == brute_force(local, zone, after)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(hours=9, minutes=12), "in 9 h 12 min"),
        (timedelta(hours=9, minutes=11, seconds=1), "in 9 h 12 min"),
        (timedelta(minutes=45), "in 45 min"),
        (timedelta(hours=2), "in 2 h"),
        (timedelta(seconds=30), "in less than a minute"),
    ],
)
def test_describe_delay(delta: timedelta, text: str) -> None:
    assert describe_delay(delta) == text
