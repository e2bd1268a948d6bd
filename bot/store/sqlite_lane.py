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
PostgreSQL needs neither: its writers lock rows, not the database, and it has no such hops.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
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

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            # A second write transaction inside the first would wait for itself forever.
            raise RuntimeError("write transactions on SQLite do not nest")
        async with self._lock:
            self._holder = task
            try:
                yield
            finally:
                self._holder = None


class SqliteLane:
    """One thread with its own SQLite connections (one for reads, one for writes): a
    transaction handed to it is one hop from the event loop, whatever it runs."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="limber-sqlite")
        self._connections: dict[bool, Connection] = {}

    async def run(self, work: Callable[[Connection], T], *, write: bool) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._transaction, work, write)

    def _transaction(self, work: Callable[[Connection], T], write: bool) -> T:
        conn = self._connections.get(write)
        if conn is None:
            conn = self._engine.connect()
            if not write:
                # Hot reads are one statement each, a consistent snapshot on its own.
                conn = conn.execution_options(**{SINGLE_STATEMENT: True})
            self._connections[write] = conn
        try:
            with conn.begin():
                return work(conn)
        except BaseException:
            # Whatever broke, the next transaction gets a fresh connection, not this one.
            del self._connections[write]
            conn.close()
            raise

    def _close(self) -> None:
        for conn in self._connections.values():
            conn.close()
        self._connections.clear()
        self._engine.dispose()

    async def close(self) -> None:
        # SQLite connections are closed on the thread that opened them.
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=False)
