"""A shared location's zone: the zone of the nearest populated place (great-circle distance).

The places are GeoNames' (data/zone_points.tsv.gz, written by bot/places/build.py): for each
zone, the points where people live in it. A point is found through a grid of 1-degree cells
built once, on the first location (most updates never share one): the search looks at the
cells within a radius, 25 km first, doubling until a place lies within it, up to MAX_KM.
Nothing within MAX_KM (mid-ocean, Antarctica) is None: the caller then gives the nautical
zone of the longitude, as the polygon data did at sea.
"""

from __future__ import annotations

import gzip
import math
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from importlib import resources

EARTH_KM = 6371.0088  # mean radius (IUGG)
# The first search radius: 72 % of GeoNames' 136,000 towns of 1,000 to 15,000 people have
# a shipped city within 25 km (median 15 km, p99 144 km), so one pass answers most.
FIRST_KM = 25.0
# Farther than this from every populated place is "at sea": chosen with benchmarks/zones.py
# against the polygons (docs/design-notes.md, "Issue 27").
MAX_KM = 500.0


class NearestPlaces:
    """Unit vectors of the places, sorted by 1-degree cell (row of latitude, then column of
    longitude), and each place's cell: arrays, 30 bytes a place."""

    def __init__(self, points: Iterable[tuple[float, float, int]], zones: list[str]) -> None:
        """`points`: latitude, longitude and the number of its zone in `zones`."""
        latitudes, longitudes, zone_of = array("d"), array("d"), array("H")
        for latitude, longitude, zone in points:
            latitudes.append(latitude)
            longitudes.append(longitude)
            zone_of.append(zone)
        # Sorted through positions, not tuples of (cell, place): with 34,000 tuples the load
        # peaked at 10 MB, now at 3.8 MB, of which 1.1 MB is kept (tracemalloc).
        cells = array("i", map(_cell, latitudes, longitudes))
        order = sorted(range(len(cells)), key=cells.__getitem__)
        self._zones = zones
        self._zone_of = array("H", (zone_of[i] for i in order))
        # Each place's cell, ascending: a row's cells from west to east are one run of places,
        # found by bisection.
        self._cells = array("i", (cells[i] for i in order))
        self._x, self._y, self._z = array("d"), array("d"), array("d")
        for i in order:
            x, y, z = _unit(latitudes[i], longitudes[i])
            self._x.append(x)
            self._y.append(y)
            self._z.append(z)

    @classmethod
    def load(cls) -> NearestPlaces:
        """From data/zone_points.tsv.gz: a zone's name on a line of its own, then its places,
        one a line: latitude and longitude in hundredths of a degree, tab-separated."""
        data = resources.files("bot.places") / "data" / "zone_points.tsv.gz"
        zones: list[str] = []

        def points(lines: Iterable[str]) -> Iterator[tuple[float, float, int]]:
            for line in lines:
                latitude, tab, longitude = line.rstrip("\n").partition("\t")
                if tab:
                    yield int(latitude) / 100, int(longitude) / 100, len(zones) - 1
                else:
                    zones.append(latitude)

        with gzip.open(str(data), "rt", encoding="ascii") as lines:
            return cls(points(lines), zones)

    def __len__(self) -> int:
        return len(self._zone_of)

    def zone_near(self, latitude: float, longitude: float) -> tuple[str, float] | None:
        """The zone of the place nearest to a point and its distance in km, if one lies within
        MAX_KM; else None."""
        radius = FIRST_KM
        while True:
            found = self._nearest_within(latitude, longitude, radius)
            if found is not None:
                number, km = found
                return self._zones[self._zone_of[number]], km
            if radius >= MAX_KM:
                return None
            radius = min(2 * radius, MAX_KM)

    def _nearest_within(
        self, latitude: float, longitude: float, radius_km: float
    ) -> tuple[int, float] | None:
        """The nearest place within `radius_km`, or None: every place that close lies in the
        cells this looks at, so the nearest of them is the nearest of all."""
        x, y, z = _unit(latitude, longitude)
        xs, ys, zs = self._x, self._y, self._z
        best, best_dot = -1, math.cos(radius_km / EARTH_KM)
        for start, stop in self._cells_around(latitude, longitude, radius_km):
            for number in range(start, stop):
                dot = x * xs[number] + y * ys[number] + z * zs[number]
                if dot >= best_dot:
                    best, best_dot = number, dot
        if best < 0:
            return None
        return best, EARTH_KM * math.acos(min(1.0, best_dot))

    def _cells_around(
        self, latitude: float, longitude: float, radius_km: float
    ) -> list[tuple[int, int]]:
        """The runs of places in the cells a circle of `radius_km` around the point touches."""
        angle = radius_km / EARTH_KM
        reach = math.degrees(angle)
        low = max(-90, math.floor(latitude - reach))
        high = min(89, math.floor(latitude + reach))
        columns = [(-180, 179)]  # a pole lies within the radius: every longitude
        if abs(latitude) + reach < 90:
            # The widest longitude difference of a point within `angle` (a small circle's
            # tangent meridians): asin(sin(angle) / cos(latitude)), Matuschek's bound.
            spread = math.degrees(math.asin(min(1.0, math.sin(angle) / _cos_deg(latitude))))
            west, east = math.floor(longitude - spread), math.floor(longitude + spread)
            if east - west < 359:  # else every longitude; across 180°, two runs a row
                columns = [
                    (max(west, -180), min(east, 179)),
                    *([(west + 360, 179)] if west < -180 else []),
                    *([(-180, east - 360)] if east > 179 else []),
                ]
        cells, found = self._cells, []
        for row in range(low, high + 1):
            for west, east in columns:
                start = bisect_left(cells, row * 360 + west)
                stop = bisect_right(cells, row * 360 + east, lo=start)
                if start < stop:
                    found.append((start, stop))
        return found


def _cos_deg(degrees: float) -> float:
    return math.cos(math.radians(degrees))


def _unit(latitude: float, longitude: float) -> tuple[float, float, float]:
    phi, lam = math.radians(latitude), math.radians(longitude)
    return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)


def _cell(latitude: float, longitude: float) -> int:
    row = min(89, math.floor(latitude))
    column = (math.floor(longitude) + 180) % 360 - 180  # 180 is -180
    return row * 360 + column


_loaded: NearestPlaces | None = None
_loading = threading.Lock()


def nearest_places() -> NearestPlaces:
    """The places, loaded on first use (threads may call it at once)."""
    global _loaded
    if _loaded is None:
        with _loading:
            if _loaded is None:
                _loaded = NearestPlaces.load()
    return _loaded


def nautical_zone(longitude: float) -> str:
    """The zone a ship keeps at `longitude`: 15 degrees an hour, centred on multiples of 15
    ("Etc/GMT-5" is UTC+5: POSIX names count the hours to add to reach UTC)."""
    hours_east = math.floor((longitude + 7.5) / 15)
    hours_east = max(-12, min(12, hours_east))
    if hours_east == 0:
        return "Etc/GMT"
    return f"Etc/GMT{'-' if hours_east > 0 else '+'}{abs(hours_east)}"
