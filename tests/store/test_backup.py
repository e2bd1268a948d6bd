"""`limber backup PATH` copies the SQLite database of a running, writing bot, consistently."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.sandbox.emulator import BotApiEmulator
from bot.store.db import upgrade_async
from tests.harness import process_env, spawn_bot

SEEDED = 20_000  # enough pages (~2 MB) that the copy takes a while next to the bot's writes
FIRST_LIVE = 900_000


def seed_users(db: Path, count: int) -> None:
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.executemany(
            "INSERT INTO users (id, chat_id, first_name, language_code, active, timezone,"
            " created_at, updated_at) VALUES (?, ?, ?, 'en', 1, 'UTC', ?, ?)",
            [
                (i, i, f"User{i}", "2026-11-27 08:00:00.000000", "2026-11-27 08:00:00.000000")
                for i in range(1, count + 1)
            ],
        )


def user_ids(db: Path) -> set[int]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return {int(r[0]) for r in conn.execute("SELECT id FROM users")}


def checked_copy(copy: Path) -> set[int]:
    """The users in a backup, after checking it is whole and one self-contained file."""
    with contextlib.closing(sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert not Path(f"{copy}-wal").exists()
    return user_ids(copy)


async def run_backup(env: dict[str, str], target: Path) -> subprocess.CompletedProcess[str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "backup",
        str(target),
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return subprocess.CompletedProcess([], proc.returncode, out.decode(), err.decode())


@pytest.mark.slow  # starts a real process
async def test_backup_of_a_running_bot_is_whole_and_holds_every_user(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    db = tmp_path / "live.db"
    url = f"sqlite+aiosqlite:///{db}"
    await upgrade_async(url)
    seed_users(db, SEEDED)
    env = process_env(emu, url)
    bot = await spawn_bot(env)
    answered: list[int] = []
    stop = asyncio.Event()

    async def newcomers() -> None:
        """New users keep pressing /start (each one a write) until told to stop."""
        uid = FIRST_LIVE
        while not stop.is_set():
            emu.send_text(uid, "/start")
            await emu.wait_for_message(uid, "I'm Limber", timeout=30)
            answered.append(uid)
            uid += 1

    writer = asyncio.create_task(newcomers())
    try:
        await emu.wait_for(lambda: len(answered) >= 5, timeout=60)
        before = set(answered)  # their rows were committed before the bot answered
        during = len(answered)
        copy = tmp_path / "backup.db"
        result = await run_backup(env, copy)
        during = len(answered) - during
        print(f"users answered while the backup ran: {during}")
        await emu.wait_for(lambda: len(answered) >= len(before) + during + 3, timeout=60)
        stop.set()
        await asyncio.wait_for(writer, timeout=60)
    finally:
        stop.set()
        writer.cancel()
        bot.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(bot.communicate(), timeout=60)
    assert bot.returncode == 0, err.decode()
    assert result.returncode == 0, result.stderr
    assert "integrity ok" in result.stdout and str(copy) in result.stdout

    copied = checked_copy(copy)
    assert set(range(1, SEEDED + 1)) <= copied
    assert before <= copied
    # The bot went on writing afterwards; the copy is the database as of one instant.
    assert copied < user_ids(db)


def cli(env_url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "backup", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT), "DATABASE_URL": env_url},
        timeout=60,
    )


@pytest.mark.slow  # starts a real process
def test_a_postgresql_url_is_refused_in_one_line_pointing_to_pg_dump(tmp_path: Path) -> None:
    for url in ("postgres://u:pw@db.example/limber", "postgresql+asyncpg://u@localhost/limber"):
        result = cli(url, str(tmp_path / "x.db"), cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and "pg_dump" in result.stderr
        assert "Traceback" not in result.stderr and "pw" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # starts a real process
async def test_a_folder_gets_a_dated_file_and_an_existing_file_is_never_overwritten(
    tmp_path: Path,
) -> None:
    db = tmp_path / "limber.db"
    await upgrade_async(f"sqlite+aiosqlite:///{db}")
    seed_users(db, 3)
    folder = tmp_path / "backups"
    folder.mkdir()
    first = cli(f"sqlite+aiosqlite:///{db}", str(folder), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    (made,) = folder.glob("limber-*.db")
    assert user_ids(made) == {1, 2, 3}
    again = cli(f"sqlite+aiosqlite:///{db}", str(made), cwd=tmp_path)
    assert again.returncode == 2 and "exists already" in again.stderr
    assert user_ids(made) == {1, 2, 3}
    assert [p.name for p in folder.iterdir()] == [made.name]  # no partial file left behind


def test_a_failed_backup_names_its_target_and_backups_are_0600(tmp_path: Path) -> None:
    """Issue 27: "backup of SOURCE failed" left out where it was going; and a backup holds the
    database's health data, so it is created readable by its owner alone."""
    import stat

    from bot.backup import BackupError, backup
    from bot.store.db import upgrade

    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all " * 100)
    target = tmp_path / "copy.db"
    with pytest.raises(BackupError) as refused:
        backup(f"sqlite+aiosqlite:///{broken}", target)
    assert f"to {target}" in str(refused.value)
    assert not target.exists()
    good = tmp_path / "good.db"
    upgrade(f"sqlite+aiosqlite:///{good}")
    made = backup(f"sqlite+aiosqlite:///{good}", tmp_path / "backup.db")
    assert stat.S_IMODE(made.target.stat().st_mode) == 0o600
