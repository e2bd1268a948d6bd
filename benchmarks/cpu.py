"""CPU time of a process in nanoseconds, from the scheduler, not in clock ticks.

/proc/<pid>/stat counts user and system time in ticks of 10 ms (USER_HZ 100). The SQLite
burst's floor spends about 0.12-0.20 s of CPU on its 200 presses: 12-20 ticks, read twice,
so one reading of its CPU per press could be off by two ticks, 10-17 %, and its readings came
out in steps of 0.05 ms (0.60, 0.65, 0.95, 1.00 ms in four runs of 2026-12-07). The
scheduler's own count (/proc/<pid>/task/<tid>/schedstat, first field: nanoseconds on a CPU)
has no such step. It is per thread, so every thread of the process is summed; a thread that
ends between two readings takes its time with it (the bots' threads, aiosqlite's connection
threads among them, live as long as their pool's connections).
"""

from __future__ import annotations

import os


def cpu_ns(pid: int) -> int:
    """Nanoseconds the process's threads have run, 0 if it is gone."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # ended meanwhile
    return total


def cpu_seconds(*pids: int) -> float:
    """CPU seconds of the processes, together."""
    return sum(cpu_ns(pid) for pid in pids) / 1e9


def named(name: str) -> list[int]:
    """Every process called `name` (PostgreSQL's backends: "postgres")."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == name:
                        found.append(int(entry))
            except OSError:
                continue  # ended meanwhile
    return found
