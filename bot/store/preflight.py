"""Checks before an upgrade: a database Alembic cannot upgrade as it is gets one line naming
the problem and what to do (DatabaseProblem), instead of 178-202 lines of traceback.

Each case was met from outside: a database made by `create_all` (tables, no version), a file
that is not SQLite, a revision this code does not know (a rollback deploy after a newer
release upgraded the database), and a database server that does not answer.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.errors import DatabaseProblem
from bot.store.models import Base

# Every SQLite database file starts with these 16 bytes (sqlite.org/fileformat.html).
SQLITE_HEADER = b"SQLite format 3\x00"
VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps


def check_sqlite_file(path: Path) -> None:
    """Refuse an existing, non-empty file that is not a SQLite database (an empty or missing
    file becomes a new database)."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except PermissionError:
        raise DatabaseProblem(
            f"{path} cannot be read or written by {_user()} ({_owner(path)}): a restored backup "
            f"keeps the owner that copied it; run `chown {_user()} {path}` and chmod 600"
        ) from None
    except OSError as exc:
        raise DatabaseProblem(
            f"cannot read the database file {path} ({reason(exc)}): check its permissions"
        ) from exc
    if head and head != SQLITE_HEADER:
        raise DatabaseProblem(
            f"{path} is not a SQLite database: check DATABASE_URL, or move the file aside "
            "and the bot creates a new database there"
        )


def check_sqlite_writable(path: Path) -> None:
    """Refuse a SQLite database this process could not write, before anything is created.

    A mistyped folder is not created (it would hold a new, empty database while the real one
    sits elsewhere). A file, or its -wal/-shm, owned by someone else (a backup restored as
    root) opens read-only and fails every write later; the folder must be writable while
    SQLite still has to create its -wal and -shm files there (a backup restored in DELETE
    journal mode is switched to WAL at the first connection).
    """
    folder = path.parent
    if not folder.is_dir():
        raise DatabaseProblem(
            f"the folder {folder} does not exist (DATABASE_URL names {path}): correct "
            f"DATABASE_URL, or create the folder, owned by {_user()}; nothing was created"
        )
    companions = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    for file in [path, *companions]:
        if file.exists() and not os.access(file, os.R_OK | os.W_OK):
            raise DatabaseProblem(
                f"{file} cannot be written by {_user()} ({_owner(file)}): a restored backup "
                f"keeps the owner that copied it; run `chown {_user()} {file}` and chmod 600"
            )
    needs_folder = not all(file.exists() for file in [path, *companions])
    if needs_folder and not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseProblem(
            f"the folder {folder} cannot be written by {_user()} ({_owner(folder)}), and SQLite "
            f"creates {path.name} and its -wal and -shm files there: run `chown {_user()} "
            f"{folder}`, or set DATABASE_URL to a folder {_user()} owns"
        )


def _user() -> str:
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return f"uid {os.geteuid()}"


def _owner(path: Path) -> str:
    import pwd

    info = path.stat()
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = f"uid {info.st_uid}"
    return f"owned by {owner}, mode {info.st_mode & 0o777:o}"


async def check_schema(
    engine: AsyncEngine, cfg: Config, shown_url: str
) -> tuple[bool, tuple[str, ...]]:
    """Refuse a database that cannot be reached, has no version, or a version unknown here.
    Whether the database is empty (the upgrade then creates it), and the revisions it is at."""
    try:
        async with engine.connect() as conn:
            tables, heads = await conn.run_sync(_schema_state)
            if heads:
                await check_writable(conn, shown_url)
    except (OSError, SQLAlchemyError) as exc:
        raise DatabaseProblem(
            f"cannot open the database {shown_url} ({reason(exc)}): check DATABASE_URL and "
            "that the database server is running and reachable"
        ) from exc
    finally:
        await engine.dispose()
    ours = tables & set(Base.metadata.tables)
    if not heads and ours:
        raise DatabaseProblem(
            f"the database {shown_url} has Limber's tables ({', '.join(sorted(ours))}) but no "
            "schema version (made without `python -m bot migrate`, e.g. by create_all), so it "
            "cannot be upgraded safely: move it aside and let the bot create a new one, or "
            "stamp it with `alembic stamp` if you know its schema is current"
        )
    script = ScriptDirectory.from_config(cfg)
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = [head for head in heads if head not in known]
    if unknown:
        raise DatabaseProblem(
            f"the database {shown_url} is at schema revision {', '.join(unknown)}, which this "
            f"release does not know (its newest is {script.get_current_head()}): a newer "
            "release upgraded it; run that release, or restore a backup from before its upgrade"
        )
    return not tables, heads


# Writes the one row every upgraded database has, changing nothing, and is rolled back: the
# cheapest statement that fails exactly when the database refuses writes (a read-only file or
# mount, a read-only PostgreSQL transaction or standby).
WRITE_PROBE = text(f"UPDATE {VERSION_TABLE} SET version_num = version_num")


async def check_writable(conn: AsyncConnection, shown_url: str) -> None:
    """DatabaseProblem when the database answers but refuses a write."""
    try:
        await conn.execute(WRITE_PROBE)  # in the connection's transaction, begun or not
        await conn.rollback()
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise
        raise DatabaseProblem(
            f"the database {shown_url} cannot be written ({reason(exc)}): make it writable "
            "for the user that runs the bot (file owner and mode, or a PostgreSQL primary "
            "that is not read-only), then start again"
        ) from exc


def _schema_state(conn: Connection) -> tuple[set[str], tuple[str, ...]]:
    tables = set(inspect(conn).get_table_names())
    if VERSION_TABLE not in tables:
        return tables, ()
    # Read directly: Alembic's MigrationContext would log two INFO lines before the one line.
    heads = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    return tables, tuple(heads)


def reason(exc: BaseException) -> str:
    """The cause in one line: the driver's own message, without SQLAlchemy's wrapping."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    first = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__
