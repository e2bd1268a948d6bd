"""The onboarding machine (bot/domain/onboarding.py) as tables: event in, next question and
effects out; and the one codec of the users.onboarding column."""

from __future__ import annotations

import pytest

from bot.domain.onboarding import (
    Asked,
    Effect,
    Event,
    Located,
    Pending,
    Started,
    Step,
    TimeChosen,
    Transition,
    Typed,
    ZoneChosen,
    decode,
    encode,
    is_an_answer,
    step,
    zone_known,
)

ZONE_FIRST = Pending(Step.TIMEZONE, True)
MORNING_FIRST = Pending(Step.MORNING, True)
BEDTIME_FIRST = Pending(Step.BEDTIME, True)
ZONE_ONCE = Pending(Step.TIMEZONE, False)
MORNING_ONCE = Pending(Step.MORNING, False)
BEDTIME_ONCE = Pending(Step.BEDTIME, False)
E = Effect


@pytest.mark.parametrize(
    ("pending", "column"),
    [
        (None, None),
        (ZONE_FIRST, "ob:timezone"),
        (MORNING_FIRST, "ob:morning"),
        (BEDTIME_FIRST, "ob:bedtime"),
        (ZONE_ONCE, "set:timezone"),
        (MORNING_ONCE, "set:morning"),
        (BEDTIME_ONCE, "set:bedtime"),
    ],
)
def test_the_column_codec_round_trips(pending: Pending | None, column: str | None) -> None:
    assert encode(pending) == column
    assert decode(column) == pending


@pytest.mark.parametrize(
    "column", ["", "ob:", "ob:lunch", "timezone", "x:morning", "ob:timezone:1"]
)
def test_a_value_the_bot_did_not_write_means_nothing_pending(column: str) -> None:
    assert decode(column) is None


def test_no_nudges_until_the_first_set_up_has_a_zone() -> None:
    assert not zone_known(ZONE_FIRST)
    assert all(zone_known(p) for p in (None, MORNING_FIRST, BEDTIME_FIRST, ZONE_ONCE))


TABLE: list[tuple[Pending | None, Event, Transition]] = [
    # /start
    (ZONE_FIRST, Started(created=True), Transition(ZONE_FIRST, (E.GREET_NEW, E.ASK))),
    (MORNING_FIRST, Started(created=False), Transition(MORNING_FIRST, (E.GREET_NEW, E.ASK))),
    (None, Started(created=True), Transition(ZONE_FIRST, (E.GREET_NEW, E.ASK))),
    (None, Started(created=False), Transition(None, (E.GREET_RETURNING, E.SHOW_SUMMARY))),
    (ZONE_ONCE, Started(created=False), Transition(ZONE_ONCE, (E.GREET_RETURNING, E.SHOW_SUMMARY))),
    # a question asked by a command or /settings
    (None, Asked(Step.MORNING), Transition(MORNING_ONCE, (E.ASK,))),
    (ZONE_FIRST, Asked(Step.TIMEZONE), Transition(ZONE_FIRST, (E.ASK,))),
    (ZONE_FIRST, Asked(Step.BEDTIME), Transition(BEDTIME_ONCE, (E.ASK,))),
    (MORNING_FIRST, Asked(Step.TIMEZONE), Transition(ZONE_ONCE, (E.ASK,))),
    # a zone
    (ZONE_FIRST, ZoneChosen(), Transition(MORNING_FIRST, (E.ASK,))),
    (ZONE_ONCE, ZoneChosen(), Transition(None, (E.SHOW_SUMMARY,))),
    (None, ZoneChosen(), Transition(None, (E.SHOW_SUMMARY,))),
    (MORNING_FIRST, ZoneChosen(), Transition(None, (E.SHOW_SUMMARY,))),
    # a time
    (MORNING_FIRST, TimeChosen(Step.MORNING), Transition(BEDTIME_FIRST, (E.ASK,))),
    (MORNING_FIRST, TimeChosen(Step.BEDTIME), Transition(None, (E.SHOW_SUMMARY,))),
    (BEDTIME_FIRST, TimeChosen(Step.BEDTIME), Transition(None, (E.ALL_SET,))),
    (BEDTIME_FIRST, TimeChosen(Step.MORNING), Transition(None, (E.ALL_SET,))),
    (ZONE_FIRST, TimeChosen(Step.MORNING), Transition(ZONE_FIRST, (E.ASK,))),
    (MORNING_ONCE, TimeChosen(Step.MORNING), Transition(None, (E.SHOW_SUMMARY,))),
    (None, TimeChosen(Step.BEDTIME), Transition(None, (E.SHOW_SUMMARY,))),
    # typed text
    (None, Typed("Berlin"), Transition(None, (E.FREE_TEXT,))),
    (ZONE_FIRST, Typed("Berlin"), Transition(ZONE_FIRST, (E.READ_ZONE,))),
    (ZONE_ONCE, Typed("Mars/Olympus"), Transition(ZONE_ONCE, (E.READ_ZONE,))),
    (ZONE_FIRST, Typed("thanks!"), Transition(ZONE_FIRST, (E.REASK,))),
    (ZONE_FIRST, Typed("👍"), Transition(ZONE_FIRST, (E.REASK,))),
    (MORNING_FIRST, Typed("7am"), Transition(MORNING_FIRST, (E.READ_TIME,))),
    (BEDTIME_ONCE, Typed("Thank you!"), Transition(BEDTIME_ONCE, (E.REASK,))),
    # a shared location
    (ZONE_FIRST, Located(), Transition(ZONE_FIRST, (E.READ_LOCATION,))),
    (ZONE_ONCE, Located(), Transition(ZONE_ONCE, (E.READ_LOCATION,))),
    (None, Located(), Transition(None, (E.LOCATION_UNASKED,))),
    (MORNING_FIRST, Located(), Transition(MORNING_FIRST, (E.LOCATION_UNASKED,))),
]


@pytest.mark.parametrize(("pending", "event", "expected"), TABLE)
def test_transitions(pending: Pending | None, event: Event, expected: Transition) -> None:
    assert step(pending, event) == expected


def test_a_whole_first_set_up() -> None:
    pending = step(None, Started(created=True)).pending
    for event in (Typed("thanks"), ZoneChosen(), TimeChosen(Step.MORNING)):
        pending = step(pending, event).pending
    assert pending == BEDTIME_FIRST
    assert step(pending, TimeChosen(Step.BEDTIME)) == Transition(None, (E.ALL_SET,))


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Berlin", True),
        ("new york", True),
        ("Europe/Berlin", True),
        ("UTC+5:30", True),
        ("7am", True),
        ("22:30", True),
        ("São Paulo", True),
        ("東京", True),
        ("thanks!", False),
        ("Thanks a lot!!", False),
        ("THANK YOU 🙏", False),
        ("👍", False),
        ("🙂🙂", False),
        ("ok", False),
        ("...", False),
        ("", False),
    ],
)
def test_what_counts_as_an_answer(text: str, answer: bool) -> None:
    assert is_an_answer(text) is answer
