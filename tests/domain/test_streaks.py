"""Streak rules, table-tested: the 03:00 day boundary, freezes, milestones, zones and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.streaks import (
    EventKind,
    FinishedSession,
    compute_streaks,
    local_day,
    new_events,
)

BERLIN = "Europe/Berlin"


def at(local: str, zone: str = BERLIN) -> datetime:
    """A session finished at a local wall time ("2026-11-20 07:30")."""
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def sessions(*locals_: str, zone: str = BERLIN, minutes: int = 5) -> list[FinishedSession]:
    return [FinishedSession(at(t, zone), zone, minutes * 60, "full") for t in locals_]


def daily(
    first: date, count: int, hour: int = 8, skip: set[int] | None = None
) -> list[FinishedSession]:
    out = []
    for i in range(count):
        if skip and i in skip:
            continue
        day = first + timedelta(days=i)
        out += sessions(f"{day.isoformat()} {hour:02d}:00")
    return out


NOW = at("2026-11-24 12:00")


@pytest.mark.parametrize(
    ("finished", "day"),
    [
        ("2026-11-24 00:40", date(2026, 11, 23)),  # bedtime after midnight: the evening before
        ("2026-11-24 02:59", date(2026, 11, 23)),
        ("2026-11-24 03:00", date(2026, 11, 24)),
        ("2026-11-24 23:59", date(2026, 11, 24)),
    ],
)
def test_a_day_ends_at_three_in_the_morning(finished: str, day: date) -> None:
    assert local_day(at(finished), BERLIN) == day


def test_no_sessions_no_streak() -> None:
    s = compute_streaks([], BERLIN, NOW)
    assert (s.current, s.best, s.total_sessions, s.total_minutes, s.full_days) == (0, 0, 0, 0, 0)
    assert not s.at_stake


def test_consecutive_days_ending_today_or_yesterday() -> None:
    history = daily(date(2026, 11, 20), 4)  # 20..23
    s = compute_streaks(history, BERLIN, NOW)
    assert s.current == 4 and not s.today_done and s.at_stake  # today is not over yet
    s = compute_streaks([*history, *sessions("2026-11-24 08:00")], BERLIN, NOW)
    assert s.current == 5 and s.today_done and not s.at_stake


def test_a_missed_day_without_a_freeze_breaks_the_streak() -> None:
    history = daily(date(2026, 11, 18), 5, skip={2})  # 18, 19, _, 21, 22
    s = compute_streaks(history, BERLIN, NOW)
    assert s.current == 0  # yesterday (23) was missed too
    s = compute_streaks(history + sessions("2026-11-23 21:00"), BERLIN, NOW)
    assert s.current == 3 and s.best == 3


def test_totals_and_full_days() -> None:
    history = sessions("2026-11-23 07:30", "2026-11-23 22:10", "2026-11-24 00:30", minutes=6)
    s = compute_streaks(history, BERLIN, NOW)
    assert s.total_sessions == 3 and s.total_minutes == 18
    assert s.full_days == 1  # 23rd: morning and bedtime (00:30 counts for the 23rd too)
    assert s.current == 1 and len(s.days) == 1


def test_a_freeze_is_earned_at_seven_days_and_saves_one_missed_day() -> None:
    history = daily(date(2026, 11, 10), 7)  # 10..16: 7 days, one freeze
    s = compute_streaks(history, BERLIN, at("2026-11-16 20:00"))
    assert s.current == 7 and s.freezes_held == 1
    # 17 missed, 18 done: the freeze is spent, the streak goes on (the frozen day adds nothing).
    later = history + sessions("2026-11-18 08:00")
    s = compute_streaks(later, BERLIN, at("2026-11-18 20:00"))
    assert s.current == 8 and s.freezes_held == 0 and date(2026, 11, 17) in s.frozen_days


def test_freezes_are_capped_at_two() -> None:
    history = daily(date(2026, 10, 1), 28)  # 7, 14, 21, 28: four earned, two held
    s = compute_streaks(history, BERLIN, at("2026-10-28 20:00"))
    assert s.freezes_earned == 2 and s.freezes_held == 2


def test_each_missed_day_costs_a_freeze_and_then_the_streak_breaks() -> None:
    history = daily(date(2026, 10, 1), 14)  # two freezes held
    two_missed = history + sessions("2026-10-17 08:00")  # 15, 16 missed
    s = compute_streaks(two_missed, BERLIN, at("2026-10-17 20:00"))
    assert s.current == 15 and s.freezes_held == 0
    three_missed = history + sessions("2026-10-18 08:00")  # 15, 16, 17 missed
    s = compute_streaks(three_missed, BERLIN, at("2026-10-18 20:00"))
    assert s.current == 1 and s.best == 14


def test_milestones_are_celebrated_once_each() -> None:
    history = daily(date(2026, 11, 1), 3)
    before = compute_streaks(history[:-1], BERLIN, history[-2].finished_at)
    after = compute_streaks(history, BERLIN, history[-1].finished_at)
    assert [e.value for e in new_events(before, after) if e.kind is EventKind.MILESTONE] == [3]
    # The streak breaks and comes back to 3: no second celebration.
    again = history + daily(date(2026, 11, 10), 3)
    before = compute_streaks(again[:-1], BERLIN, again[-2].finished_at)
    after = compute_streaks(again, BERLIN, again[-1].finished_at)
    assert after.current == 3
    assert not [e for e in new_events(before, after) if e.kind is EventKind.MILESTONE]


def test_seven_days_bring_a_milestone_and_a_freeze() -> None:
    history = daily(date(2026, 11, 1), 7)
    before = compute_streaks(history[:-1], BERLIN, history[-2].finished_at)
    after = compute_streaks(history, BERLIN, history[-1].finished_at)
    kinds = {(e.kind, e.value) for e in new_events(before, after)}
    assert kinds == {(EventKind.MILESTONE, 7), (EventKind.FREEZE_EARNED, 1)}


def test_a_spent_freeze_is_announced_with_the_next_session() -> None:
    history = daily(date(2026, 11, 1), 7) + sessions("2026-11-09 08:00")  # 8th missed
    before = compute_streaks(history[:-1], BERLIN, history[-2].finished_at)
    after = compute_streaks(history, BERLIN, history[-1].finished_at)
    assert (EventKind.FREEZE_SPENT, 0) in {(e.kind, e.value) for e in new_events(before, after)}


def test_a_flight_from_tokyo_to_new_york_neither_breaks_nor_doubles_a_day() -> None:
    tokyo = sessions("2026-11-20 08:00", "2026-11-21 08:00", zone="Asia/Tokyo")
    # Lands in New York the "same" calendar day, 14 hours behind, and stretches at night.
    new_york = sessions("2026-11-21 21:00", "2026-11-22 21:00", zone="America/New_York")
    s = compute_streaks(
        tokyo + new_york, "America/New_York", at("2026-11-22 22:00", "America/New_York")
    )
    assert sorted(s.days) == [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)]
    assert s.current == 3 and s.total_sessions == 4


def test_a_dst_change_does_not_break_a_streak() -> None:
    # Europe/Berlin falls back on 2026-10-25; a bedtime session each night around it.
    history = sessions("2026-10-24 22:30", "2026-10-25 22:30", "2026-10-26 22:30")
    s = compute_streaks(history, BERLIN, at("2026-10-26 23:00"))
    assert s.current == 3
    spring = sessions("2026-03-28 07:00", "2026-03-29 07:00", "2026-03-30 07:00")
    assert compute_streaks(spring, BERLIN, at("2026-03-30 08:00")).current == 3


def test_slots_split_at_three_pm() -> None:
    s = compute_streaks(sessions("2026-11-24 14:59", "2026-11-24 15:00"), BERLIN, NOW)
    record = s.days[date(2026, 11, 24)]
    assert record.morning and record.bedtime and s.full_days == 1
