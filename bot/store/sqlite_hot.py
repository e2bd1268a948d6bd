"""The session hot path's statements on SQLite's own driver, as pg_hot.py runs PostgreSQL's on
asyncpg.

On the SQLite lane (sqlite_lane.py) a press reads its session, compare-and-sets it and marks
the step shown: three statements whose SQLAlchemy `execute` (the execution context, the cache
lookup, the Row) costs more than SQLite itself. SQLAlchemy was 12 % of the bot's busy samples
in a 1,000-press burst (py-spy); benchmarks/lane_statements.py measures each statement both
ways.

Nothing is written twice: each statement is still built with SQLAlchemy (sessions.py), and
`Prepared` compiles it once for the connection's dialect and keeps what SQLAlchemy would apply
on every call, its types' own bind and result processors (an aware UTC datetime to SQLite's
text and back, a bool to 0/1). It runs on the same connection, inside the lane's transaction;
on anything but the lane's driver (pysqlite: an in-memory database's aiosqlite, PostgreSQL)
it goes through SQLAlchemy's `execute` as before.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select, Update
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any] | None


class _Compiled:
    __slots__ = ("binds", "make_row", "results", "sql")

    def __init__(self, statement: Select[Any] | Update, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        binds = compiled.binds
        self.binds: list[tuple[str, Processor, Any]] = [
            (name, _bind(binds[name].type, dialect), binds[name].effective_value)
            for name in compiled.positiontup or ()
        ]
        columns = [
            (column.name, column.type.dialect_impl(dialect).result_processor(dialect, None))
            for column in getattr(statement, "selected_columns", ())
        ]
        # Rows read by name, as session_record reads SQLAlchemy's.
        row = namedtuple("row", [name for name, _ in columns])  # type: ignore[misc]
        self.make_row: Callable[[Any], Any] = row._make
        self.results: list[Processor] = [processor for _, processor in columns]

    def params(self, values: Mapping[str, Any]) -> list[Any]:
        out = []
        for name, processor, default in self.binds:
            value = values.get(name, default)
            out.append(value if processor is None else processor(value))
        return out

    def row(self, raw: tuple[Any, ...]) -> Any:
        return self.make_row(
            value if processor is None else processor(value)
            for processor, value in zip(self.results, raw, strict=True)
        )


class Prepared:
    """One statement, compiled once (for the lane's pysqlite dialect, the only one that runs
    it by hand); elsewhere run through SQLAlchemy's `execute`."""

    def __init__(self, statement: Select[Any] | Update) -> None:
        self.statement = statement
        self._compiled: _Compiled | None = None

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _Compiled(self.statement, dialect)
        return compiled

    def rowcount(self, conn: Connection, values: Mapping[str, Any]) -> int:
        """Run a write; the number of rows it changed."""
        if not _on_sqlite3(conn):
            return int(conn.execute(self.statement, values).rowcount)
        compiled = self._for(conn.dialect)
        cursor = _execute(conn, compiled, values)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def one_or_none(self, conn: Connection, values: Mapping[str, Any]) -> Any:
        """Run a read of at most one row: the row (its columns by name) or None."""
        if not _on_sqlite3(conn):
            return conn.execute(self.statement, values).one_or_none()
        compiled = self._for(conn.dialect)
        cursor = _execute(conn, compiled, values)
        try:
            raw = cursor.fetchone()
        except sqlite3.Error as exc:
            raise _wrapped(conn, compiled.sql, exc) from exc
        finally:
            cursor.close()
        return None if raw is None else compiled.row(raw)


def _bind(type_: TypeEngine[Any], dialect: Dialect) -> Processor:
    # The type as the dialect runs it (SQLite's DATETIME for DateTime), as SQLAlchemy does.
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _on_sqlite3(conn: Connection) -> bool:
    """Whether `conn` is the standard library's sqlite3 underneath (the lane's driver)."""
    return conn.dialect.driver == "pysqlite"


def _execute(conn: Connection, compiled: _Compiled, values: Mapping[str, Any]) -> sqlite3.Cursor:
    try:
        return _driver(conn).execute(compiled.sql, compiled.params(values))
    except sqlite3.Error as exc:
        raise _wrapped(conn, compiled.sql, exc) from exc


def _wrapped(conn: Connection, sql: str, exc: sqlite3.Error) -> BaseException:
    """The driver's error as SQLAlchemy raises it (IntegrityError, OperationalError...): the
    bot catches SQLAlchemy's errors to tell a person their step waits, and a bare sqlite3
    error went past that (a restore after a restart stalled on "disk I/O error"). Without
    the parameters: a row's values have no place in a log line."""
    return DBAPIError.instance(sql, None, exc, sqlite3.Error, dialect=conn.dialect)


def _driver(conn: Connection) -> sqlite3.Connection:
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver
