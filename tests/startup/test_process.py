"""The real command line as a process: polling against the stand-in, and a graceful SIGTERM
(with and without a nudge wave in flight)."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.sandbox.emulator import BotApiEmulator
from bot.store.db import create_engine, upgrade_async
from bot.store.models import Nudge
from bot.store.repo import Store
from tests.harness import next_message, nudges_sent, process_env, seed_subscribers, spawn_bot

ANN = 8001

pytestmark = pytest.mark.slow  # real processes


async def test_the_bot_runs_as_a_process_and_stops_gracefully_on_sigterm(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    env = process_env(emu, f"sqlite+aiosqlite:///{tmp_path / 'limber.db'}", LOG_LEVEL="INFO")
    proc = await spawn_bot(env)
    try:
        emu.send_text(ANN, "/start")
        hello = await next_message(emu, ANN, 0, timeout=20)
        assert "Hi Ann" in hello.text
        emu.send_text(ANN, "/help")
        await next_message(emu, ANN, 2, timeout=10)
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), timeout=10)
        assert time.monotonic() - began < 10
        assert proc.returncode == 0
        _, err = await proc.communicate()
        log = err.decode()
        assert "Traceback" not in log
        assert emu.token.split(":", 1)[1] not in log  # INFO logging never shows the token
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_sigterm_during_a_nudge_wave_finishes_what_it_claimed_and_loses_nothing(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """500 nudges due at once go out at 29/s (17 s); a SIGTERM a second in stops claiming,
    sends what was claimed, and exits 0 within 10 s. The next start sends the rest: each of
    the 500 exactly once."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'limber.db'}"
    await upgrade_async(url)
    store = Store(create_engine(url))
    procs: list[asyncio.subprocess.Process] = []
    try:
        ids = await seed_subscribers(store, 500, datetime.now(UTC) - timedelta(seconds=5))
        env = process_env(emu, url, NUDGE_TICK_SECONDS="0.5")

        proc = await spawn_bot(env)
        procs.append(proc)
        await emu.wait_for(lambda: len(nudges_sent(emu)) >= 20, timeout=20)
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), timeout=10)
        assert time.monotonic() - began < 10 and proc.returncode == 0
        first = nudges_sent(emu)
        assert 20 <= len(first) < 500  # stopped mid-wave
        async with store.reading() as db:
            now = datetime.now(UTC)
            still_due = set(
                await db.scalars(select(Nudge.user_id).where(Nudge.next_nudge_at <= now))
            )
        # Every nudge it claimed went out; every one it did not is still due.
        assert set(first) | still_due == set(ids) and not set(first) & still_due

        proc = await spawn_bot(env)
        procs.append(proc)
        await emu.wait_for(lambda: len(nudges_sent(emu)) == 500, timeout=60)
        await asyncio.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), timeout=10)
        assert set(nudges_sent(emu).values()) == {1}
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        await store.close()
