"""Storage mistakes an operator makes, met through the real command line (issue 27): each is
one line on stderr naming what to do, exit status 2, and nothing created, changed or migrated.

Before: a read-only database started and failed every update; a backup restored as root ended
`limber migrate` in a 170-line traceback, as did an unwritable folder, `mysql://` and a port
"notaport"; `sqlite:////nonexistent/dir/x.db` created the folder and an empty database; a
PostgreSQL URL without a database migrated the server's default one.

The tests run as root here, and root writes any file. So the processes that must meet a
permission run without CAP_DAC_OVERRIDE (setpriv): still uid 0, but held to file modes and
owners like any user.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import asyncpg
import pytest

from bot.config import PROJECT_ROOT
from bot.store.db import tighten_private, upgrade, upgrade_async
from tests.conftest import PG_ADMIN_DSN, fresh_pg_database

EXIT_USAGE = 2
OTHER_UID = 54321  # owns what the bot's user must not write: "a backup restored as root"
SETPRIV = shutil.which("setpriv")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def limber(url: str, *args: str, unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` with DATABASE_URL=url (the bot's start needs a token: a dead API
    URL, as the storage is checked before Telegram is asked anything)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    env.update(
        DATABASE_URL=url,
        BOT_TOKEN="123456:" + "A" * 30,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{free_port()}/bot",
    )
    command = [sys.executable, "-m", "bot", *args]
    if unprivileged and os.geteuid() == 0:
        if SETPRIV is None:
            pytest.skip("running as root without setpriv: file modes cannot be met")
        command = [SETPRIV, "--bounding-set=-dac_override,-dac_read_search", *command]
    return subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def one_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("limber: "), result.stderr[-3000:]
    assert result.returncode == EXIT_USAGE, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every file and folder under root: mode, owner and content hash."""
    seen = {}
    for path in sorted([root, *root.rglob("*")]):
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        seen[str(path.relative_to(root))] = (info.st_mode, info.st_uid, digest)
    return seen


def restored_backup(path: Path) -> None:
    """A database as `limber backup` writes it: upgraded, then one file in DELETE mode."""
    import asyncio

    asyncio.run(upgrade_async(f"sqlite+aiosqlite:///{path}"))
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")


BOTH = pytest.mark.parametrize("command", [("migrate",), ()], ids=["migrate", "start"])


@pytest.mark.slow  # a real process per case
@BOTH
def test_a_database_file_the_bot_cannot_write_is_refused(
    tmp_path: Path, command: tuple[str]
) -> None:
    path = tmp_path / "limber.db"
    restored_backup(path)
    os.chown(path, OTHER_UID, OTHER_UID)  # restored by someone else
    path.chmod(0o644)
    before = snapshot(tmp_path)
    result = limber(f"sqlite+aiosqlite:///{path}", *command, unprivileged=True)
    one_line(result, str(path), f"owned by uid {OTHER_UID}", "chown")
    assert snapshot(tmp_path) == before


@pytest.mark.slow
@BOTH
def test_a_read_only_database_file_is_refused(tmp_path: Path, command: tuple[str]) -> None:
    path = tmp_path / "limber.db"
    restored_backup(path)
    path.chmod(0o444)
    before = snapshot(tmp_path)
    result = limber(f"sqlite+aiosqlite:///{path}", *command, unprivileged=True)
    one_line(result, str(path), "cannot be written")
    assert snapshot(tmp_path) == before


@pytest.mark.slow
@BOTH
def test_a_backup_restored_in_delete_mode_into_a_folder_the_bot_cannot_write_is_refused(
    tmp_path: Path, command: tuple[str]
) -> None:
    """The file is the bot's, but SQLite must create limber.db-wal beside it to switch to WAL."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "limber.db"
    restored_backup(path)
    os.chown(folder, OTHER_UID, OTHER_UID)
    before = snapshot(tmp_path)
    result = limber(f"sqlite+aiosqlite:///{path}", *command, unprivileged=True)
    one_line(result, f"the folder {folder} cannot be written", "-wal")
    assert snapshot(tmp_path) == before


@pytest.mark.slow
def test_a_new_database_in_a_folder_the_bot_cannot_write_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    os.chown(folder, OTHER_UID, OTHER_UID)
    before = snapshot(tmp_path)
    result = limber(f"sqlite+aiosqlite:///{folder / 'limber.db'}", "migrate", unprivileged=True)
    one_line(result, f"the folder {folder} cannot be written", "chown")
    assert snapshot(tmp_path) == before


@pytest.mark.slow
@BOTH
def test_a_missing_folder_is_refused_not_created(tmp_path: Path, command: tuple[str]) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    result = limber(f"sqlite:///{missing / 'x.db'}", *command)
    one_line(result, f"the folder {missing} does not exist", "nothing was created")
    assert not (tmp_path / "nonexistent").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://limber:secret@db.example/limber", ("'mysql'", "not support", "postgresql+")),
        ("postgresql://limber:secret@db.example:notaport/limber", ("port", "not a number")),
        ("sqlite+pysqlite:///limber.db", ("not support", "sqlite+aiosqlite")),
    ],
    ids=["mysql", "port", "sync-driver"],
)
def test_a_database_url_limber_cannot_use_is_one_line(
    url: str, words: tuple[str, ...], tmp_path: Path
) -> None:
    result = limber(url, "migrate")
    assert "secret" not in result.stderr
    one_line(result, "DATABASE_URL", *words)


@pytest.mark.slow
@pytest.mark.postgres
async def test_a_postgresql_url_without_a_database_migrates_nothing() -> None:
    async with fresh_pg_database():  # skips without a server
        pass
    before = await _has_version_table()
    result = limber("postgres://postgres@127.0.0.1:5432", "migrate")
    one_line(result, "names no database")
    assert await _has_version_table() == before


async def _has_version_table() -> bool:
    """Whether the server's default database (the user's name: postgres) has a schema."""
    conn = await asyncpg.connect(PG_ADMIN_DSN.rsplit("/", 1)[0] + "/postgres")
    try:
        return bool(await conn.fetchval("SELECT to_regclass('public.alembic_version') IS NOT NULL"))
    finally:
        await conn.close()


@pytest.mark.slow
@pytest.mark.postgres
@BOTH
async def test_a_read_only_postgresql_database_is_refused(command: tuple[str]) -> None:
    async with fresh_pg_database() as url:
        await upgrade_async(url)
        name = url.rsplit("/", 1)[1]
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        finally:
            await admin.close()
        one_line(limber(url, *command), "cannot be written", "read-only transaction")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("password", "fragments"),
    [("p@ss#word", ["ss#word", "word"]), ("a#b@c/d?e", ["c/d?e", "b@c"]), ("p%40ss%23w", ["%23"])],
)
def test_a_password_with_at_or_hash_is_masked_whole(password: str, fragments: list[str]) -> None:
    """Before: "postgres:***@ss#word@127.0.0.1..." (and compose pasted such a password)."""
    url = f"postgresql://postgres:{password}@127.0.0.1:{free_port()}/limber"
    line = one_line(limber(url, "migrate"), "cannot open the database", "postgres:***@127.0.0.1:")
    for fragment in [password, *fragments]:
        assert fragment not in line


@pytest.mark.slow
def test_migrate_says_it_created_the_database_and_creates_it_0600(tmp_path: Path) -> None:
    path = tmp_path / "limber.db"
    url = f"sqlite+aiosqlite:///{path}"
    first = limber(url, "migrate")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("created the database"), first.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = limber(url, "migrate")
    assert again.stdout.startswith("database ") and "is up to date" in again.stdout
    # The -wal and -shm files SQLite makes beside it while the bot runs: the same mode.
    from sqlalchemy import create_engine

    from bot.store.db import _tune_sqlite

    engine = create_engine(f"sqlite:///{path}")
    _tune_sqlite(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
        for suffix in ("-wal", "-shm"):
            companion = path.with_name(path.name + suffix)
            assert stat.S_IMODE(companion.stat().st_mode) == 0o600, suffix
    engine.dispose()


def _wal_companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


def test_an_old_world_readable_database_is_made_0600_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 27: a file an earlier release made 0644 (and the -wal and -shm SQLite then gives
    the same mode, here left by a process still running) is tightened by the start-up's
    upgrade, with one info line; a second start finds nothing to say."""
    path = tmp_path / "limber.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    path.chmod(0o644)
    with closing(sqlite3.connect(path)) as other:
        other.execute("PRAGMA journal_mode=WAL")
        other.execute("UPDATE alembic_version SET version_num = version_num")
        other.commit()
        for companion in _wal_companions(path):
            assert stat.S_IMODE(companion.stat().st_mode) == 0o644, companion
        caplog.set_level("INFO", logger="bot.store.db")
        upgrade(url)
        for file in [path, *_wal_companions(path)]:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        said = [r for r in caplog.records if r.name == "bot.store.db"]
        assert len(said) == 1 and said[0].levelname == "INFO", said
        assert said[0].getMessage() == (
            f"made {path} (was 644), {path}-wal (was 644), {path}-shm (was 644) 0600, "
            "readable by its owner only: health data"
        )
        caplog.clear()
        upgrade(url)
        assert not [r for r in caplog.records if r.name == "bot.store.db"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_database_file_of_another_user_keeps_its_mode(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "limber.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    path.chmod(0o644)
    os.chown(path, OTHER_UID, OTHER_UID)
    caplog.set_level("INFO", logger="bot.store.db")
    upgrade(url)  # root may write it, but the file is its owner's to open up or close
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert not [r for r in caplog.records if r.name == "bot.store.db"]


def test_a_symbolic_link_beside_the_database_is_not_followed(tmp_path: Path) -> None:
    path = tmp_path / "limber.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    elsewhere = tmp_path / "notes.txt"
    elsewhere.write_text("not the bot's", encoding="utf-8")
    elsewhere.chmod(0o644)
    path.with_name(path.name + "-wal").symlink_to(elsewhere)
    assert tighten_private(path) == []
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o644


@pytest.mark.slow  # a real process
def test_migrate_says_it_made_an_old_database_0600(tmp_path: Path) -> None:
    path = tmp_path / "limber.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    path.chmod(0o644)
    done = limber(url, "migrate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"made {path} (was 644) 0600, readable by its owner only: health data",
        f"database sqlite+aiosqlite:///{path} is up to date",
    ]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
