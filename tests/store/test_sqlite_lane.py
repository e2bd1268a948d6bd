"""The SQLite lane's single writes: those of one turn of the event loop go to the lane's thread
together (a burst of presses is saved in a few hops, not in a chain of 200), each still a
transaction of its own, in the order they were asked for."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from bot.store.db import sqlite_lane_engine
from bot.store.sqlite_lane import SqliteLane, WriterTurn


def _made_lane(path: Path) -> SqliteLane:
    sqlite3.connect(path).close()  # the lane opens only a file that exists
    engine = sqlite_lane_engine(f"sqlite+aiosqlite:///{path}")
    assert engine is not None
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE presses (id INTEGER PRIMARY KEY, n INTEGER UNIQUE)"))
    return SqliteLane(engine, WriterTurn())


@pytest.fixture
async def lane(tmp_path: Path) -> AsyncIterator[SqliteLane]:
    made = _made_lane(tmp_path / "lane.db")
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
    hops = _hops(lane)
    first, clash, after = await asyncio.gather(
        lane.run(_insert(1), write=True, single=True),
        lane.run(_insert(1), write=True, single=True),  # the UNIQUE column refuses it
        lane.run(_insert(2), write=True, single=True),
        return_exceptions=True,
    )
    assert len(hops) == 1  # the three went together
    assert first == 1 and after == 1
    # SQLAlchemy's error, which the store's callers catch (users.py), not the driver's.
    assert isinstance(clash, IntegrityError)
    assert await lane.run(_count, write=False) == [1, 2]


async def test_writes_asked_while_a_batch_is_on_the_thread_go_in_the_next(
    lane: SqliteLane,
) -> None:
    hops = _hops(lane)
    on_thread, go_on = threading.Event(), threading.Event()

    def slow(conn: Connection) -> int:
        on_thread.set()
        go_on.wait(timeout=10)
        return int(_insert(1)(conn))

    first = asyncio.ensure_future(lane.run(slow, write=True, single=True))
    assert await asyncio.to_thread(on_thread.wait, 10)
    later = [asyncio.ensure_future(lane.run(_insert(n), write=True, single=True)) for n in (2, 3)]
    await asyncio.sleep(0.05)
    go_on.set()
    assert await first == 1 and [await w for w in later] == [1, 1]
    assert len(hops) == 2
    assert await lane.run(_count, write=False) == [1, 2, 3]


async def test_a_write_whose_caller_stopped_waiting_before_it_was_handed_over_is_not_made(
    lane: SqliteLane,
) -> None:
    async with lane._turn():  # another writer of this process holds the turn meanwhile
        dropped = asyncio.ensure_future(lane.run(_insert(7), write=True, single=True))
        kept = asyncio.ensure_future(lane.run(_insert(8), write=True, single=True))
        await asyncio.sleep(0.05)  # both queued, their batch waiting for the turn
        dropped.cancel()
    assert await kept == 1
    with pytest.raises(asyncio.CancelledError):
        await dropped
    assert await lane.run(_count, write=False) == [8]


async def test_closing_makes_the_writes_already_asked_for_and_refuses_later_ones(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lane.db"
    lane = _made_lane(path)
    asked = [asyncio.ensure_future(lane.run(_insert(n), write=True, single=True)) for n in (1, 2)]
    await asyncio.sleep(0)  # asked for; not yet on their way to the thread
    await lane.close()
    assert [await w for w in asked] == [1, 1]
    with pytest.raises(RuntimeError, match="closed"):
        await lane.run(_insert(3), write=True, single=True)
    with sqlite3.connect(path) as db:
        assert [n for (n,) in db.execute("SELECT n FROM presses ORDER BY id")] == [1, 2]


async def test_a_single_write_inside_a_write_of_several_is_refused_not_stuck(
    lane: SqliteLane,
) -> None:
    turn = lane._turn

    async def nested() -> None:
        async with turn():
            await lane.run(_insert(1), write=True, single=True)

    with pytest.raises(RuntimeError, match="do not nest"):
        await asyncio.wait_for(nested(), timeout=5)
