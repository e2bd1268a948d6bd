"""How a SQLite file keeps up with a burst of button presses.

On a SQLite file, two things keep a burst of button presses (200 users pressing Ready in the
same instant) from queueing for a second:
- Writers take turns inside the process (`WriterTurn`, an asyncio.Lock). Otherwise every
  waiting writer holds a pooled connection asleep in SQLite's busy handler, which wakes in
  growing steps (up to 100 ms), and readers wait for a free connection behind them. The busy
  timeout stays, for other processes (`python -m bot migrate`, a second bot by mistake).
- The session hot path (read a session, compare-and-set it, record what the chat shows) runs
  on one thread with a synchronous connection (`SqliteLane`), each transaction in one hop from
  the event loop. Through aiosqlite a read and a compare-and-set are 17 hops between the loop
  and the driver's thread plus the async ORM around them: about 3 ms of the event loop's CPU
  per press, so 200 presses took most of a second of CPU before the last one was answered.
- The lane takes its reads in batches: those asked for in one turn of the event loop go to the
  thread together, in one hop (each still a statement of its own). In a burst of 200 presses
  every press reads twice (its language, its session); a hop each (the executor, a future,
  waking the loop's self-pipe) cost more CPU than SQLite takes for the statement.
- Its single-statement writes (a press's compare-and-set, marking a step shown) go in batches
  too, under one writer's turn. One at a time, each waited for the previous one's round trip
  through the loop: in a burst of 200 presses the compare-and-sets ran in a chain of 0.65-0.8
  ms a link (the loop serving other presses' answers between links), so the last press was
  saved, and answered, 130-160 ms after the reads were done (design-notes, "Issue 28, third
  pass").
PostgreSQL needs neither: its writers lock rows, not the database, and it has no such hops.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from bot.store.db import SINGLE_STATEMENT

T = TypeVar("T")


class WriterTurn:
    """SQLite has one writer at a time: the writers of this process queue here, not in
    SQLite's busy handler."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    def refuse_nesting(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            # A second write transaction inside the first would wait for itself forever.
            raise RuntimeError("write transactions on SQLite do not nest")

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        self.refuse_nesting()
        async with self._lock:
            self._holder = asyncio.current_task()
            try:
                yield
            finally:
                self._holder = None


Work = Callable[[Connection], Any]
Queued = list[tuple[Work, "asyncio.Future[Any]"]]
Outcomes = list[tuple[bool, Any]]


class SqliteLane:
    """One thread with its own SQLite connections (one for transactions of one statement, reads
    and single writes; one for writes of several): a write of several statements is one hop
    from the event loop, holding the process's writer `turn`; the reads of one turn of the
    loop share a hop, and so do its single writes (under one turn), each statement a
    transaction of its own."""

    def __init__(self, engine: Engine, turn: WriterTurn) -> None:
        self._engine = engine
        self._turn = turn
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="limber-sqlite")
        # One statement (no BEGIN: SQLite makes it a transaction) -> its connection.
        self._connections: dict[bool, Connection] = {}
        self._reads: Queued = []
        self._writes: Queued = []
        # The batches of single writes under way: closing waits for them (they hold the turn).
        self._writing: set[asyncio.Task[None]] = set()
        self._closed = False

    async def run(
        self, work: Callable[[Connection], T], *, write: bool, single: bool = False
    ) -> T:
        """Run `work` in a transaction on the lane's thread; `single`: a write of one
        statement, which SQLite makes a transaction of its own (no BEGIN IMMEDIATE and COMMIT
        around it: 2 of a compare-and-set's 3 statements, benchmarks/lane_statements.py)."""
        if self._closed:
            raise RuntimeError("the SQLite lane is closed")
        loop = asyncio.get_running_loop()
        if write and single:
            self._turn.refuse_nesting()
            queued: asyncio.Future[T] = loop.create_future()
            self._writes.append((work, queued))
            if len(self._writes) == 1:  # the single writes of this turn of the loop go together
                loop.call_soon(self._write_batch)
            # Cancelled before its batch has the writer's turn, its write is dropped; after,
            # the thread makes it regardless (_write_all).
            return await queued
        if write:
            async with self._turn():
                done = loop.run_in_executor(self._thread, self._transaction, work, True, single)
                try:
                    return await asyncio.shield(done)
                except asyncio.CancelledError:
                    # The thread finishes the transaction regardless: keep the turn until it
                    # has, so no other writer of this process meets SQLite's lock meanwhile.
                    await asyncio.wait({done})
                    raise
        future: asyncio.Future[T] = loop.create_future()
        self._reads.append((work, future))
        if len(self._reads) == 1:  # the reads of this turn of the loop go together
            loop.call_soon(self._read_batch, loop)
        return await future

    def _write_batch(self) -> None:
        batch, self._writes = self._writes, []
        if not batch:  # already sent by close()
            return
        task = asyncio.ensure_future(self._write_all(batch))
        self._writing.add(task)
        task.add_done_callback(self._writing.discard)

    async def _write_all(self, batch: Queued) -> None:
        """Run a batch of single writes in one hop, in order, holding the writer's turn until
        the thread is done with them (so no writer of this process meets SQLite's lock)."""
        loop = asyncio.get_running_loop()
        try:
            async with self._turn():
                # A caller that stopped waiting before its write was handed over: not made, as
                # when each write waited for the turn on its own.
                batch = [(work, future) for work, future in batch if not future.cancelled()]
                if not batch:
                    return
                works = [work for work, _ in batch]
                done = loop.run_in_executor(self._thread, self._batch, works, True)
                try:
                    outcomes = await asyncio.shield(done)
                except asyncio.CancelledError:
                    # The thread finishes the batch regardless: the turn is kept until it
                    # has (through a second cancel too), and its callers learn what happened.
                    while not done.done():
                        with contextlib.suppress(asyncio.CancelledError):
                            await asyncio.wait({done})
                    _deliver(batch, _outcomes(done, len(batch)))
                    raise
            _deliver(batch, outcomes)
        except Exception as exc:  # the lane is closed (its thread takes no more work)
            _deliver(batch, [(False, exc)] * len(batch))
        finally:
            for _, future in batch:  # none is left waiting, whatever happened
                if not future.done():
                    future.cancel()

    def _read_batch(self, loop: asyncio.AbstractEventLoop) -> None:
        batch, self._reads = self._reads, []
        try:
            done = self._thread.submit(self._batch, [work for work, _ in batch], False)
        except RuntimeError as exc:  # the lane is closed
            _deliver(batch, [(False, exc)] * len(batch))
            return
        done.add_done_callback(
            lambda f: loop.call_soon_threadsafe(_deliver, batch, _outcomes(f, len(batch)))
        )

    def _batch(self, works: list[Work], write: bool) -> Outcomes:
        """Each work in a transaction of its own (`write`: single writes, one statement each)."""
        outcomes: Outcomes = []
        for work in works:
            try:
                outcomes.append((True, self._transaction(work, write, write)))
            except Exception as exc:  # delivered to the caller of that work alone
                outcomes.append((False, exc))
        return outcomes

    def _transaction(self, work: Work, write: bool, single: bool = False) -> Any:
        # Hot reads, and single writes, are one statement each: a transaction on its own. One
        # thread runs them all, so the two kinds can share a connection.
        key = single or not write
        conn = self._connections.get(key)
        if conn is None:
            conn = self._engine.connect()
            if key:
                conn = conn.execution_options(**{SINGLE_STATEMENT: True})
            self._connections[key] = conn
        try:
            with conn.begin():
                return work(conn)
        except BaseException:
            # Whatever broke, the next transaction gets a fresh connection, not this one.
            del self._connections[key]
            conn.close()
            raise

    def _close(self) -> None:
        for conn in self._connections.values():
            conn.close()
        self._connections.clear()
        self._engine.dispose()

    async def close(self) -> None:
        self._closed = True
        # Writes asked for before the close are made first, those still queued included.
        while self._writes or self._writing:
            self._write_batch()
            await asyncio.wait(set(self._writing))
        # SQLite connections are closed on the thread that opened them.
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=False)


def _outcomes(done: Future[Outcomes] | asyncio.Future[Outcomes], count: int) -> Outcomes:
    exc = done.exception()
    return [(False, exc)] * count if exc is not None else done.result()


def _deliver(batch: Queued, outcomes: Outcomes) -> None:
    for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
        if future.done():  # its caller was cancelled
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
