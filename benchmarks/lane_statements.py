"""The SQLite lane's three statements of every press, through SQLAlchemy's `execute` and on
sqlite3 itself (bot/store/sqlite_hot.py), side by side on one file.

Each statement runs the way the lane runs it, on a pysqlite connection: before, the read with
no BEGIN (SINGLE_STATEMENT) and the compare-and-set and mark-shown each inside BEGIN IMMEDIATE
... COMMIT, all through SQLAlchemy's execute; now, each on sqlite3 and each write a statement
of its own, as SQLite makes it a transaction by itself. Prints microseconds per statement
(median of 5 rounds of N) and the ratio.

Run: python benchmarks/lane_statements.py [--n 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Connection  # noqa: E402

from bot.domain.session import Event, apply, begin  # noqa: E402
from bot.routines import load_routines  # noqa: E402
from bot.store import sessions  # noqa: E402
from bot.store.db import SINGLE_STATEMENT, create_engine, sqlite_lane_engine, upgrade_async  # noqa: E402
from bot.store.records import state_columns  # noqa: E402
from bot.store.repo import Store  # noqa: E402

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


async def seed(url: str) -> None:
    await upgrade_async(url)
    store = Store(create_engine(url))
    try:
        routine = load_routines(ROOT / "routines.toml").default
        await store.upsert_user(1, 1, "A", None, T0)
        await store.start_session(1, 1, routine.id, begin(routine, T0), T0)
    finally:
        await store.close()


def rounds(work: Callable[[], Any], n: int) -> float:
    """Median microseconds per call over 5 rounds of n."""
    per_call = []
    for _ in range(5):
        began = time.perf_counter()
        for _ in range(n):
            work()
        per_call.append((time.perf_counter() - began) / n * 1e6)
    return statistics.median(per_call)


def measure(url: str, n: int) -> list[tuple[str, float, float]]:
    engine = sqlite_lane_engine(url)
    assert engine is not None
    routine = load_routines(ROOT / "routines.toml").default
    reader = engine.connect().execution_options(**{SINGLE_STATEMENT: True})
    writer = engine.connect()
    # The lane's connection for writes of one statement (no BEGIN IMMEDIATE, no COMMIT).
    single = engine.connect().execution_options(**{SINGLE_STATEMENT: True})
    state = apply(begin(routine, T0), Event.READY, routine, T0, switch_seconds=5).state
    version = [1]

    def read_orm() -> None:
        with reader.begin():
            reader.execute(sessions._SELECT_SESSION, {"b_id": 1}).one_or_none()

    def read_raw() -> None:
        with reader.begin():
            sessions._SELECT_SESSION_RAW.one_or_none(reader, {"b_id": 1})

    def cas_values() -> dict[str, Any]:
        values: dict[str, Any] = {f"b_{k}": v for k, v in state_columns(state).items()}
        seen = version[0]
        version[0] += 1
        values.update(
            b_id=1,
            b_seen=seen,
            b_version=seen + 1,
            b_updated_at=T0 + timedelta(seconds=seen),
            b_show_claimed_by=None,
            b_show_claimed_until=None,
        )
        return values

    def cas(run: Callable[[Connection, dict[str, Any]], int], on: Connection) -> Callable[[], None]:
        def go() -> None:
            with on.begin():
                assert run(on, cas_values()) == 1

        return go

    def shown(
        run: Callable[[Connection, dict[str, Any]], int], on: Connection
    ) -> Callable[[], None]:
        def go() -> None:
            with on.begin():
                run(on, {"b_id": 1, "b_version": version[0], "b_message_id": 7})

        return go

    results = [
        ("read the session (with its owner's language)", rounds(read_orm, n), rounds(read_raw, n)),
        (
            "compare-and-set the session",
            rounds(cas(lambda c, v: c.execute(sessions._CAS_SESSION, v).rowcount, writer), n),
            rounds(cas(sessions._CAS_SESSION_RAW.rowcount, single), n),
        ),
        (
            "mark the step shown",
            rounds(shown(lambda c, v: c.execute(sessions._MARK_SHOWN_IN, v).rowcount, writer), n),
            rounds(shown(sessions._MARK_SHOWN_IN_RAW.rowcount, single), n),
        ),
    ]
    reader.close()
    writer.close()
    single.close()
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        asyncio.run(seed(url))
        results = measure(url, args.n)
    print("| statement | before: SQLAlchemy (writes in BEGIN IMMEDIATE) | now: sqlite3 | ratio |")
    print("|---|---|---|---|")
    for label, orm, raw in results:
        print(f"| {label} | {orm:.1f} us | {raw:.1f} us | {orm / raw:.2f}x |")


if __name__ == "__main__":
    main()
