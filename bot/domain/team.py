"""A team desk break in a group chat, as pure rules: when its one message changes, what it
shows at any instant, how `/deskbreak` is read, and the team's streak.

The break is one message, announced ANNOUNCE_AHEAD before its time and then edited in place:
get ready, left leg, switch, right leg, the end. Telegram lets a bot send about 20 messages a
minute into a group (edits count, to be safe), so the whole break is planned to stay far
below that (`edit_offsets`; tests/groups/test_team_break.py checks every 60 s window): a countdown
edited every second, as in a private chat, would be 85 edits in 85 s. No Telegram, no
database, no clock: instants and elapsed seconds are passed in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum

from bot.domain.schedule import EVERY_DAY, WORKDAYS, on_day
from bot.domain.timeinput import read_time

ANNOUNCE_AHEAD = timedelta(minutes=2)
# A break not started within this of its time (the bot was down) is skipped, not started late.
START_GRACE = timedelta(seconds=60)
# Telegram's limit for a bot in one group, and what the break may use of it: the rest is left
# for the answers to commands in the same minute.
GROUP_MESSAGES_PER_MINUTE = 20
BREAK_MESSAGES_PER_MINUTE = 12
# A join before the start shows in the message within this many seconds; joins in between
# share one edit, so a crowd pressing at once costs one message, not one each.
ROSTER_EVERY = timedelta(seconds=10)
# Seconds between countdown edits inside a hold (a 30 s hold: at 30 and at 15 s left).
COUNTDOWN_STEP = 15
# A team streak counts workdays with at least this many people in.
TEAM_STREAK_MIN = 2
# Names shown at the end before "and N more" (the caption stays far below 1,024 characters).
NAMES_SHOWN = 12


class Stage(StrEnum):
    ANNOUNCE = "announce"  # before the time: the stretch, who is in so far
    READY = "ready"  # get into position
    LEFT = "left"
    SWITCH = "switch"
    RIGHT = "right"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Timing:
    """The chair stretch's timings (routines.toml): seconds."""

    ready: int = 15
    hold: int = 30
    switch: int = 10

    @property
    def total(self) -> int:
        return self.ready + 2 * self.hold + self.switch

    def stages(self) -> tuple[tuple[Stage, int, int], ...]:
        """(stage, start, length) from the break's time."""
        left = self.ready
        switch = left + self.hold
        right = switch + self.switch
        return (
            (Stage.READY, 0, self.ready),
            (Stage.LEFT, left, self.hold),
            (Stage.SWITCH, switch, self.switch),
            (Stage.RIGHT, right, self.hold),
        )


@dataclass(frozen=True, slots=True)
class Frame:
    """What the message shows `elapsed` seconds after the break's time."""

    stage: Stage
    seconds_left: int  # in the stage, rounded up to the countdown step shown


def frame_at(timing: Timing, elapsed: float) -> Frame:
    if elapsed < 0:
        return Frame(Stage.ANNOUNCE, math.ceil(-elapsed))
    if elapsed >= timing.total:
        return Frame(Stage.DONE, 0)
    for stage, start, length in timing.stages():
        if start <= elapsed < start + length:
            left = length - (elapsed - start)
            if stage in (Stage.LEFT, Stage.RIGHT):
                # Shown in whole countdown steps: "30 s", "15 s", never "27 s" for a late edit.
                return Frame(stage, math.ceil(left / COUNTDOWN_STEP) * COUNTDOWN_STEP)
            return Frame(stage, max(1, round(left)))
    raise AssertionError("the stages cover the whole break")  # pragma: no cover


def edit_offsets(timing: Timing) -> tuple[int, ...]:
    """Seconds after the break's time at which the message is edited: each stage's start,
    each hold's midpoint countdown, and the end."""
    offsets: list[int] = []
    for stage, start, length in timing.stages():
        offsets.append(start)
        if stage in (Stage.LEFT, Stage.RIGHT):
            offsets.extend(range(start + COUNTDOWN_STEP, start + length, COUNTDOWN_STEP))
    offsets.append(timing.total)
    return tuple(sorted(set(offsets)))


def next_edit_after(timing: Timing, elapsed: float) -> float | None:
    """The next edit's offset after `elapsed`, or None once the end was shown. A late edit
    skips those it missed: it shows the stage of the moment, never a backlog."""
    for offset in edit_offsets(timing):
        if offset > elapsed:
            return float(offset)
    return None


def most_in_a_minute(offsets: Iterable[float]) -> int:
    """The most edits any 60 s window holds (the announcement counts as one more)."""
    times = sorted(offsets)
    return max((sum(1 for t in times if s <= t < s + 60) for s in times), default=0)


# /deskbreak --------------------------------------------------------------------------------------

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAYS_WORDS = {"daily": EVERY_DAY, "everyday": EVERY_DAY, "weekdays": WORKDAYS}
_DAY_RANGE = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)-(mon|tue|wed|thu|fri|sat|sun)$")


class Ask(StrEnum):
    SHOW = "show"
    OFF = "off"
    SET = "set"
    BAD = "bad"


@dataclass(frozen=True, slots=True)
class DeskbreakRequest:
    """What `/deskbreak <args>` asks: show it, turn it off, or set a time (the weekdays and a
    place are optional: None keeps what the group had, or Mon-Fri and no zone yet)."""

    ask: Ask
    at: time | None = None
    days: int | None = None
    place: str | None = None


def parse_days(word: str) -> int | None:
    """ "mon-fri", "mon,wed,fri", "daily", "weekdays" -> a weekday mask; None if not days."""
    word = word.lower().strip(",")
    if word in _DAYS_WORDS:
        return _DAYS_WORDS[word]
    ranged = _DAY_RANGE.match(word)
    if ranged:
        first, last = (_DAY_NAMES.index(d) for d in ranged.groups())
        if first > last:
            return None
        return sum(1 << d for d in range(first, last + 1))
    parts = word.split(",")
    if all(p[:3] in _DAY_NAMES and len(p) >= 3 for p in parts):
        return sum(1 << _DAY_NAMES.index(p[:3]) for p in parts)
    return None


def parse_deskbreak(args: list[str]) -> DeskbreakRequest:
    """`/deskbreak` arguments: nothing (show), "off", or a time, then optional weekdays, then
    optional city: `15:00`, `3pm mon-fri Berlin`, `15:30 daily New York`."""
    if not args:
        return DeskbreakRequest(Ask.SHOW)
    if len(args) == 1 and args[0].lower() in ("off", "stop", "none"):
        return DeskbreakRequest(Ask.OFF)
    for used in (3, 2, 1):  # "half past ten", "7 30", "15:00"
        if used > len(args):
            continue
        reading = read_time(" ".join(args[:used]))
        if reading is None:
            continue
        rest = args[used:]
        days = parse_days(rest[0]) if rest else None
        if days is not None:
            rest = rest[1:]
        place = " ".join(rest).strip() or None
        return DeskbreakRequest(Ask.SET, reading.value, days, place)
    return DeskbreakRequest(Ask.BAD)


# The team's streak -------------------------------------------------------------------------------


def team_streak(people_by_day: Mapping[date, int], today: date, days: int) -> int:
    """Workdays in a row, ending `today`, on which at least TEAM_STREAK_MIN people joined.

    Only the group's break days count: a weekend (or any day off the schedule) neither adds
    nor breaks. A break day with fewer people, or none held, ends the run; today still
    in progress (fewer so far) does not, as the run may end yesterday.
    """
    if not days & EVERY_DAY:
        return 0
    streak = 0
    day = today
    for _ in range(3660):  # ten years of days at most
        if on_day(days, day.weekday()):
            if people_by_day.get(day, 0) >= TEAM_STREAK_MIN:
                streak += 1
            elif day != today:
                break
        day -= timedelta(days=1)
    return streak


def shown_names(names: list[str]) -> tuple[list[str], int]:
    """The first NAMES_SHOWN names and how many more there are."""
    return names[:NAMES_SHOWN], max(0, len(names) - NAMES_SHOWN)
