"""Limber against the stack's own floor, side by side in one run (issue 28's targets).

The floor is benchmarks/floor_bot.py: PTB 22 with the same HTTP layer, webhook server and
Bot API calls as a session's first steps, and no Limber (no database, no session machine, no
texts). Each pair is measured back to back in this one run, seconds apart, floor then Limber
in odd runs and Limber then floor in even ones (`measure`), so both see the same machine and
a drift favours neither; each target is a ratio to the floor of that run. The machine's load average
is printed at the start and the end: a run beside other work says so.

- PostgreSQL, one webhook worker (benchmarks/workers.py): 300 users send /stretch at once,
  then all press Ready at once (updates/s, the worker's CPU per update); then 300 others
  press Ready spread over one second (press to answer, p99).
- PostgreSQL, three webhook workers: the same burst (updates/s), reported beside the floor's.
- SQLite, polling (benchmarks/floor_burst.py and benchmarks/load.py --nudges 0): 200 users
  press Ready at the same moment (press to answer p99, the bot's CPU per press).

`--before DIR` also runs the bot from another checkout (a worktree of an older commit) in the
same sitting, as a third column, so "before" and "after" are measured beside the same floor.

Run: python benchmarks/ratios.py [--runs 1] [--users 300] [--burst 200] [--before DIR]
(needs PostgreSQL at 127.0.0.1:5432, as workers.py does).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import floor_burst  # noqa: E402
import load  # noqa: E402
import workers  # noqa: E402

# (what, floor's figure, Limber's figure, how the ratio is read, its bound, before's figure)
Row = tuple[str, float, float, str, float | None, float | None]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min) / {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def measure(users: int, burst: int, before: Path | None, turn: int = 0) -> list[Row]:
    """One run of every figure. Each figure's builds run back to back (seconds apart, where
    the floor's three figures used to run before Limber's, minutes apart), and every other
    run (`turn` odd) Limber goes first: a machine that drifts within a run then favours
    neither side over the runs (ABBA)."""
    builds = [("floor", None), ("limber", ROOT)] + ([("before", before)] if before else [])
    if turn % 2:
        builds.reverse()
    figures: dict[str, dict[str, Any]] = {}
    for key in ("1", "3", "_sqlite"):
        for name, root in builds:
            floor = name == "floor"
            bot_root = root or ROOT
            if key == "_sqlite":
                figures[f"{name}{key}"] = (
                    asyncio.run(floor_burst.run(burst))
                    if floor
                    else asyncio.run(load.run(burst, 0, 1, False, bot_root=bot_root))
                )
            else:
                figures[f"{name}{key}"] = asyncio.run(
                    workers.run(int(key), users, bot_root=bot_root, floor=floor)
                )

    def row(what: str, key: str, pick: Any, how: str, bound: float | None) -> Row:
        was = figures.get(f"before{key}")
        return (
            what,
            pick(figures[f"floor{key}"]),
            pick(figures[f"limber{key}"]),
            how,
            bound,
            pick(was) if was is not None else None,
        )

    return [
        row("PostgreSQL, one worker, burst: updates/s", "1",
            lambda r: r["updates_per_s"], ">=", 0.60),
        row("PostgreSQL, one worker, burst: worker CPU ms per update", "1",
            lambda r: r["cpu_ms"][0], "<=", 1.6),
        row("PostgreSQL, one worker, burst: PostgreSQL's CPU ms per update", "1",
            lambda r: r["cpu_ms"][1], "", None),
        row(f"PostgreSQL, one worker, {users} presses over 1 s: press to answer p99 ms",
            "1", lambda r: r["p99_ms"], "ms<=", 100.0),
        # Near a core a second (users presses x this), the presses queue: what the p99 says.
        row(f"PostgreSQL, one worker, {users} presses over 1 s: worker CPU ms per press",
            "1", lambda r: r["spread_cpu_ms"], "", None),
        row("PostgreSQL, three workers, burst: updates/s", "3",
            lambda r: r["updates_per_s"], "", None),
        row("PostgreSQL, three workers, burst: workers' CPU ms per update", "3",
            lambda r: r["cpu_ms"][0], "", None),
        row(f"SQLite, {burst} presses at once: press to answer p99 ms", "_sqlite",
            lambda r: r.get("p99", r.get("burst_p99_ms")), "<=", 1.5),
        row(f"SQLite, {burst} presses at once: bot CPU ms per press", "_sqlite",
            lambda r: r.get("cpu", r.get("burst_cpu_ms_per_press")), "<=", 1.5),
    ]  # fmt: skip


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
    parser.add_argument("--before", type=Path, help="also run the bot from this checkout")
    args = parser.parse_args()
    print(f"machine load at the start: {_load()}")
    runs = [measure(args.users, args.burst, args.before, turn) for turn in range(args.runs)]
    print(f"machine load at the end: {_load()}")
    print()
    before = " before |" if args.before else ""
    print(f"| figure | floor |{before} Limber | Limber / floor | pairs' ratios | target |")
    print("|---|---|---|---|---|---|" + ("---|" if args.before else ""))
    for i, (what, _, _, how, bound, _) in enumerate(runs[0]):
        floor = statistics.median(r[i][1] for r in runs)
        limber = statistics.median(r[i][2] for r in runs)
        # A cost the floor does not have (PostgreSQL's CPU: it has no database; in nanoseconds
        # its background processes still show a few microseconds) has no ratio.
        pairs = [r[i][2] / r[i][1] if r[i][1] >= 0.01 else float("inf") for r in runs]
        ratio = statistics.median(pairs)
        spread = " ".join(f"{p:.2f}" if p != float("inf") else "-" for p in pairs)
        shown = f"{ratio:.2f}" if ratio != float("inf") else "-"
        was = ""
        if args.before:
            was = f" {statistics.median(float(r[i][5] or 0) for r in runs):.2f} |"
        print(
            f"| {what} | {floor:.2f} |{was} {limber:.2f} | {shown} | {spread} | "
            f"{_verdict(ratio, limber, how, bound)} |"
        )


if __name__ == "__main__":
    main()
