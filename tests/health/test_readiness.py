"""/livez, /readyz and /healthz, and a database that turns read-only under the running bot
(issue 27): before, /healthz kept answering 200 while every update failed to write, and a
session press got no word of why nothing happened.

The database turns read-only as in a fail-over to a standby: PostgreSQL's
default_transaction_read_only on the test's own database, and its connections ended.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette

from bot import texts
from bot.health import health_problems, health_routes
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from tests.conftest import PG_ADMIN_DSN
from tests.harness import Harness

ANN = 1001


@pytest.fixture
async def bot(emu: BotApiEmulator, pg_url: str) -> AsyncIterator[Harness]:
    harness = Harness(emu, pg_url)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def make_read_only(url: str, on: bool = True) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        value = "on" if on else "off"
        await admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {value}')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
    finally:
        await admin.close()


def _pausable(emu: BotApiEmulator, message: BotMessage) -> bool:
    return texts.BUTTON_PAUSE in [label for label, _ in emu.buttons(message)]


async def get(app: Starlette, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://limber") as client:
        return await client.get(path)


@pytest.mark.postgres
async def test_readyz_turns_unready_when_the_database_turns_read_only_and_a_press_is_answered(
    emu: BotApiEmulator, bot: Harness, pg_url: str
) -> None:
    svc = bot.services
    await svc.dispatcher.tick()
    routes = Starlette(routes=health_routes(svc, None))
    assert (await get(routes, "/readyz")).status_code == 200
    emu.send_text(ANN, "/stretch")
    await emu.wait_for(lambda: any(_pausable(emu, m) for m in emu.messages(ANN)), timeout=6)
    card = next(m for m in emu.messages(ANN) if _pausable(emu, m))

    await make_read_only(pg_url)
    turned = time.monotonic()
    problems = await health_problems(svc)
    assert time.monotonic() - turned < 10
    assert any("cannot be written" in p and "read-only" in p for p in problems), problems
    ready, healthz, live = [await get(routes, p) for p in ("/readyz", "/healthz", "/livez")]
    assert ready.status_code == healthz.status_code == 503 and "cannot be written" in ready.text
    assert live.status_code == 200  # nothing a restart would cure

    answered = len([c for c in emu.calls if c.method == "answerCallbackQuery"])
    emu.press(ANN, card.message_id, text=texts.BUTTON_PAUSE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        answers = [c for c in emu.calls if c.method == "answerCallbackQuery"][answered:]
        if answers:
            break
        await asyncio.sleep(0.05)
    assert answers and "try again in a minute" in str(answers[0].params.get("text")), answers

    await make_read_only(pg_url, on=False)
    assert await health_problems(svc) == []
