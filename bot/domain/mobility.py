"""The mobility check (/reach): in the lying stretch, how high the straight leg goes, one
answer per side. Pure rules, table-tested: the choices, when the check is offered after a
session, and what changed since the last check.

Why the straight-leg raise: it is the lying stretch the user already does, and its angle is
what tight hamstrings limit ("the hamstring muscles will lengthen over time"), so a rising
angle is the promise of the seed made visible. The answer is a choice among five pictures
(30..90 degrees), not a measurement: it moves in 15-degree steps, so the trend is read from
checks a week or more apart, not from day-to-day noise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.weekly import ReachChange

ANGLES = (30, 45, 60, 75, 90)
LEFT, RIGHT = "left", "right"
SIDES = (LEFT, RIGHT)
# Offered after a session at most once in this many days (and not when a check is that fresh).
OFFER_EVERY = timedelta(days=7)
# An answer button older than this (days) is stale: its day is no longer "today's check".
ANSWER_WITHIN = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class ReachAnswer:
    day: date
    side: str
    degrees: int


def valid(side: str, degrees: int) -> bool:
    return side in SIDES and degrees in ANGLES


def next_side(answered: Iterable[str]) -> str | None:
    """The side still to answer on a day (left first), or None when both are in."""
    done = set(answered)
    return next((s for s in SIDES if s not in done), None)


# Not after the very first session: it already brings the medical note, a new routine and the
# pain question; the check waits for the second.
OFFER_FROM_SESSION = 2


def should_offer(
    last_offered: date | None,
    last_checked: date | None,
    today: date,
    sessions: int,
    started: date | None,
) -> bool:
    """After a session: offer the check once a week, not when one was just done, not after
    the user's first session, and not before a week has passed since they started (`started`:
    the day of their first session or first check, whichever came first). The offer says
    "It's been a week": on day 1 it would not be true, and there is nothing to compare yet."""
    if sessions < OFFER_FROM_SESSION or started is None or today - started < OFFER_EVERY:
        return False
    for previous in (last_offered, last_checked):
        if previous is not None and today - previous < OFFER_EVERY:
            return False
    return True


def answer_in_time(day: date, today: date) -> bool:
    """A pressed answer counts for its day only while that day is recent (not the future)."""
    return day <= today and today - day <= ANSWER_WITHIN


def by_day(answers: Iterable[ReachAnswer]) -> dict[date, dict[str, int]]:
    days: dict[date, dict[str, int]] = {}
    for a in answers:
        days.setdefault(a.day, {})[a.side] = a.degrees
    return dict(sorted(days.items()))


def day_average(sides: dict[str, int]) -> int:
    """Both sides' mean, rounded half up (one side when only one was answered)."""
    return int(sum(sides.values()) / len(sides) + 0.5)


def latest_change(answers: Iterable[ReachAnswer], until: date | None = None) -> ReachChange | None:
    """The latest check (up to `until`) against the one before it, or None without checks."""
    days = [(d, s) for d, s in by_day(answers).items() if until is None or d <= until]
    if not days:
        return None
    latest = day_average(days[-1][1])
    before = day_average(days[-2][1]) if len(days) > 1 else None
    return ReachChange(latest, before)
