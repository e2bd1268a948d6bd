"""The PostgreSQL hot path's connections, kept checked out and handed round.

Every update makes two to ten one-statement round trips on the hot path (the sender's row, the
session, its compare-and-set, marking it shown). Taken from SQLAlchemy's pool each time, a
round trip cost 0.50 ms of a worker's CPU here, half of it the pool's checkout and check-in
(events, reset, bookkeeping); on a connection kept open it cost 0.24 ms (2,000 reads of a
user row; docs/design-notes.md). So the hot path keeps its few connections out of
the pool for good and passes them from one coroutine to the next through a queue.

A connection found dead (PostgreSQL restarted) is replaced and the statement tried once more
on the new one: a compare-and-set cannot apply twice. One left in an unknown state by a
cancelled coroutine is thrown away, and a fresh one opened when next needed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, InvalidRequestError, OperationalError
from sqlalchemy.exc import TimeoutError as NoConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

T = TypeVar("T")
# As long as SQLAlchemy's pool made a caller wait for a connection (pool_timeout).
WAIT_SECONDS = 30.0


def _finished(conn: Connection, work: Callable[[Connection], T]) -> T:
    # In autocommit each statement is its own transaction; ending SQLAlchemy's own (virtual)
    # one keeps the connection clean for the next coroutine, and costs no round trip.
    try:
        result = work(conn)
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
    return result


def _begin(conn: Connection) -> None:
    # The connection is in autocommit: a transaction of several statements is opened and
    # closed by hand (what SQLAlchemy's begin() would send, without its bookkeeping).
    conn.exec_driver_sql("BEGIN")


def _in_transaction(conn: Connection, work: Callable[[Connection], T]) -> T:
    try:
        result = work(conn)
    except BaseException:
        # A connection SQLAlchemy has already given up on (a cancellation mid-statement, a
        # dead server) takes no ROLLBACK: its error would replace the real one.
        if not conn.invalidated:
            try:
                conn.exec_driver_sql("ROLLBACK")
            except Exception:
                conn.invalidate()  # state unknown: never handed to the next coroutine
        raise
    conn.exec_driver_sql("COMMIT")
    return result


class HeldConnections:
    """`size` autocommit connections of `engine`, opened when first needed and kept."""

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self.engine = engine
        self._idle: asyncio.Queue[AsyncConnection | None] = asyncio.Queue()
        for _ in range(size):
            self._idle.put_nowait(None)  # a place for a connection, opened on first use
        self._discarding: set[asyncio.Task[None]] = set()
        self._closed = False

    async def run(self, work: Callable[[Connection], T]) -> T:
        """`work` (one statement) on a held connection: one round trip."""
        return await self._run(work, transaction=False)

    async def run_transaction(self, work: Callable[[Connection], T]) -> T:
        """`work` (several statements) in one transaction on a held connection."""
        return await self._run(lambda conn: _in_transaction(conn, work), transaction=True)

    async def run_driver(self, work: Callable[[Any], Awaitable[T]], sql: str = "") -> T:
        """`work` given the held connection's asyncpg connection itself (`sql`: what it runs,
        for errors). One prebuilt statement run there costs a worker 56 us of CPU against
        202 us through SQLAlchemy's execute on the same held connection (pg_hot.py says
        why that matters). asyncpg's errors come out as SQLAlchemy's, as the store's callers
        expect: a unique key as IntegrityError, a lost server as OperationalError."""
        conn = await self._take()
        try:
            for attempt in range(2):
                if conn is None:
                    conn = await self.engine.connect()
                sync = conn.sync_connection
                assert sync is not None  # a connected AsyncConnection has one
                driver = sync.connection.driver_connection
                try:
                    return await work(driver)
                except asyncpg.IntegrityConstraintViolationError as exc:
                    raise IntegrityError(sql, None, exc) from exc
                except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError) as exc:
                    # Found dead (PostgreSQL restarted): once more on a fresh connection. A
                    # single statement that did land cannot apply twice: each is a
                    # compare-and-set, or meets a unique key.
                    self._discard(conn)
                    conn = None
                    if attempt:
                        raise OperationalError(sql, None, exc, connection_invalidated=True) from exc
                except asyncpg.PostgresError as exc:
                    raise DBAPIError(sql, None, exc) from exc
            raise AssertionError("unreachable")
        except BaseException as exc:
            # Cancelled or timed out mid-statement: the connection's state is unknown.
            if conn is not None and not isinstance(exc, DBAPIError):
                self._discard(conn)
                conn = None
            raise
        finally:
            if self._closed and conn is not None:
                self._discard(conn)
                conn = None
            self._idle.put_nowait(conn)

    async def _take(self) -> AsyncConnection | None:
        if self._closed:
            raise InvalidRequestError("the store is closed")
        if not self._idle.empty():
            # One free: no timeout to arm (a timer pushed on the loop's heap and cancelled,
            # per statement, for nothing).
            return self._idle.get_nowait()
        try:
            # The pool's own timeout, which the hot path used to have: with every held
            # connection stuck (a half-open link to a failed server), callers get an error
            # instead of queueing for good behind them.
            async with asyncio.timeout(WAIT_SECONDS):
                return await self._idle.get()
        except TimeoutError:
            raise NoConnection(f"no database connection free within {WAIT_SECONDS:.0f} s") from None

    async def _run(self, work: Callable[[Connection], T], *, transaction: bool) -> T:
        conn = await self._take()
        try:
            for attempt in range(2):
                started = False
                if conn is None:
                    conn = await self.engine.connect()
                try:
                    if transaction:
                        await conn.run_sync(_begin)
                    started = True
                    return await conn.run_sync(lambda sync: _finished(sync, work))
                except DBAPIError as exc:
                    if not exc.connection_invalidated and not conn.invalidated:
                        raise  # the statement's own error: the connection is fine
                    self._discard(conn)
                    conn = None
                    # Found dead: tried once more on a fresh connection, unless a transaction
                    # was under way (its COMMIT may have landed; the caller's retry decides).
                    if attempt or (transaction and started):
                        raise
            raise AssertionError("unreachable")
        except BaseException as exc:
            # Cancelled mid-statement, timed out, or anything else that leaves the connection
            # in a state nobody knows: thrown away, a fresh one opened when next needed.
            if conn is not None and (conn.invalidated or not isinstance(exc, DBAPIError)):
                self._discard(conn)
                conn = None
            raise
        finally:
            if self._closed and conn is not None:
                self._discard(conn)  # back after close(): closed, not kept
                conn = None
            self._idle.put_nowait(conn)

    def _discard(self, conn: AsyncConnection) -> None:
        task = asyncio.ensure_future(self._close(conn))
        self._discarding.add(task)
        task.add_done_callback(self._discarding.discard)

    @staticmethod
    async def _close(conn: AsyncConnection) -> None:
        with contextlib.suppress(Exception):
            await conn.invalidate()
        with contextlib.suppress(Exception):
            await conn.close()

    async def close(self) -> None:
        """Close the held connections; one still in use is closed when it comes back."""
        self._closed = True
        while not self._idle.empty():
            conn = self._idle.get_nowait()
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()
        if self._discarding:
            await asyncio.gather(*self._discarding, return_exceptions=True)
