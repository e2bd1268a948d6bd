"""The city index against its targets (issue #14): at most 40 MB added to the bot's RSS,
loaded lazily, and a lookup p99 of at most 20 ms.

Run: python benchmarks/places.py — in a fresh process, imports the bot (as it runs), then
measures the RSS the first lookup adds, the load time, and the latency of 2,000 lookups over
the 300-city test list plus typos, qualified names and non-places (which take the slowest,
fuzzy path), printing one table row per figure.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    import bot.app  # noqa: F401  (the bot's own imports, so only the index is counted)
    from bot.places import index

    cities = [
        line.split("\t")[0]
        for line in (ROOT / "tests/data/cities300.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    extra = [
        "Sao Paolo",
        "Mnchen",
        "Barcelonna",
        "Pittsbrugh",
        "Portland, OR",
        "Paris France",
        "thanks",
        "asdfghjkl",
        "Springfeld",
        "Valencia",
        "Birmingham, Alabama",
    ]
    queries = (cities + extra) * 7

    gc.collect()
    before = _rss_mb()
    began = time.perf_counter()
    index.find_places("Lyon")
    load_ms = (time.perf_counter() - began) * 1000
    gc.collect()
    added = _rss_mb() - before

    timings = []
    for query in queries[:2000]:
        began = time.perf_counter()
        index.find_places(query, "en")
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    worst = timings[-1]
    data = ROOT / "bot/places/data"
    disk = sum(f.stat().st_size for f in data.iterdir()) / 1e6
    print("| figure | target | measured |")
    print("|---|---|---|")
    print(f"| RSS added by the first lookup | <= 40 MB | {added:.1f} MB |")
    print(f"| first lookup (loads the index) | - | {load_ms:.0f} ms |")
    print(
        f"| lookup p50 / p99 / max ({len(timings)} lookups) | p99 <= 20 ms | "
        f"{p50:.2f} / {p99:.2f} / {worst:.2f} ms |"
    )
    print(f"| index on disk (bot/places/data) | - | {disk:.2f} MB |")


if __name__ == "__main__":
    main()
