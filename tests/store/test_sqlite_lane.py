"""The SQLite lane's single writes: those of one turn of the event loop go to the lane's thread
together (a burst of presses is saved in a few hops, not in a chain of 200), each still a
transaction of its own, in the order they were asked for."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text

from bot.store.db import sqlite_lane_engine
from bot.store.sqlite_lane import SqliteLane, WriterTurn


@pytest.fixture
async def lane(tmp_path: Path) -> AsyncIterator[SqliteLane]:
    sqlite3.connect(tmp_path / "lane.db").close()  # the lane opens only a file that exists
    engine = sqlite_lane_engine(f"sqlite+aiosqlite:///{tmp_path / 'lane.db'}")
    assert engine is not None
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE presses (id INTEGER PRIMARY KEY, n INTEGER UNIQUE)"))
    made = SqliteLane(engine, WriterTurn())
    yield made
    await made.close()


def _insert(n: int) -> Any:
    def work(conn: Connection) -> int:
        return conn.execute(text("INSERT INTO presses (n) VALUES (:n)"), {"n": n}).rowcount

    return work


def _count(conn: Connection) -> list[int]:
    return [row[0] for row in conn.execute(text("SELECT n FROM presses ORDER BY id"))]


def _hops(lane: SqliteLane) -> list[int]:
    """Counts the lane's trips to its thread (executor submissions)."""
    hops: list[int] = []
    thread = lane._thread
    submit = thread.submit

    def counted(*args: Any, **kwargs: Any) -> Any:
        hops.append(1)
        return submit(*args, **kwargs)

    thread.submit = counted  # type: ignore[method-assign]
    return hops


async def test_a_burst_of_single_writes_goes_to_the_thread_in_a_few_hops(
    lane: SqliteLane,
) -> None:
    hops = _hops(lane)
    results = await asyncio.gather(
        *(lane.run(_insert(n), write=True, single=True) for n in range(200))
    )
    assert results == [1] * 200
    # One hop for the 200 asked in one turn (one at a time they made 200 hops, in a chain).
    assert len(hops) <= 2
    assert await lane.run(_count, write=False) == list(range(200))  # in the order asked


async def test_a_failing_single_write_fails_alone_in_its_batch(lane: SqliteLane) -> None:
    first, clash, after = await asyncio.gather(
        lane.run(_insert(1), write=True, single=True),
        lane.run(_insert(1), write=True, single=True),  # the UNIQUE column refuses it
        lane.run(_insert(2), write=True, single=True),
        return_exceptions=True,
    )
    assert first == 1 and after == 1
    assert isinstance(clash, Exception) and "UNIQUE" in str(clash)
    assert await lane.run(_count, write=False) == [1, 2]


async def test_a_caller_that_stops_waiting_still_has_its_write_saved(lane: SqliteLane) -> None:
    waiting = asyncio.ensure_future(lane.run(_insert(7), write=True, single=True))
    others = asyncio.ensure_future(lane.run(_insert(8), write=True, single=True))
    await asyncio.sleep(0)  # both asked for; the batch is on its way
    waiting.cancel()
    assert await others == 1
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await lane.run(_count, write=False) == [7, 8]


async def test_a_single_write_inside_a_write_of_several_is_refused_not_stuck(
    lane: SqliteLane,
) -> None:
    turn = lane._turn

    async def nested() -> None:
        async with turn():
            await lane.run(_insert(1), write=True, single=True)

    with pytest.raises(RuntimeError, match="do not nest"):
        await asyncio.wait_for(nested(), timeout=5)
