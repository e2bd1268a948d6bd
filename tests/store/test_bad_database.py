"""A database the bot cannot use as it is, met through the real command line: `python -m bot
migrate` and the bot's start each print one line naming the problem and what to do, exit 2,
and leave the database as it was. Before, each printed 178-202 lines of traceback and exit 1."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import create_engine

from bot.clock import MovableClock
from bot.config import PROJECT_ROOT
from bot.sandbox.emulator import BotApiEmulator
from bot.store.db import upgrade_async
from bot.store.models import Base
from bot.webhook import health_problems
from tests.conftest import fresh_pg_database
from tests.harness import Harness, process_env, spawn_bot

EXIT_USAGE = 2


@dataclass(frozen=True)
class Bad:
    url: str
    problem: str  # the words naming the problem
    advice: str  # the words saying what to do
    file: Path | None = None  # a SQLite file whose bytes must not change


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(
    params=["create_all", "not_sqlite", "unknown_revision", "schema_ahead", "pg_unreachable"]
)
async def bad(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Bad]:
    path = tmp_path / "limber.db"
    url = f"sqlite+aiosqlite:///{path}"
    case = request.param
    if case == "create_all":
        engine = create_engine(f"sqlite:///{path}")
        Base.metadata.create_all(engine)
        engine.dispose()
        yield Bad(url, "no schema version", "move it aside", path)
    elif case == "not_sqlite":
        path.write_text("name,morning\nAnn,07:30\n" * 50)
        yield Bad(url, "is not a SQLite database", "check DATABASE_URL", path)
    elif case == "unknown_revision":
        await upgrade_async(url)
        # A newer release upgraded it, then the deploy was rolled back. Closing the last
        # connection folds the write-ahead log into the file, so its bytes are final here.
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute("UPDATE alembic_version SET version_num = '0099'")
        yield Bad(url, "revision 0099, which this release does not know", "run that release", path)
    elif case == "schema_ahead":
        # Issue 29: a revision this code knows, a schema ahead of it (the newest migration's
        # column there, the version put back by hand after an upgrade). Before: the upgrade
        # ran that migration again, "duplicate column", 157 lines of traceback and exit 1.
        await upgrade_async(url)
        older = "0011_session_step_claim"
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute("UPDATE alembic_version SET version_num = ?", (older,))
        yield Bad(url, f"could not be upgraded from revision {older}", "restore a backup")
    else:
        url = f"postgresql+asyncpg://postgres:pw@127.0.0.1:{_free_port()}/limber"
        yield Bad(url, "cannot open the database", "that the database server is running")


def _assert_one_line(code: int | None, err: bytes, bad: Bad, before: bytes | None) -> None:
    text = err.decode()
    assert "Traceback" not in text, text[-2000:]
    assert text.count("\n") == 1 and text.startswith("limber: "), text[-2000:]
    assert bad.problem in text and bad.advice in text, text
    assert ":pw@" not in text  # a password in DATABASE_URL is never printed
    assert code == EXIT_USAGE
    if bad.file is not None:
        assert bad.file.read_bytes() == before  # refused, not touched


async def _migrate(url: str) -> tuple[int | None, bytes]:
    """`python -m bot migrate` on `url`: its exit status and stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    env["DATABASE_URL"] = url
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "migrate",
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode, err


@pytest.mark.slow  # starts a real process
async def test_migrate_refuses_a_bad_database_in_one_line(bad: Bad) -> None:
    before = bad.file.read_bytes() if bad.file else None
    code, err = await _migrate(bad.url)
    _assert_one_line(code, err, bad, before)


@pytest.mark.slow  # starts a real process
async def test_the_bot_refuses_to_start_on_a_bad_database_in_one_line(
    bad: Bad, emu: BotApiEmulator
) -> None:
    before = bad.file.read_bytes() if bad.file else None
    proc = await spawn_bot(process_env(emu, bad.url))
    try:
        _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    _assert_one_line(proc.returncode, err, bad, before)
    assert not [c for c in emu.calls if c.method == "getUpdates"]  # it never began serving


@pytest.mark.slow  # starts a real process
@pytest.mark.postgres
async def test_an_unknown_revision_on_postgresql_is_refused_too() -> None:
    async with fresh_pg_database() as url:
        await upgrade_async(url)
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            await conn.execute("UPDATE alembic_version SET version_num = '0099'")
        finally:
            await conn.close()
        code, err = await _migrate(url)
        _assert_one_line(code, err, Bad(url, "revision 0099", "restore a backup"), None)


async def test_health_turns_bad_when_the_database_folder_is_deleted_under_the_bot(
    emu: BotApiEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()  # the bot no longer creates a missing folder: it refuses it
    clock = MovableClock(datetime(2026, 11, 24, 7, 30, tzinfo=UTC), frozen=True)
    bot = Harness(emu, f"sqlite+aiosqlite:///{folder / 'limber.db'}", clock=clock, polling=False)
    await bot.start()
    try:
        await bot.services.dispatcher.tick()
        assert await health_problems(bot.services) == []
        shutil.rmtree(folder)
        problems = await health_problems(bot.services)
        assert len(problems) == 1 and "is gone" in problems[0]
        assert "is gone" in caplog.text  # and the log says so
    finally:
        await bot.stop()
