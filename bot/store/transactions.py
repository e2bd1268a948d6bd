"""The transactions every store method runs in: short writes (taking their turn on SQLite),
reads that never wait for a writer, and the session hot path (on the SQLite lane for a file;
see bot/store/sqlite_lane.py for why)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.store.db import READONLY, hot_path_engine, sqlite_file, sqlite_lane_engine
from bot.store.errors import DatabaseProblem
from bot.store.held import HeldConnections
from bot.store.models import Base
from bot.store.sqlite_lane import SqliteLane, WriterTurn

T = TypeVar("T")
# The hot path's connections per process: all of db.hot_path_engine's pool, held.
HOT_CONNECTIONS = 5


class Transactions:
    """Async transactions over one engine: the base of `Store` and of its parts."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._write = async_sessionmaker(engine, expire_on_commit=False)
        # Reads take a deferred BEGIN on SQLite, so they never wait for a writer.
        self._readonly = engine.execution_options(**{READONLY: True})
        self._read = async_sessionmaker(self._readonly, expire_on_commit=False)
        url = engine.url.render_as_string(hide_password=False)
        sqlite = engine.dialect.name == "sqlite"
        # PostgreSQL writers lock rows, not the database: they need no turn.
        self._turn = WriterTurn() if sqlite else None
        lane = sqlite_lane_engine(url) if sqlite else None
        self._lane = SqliteLane(lane, self._turn) if lane is not None and self._turn else None
        # PostgreSQL: one-statement hot-path transactions in autocommit (db.hot_path_engine),
        # on connections kept out of the pool (held.py).
        self._hot = None if sqlite else hot_path_engine(url)
        self._held = None if self._hot is None else HeldConnections(self._hot, HOT_CONNECTIONS)
        self._file = sqlite_file(url)

    @property
    def single_process(self) -> bool:
        """Whether only one process can use this database (a SQLite file: one worker)."""
        return self._turn is not None

    @asynccontextmanager
    async def _writer_turn(self) -> AsyncIterator[None]:
        if self._turn is None:
            yield
            return
        async with self._turn():
            yield

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """A short write transaction, committed on success."""
        async with self._writer_turn(), self._write() as db, db.begin():
            yield db

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A read-only transaction."""
        async with self._read() as db, db.begin():
            yield db

    async def _hot_write(self, work: Callable[[Connection], T], *, single: bool = False) -> T:
        """A write transaction of the session hot path: on the lane for a SQLite file; on
        PostgreSQL on a held connection, in autocommit when `work` runs a `single` statement."""
        if self._held is not None:
            if single:
                return await self._held.run(work)
            return await self._held.run_transaction(work)
        if self._lane is not None:
            return await self._lane.run(work, write=True)  # taking the writer's turn
        async with self._writer_turn(), self.engine.begin() as conn:
            return await conn.run_sync(work)

    async def _hot_read(self, work: Callable[[Connection], T]) -> T:
        if self._lane is not None:
            return await self._lane.run(work, write=False)
        if self._held is not None:
            return await self._held.run(work)
        async with self._readonly.begin() as conn:
            return await conn.run_sync(work)

    async def ping(self) -> None:
        """A cheap round trip to the database; raises when it cannot answer.

        A SQLite file must also still be there: a process keeps reading and writing a file
        whose folder was deleted under it (its open descriptors still work), so SELECT 1 still
        answers while every write since is gone at the next restart.
        """
        if self._file is not None and not self._file.exists():
            raise DatabaseProblem(
                f"the database file {self._file} is gone (deleted or moved under the running "
                "bot): writes since are lost at restart; restore it and restart the bot"
            )
        for attempt in range(2):
            try:
                async with self._readonly.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                return
            except DBAPIError as exc:
                # A pooled connection found dead (db._ping_idle pings only idle ones): ask a
                # fresh one, which says why (the database gone, the server down).
                if attempt or not exc.connection_invalidated:
                    raise

    async def check_writable(self) -> None:
        """DatabaseProblem when the database answers but refuses writes (a file made read-only,
        a PostgreSQL database or server switched to read-only): a write, rolled back."""
        from bot.config import shown_url
        from bot.store.preflight import check_writable

        shown = shown_url(self.engine.url.render_as_string(hide_password=False))
        for attempt in range(2):
            try:
                async with self._writer_turn(), self.engine.connect() as conn:
                    await check_writable(conn, shown)
                return
            except DBAPIError as exc:
                if attempt or not exc.connection_invalidated:  # as in ping
                    raise

    async def count(self, model: type[Base]) -> int:
        """Rows in a table (for tests and health checks)."""
        async with self.reading() as db:
            return int(await db.scalar(select(func.count()).select_from(model)) or 0)

    async def close(self) -> None:
        """Dispose of the engine's connections (and the lane's)."""
        if self._lane is not None:
            lane, self._lane = self._lane, None
            await lane.close()
        if self._held is not None:
            await self._held.close()
        if self._hot is not None:
            await self._hot.dispose()
        await self.engine.dispose()
