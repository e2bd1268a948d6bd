"""What the player's tests share: a bot with PUBLIC_URL set, its player routes, and initData
signed as Telegram would sign it (with the stand-in's token)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette

from bot.clock import Clock
from bot.player.api import player_routes
from bot.player.initdata import sign_for
from bot.sandbox.emulator import BotApiEmulator
from tests.harness import Harness

PUBLIC_URL = "http://127.0.0.1:8080"


def player_harness(emu: BotApiEmulator, db_url: str, **overrides: Any) -> Harness:
    values: dict[str, Any] = {"public_url": PUBLIC_URL, **overrides}
    return Harness(emu, db_url, overrides=values)


def signed(
    harness: Harness,
    user_id: int,
    *,
    token: str | None = None,
    language: str = "en",
    clock: Clock | None = None,
    hours_ago: float = 0.0,
) -> str:
    from datetime import timedelta

    at = (clock or harness.clock).now() - timedelta(hours=hours_ago)
    return sign_for(token or harness.emu.token, user_id, "Ann", language, at)


def auth(init_data: str) -> dict[str, str]:
    return {"Authorization": f"tma {init_data}"}


@contextlib.asynccontextmanager
async def player_client(harness: Harness) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the player's routes, served in this event loop."""
    app = Starlette(routes=player_routes(harness.services))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://player") as client:
        yield client


@contextlib.asynccontextmanager
async def player_server(harness: Harness) -> AsyncIterator[str]:
    """The player served over real HTTP on a loopback port (as polling mode serves it beside
    /healthz); yields the page's address."""
    from bot.health import HealthServer, TelegramProbe
    from bot.sandbox.player import free_port

    probe = TelegramProbe(harness.services.coach.chat.bot)
    probe.ok()
    server = HealthServer(harness.services, probe, free_port(), host="127.0.0.1")
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}/app/"
    finally:
        await server.stop()
