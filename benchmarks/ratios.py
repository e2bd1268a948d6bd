"""Limber against the stack's own floor, side by side in one run (issue 28's targets).

The floor is benchmarks/floor_bot.py: PTB 22 with the same HTTP layer, webhook server and
Bot API calls as a session's first steps, and no Limber (no database, no session machine, no
texts). Each pair is measured back to back in this one run, floor then Limber, so both see
the same machine; each target is a ratio to the floor of that run. The machine's load average
is printed at the start and the end: a run beside other work says so.

- PostgreSQL, one webhook worker (benchmarks/workers.py): 300 users send /stretch at once,
  then all press Ready at once (updates/s, the worker's CPU per update); then 300 others
  press Ready spread over one second (press to answer, p99).
- PostgreSQL, three webhook workers: the same burst (updates/s), reported beside the floor's.
- SQLite, polling (benchmarks/floor_burst.py and benchmarks/load.py --nudges 0): 200 users
  press Ready at the same moment (press to answer p99, the bot's CPU per press).

Run: python benchmarks/ratios.py [--runs 1] [--users 300] [--burst 200]
(needs PostgreSQL at 127.0.0.1:5432, as workers.py does).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import floor_burst  # noqa: E402
import load  # noqa: E402
import workers  # noqa: E402

# (what, floor's figure, Limber's figure, how the ratio is read, its bound)
Row = tuple[str, float, float, str, float | None]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min) / {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def measure(users: int, burst: int) -> list[Row]:
    rows: list[Row] = []
    floor1 = asyncio.run(workers.run(1, users, floor=True))
    limber1 = asyncio.run(workers.run(1, users))
    rows.append(
        (
            "PostgreSQL, one worker, burst: updates/s",
            floor1["updates_per_s"],
            limber1["updates_per_s"],
            ">=",
            0.60,
        )
    )
    rows.append(
        (
            "PostgreSQL, one worker, burst: worker CPU ms per update",
            floor1["cpu_ms"][0],
            limber1["cpu_ms"][0],
            "<=",
            1.6,
        )
    )
    rows.append(
        (
            "PostgreSQL, one worker, burst: PostgreSQL's CPU ms per update",
            floor1["cpu_ms"][1],
            limber1["cpu_ms"][1],
            "",
            None,
        )
    )
    rows.append(
        (
            f"PostgreSQL, one worker, {users} presses over 1 s: press to answer p99 ms "
            "(target: Limber's <= 100 ms)",
            floor1["p99_ms"],
            limber1["p99_ms"],
            "ms<=",
            100.0,
        )
    )
    floor3 = asyncio.run(workers.run(3, users, floor=True))
    limber3 = asyncio.run(workers.run(3, users))
    rows.append(
        (
            "PostgreSQL, three workers, burst: updates/s",
            floor3["updates_per_s"],
            limber3["updates_per_s"],
            "",
            None,
        )
    )
    floor_sqlite = asyncio.run(floor_burst.run(burst))
    limber_sqlite = asyncio.run(load.run(burst, 0, 1, False))
    rows.append(
        (
            f"SQLite, {burst} presses at once: press to answer p99 ms",
            floor_sqlite["p99"],
            limber_sqlite["burst_p99_ms"],
            "<=",
            1.5,
        )
    )
    rows.append(
        (
            f"SQLite, {burst} presses at once: bot CPU ms per press",
            floor_sqlite["cpu"],
            limber_sqlite["burst_cpu_ms_per_press"],
            "<=",
            1.5,
        )
    )
    return rows


def _verdict(ratio: float, limber: float, how: str, bound: float | None) -> str:
    if bound is None:
        return "-"
    if how == "ms<=":
        return f"{'met' if limber <= bound else 'NOT met'} (<= {bound:.0f} ms)"
    ok = ratio >= bound if how == ">=" else ratio <= bound
    return f"{'met' if ok else 'NOT met'} ({how} {bound})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1, help="pairs per figure; medians shown")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--burst", type=int, default=200)
    args = parser.parse_args()
    print(f"machine load at the start: {_load()}")
    runs = [measure(args.users, args.burst) for _ in range(args.runs)]
    print(f"machine load at the end: {_load()}")
    print()
    print("| figure | floor | Limber | Limber / floor | target |")
    print("|---|---|---|---|---|")
    for i, (what, _, _, how, bound) in enumerate(runs[0]):
        floor = statistics.median(r[i][1] for r in runs)
        limber = statistics.median(r[i][2] for r in runs)
        ratio = statistics.median(r[i][2] / r[i][1] if r[i][1] else float("inf") for r in runs)
        print(
            f"| {what} | {floor:.2f} | {limber:.2f} | {ratio:.2f} | "
            f"{_verdict(ratio, limber, how, bound)} |"
        )


if __name__ == "__main__":
    main()
