"""How long the /stats picture takes to render (issue #4: <= 300 ms).

Run: python benchmarks/stats_render.py  — renders a full 16 weeks of history with daily pain
answers (and, since issue 17, daily mobility checks, freezes and this week's panel) 50 times
and prints p50 / max in milliseconds.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.streaks import DayRecord
from bot.stats_chart import ChartData, render_stats_png


def main() -> None:
    today = date(2026, 11, 25)
    days = {today - timedelta(days=i): DayRecord(i % 3 != 1, i % 2 == 0) for i in range(112)}
    pain = {today - timedelta(days=i): (i * 7) % 11 for i in range(112)}
    data = ChartData(
        today=today,
        days=days,
        pain=pain,
        current=40,
        best=60,
        total_sessions=200,
        total_minutes=1000,
        full_days=50,
        freezes_held=2,
        title="Ann",
        # Issue 17: a mobility check every day (more than anyone does), freezes, this week.
        reach={
            today - timedelta(days=i): {"left": 30 + i % 5 * 15, "right": 90 - i % 5 * 15}
            for i in range(112)
        },
        frozen=frozenset(today - timedelta(days=i) for i in range(5, 112, 9)),
        week_lines=(
            "Sessions: 12 (last week 9)",
            "Minutes: 60",
            "Back pain: 3 on average",
            "Leg raise: about 68°",
            "Streak: 40 days",
        ),
    )
    timings = []
    for _ in range(50):
        began = time.perf_counter()
        png = render_stats_png(data)
        timings.append((time.perf_counter() - began) * 1000)
    print(
        f"| /stats picture, 16 weeks full | <= 300 ms | p50 {statistics.median(timings):.0f} ms,"
        f" max {max(timings):.0f} ms ({len(png) // 1024} KB PNG) |"
    )


if __name__ == "__main__":
    main()
