"""A shared location's zone (issue 27): the nearest city's zone, the nautical zone at sea.

The table's answers are what timezonefinder's polygons gave at each point before it was
removed (benchmarks/zones.py compares the two on thousands of points)."""

from __future__ import annotations

import gzip
import math
import random
from datetime import UTC, datetime
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

import pytest

from bot.places.labels import zone_label
from bot.places.nearest import EARTH_KM, NearestPlaces, nautical_zone, nearest_places
from bot.places.zones import zone_from_location


@pytest.mark.parametrize(
    ("where", "latitude", "longitude", "zones"),
    [
        ("London", 51.5074, -0.1278, {"Europe/London"}),
        ("New York", 40.7128, -74.0060, {"America/New_York"}),
        ("Moscow", 55.7558, 37.6173, {"Europe/Moscow"}),
        ("Sydney", -33.8688, 151.2093, {"Australia/Sydney"}),
        ("São Paulo", -23.5505, -46.6333, {"America/Sao_Paulo"}),
        ("Berlin", 52.52, 13.405, {"Europe/Berlin"}),
        ("Madrid", 40.4168, -3.7038, {"Europe/Madrid"}),
        ("Tokyo", 35.6762, 139.6503, {"Asia/Tokyo"}),
        ("Mumbai", 19.07, 72.88, {"Asia/Kolkata"}),
        # Near zone borders: El Paso keeps mountain time, 10 km from Ciudad Juárez in Mexico;
        # Detroit is 2 km across the river from Windsor, Ontario.
        ("El Paso", 31.7619, -106.4850, {"America/Denver"}),
        ("Detroit", 42.3314, -83.0458, {"America/Detroit", "America/New_York"}),
        ("Honolulu", 21.3069, -157.8583, {"Pacific/Honolulu"}),
        ("Reykjavik", 64.1466, -21.9426, {"Atlantic/Reykjavik"}),
        # Either side of the 180th meridian: the grid wraps round.
        ("Suva", -18.1416, 178.4419, {"Pacific/Fiji"}),
        ("Apia", -13.8333, -171.7667, {"Pacific/Apia"}),
        ("Longyearbyen", 78.22, 15.65, {"Arctic/Longyearbyen"}),
        # Mid-ocean, more than 500 km from any city: the nautical zone, as the polygons said.
        ("mid-Pacific", 0.0, -160.0, {"Etc/GMT+11"}),
        ("North Pacific", 30.0, -140.0, {"Etc/GMT+9"}),
        ("Indian Ocean", -30.0, 80.0, {"Etc/GMT-5"}),
        ("North Pole", 90.0, 0.0, {"Etc/GMT"}),
    ],
)
def test_a_shared_location_gets_the_zone_people_there_keep(
    where: str, latitude: float, longitude: float, zones: set[str]
) -> None:
    assert zone_from_location(latitude, longitude) in zones, where


def test_a_point_not_on_earth_has_no_zone() -> None:
    assert zone_from_location(123.0, 0.0) is None
    assert zone_from_location(0.0, 181.0) is None
    assert zone_from_location(math.nan, 0.0) is None


@pytest.mark.parametrize(
    ("longitude", "zone", "utc_offset_hours"),
    [
        (0.0, "Etc/GMT", 0),
        (-7.4, "Etc/GMT", 0),
        (7.6, "Etc/GMT-1", 1),
        (80.0, "Etc/GMT-5", 5),  # east of Greenwich is ahead of UTC: POSIX writes it with "-"
        (-160.0, "Etc/GMT+11", -11),
        (179.9, "Etc/GMT-12", 12),
        (180.0, "Etc/GMT-12", 12),
        (-179.9, "Etc/GMT+12", -12),
    ],
)
def test_at_sea_the_zone_follows_the_longitude_with_the_posix_sign(
    longitude: float, zone: str, utc_offset_hours: int
) -> None:
    assert nautical_zone(longitude) == zone
    offset = datetime(2026, 1, 1, 12, tzinfo=UTC).astimezone(ZoneInfo(zone)).utcoffset()
    assert offset is not None and offset.total_seconds() == utc_offset_hours * 3600
    sign = "+" if utc_offset_hours > 0 else "−"
    shown = f"UTC{sign}{abs(utc_offset_hours)}" if utc_offset_hours else "UTC"
    assert zone_label(zone, "en") == shown


def _unit(latitude: float, longitude: float) -> tuple[float, float, float]:
    a, b = math.radians(latitude), math.radians(longitude)
    return math.cos(a) * math.cos(b), math.cos(a) * math.sin(b), math.sin(a)


def _brute_force(
    units: list[tuple[float, float, float]], latitude: float, longitude: float
) -> float:
    x, y, z = _unit(latitude, longitude)
    dot = max(x * u + y * v + z * w for u, v, w in units)
    return EARTH_KM * math.acos(max(-1.0, min(1.0, dot)))


def test_the_grid_finds_the_nearest_place_as_a_full_scan_does() -> None:
    """Places clustered and sparse, at the poles and on both sides of the 180th meridian: the
    grid's answer is always at the distance of the nearest one, or None beyond MAX_KM."""
    rng = random.Random(27)
    points: list[tuple[float, float, int]] = []
    for _ in range(1500):
        latitude = math.degrees(math.asin(2 * rng.random() - 1))
        points.append((latitude, 360 * rng.random() - 180, 0))
    for _ in range(300):  # a dense town and the edges of the grid
        points.append((48 + rng.random(), 2 + rng.random(), 1))
        points.append((89 + rng.random(), 360 * rng.random() - 180, 1))
        points.append(
            (-10 + 20 * rng.random(), 179.5 + rng.random() - 360 * (rng.random() < 0.5), 1)
        )
    places = NearestPlaces(points, ["Etc/GMT", "Etc/GMT-1"])
    units = [_unit(latitude, longitude) for latitude, longitude, _ in points]
    near = [(a + rng.uniform(-3, 3), b + rng.uniform(-3, 3)) for a, b, _ in rng.sample(points, 150)]
    anywhere = [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(50)]
    edges = [(90.0, 0.0), (-90.0, 0.0), (0.0, 180.0), (0.0, -180.0), (89.99, 179.99)]
    beyond = 0
    for latitude, longitude in near + anywhere + edges:
        latitude = max(-90.0, min(90.0, latitude))
        longitude = (longitude + 180) % 360 - 180
        expected = _brute_force(units, latitude, longitude)
        found = places.zone_near(latitude, longitude)
        if expected > 500:
            assert found is None, (latitude, longitude, expected)
            beyond += 1
        else:
            assert found is not None, (latitude, longitude, expected)
            assert found[1] == pytest.approx(expected, abs=1e-6), (latitude, longitude)
    assert 0 < beyond < 50  # both answers were tried


def test_the_shipped_points_are_the_index_cities_in_zones_this_machine_knows() -> None:
    # One point per city of cities15000, less the few that share a spot and a zone.
    assert 33_000 <= len(nearest_places()) <= 34_006
    data = resources.files("bot.places") / "data" / "zone_points.tsv.gz"
    with gzip.open(str(data), "rt", encoding="ascii") as lines:
        zones = [line.strip() for line in lines if "\t" not in line]
    assert len(zones) > 300
    assert set(zones) <= available_timezones()
