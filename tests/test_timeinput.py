"""What people type as a time of day, and as a place."""

from __future__ import annotations

from datetime import time

import pytest

from bot.domain.timeinput import parse_time_of_day
from bot.domain.timezones import is_utc_offset, resolve_zone, suggest_zones, zone_from_location


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
    ],
)
def test_accepted_times(typed: str, expected: time) -> None:
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["25:99", "24:00", "13pm", "0am", "7:60", "", "   ", "soon", "0730", "🙂", "x" * 4096, "7:3"],
)
def test_refused_times(typed: str) -> None:
    assert parse_time_of_day(typed) is None


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
