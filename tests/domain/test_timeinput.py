"""What people type as a time of day, and as a place."""

from __future__ import annotations

from datetime import time

import pytest

from bot.domain.timeinput import (
    Plausibility,
    in_the_night,
    parse_time_of_day,
    plausible,
    read_time,
)
from bot.places.zones import is_utc_offset, resolve_zone, suggest_zones, zone_from_location


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7:30", time(7, 30)),
        ("07:30", time(7, 30)),
        ("7.30", time(7, 30)),
        ("7am", time(7, 0)),
        ("7 AM", time(7, 0)),
        ("7:30am", time(7, 30)),
        ("10:30 pm", time(22, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        (" 22:00 ", time(22, 0)),
        ("22h", time(22, 0)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("0730", time(7, 30)),
        ("7 30", time(7, 30)),
        ("7", time(7, 0)),
        ("noon", time(12, 0)),
        ("midnight", time(0, 0)),
        ("half past ten", time(10, 30)),
        ("quarter to eight", time(7, 45)),
        ("half ten", time(10, 30)),  # British for half past ten
        ("half seven", time(7, 30)),
        ("half 10", time(10, 30)),
        ("at 10:30 p.m.", time(22, 30)),
    ],
)
def test_accepted_times(typed: str, expected: time) -> None:
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "25:99",
        "24:00",
        "13pm",
        "0am",
        "7:60",
        "",
        "   ",
        "soon",
        "🙂",
        "x" * 4096,
        "7:3",
        "1 2 3",
        "7:30:00",
        "thanks",
        "half past",
        "32",
        "-1",
        "+7",
        "− 7:30",
    ],
)
def test_refused_times(typed: str) -> None:
    assert parse_time_of_day(typed) is None


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("es", "7 y media", time(7, 30)),
        ("es", "a las 10 de la noche", time(22, 0)),
        ("es", "mediodía", time(12, 0)),
        ("es", "medianoche", time(0, 0)),
        ("es", "diez menos cuarto", time(9, 45)),
        ("pt-br", "7 e meia", time(7, 30)),
        ("pt-br", "às 21h", time(21, 0)),
        ("pt-br", "7h30", time(7, 30)),
        ("pt-br", "meia-noite", time(0, 0)),
        ("pt-br", "meio-dia", time(12, 0)),
        ("de", "7 Uhr", time(7, 0)),
        ("de", "um 7 Uhr 30", time(7, 30)),
        ("de", "halb acht", time(7, 30)),
        ("de", "viertel nach sieben", time(7, 15)),
        ("de", "neun Uhr abends", time(21, 0)),
        ("de", "Mitternacht", time(0, 0)),
        ("fr", "19h30", time(19, 30)),
        ("fr", "à 7h", time(7, 0)),
        ("fr", "dix heures et demie", time(10, 30)),
        ("fr", "7 heures du matin", time(7, 0)),
        ("fr", "minuit", time(0, 0)),
        ("fr", "midi", time(12, 0)),
        ("ru", "7 утра", time(7, 0)),
        ("ru", "в 9 вечера", time(21, 0)),
        ("ru", "в 21:00", time(21, 0)),
        ("ru", "11 ночи", time(23, 0)),
        ("ru", "полночь", time(0, 0)),
        ("ru", "полдень", time(12, 0)),
    ],
)
def test_times_as_each_language_writes_them(language: str, typed: str, expected: time) -> None:
    assert parse_time_of_day(typed) == expected, language


@pytest.mark.parametrize(
    ("morning", "typed", "fits", "instead"),
    [
        (True, "7:30", True, None),
        (True, "7", True, None),
        (False, "22:00", True, None),
        (False, "00:30", True, None),
        # A bedtime typed as "7" or "7:30" is most likely the evening: offer 19:00 / 19:30.
        (False, "7", False, time(19, 0)),
        (False, "half past ten", False, time(22, 30)),
        (False, "7:30", False, time(19, 30)),
        # "7:30am" as a bedtime fixed the half: ask, with nothing better to offer.
        (False, "7:30am", False, None),
        (False, "07:30", False, None),
        # A morning nudge in the evening.
        (True, "19:30", False, None),
        (True, "7pm", False, None),
        (True, "12", True, None),
        # Midnight and just after it: a bedtime as people mean it; as a morning nudge, asked.
        (False, "midnight", True, None),
        (False, "0:30", True, None),
        (False, "12am", True, None),
        (False, "half twelve", False, time(0, 30)),
        (True, "midnight", False, None),
        (True, "0:30", False, None),
    ],
)
def test_a_nudge_time_in_the_wrong_half_of_the_day_is_questioned(
    morning: bool, typed: str, fits: bool, instead: time | None
) -> None:
    reading = read_time(typed)
    assert reading is not None
    assert plausible(morning, reading) == Plausibility(fits, instead)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("berlin", "Europe/Berlin"),
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("Kolkata", "Asia/Kolkata"),
        ("mumbai", "Asia/Kolkata"),
        ("são paulo", "America/Sao_Paulo"),
        ("san francisco", "America/Los_Angeles"),
        ("berln", "Europe/Berlin"),
        ("new yrok", "America/New_York"),
        ("kiev", "Europe/Kyiv"),
    ],
)
def test_places_resolve_to_zones(typed: str, zone: str) -> None:
    match = resolve_zone(typed)
    assert match is not None and match.zone == zone


@pytest.mark.parametrize("typed", ["Mars/Olympus", "asdfgh", "", "   ", "x" * 4096, "🙂"])
def test_unknown_places_are_not_guessed(typed: str) -> None:
    assert resolve_zone(typed) is None


@pytest.mark.parametrize("typed", ["UTC+5:30", "GMT-3", "+02:00", "utc +1", "UTC−5"])
def test_offsets_are_recognised(typed: str) -> None:
    assert is_utc_offset(typed)


@pytest.mark.parametrize("typed", ["Berlin", "Europe/Berlin", "7:30"])
def test_non_offsets(typed: str) -> None:
    assert not is_utc_offset(typed)


def test_suggestions_follow_the_language() -> None:
    assert suggest_zones("de")[0].zone == "Europe/Berlin"
    assert suggest_zones("en-GB")[0].zone == "Europe/London"
    assert suggest_zones("pt-BR")[0].zone == "America/Sao_Paulo"
    assert len(suggest_zones(None)) == 4
    assert len(suggest_zones("xx")) == 4


def test_a_location_gives_its_zone_offline() -> None:
    assert zone_from_location(52.52, 13.405) == "Europe/Berlin"
    assert zone_from_location(19.07, 72.88) == "Asia/Kolkata"
    assert zone_from_location(123.0, 0.0) is None


@pytest.mark.parametrize(
    ("typed", "night"),
    [
        ("midnight", True),
        ("0:30", True),
        ("12am", True),
        ("4:59", True),
        ("5:00", False),
        ("19:30", False),
        ("noon", False),
    ],
)
def test_the_small_hours_are_the_night_not_the_evening(typed: str, night: bool) -> None:
    reading = read_time(typed)
    assert reading is not None
    assert in_the_night(reading.value) is night


@pytest.mark.parametrize(
    ("kind", "hour", "expected"),
    [
        ("morning", 7, "morning"),
        ("morning", 21, "bedtime"),  # a morning nudge answered at night
        ("morning", 14, "morning"),
        ("bedtime", 22, "bedtime"),
        ("bedtime", 1, "bedtime"),  # still last night's bedtime
        ("bedtime", 8, "morning"),  # answered the next morning
        ("desk", 21, "desk"),
    ],
)
def test_start_now_starts_what_fits_the_time_it_is_pressed(
    kind: str, hour: int, expected: str
) -> None:
    from datetime import UTC, datetime

    from bot.domain.nudge_rules import kind_for_now

    assert kind_for_now(kind, datetime(2026, 11, 25, hour, tzinfo=UTC), "UTC") == expected
