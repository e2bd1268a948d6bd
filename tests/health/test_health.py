"""/healthz and /metrics in polling mode (HEALTH_PORT), through the real process.

Healthy; the database down (PostgreSQL refusing connections); the nudge tick stale (its writes
blocked by another process holding SQLite's write lock). Before, polling mode had no health
endpoint at all.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sqlite3
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from bot.sandbox.emulator import BotApiEmulator
from bot.store.db import create_engine
from bot.store.repo import Store
from tests.conftest import PG_ADMIN_DSN
from tests.crash_bot import AnchoredClock
from tests.harness import next_message, nudges_sent, process_env, seed_subscribers, spawn_bot
from tests.startup.test_startup import free_port

ANN = 8201


async def health(port: int) -> httpx.Response | None:
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            return await client.get(f"http://127.0.0.1:{port}/healthz")
    except httpx.TransportError:
        return None


async def wait_for_health(
    port: int, ok: Callable[[httpx.Response], bool], timeout: float = 30
) -> httpx.Response:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = await health(port)
        if last is not None and ok(last):
            return last
        await asyncio.sleep(0.25)
    raise AssertionError(f"health never became as expected; last: {last and last.text}")


async def stop(proc: asyncio.subprocess.Process) -> str:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(proc.communicate(), 15)
    assert proc.returncode == 0
    return err.decode()


@pytest.mark.slow  # 2.5 s here (--durations)
async def test_polling_mode_serves_healthz_and_metrics_and_json_logs(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    port = free_port()
    env = process_env(
        emu,
        f"sqlite+aiosqlite:///{tmp_path / 'limber.db'}",
        HEALTH_PORT=str(port),
        NUDGE_TICK_SECONDS="1",
        LOG_FORMAT="json",
        LOG_LEVEL="DEBUG",  # the most records, third-party ones included
    )
    proc = await spawn_bot(env)
    try:
        healthy = await wait_for_health(port, lambda r: r.status_code == 200)
        assert healthy.text == "ok"
        emu.send_text(ANN, "/help")
        await next_message(emu, ANN, 0, timeout=10)
        async with httpx.AsyncClient() as client:
            metrics = await client.get(f"http://127.0.0.1:{port}/metrics")
        assert metrics.status_code == 200
        assert "limber_updates_handled_total 1.0" in metrics.text
        assert "limber_nudge_tick_seconds_count" in metrics.text
        # Issue 27: build info, the process collectors, errors, Telegram calls by method and
        # result (the token, in every Bot API URL, never in a label), and /livez, /readyz.
        assert 'limber_build_info{python="' in metrics.text and 'version="' in metrics.text
        assert "process_resident_memory_bytes" in metrics.text
        assert "python_info{" in metrics.text
        assert "limber_errors_total 0.0" in metrics.text
        assert 'limber_telegram_requests_total{method="getMe",result="ok"}' in metrics.text
        assert 'limber_telegram_requests_total{method="sendMessage",result="ok"}' in metrics.text
        assert emu.token.split(":")[1] not in metrics.text
        async with httpx.AsyncClient() as client:
            for path in ("/livez", "/readyz", "/healthz"):
                answer = await client.get(f"http://127.0.0.1:{port}{path}")
                assert (answer.status_code, answer.text) == (200, "ok"), path
    finally:
        log = await stop(proc)
    records = [json.loads(line) for line in log.splitlines()]  # one JSON object per line
    assert records and all(r["level"] and r["logger"] for r in records)
    # ISO 8601 in UTC (before: "2026-12-07 00:46:18,689", the host's local time).
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["time"]) for r in records)
    assert emu.token.split(":")[1] not in log


@pytest.mark.slow
async def test_healthz_turns_bad_when_the_nudge_tick_stalls(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """Another process holds SQLite's write lock while a nudge falls due: the tick cannot
    claim it, reads still work, and readiness names both the stalled tick and the database
    (its write probe, issue 27, cannot take the lock either). The clock runs 20 times fast
    (tests/crash_bot.py), so the 60 s allowance is 3 real s."""
    db = tmp_path / "limber.db"
    url = f"sqlite+aiosqlite:///{db}"
    port = free_port()
    clock = AnchoredClock(20, time.time())
    env = process_env(
        emu,
        url,
        HEALTH_PORT=str(port),
        NUDGE_TICK_SECONDS="0.5",
        LIMBER_TEST_CLOCK=f"{clock.speed}@{clock.anchor}",
        CHAT_PACE_PER_SECOND="0",  # a 20x clock, no limits enforced: unpaced, as before
    )
    proc = await spawn_bot(env, module="tests.crash_bot")
    try:
        await wait_for_health(port, lambda r: r.status_code == 200)
        store = Store(create_engine(url))
        try:  # due in 40 clock-seconds: 2 real seconds after the lock is taken
            await seed_subscribers(store, 1, clock.now() + timedelta(seconds=40))
        finally:
            await store.close()
        holder = sqlite3.connect(db, isolation_level=None, timeout=1)
        holder.execute("BEGIN IMMEDIATE")
        try:
            sick = await wait_for_health(port, lambda r: r.status_code == 503, timeout=20)
            assert "the nudge tick last ran" in sick.text and "database" in sick.text
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        await wait_for_health(port, lambda r: r.status_code == 200, timeout=30)
        await emu.wait_for(lambda: len(nudges_sent(emu)) == 1, timeout=10)  # sent once freed
    finally:
        await stop(proc)


@pytest.mark.postgres
@pytest.mark.slow  # 2.6 s here (--durations)
async def test_healthz_turns_bad_when_the_database_is_down(
    emu: BotApiEmulator, pg_url: str
) -> None:
    name = pg_url.rsplit("/", 1)[1]
    port = free_port()
    env = process_env(emu, pg_url, HEALTH_PORT=str(port), NUDGE_TICK_SECONDS="1")
    proc = await spawn_bot(env)
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await wait_for_health(port, lambda r: r.status_code == 200)
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        sick = await wait_for_health(port, lambda r: r.status_code == 503, timeout=20)
        assert "database does not answer" in sick.text
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await wait_for_health(port, lambda r: r.status_code == 200, timeout=30)
    finally:
        await admin.close()
        await stop(proc)
