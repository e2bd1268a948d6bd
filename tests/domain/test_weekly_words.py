"""The weekly summary's words, table-tested: what it says must match the week's facts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot import texts
from bot.domain.weekly import (
    Cheer,
    PainTrend,
    ReachChange,
    WeekFacts,
    judge,
    week_facts,
)


def facts(
    sessions: int = 3,
    before: int = 3,
    pain: float | None = None,
    pain_before: float | None = None,
    streak: int = 4,
    reach: ReachChange | None = None,
) -> WeekFacts:
    return WeekFacts(sessions, before, sessions * 6, before * 6, streak, pain, pain_before, reach)


PRAISE = ("Keep it up", "steady", "each one helped")

# facts, the judgement, words that must appear, words that must not
CASES = [
    (
        facts(0, 0, streak=0),
        Cheer.FIRST_STEP,
        ["0 sessions, 0 minutes this week", "fresh start", "No streak running"],
        PRAISE,
    ),
    (
        facts(0, 4, streak=0),
        Cheer.COME_BACK,
        ["0 sessions", "(last week: 4, 24 minutes)", "picks the habit back up"],
        PRAISE,
    ),
    (facts(2, 5), Cheer.FEWER, ["2 sessions, 12 minutes", "(last week: 5,"], ("Keep it up",)),
    (facts(6, 2), Cheer.MORE, ["6 sessions, 36 minutes", "More sessions than last week"], ()),
    (facts(1, 1, streak=1), Cheer.SAME, ["1 session, 6 minutes", "Streak: 1 day."], ()),
]


@pytest.mark.parametrize(("week", "cheer", "present", "absent"), CASES)
def test_the_encouragement_matches_the_sessions(
    week: WeekFacts, cheer: Cheer, present: list[str], absent: tuple[str, ...]
) -> None:
    assert judge(week).cheer is cheer
    words = texts.weekly_summary_of(week)
    for part in present:
        assert part in words
    for part in absent:
        assert part not in words


PAIN_CASES = [
    # this week's average, last week's, trend, the words
    (3.0, 5.0, PainTrend.DOWN, "your back averaged 3 this week, down from 5"),
    (4.6, 2.0, PainTrend.UP, "your back averaged 5 this week, up from 2"),
    (2.5, 2.6, PainTrend.SAME, "your back averaged 3 this week, the same as last week"),
    (2.0, None, PainTrend.NEW, "your back averaged 2 this week."),
    (None, 4.0, PainTrend.NONE, "no back-pain answers this week"),
    (None, None, PainTrend.NONE, "no back-pain answers this week"),
]


@pytest.mark.parametrize(("pain", "before", "trend", "said"), PAIN_CASES)
def test_the_pain_trend_in_words(
    pain: float | None, before: float | None, trend: PainTrend, said: str
) -> None:
    week = facts(pain=pain, pain_before=before)
    assert judge(week).pain_trend is trend
    assert said in texts.weekly_summary_of(week).lower()


def test_pain_going_up_says_go_gentle_and_when_to_stop() -> None:
    words = texts.weekly_summary_of(facts(pain=6, pain_before=3))
    assert "Go gentle" in words and "see a doctor" in words
    assert "see a doctor" not in texts.weekly_summary_of(facts(pain=3, pain_before=6))


def test_the_mobility_change_is_told_when_there_is_one() -> None:
    assert "up from 45°" in texts.weekly_summary_of(facts(reach=ReachChange(60, 45)))
    assert "about 60°" in texts.weekly_summary_of(facts(reach=ReachChange(60, None)))
    assert "°" not in texts.weekly_summary_of(facts())


MONDAY = date(2026, 11, 16)
SUNDAY = MONDAY + timedelta(days=6)


def test_week_facts_count_monday_to_sunday_against_the_week_before() -> None:
    sessions = [
        (MONDAY - timedelta(days=8), 600),  # two weeks ago: not counted
        (MONDAY - timedelta(days=1), 300),  # last Sunday: last week
        (MONDAY, 300),
        (SUNDAY, 420),
        (SUNDAY + timedelta(days=1), 999),  # next week (not yet): not counted
    ]
    pain = {MONDAY - timedelta(days=3): 6, MONDAY - timedelta(days=2): 4, MONDAY: 3, SUNDAY: 2}
    got = week_facts(sessions, pain, SUNDAY, streak=2)
    assert (got.sessions, got.minutes, got.sessions_before, got.minutes_before) == (2, 12, 1, 5)
    assert (got.pain, got.pain_before) == (2.5, 5.0)
    assert "down from 5" in texts.weekly_summary_of(got)


def test_a_summary_sent_midweek_counts_only_the_days_so_far() -> None:
    sessions = [(MONDAY, 60), (MONDAY + timedelta(days=3), 60)]
    assert week_facts(sessions, {}, MONDAY + timedelta(days=1), streak=1).sessions == 1
