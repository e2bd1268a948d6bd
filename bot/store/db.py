"""Engine creation and schema upgrades.

SQLite is the embedded default, so it gets the settings that make it a dependable server
database for one process: WAL (readers never block the writer), foreign keys (cascading
deletes), a busy timeout, and `BEGIN IMMEDIATE` for write transactions so two writers queue
instead of failing on a lock upgrade. Read-only work uses a deferred BEGIN so reads stay
concurrent under WAL.

A SQLite file also gets a second, synchronous engine (`sqlite_lane_engine`) for the store's hot
path: through aiosqlite every statement is several hops between the event loop and the
driver's thread, and those hops, not SQLite, are most of what a burst of button presses
waits for (see bot/store/sqlite_lane.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.config import shipped, shown_url
from bot.store import preflight
from bot.store.errors import DatabaseProblem as DatabaseProblem  # raised by upgrade

MIGRATIONS_DIR = shipped("migrations")
READONLY = "limber_readonly"
# For connections that only ever run one statement per transaction (the store's hot reads).
SINGLE_STATEMENT = "limber_single_statement"
BUSY_TIMEOUT_MS = 10_000
# A pooled PostgreSQL connection idle this long is pinged before use (see _ping_idle).
PING_AFTER_IDLE = 1.0

log = logging.getLogger(__name__)


def is_sqlite(url: str) -> bool:
    """Whether `url` names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def existing_only(url: str) -> str:
    """A SQLite file's `url` that opens the file only if it is there (SQLite's URI mode=rw):
    a folder deleted and re-created under the running bot must not get a new, empty database
    behind the operator's back (issue 29: 1,290 "no such table" lines a minute followed).
    Only `migrate` and the start-up upgrade create the file."""
    path = sqlite_file(url)
    if path is None:
        return url
    parsed = make_url(url)
    query = {**parsed.query, "mode": "rw", "uri": "true"}
    return parsed.set(database=f"file:{path}", query=query).render_as_string(hide_password=False)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`, with SQLite tuned as described above."""
    if is_sqlite(url):
        kwargs.setdefault("connect_args", {}).setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
        engine = create_async_engine(existing_only(url), **kwargs)
        _tune_sqlite(engine.sync_engine)
        return engine
    # Not SQLAlchemy's pre-ping: on asyncpg it is three round trips (BEGIN, ";", ROLLBACK) at
    # every checkout, more than many of the store's transactions themselves. `_ping_idle`
    # pings only a connection idle for PING_AFTER_IDLE seconds.
    kwargs.setdefault("pool_pre_ping", False)
    # 10 connections, all kept (with the hot path's 5, the 15 of SQLAlchemy's default): under
    # a burst of updates overflow connections were closed on return and opened again for the
    # next transaction (a connect with its SSL probe: 3.5 % of a worker's py-spy samples, and
    # still 1 % with 5 overflow ones); past 10 at once a transaction waits for a connection.
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 0)
    engine = create_async_engine(url, **kwargs)
    if not kwargs["pool_pre_ping"]:
        _ping_idle(engine.sync_engine)
    return engine


def _ping_idle(engine: Engine) -> None:
    """Ping a pooled connection at checkout only if it sat idle PING_AFTER_IDLE seconds; a
    dead one is replaced before the caller sees it (SQLAlchemy's "pessimistic" recipe).

    A connection back in the pool within the second was working a moment ago: in a burst,
    the checkouts ping nothing. After a PostgreSQL restart, idle connections are replaced
    unseen; one used in the last second fails its next statement once, and SQLAlchemy then
    drops every pooled connection older than that failure.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["limber_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("limber_idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return  # new, or working a moment ago
        try:
            dbapi_connection.ping()
        except Exception as exc:  # whatever the driver raises, the connection is gone
            raise DisconnectionError() from exc


def hot_path_engine(url: str) -> AsyncEngine | None:
    """For PostgreSQL, a second, small engine for the session hot path's one-statement
    transactions (read a session, its compare-and-set, mark it shown); None for SQLite (which
    has its lane, `sqlite_lane_engine`).

    Autocommit: one statement is its own transaction, so a press's read is one round trip
    instead of four (pre-ping, BEGIN, SELECT, ROLLBACK). Each round trip wakes PostgreSQL and
    waits for it: on a busy 2-core machine a third of a worker's py-spy samples in a burst sat
    in those sends, waiting for a CPU (the send itself costs 4 us here).
    No pre-ping: the store retries once on a connection found dead (bot/store/transactions.py).
    """
    if is_sqlite(url):
        return None
    return create_async_engine(
        url,
        isolation_level="AUTOCOMMIT",
        pool_size=5,
        max_overflow=0,
        pool_pre_ping=False,
        # Its connections are held for good (held.py): a half-open link to a failed server
        # must end in an error, not hang every update behind it. Hot statements take
        # milliseconds; 10 s is a database in trouble.
        connect_args={"timeout": 5, "command_timeout": 10},
    )


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite `url` names; None for an in-memory database or another backend."""
    parsed = make_url(url)
    database = parsed.database or ""
    if database.startswith("file:"):  # existing_only's URI form
        database = database.removeprefix("file:")
    if (
        parsed.get_backend_name() != "sqlite"
        or database in ("", ":memory:")
        or "mode=memory" in database
        or parsed.query.get("mode") == "memory"
    ):
        return None
    return Path(database).expanduser().resolve()


def sqlite_lane_engine(url: str) -> Engine | None:
    """A synchronous engine on the same SQLite file as `url`, tuned alike; None for anything
    but a SQLite file (an in-memory database would be a different database per engine)."""
    if sqlite_file(url) is None:
        return None
    engine = create_sync_engine(
        make_url(existing_only(url)).set(drivername="sqlite+pysqlite"),
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
    )
    _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (below) issue BEGIN itself instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(SINGLE_STATEMENT, False):
            return  # one statement is a transaction of its own in SQLite: no BEGIN needed
        conn.exec_driver_sql("BEGIN" if options.get(READONLY, False) else "BEGIN IMMEDIATE")


def alembic_config(url: str) -> Config:
    """Alembic's config built in code, so no alembic.ini is needed at run time."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    # ConfigParser interpolation would choke on '%' in passwords.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(url: str, revision: str = "head") -> bool:
    """Upgrade the database at `url` to `revision` (blocking; runs its own event loop).
    True when it created the database (a new SQLite file, or a database with no tables).

    Raises DatabaseProblem, with one line saying what to do, for a database that cannot be
    upgraded as it is (see bot/store/preflight.py), including one that cannot be written: the
    bot would otherwise start, report healthy and fail every update.
    """
    cfg = alembic_config(url)
    path = sqlite_file(url)
    created = False
    if path is not None:
        preflight.check_sqlite_file(path)
        preflight.check_sqlite_writable(path)
        created = create_private(path)
    # Untuned: looking must not change the file (the tuning would switch it to WAL).
    engine = create_async_engine(url, **_quick_connect(url))
    empty, current = asyncio.run(preflight.check_schema(engine, cfg, safe_url(url)))
    try:
        with _logs_held("alembic"):
            command.upgrade(cfg, revision)
    except DBAPIError as exc:
        if current:
            raise _schema_ahead(url, current, exc) from None
        # An empty database that refuses writes (the probe needs a row).
        raise DatabaseProblem(
            f"cannot create the schema in {safe_url(url)} ({preflight.reason(exc)}): make the "
            "database writable for the user that runs the bot"
        ) from exc
    except SQLAlchemyError as exc:
        raise _schema_ahead(url, current, exc) from None
    if path is not None and not created:
        # Once the database is known good: a refused one keeps its one line of refusal.
        tighten_private(path)
    return created or empty


def _schema_ahead(url: str, current: tuple[str, ...], exc: SQLAlchemyError) -> DatabaseProblem:
    # A known revision whose schema is ahead of it (issue 29: a downgrade after an upgrade,
    # or a version put back by hand): a migration met its own work already done ("duplicate
    # column"). One line instead of 157 of traceback.
    return DatabaseProblem(
        f"the database {safe_url(url)} could not be upgraded from revision "
        f"{', '.join(current) or '(none)'} ({preflight.reason(exc)}): its schema is "
        "probably ahead of that revision (downgraded or stamped after a newer upgrade); "
        "restore a backup from before, or run the release that upgraded it"
    )


@contextlib.contextmanager
def _logs_held(name: str) -> Iterator[None]:
    """Hold the `name` logger's records until the block is done: passed on if it succeeds,
    dropped if it fails, so a refusal is the one line that says why (Alembic's three INFO
    lines before it would only say where it stopped)."""
    logger = logging.getLogger(name)
    held: list[logging.LogRecord] = []
    handler = _Holding(held)
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    for record in held:  # not reached when the block raised
        logging.getLogger(record.name).parent.handle(record)  # type: ignore[union-attr]


class _Holding(logging.Handler):
    def __init__(self, held: list[logging.LogRecord]) -> None:
        super().__init__()
        self.held = held

    def emit(self, record: logging.LogRecord) -> None:
        self.held.append(record)


def create_private(path: Path) -> bool:
    """Create an empty database file readable by its owner alone (0600, whatever the umask);
    True if it was created. SQLite gives the -wal and -shm files it makes beside it the same
    mode, so back-pain answers, which are health data, are never world-readable."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def tighten_private(path: Path) -> list[str]:
    """Make an existing database file, and the -wal and -shm beside it, readable by their owner
    alone (0600) where this process owns them; says what it changed. Releases before
    `create_private` left the file to the umask (0644 with the usual 022: anyone on the machine
    could read the back-pain answers), and SQLite gives new -wal and -shm files the database
    file's mode, so one old file kept them open too. Logs one line when it changes a file."""
    changed: list[str] = []
    for file in [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))]:
        try:
            info = file.lstat()  # a symbolic link is left alone, and so is what it points to
            mode = stat.S_IMODE(info.st_mode)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or mode == 0o600:
                continue
            file.chmod(0o600)
        except FileNotFoundError:
            continue
        except OSError as exc:  # not worth stopping the bot for: it says so and runs
            log.warning("could not make %s readable by its owner only: %s", file, exc.strerror)
            continue
        changed.append(f"{file} (was {mode:o})")
    if changed:
        log.info("made %s 0600, readable by its owner only: health data", ", ".join(changed))
    return changed


async def upgrade_async(url: str, revision: str = "head") -> bool:
    """`upgrade` from inside a running event loop (Alembic's async env runs its own loop)."""
    return await asyncio.to_thread(upgrade, url, revision)


def safe_url(url: str) -> str:
    """`url` fit to print: without its password (all of it, even one with `@` or `#`)."""
    return shown_url(url)


def _quick_connect(url: str) -> dict[str, Any]:
    # asyncpg waits 60 s by default for a host that drops packets; a start-up check that
    # hangs that long looks like a hung bot. 10 s is ample for any reachable server.
    return {} if is_sqlite(url) else {"connect_args": {"timeout": 10}}
