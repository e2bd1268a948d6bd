"""`limber backup PATH`: a consistent copy of the SQLite database, safe while the bot runs.

SQLite's online backup API copies the pages inside one read transaction of the source. Under
WAL (bot/store/db.py) a reader never blocks the bot's writers, and the copy is the database as
of one instant: no half-written session, no torn page, which a plain `cp` of a live database
file (plus its -wal file) cannot promise.

All pages are copied in one step (`pages=-1`). Copying in small steps would release the read
transaction in between, and SQLite restarts a stepwise backup whenever another connection
writes meanwhile: against a busy bot it might never finish.

The copy goes to a temporary file beside PATH and is renamed into place only after it passed
`PRAGMA integrity_check`, so PATH is never a partial or broken backup.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.config import ConfigError

# Waits this long for the bot's writer to let go of the lock the backup's first read needs.
BUSY_TIMEOUT_S = 30.0


class BackupError(ConfigError):
    """A backup that cannot be made; one line for the operator, exit status 2."""


@dataclass(frozen=True)
class BackupResult:
    source: Path
    target: Path
    size_bytes: int
    users: int

    def describe(self) -> str:
        return (
            f"backed up {self.source} to {self.target} "
            f"({self.size_bytes / 1e6:.1f} MB, {self.users} users, integrity ok)"
        )


def sqlite_path(database_url: str) -> Path:
    """The SQLite file behind DATABASE_URL, or BackupError saying what to do instead."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise BackupError("DATABASE_URL is not a database URL") from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        raise BackupError(
            "backup copies SQLite databases and DATABASE_URL is PostgreSQL: use pg_dump, "
            "e.g. pg_dump --format=custom --file=limber.dump DATABASE_NAME"
        )
    if backend != "sqlite":
        raise BackupError(f"backup copies SQLite databases; DATABASE_URL is {backend}")
    database = url.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        raise BackupError("DATABASE_URL is an in-memory SQLite database: there is no file to copy")
    path = Path(database).expanduser()
    if not path.is_file():
        raise BackupError(f"no database at {path} (DATABASE_URL); run `limber migrate` first?")
    return path


def backup(database_url: str, target: Path, *, now: datetime | None = None) -> BackupResult:
    """Copy the database of `database_url` to `target` (a file, or a folder to put it in)."""
    source = sqlite_path(database_url)
    if target.is_dir():
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
        target = target / f"limber-{stamp}.db"
    if target.exists():
        raise BackupError(f"{target} exists already; give a new file name or a folder")
    if not target.parent.is_dir():
        raise BackupError(f"no folder {target.parent} to write the backup into")
    if target.resolve() == source.resolve():
        raise BackupError("the backup cannot overwrite the database itself")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        # 0600 before SQLite writes a byte: a backup holds the same health data as the database.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        users = _copy(source, partial)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"backup of {source} to {target} failed: {exc}") from None
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(source, target, target.stat().st_size, users)


def _copy(source: Path, partial: Path) -> int:
    # mode=rw: never create an empty database where the operator's file was expected.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=-1)
            # One self-contained file: a restored copy needs no -wal file beside it.
            dst.execute("PRAGMA journal_mode=DELETE")
            problems = [row[0] for row in dst.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(f"the copy failed its integrity check: {problems[0]}")
            has_users = dst.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'users'"
            ).fetchone()[0]
            return int(dst.execute("SELECT count(*) FROM users").fetchone()[0]) if has_users else 0
        finally:
            dst.close()
    finally:
        src.close()
