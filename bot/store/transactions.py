"""The transactions every store method runs in: short writes (taking their turn on SQLite),
reads that never wait for a writer, and the session hot path (on the SQLite lane for a file;
see bot/store/sqlite_lane.py for why)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.store.db import READONLY, hot_path_engine, sqlite_file, sqlite_lane_engine
from bot.store.errors import DatabaseProblem
from bot.store.held import HeldConnections
from bot.store.models import Base
from bot.store.pg_hot import PgHot
from bot.store.sqlite_lane import SqliteLane, WriterTurn

T = TypeVar("T")
# A SQLite file's identity is looked at this often at most (every transaction would cost a
# stat() each; a second is within the "seconds" readiness promises).
FILE_LOOK_SECONDS = 1.0
# The hot path's connections per process: all of db.hot_path_engine's pool, held.
HOT_CONNECTIONS = 5


def _identity(path: Path | None) -> tuple[int, int] | None:
    try:
        found = path.stat() if path is not None else None
    except OSError:
        return None
    return (found.st_dev, found.st_ino) if found is not None else None


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
        # ... whose statements run straight on asyncpg (pg_hot.py); None for SQLite.
        self._pg = None if self._held is None else PgHot(self._held)
        self._file = sqlite_file(url)
        # The file as it was at start (device, inode): one deleted, moved or replaced under
        # the running bot is refused, not written to (its writes would be lost at restart).
        self._identity = _identity(self._file)
        self._looked_at = 0.0
        self._gone = False

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
        self._check_file()
        async with self._writer_turn(), self._write() as db, db.begin():
            yield db

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A read-only transaction."""
        self._check_file()
        async with self._read() as db, db.begin():
            yield db

    def _check_file(self) -> None:
        """Refuse to go on with a SQLite file that is not the one the bot started with (at
        most one stat() a second: 2 us, against a transaction's hundreds)."""
        if self._file is None:
            return
        now = time.monotonic()
        if now - self._looked_at < FILE_LOOK_SECONDS and not self._gone:
            return
        self._looked_at = now
        # Once gone, refused until a restart: a file put back is not known to be the same.
        self._gone = self._gone or _identity(self._file) != self._identity
        if self._gone:
            raise DatabaseProblem(
                f"the database file {self._file} is gone (deleted or moved under the running "
                "bot): writes since are lost at restart; restore it and restart the bot"
            )

    async def _hot_write(self, work: Callable[[Connection], T], *, single: bool = False) -> T:
        """A write transaction of the session hot path: on the lane for a SQLite file; on
        PostgreSQL on a held connection, in autocommit when `work` runs a `single` statement."""
        self._check_file()
        if self._held is not None:
            if single:
                return await self._held.run(work)
            return await self._held.run_transaction(work)
        if self._lane is not None:
            return await self._lane.run(work, write=True, single=single)  # the writer's turn
        async with self._writer_turn(), self.engine.begin() as conn:
            return await conn.run_sync(work)

    async def _hot_read(self, work: Callable[[Connection], T]) -> T:
        self._check_file()
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
        self._looked_at = 0.0  # look now
        self._check_file()
        for attempt in range(2):
            try:
                async with self._readonly.connect() as conn:
                    await conn.execute(text("SELECT 1"))  # writes: check_writable
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
