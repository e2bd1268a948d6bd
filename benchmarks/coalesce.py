"""Callers sharing statements (bot/store/coalesce.py) against a DataLoader and against none.

A webhook worker's updates arrive one per turn of the event loop, not all in one turn. So
this reads N users' rows on PostgreSQL with the calls arriving that way (one new caller per
turn, each reading once) and counts the statements, the wall time until every caller has its
row, and this process's CPU, three ways:

- **one statement per call**, as the hot path was before issue 28's sixth pass;
- **aiodataloader's DataLoader** (cache off), the library for batching loads in asyncio: it
  sends a batch for every turn that made calls, however many batches are already out;
- **Coalesced**: one batch out at a time, the next taking every caller that came meanwhile.

Run: python benchmarks/coalesce.py [--users 2000] [--runs 3]
(needs PostgreSQL at 127.0.0.1:5432, and `pip install aiodataloader` for the second row:
not a dependency of the bot; the row is skipped without it).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

T0 = datetime(2026, 12, 7, 22, 0, tzinfo=UTC)


async def arriving(users: int, read: Callable[[int], Awaitable[Any]]) -> float:
    """Start one reader per turn of the loop; the seconds until every one has its row."""
    began = time.perf_counter()
    readers = []
    for user_id in range(1, users + 1):
        readers.append(asyncio.ensure_future(read(user_id)))
        await asyncio.sleep(0)  # the next update arrives at the next turn
    rows = await asyncio.gather(*readers)
    assert all(row is not None for row in rows)
    return time.perf_counter() - began


async def main(users: int, runs: int) -> None:
    import asyncpg

    from bot.store import pg_hot
    from bot.store.coalesce import Coalesced
    from bot.store.db import create_engine, upgrade_async
    from bot.store.repo import Store

    try:
        from aiodataloader import DataLoader  # type: ignore[import-not-found]
    except ImportError:
        DataLoader = None

    name = f"limber_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    await upgrade_async(url)
    store = Store(create_engine(url))
    try:
        for user_id in range(1, users + 1):
            await store.upsert_user(user_id, user_id, f"U{user_id}", "en", T0)
        pg = store._pg
        assert pg is not None
        counted = {"statements": 0}

        async def by_ids(ids: Sequence[int]) -> list[Any]:
            counted["statements"] += 1
            return await pg._users(ids)

        async def one(user_id: int) -> Any:
            counted["statements"] += 1
            return await pg.one(f"SELECT {pg_hot.USERS} FROM users WHERE id = $1", user_id)

        ways: dict[str, Callable[[], Callable[[int], Awaitable[Any]]]] = {
            "one statement per call": lambda: one,
            "Coalesced (one batch out at a time)": lambda: Coalesced(by_ids).__call__,
        }
        if DataLoader is not None:
            ways["aiodataloader DataLoader (a batch per turn)"] = lambda: DataLoader(
                by_ids, cache=False
            ).load
        results: dict[str, list[tuple[int, float, float]]] = {way: [] for way in ways}
        for run in range(runs):
            order = list(ways) if run % 2 == 0 else list(reversed(ways))
            for way in order:
                read = ways[way]()
                counted["statements"] = 0
                cpu = time.process_time()
                wall = await arriving(users, read)
                cpu = time.process_time() - cpu
                results[way].append((counted["statements"], wall, cpu))
        print(f"{users} readers arriving one per loop turn, {runs} runs (medians)\n")
        print("| way | statements | wall ms until all answered | benchmark CPU ms |")
        print("|---|---|---|---|")
        for way, rows in results.items():
            statements = statistics.median(r[0] for r in rows)
            wall = statistics.median(r[1] for r in rows) * 1000
            cpu = statistics.median(r[2] for r in rows) * 1000
            print(f"| {way} | {statements:.0f} | {wall:.0f} | {cpu:.0f} |")
    finally:
        await store.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.users, args.runs))
