"""Shared fixtures: real databases (a SQLite file, a PostgreSQL server) and the Bot API stand-in.

PostgreSQL tests need the server at 127.0.0.1:5432 (user postgres, trust auth). Without it they
skip with a visible reason, except under CI=true, where a missing server is a failure: CI must
prove the PostgreSQL path every time.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.spec import Spec
from bot.store.db import create_engine, upgrade_async
from bot.store.repo import Store
from tests.harness import Harness

PG_HOST = os.environ.get("LIMBER_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN_DSN = f"postgresql://postgres@{PG_HOST}:5432/test"
SHARED_SPEC = Path(__file__).resolve().parents[1].parent / "shared" / "botapi" / "api-10.0.json"


async def _pg_reachable() -> str | None:
    try:
        import asyncpg

        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        await conn.close()
        return None
    except Exception as exc:  # any failure means "not reachable"
        return f"PostgreSQL at {PG_HOST}:5432 is not reachable ({type(exc).__name__}: {exc})"


@asynccontextmanager
async def fresh_pg_database() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards (skips/fails if no server)."""
    import asyncpg

    reason = await _pg_reachable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; PostgreSQL tests are mandatory in CI")
        pytest.skip(reason)
    name = f"limber_t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:5432/{name}"
    finally:
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with fresh_pg_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'limber.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each database test runs on both backends."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'limber.db'}"
        return
    async with fresh_pg_database() as url:
        yield url


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    """A migrated, empty database behind the Store."""
    await upgrade_async(db_url)
    store = Store(create_engine(db_url))
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def spec_path() -> Path | None:
    """The official spec beside the project when present; else the packaged subset."""
    return SHARED_SPEC if SHARED_SPEC.exists() else None


@pytest.fixture
async def emu(spec_path: Path | None) -> AsyncIterator[BotApiEmulator]:
    """The Bot API stand-in; any request that broke the spec fails the test at the end, and
    so does a method the packaged subset (bot/sandbox/botapi-spec.json) lacks: a clean clone
    without the official spec beside it checks against that subset alone (CI did, and a new
    call passed here but not there)."""
    async with BotApiEmulator(spec_path) as emulator:
        yield emulator
        emulator.assert_no_violations()
        called = {c.method.lower() for c in emulator.calls}
        missing = sorted(called - set(packaged_spec().methods))
        assert missing == [], f"add to bot/sandbox/botapi-spec.json: {missing}"


@functools.cache
def packaged_spec() -> Spec:
    return Spec.load()


@pytest.fixture
def bot_options() -> dict[str, Any]:
    """How a test file's bot differs from the default (a clock, routines, settings): a file
    overrides this fixture; the bot itself is started and stopped in one place, below."""
    return {}


@pytest.fixture
async def bot(
    emu: BotApiEmulator, sqlite_url: str, bot_options: dict[str, Any]
) -> AsyncIterator[Harness]:
    """The real Application on a fresh SQLite file, polling the emulator."""
    async with Harness(emu, sqlite_url, **bot_options) as harness:
        yield harness
