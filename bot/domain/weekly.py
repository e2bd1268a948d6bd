"""The weekly summary's facts and judgements: pure, so every kind of week is table-tested.

A week is Monday to Sunday in the user's streak days (days end at 03:00 local, as in
bot/domain/streaks.py), so a summary sent on Sunday night, or just after midnight, closes the
week it describes. The facts are compared with the week before; what the words say about them
(more, fewer, none; pain up, down, no answers) is decided here, and bot/texts.py turns the
judgement into sentences. Encouragement follows the facts: a week without sessions gets a kind
nudge, never praise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Cheer(StrEnum):
    """Which sentence of encouragement fits the week."""

    FIRST_STEP = "first_step"  # no sessions this week nor the week before
    COME_BACK = "come_back"  # none this week, some the week before
    MORE = "more"  # more sessions than the week before
    SAME = "same"  # as many (at least one)
    FEWER = "fewer"  # fewer, but at least one


class PainTrend(StrEnum):
    DOWN = "down"
    UP = "up"
    SAME = "same"
    NEW = "new"  # answers this week, none the week before
    NONE = "none"  # no answers this week


class ReachTrend(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    SAME = "same"


@dataclass(frozen=True, slots=True)
class ReachChange:
    """The latest mobility check against the one before it (degrees of the straight leg,
    both sides averaged)."""

    degrees: int
    before: int | None

    @property
    def trend(self) -> ReachTrend | None:
        if self.before is None:
            return None
        if self.degrees > self.before:
            return ReachTrend.HIGHER
        return ReachTrend.LOWER if self.degrees < self.before else ReachTrend.SAME


@dataclass(frozen=True, slots=True)
class WeekFacts:
    sessions: int
    sessions_before: int
    minutes: int
    minutes_before: int
    streak: int
    pain: float | None  # this week's average answer (0..10), None without answers
    pain_before: float | None
    reach: ReachChange | None = None


@dataclass(frozen=True, slots=True)
class WeekJudgement:
    facts: WeekFacts
    cheer: Cheer
    pain_trend: PainTrend
    pain: int | None  # the averages as the words say them (whole numbers)
    pain_before: int | None


def week_start(day: date) -> date:
    """The Monday of a streak day's week."""
    return day - timedelta(days=day.weekday())


def rounded(value: float | None) -> int | None:
    """Half up, as people round (Python's round() sends 2.5 to 2)."""
    return None if value is None else int(value + 0.5)


def _average(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def week_facts(
    sessions: Iterable[tuple[date, int]],
    pain: Mapping[date, int],
    day: date,
    streak: int,
    reach: ReachChange | None = None,
) -> WeekFacts:
    """Facts for the week holding streak day `day`, against the week before.

    `sessions` are (streak day, seconds) of finished sessions; `pain` the answers by day.
    """
    this = week_start(day)
    last = this - timedelta(days=7)
    count = {this: 0, last: 0}
    seconds = {this: 0, last: 0}
    for when, duration in sessions:
        week = week_start(when)
        if week in count and when <= day:
            count[week] += 1
            seconds[week] += duration
    scores: dict[date, list[int]] = {this: [], last: []}
    for when, score in pain.items():
        week = week_start(when)
        if week in scores and when <= day:
            scores[week].append(score)
    return WeekFacts(
        sessions=count[this],
        sessions_before=count[last],
        minutes=round(seconds[this] / 60),
        minutes_before=round(seconds[last] / 60),
        streak=streak,
        pain=_average(scores[this]),
        pain_before=_average(scores[last]),
        reach=reach,
    )


def judge(facts: WeekFacts) -> WeekJudgement:
    """What the summary says about the facts."""
    if facts.sessions == 0:
        cheer = Cheer.COME_BACK if facts.sessions_before else Cheer.FIRST_STEP
    elif facts.sessions > facts.sessions_before:
        cheer = Cheer.MORE
    elif facts.sessions == facts.sessions_before:
        cheer = Cheer.SAME
    else:
        cheer = Cheer.FEWER
    # Compared as the words say them: "down from 3" to 3 would read as nonsense.
    pain, before = rounded(facts.pain), rounded(facts.pain_before)
    if pain is None:
        trend = PainTrend.NONE
    elif before is None:
        trend = PainTrend.NEW
    elif pain < before:
        trend = PainTrend.DOWN
    elif pain > before:
        trend = PainTrend.UP
    else:
        trend = PainTrend.SAME
    return WeekJudgement(facts, cheer, trend, pain, before)
