"""Three webhook workers on one PostgreSQL: a nudge wave and double taps across workers.

Each worker is a real `python -m bot` process in webhook mode. Every nudge must go out exactly
once across them, and a double tap delivered to two workers at the same moment must advance a
session once.
"""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot import texts
from bot.sandbox.emulator import BotApiEmulator
from bot.store.db import create_engine, upgrade_async
from bot.store.repo import Store
from bot.webhook import SECRET_HEADER
from tests.harness import nudges_sent, post_update, process_env, seed_subscribers, spawn_bot

SECRET = "scale-out-secret"
WORKERS = 3
USERS = 500
SESSIONS = 30

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # three real processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_healthy(client: httpx.AsyncClient, url: str) -> None:
    for _ in range(150):
        try:
            if (await client.get(f"{url}/healthz")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"worker at {url} never became healthy")


async def test_three_workers_send_each_nudge_once_and_advance_each_tap_once(
    emu: BotApiEmulator, pg_url: str
) -> None:
    await upgrade_async(pg_url)
    store = Store(create_engine(pg_url))
    due = datetime.now(UTC) - timedelta(seconds=2)
    ids = await seed_subscribers(store, USERS, due, first_id=900_000)
    procs, urls = [], []
    try:
        for _ in range(WORKERS):
            port = free_port()
            env = process_env(
                emu,
                pg_url,
                WEBHOOK_URL="https://limber.example/telegram",
                WEBHOOK_SECRET=SECRET,
                PORT=str(port),
                NUDGE_TICK_SECONDS="0.5",
                LOG_LEVEL="WARNING",
            )
            procs.append(await spawn_bot(env))
            urls.append(f"http://127.0.0.1:{port}")
        headers = {SECRET_HEADER: SECRET}
        async with httpx.AsyncClient(timeout=30) as client:
            for url in urls:
                await wait_healthy(client, url)
            # Sessions: /stretch through one worker, then Ready tapped twice, on two workers.
            players = ids[:SESSIONS]
            for i, uid in enumerate(players):
                await client.post(
                    f"{urls[i % WORKERS]}/telegram",
                    json=emu.send_text(uid, "/stretch single"),
                    headers=headers,
                )
            await emu.wait_for(
                lambda: all(
                    any("Stretch 1 of 1" in m.text for m in emu.messages(u)) for u in players
                ),
                timeout=60,
            )
            taps = []
            for i, uid in enumerate(players):
                intro = next(m for m in emu.messages(uid) if "Stretch 1 of 1" in m.text)
                first = emu.press(uid, intro.message_id, text=texts.BUTTON_READY)
                second = emu.press(uid, intro.message_id, text=texts.BUTTON_READY)
                one, other = urls[i % WORKERS], urls[(i + 1) % WORKERS]
                taps.append(post_update(client, emu, f"{one}/telegram", first, SECRET))
                taps.append(post_update(client, emu, f"{other}/telegram", second, SECRET))
            answers = await asyncio.gather(*taps)
            assert all(r.status_code == 200 for r in answers)

            await emu.wait_for(lambda: len(nudges_sent(emu)) == USERS, timeout=90)
            await emu.wait_for(
                lambda: all(any("⏱" in m.text for m in emu.messages(u)) for u in players),
                timeout=30,
            )
            await asyncio.sleep(1.0)  # room for any duplicate to show up
        counts = nudges_sent(emu)
        assert set(counts) == set(ids) and set(counts.values()) == {1}
        for uid in players:
            holds = [m for m in emu.messages(uid) if m.text.startswith("⏱")]
            assert len(holds) == 1, f"user {uid}: {len(holds)} hold messages"
        answered = [c for c in emu.calls if c.method == "answerCallbackQuery"]
        assert len(answered) == 2 * SESSIONS  # no update lost: every tap was answered
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.terminate()
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), timeout=15)
            except TimeoutError:
                proc.kill()
        await store.close()
    for proc in procs:
        assert proc.returncode == 0
