"""Checks before an upgrade: a database Alembic cannot upgrade as it is gets one line naming
the problem and what to do (DatabaseProblem), instead of 178-202 lines of traceback.

Each case was met from outside: a database made by `create_all` (tables, no version), a file
that is not SQLite, a revision this code does not know (a rollback deploy after a newer
release upgraded the database), and a database server that does not answer.
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

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
    except OSError as exc:
        raise DatabaseProblem(
            f"cannot read the database file {path} ({_reason(exc)}): check its permissions"
        ) from exc
    if head and head != SQLITE_HEADER:
        raise DatabaseProblem(
            f"{path} is not a SQLite database: check DATABASE_URL, or move the file aside "
            "and the bot creates a new database there"
        )


async def check_schema(engine: AsyncEngine, cfg: Config, shown_url: str) -> None:
    """Refuse a database that cannot be reached, has no version, or a version unknown here."""
    try:
        async with engine.connect() as conn:
            tables, heads = await conn.run_sync(_schema_state)
    except (OSError, SQLAlchemyError) as exc:
        raise DatabaseProblem(
            f"cannot open the database {shown_url} ({_reason(exc)}): check DATABASE_URL and "
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


def _schema_state(conn: Connection) -> tuple[set[str], tuple[str, ...]]:
    tables = set(inspect(conn).get_table_names())
    if VERSION_TABLE not in tables:
        return tables, ()
    # Read directly: Alembic's MigrationContext would log two INFO lines before the one line.
    heads = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    return tables, tuple(heads)


def _reason(exc: BaseException) -> str:
    """The cause in one line: the driver's own message, without SQLAlchemy's wrapping."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    first = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__
