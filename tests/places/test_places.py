"""The city index: what people type at the time-zone question finds their zone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.places.index import find_places
from bot.places.labels import place_label, zone_label

CITIES = Path(__file__).parents[1] / "data" / "cities300.tsv"


def _world_cities() -> list[tuple[str, str]]:
    rows = [
        line.rstrip("\n").split("\t") for line in CITIES.read_text(encoding="utf-8").splitlines()
    ]
    return [(row[0], row[1]) for row in rows if row and not row[0].startswith("#")]


def test_at_least_98_percent_of_300_world_cities_resolve_to_the_right_zone() -> None:
    cities = _world_cities()
    assert len(cities) == 300
    right = [
        q
        for q, zone in cities
        if (r := find_places(q)).best and r.best.zone == zone and not r.ambiguous
    ]
    asked = [
        q
        for q, zone in cities
        if (r := find_places(q)).ambiguous and any(p.zone == zone for p in r.places)
    ]
    wrong = [q for q, _ in cities if q not in right and q not in asked]
    assert len(right) / len(cities) >= 0.98, (len(right), asked, wrong)
    # Where a name is ambiguous the right place is among the choices: nobody is sent wrong.
    assert wrong == []


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        # The misses.
        ("Lyon", "Europe/Paris"),
        ("Nagoya", "Asia/Tokyo"),
        ("Pittsburgh", "America/New_York"),
        ("Salt Lake City", "America/Denver"),
        ("Wien", "Europe/Vienna"),
        ("Roma", "Europe/Rome"),
        ("New York City", "America/New_York"),
        ("London, UK", "Europe/London"),
        ("Paris France", "Europe/Paris"),
        # City, State / City, Country, in several languages.
        ("Portland, Oregon", "America/Los_Angeles"),
        ("Portland, ME", "America/New_York"),
        ("Birmingham, Alabama", "America/Chicago"),
        ("Paris, Texas", "America/Chicago"),
        ("Valencia, España", "Europe/Madrid"),
        ("Москва, Россия", "Europe/Moscow"),
        ("Córdoba, Argentina", "America/Argentina/Cordoba"),
        # Local spellings and transliterations.
        ("München", "Europe/Berlin"),
        ("Muenchen", "Europe/Berlin"),
        ("Москва", "Europe/Moscow"),
        ("Київ", "Europe/Kyiv"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("Санкт-Петербург", "Europe/Moscow"),
        # Small typos.
        ("Sao Paolo", "America/Sao_Paulo"),
        ("Mnchen", "Europe/Berlin"),
        ("Pittsbrugh", "America/New_York"),
        ("Barcelonna", "Europe/Madrid"),
        # Short forms people use.
        ("NYC", "America/New_York"),
        ("LA", "America/Los_Angeles"),
    ],
)
def test_what_people_type_finds_their_city(typed: str, zone: str) -> None:
    found = find_places(typed, "en")
    assert found.best is not None and found.best.zone == zone


@pytest.mark.parametrize(
    ("typed", "language", "first_country"),
    [
        ("Valencia", "es", "ES"),
        ("Valencia", None, "VE"),
        ("Birmingham", "en", "GB"),
        ("Birmingham", "en-GB", "GB"),
    ],
)
def test_ambiguous_names_ask_with_the_likely_place_first(
    typed: str, language: str | None, first_country: str
) -> None:
    found = find_places(typed, language)
    if language == "en-GB":
        assert not found.ambiguous  # a British user's Birmingham is theirs
    else:
        assert found.ambiguous
        assert len({p.zone for p in found.places}) >= 2
    assert found.places[0].country == first_country


def test_a_spanish_speaker_gets_valencia_spain_and_an_american_still_gets_a_choice() -> None:
    spanish = find_places("Valencia", "es")
    assert [p.country for p in spanish.places[:2]] == ["ES", "VE"]
    american = find_places("Birmingham", "en-US")
    assert american.ambiguous
    assert {"GB", "US"} <= {p.country for p in american.places}


@pytest.mark.parametrize("typed", ["Paris", "Moscow", "Perth", "Vancouver", "Frankfurt"])
def test_one_dominant_place_or_the_same_clock_is_no_question(typed: str) -> None:
    assert not find_places(typed).ambiguous


@pytest.mark.parametrize(
    "typed", ["thanks", "👍", "yes", "utc", "ok", "asdfgh", "", "   ", "x" * 4096, "7:30"]
)
def test_answers_that_are_not_places_find_nothing(typed: str) -> None:
    assert find_places(typed).places == ()


def test_buttons_name_the_country_and_state_in_the_users_language() -> None:
    birmingham = find_places("Birmingham", "en")
    labels = [place_label(p, "en", birmingham.typed) for p in birmingham.places[:2]]
    assert labels == ["Birmingham, United Kingdom", "Birmingham, Alabama, United States"]
    valencia = find_places("Valencia", "es")
    assert place_label(valencia.places[0], "es", valencia.typed) == "Valencia, España"
    moscow = find_places("москва", "ru")
    assert place_label(moscow.places[0], "ru", moscow.typed) == "Москва, Россия"


@pytest.mark.parametrize(
    ("zone", "language", "label"),
    [
        ("America/New_York", "en", "New York, United States"),
        ("Europe/Madrid", "es", "Madrid, España"),
        ("Europe/Madrid", "pt_BR", "Madri, Espanha"),
        ("Asia/Kolkata", "de", "Kalkutta, Indien"),
        ("America/Sao_Paulo", "fr", "São Paulo, Brésil"),
        ("Europe/Moscow", "ru", "Москва, Россия"),
        ("Europe/Berlin", "pt-br", "Berlim, Alemanha"),  # a Telegram code works too
        ("Europe/Berlin", None, "Berlin, Germany"),
        ("Asia/Singapore", "fr", "Singapour"),  # not "Singapour, Singapour"
        ("UTC", "de", "UTC"),  # in no country
        ("America/Montreal", "fr", "Montreal, Canada"),  # an alias keeps its own city
    ],
)
def test_a_zone_is_named_as_a_place_in_the_users_language(
    zone: str, language: str | None, label: str
) -> None:
    assert zone_label(zone, language) == label


@pytest.mark.slow  # starts a real process
def test_the_index_loads_only_when_first_needed() -> None:
    probe = (
        "import bot.app, bot.places.index as ix; "
        "assert ix._loaded is None; ix.find_places('Lyon'); assert ix._loaded is not None"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=Path(__file__).parents[2])
