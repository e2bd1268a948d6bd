"""/livez, /readyz (and /healthz, its older name) and /metrics, the same in both modes.

Webhook mode mounts these routes on its own server (PORT); polling mode, the default, serves
them on HEALTH_PORT when that is set (`serve_health`). Healthy means the bot can do its job:
the database answers, the nudge tick ran recently, and Telegram answered recently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable, Generator
from datetime import timedelta

import uvicorn
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Bot

from bot.config import ConfigError
from bot.logs import Repeats
from bot.services import Services
from bot.store.errors import DatabaseProblem

log = logging.getLogger(__name__)
_REPEATS = Repeats(log)
# A check that takes longer than this is itself the finding (a platform's probe times out
# at a few seconds too).
CHECK_SECONDS = 3.0
# Telegram counts as reachable for this long after it last answered; past it, /healthz asks
# it (getMe) again, at most once per PROBE_EVERY seconds, so a platform probing every few
# seconds costs Telegram at most two requests a minute.
TELEGRAM_FRESH_SECONDS = 60.0
PROBE_EVERY = 30.0


class TelegramProbe:
    """When Telegram last answered this process, asking it again when that is too long ago."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.last_ok: float | None = None
        self._last_try: float | None = None
        self._lock = asyncio.Lock()

    def ok(self) -> None:
        """Record an answer from Telegram (start-up's getMe)."""
        self.last_ok = time.monotonic()

    async def problem(self) -> str | None:
        async with self._lock:
            now = time.monotonic()
            fresh = self.last_ok is not None and now - self.last_ok < TELEGRAM_FRESH_SECONDS
            recently_tried = self._last_try is not None and now - self._last_try < PROBE_EVERY
            if not fresh and not recently_tried:
                self._last_try = now
                try:
                    async with asyncio.timeout(CHECK_SECONDS):
                        await self.bot.get_me()
                    self.last_ok = time.monotonic()
                except Exception as exc:  # not initialised, timed out, refused: all "no"
                    log.warning("Telegram does not answer (%s)", type(exc).__name__)
            if self.last_ok is None:
                return "Telegram has not answered yet"
            ago = time.monotonic() - self.last_ok
            if ago >= TELEGRAM_FRESH_SECONDS:
                return f"Telegram last answered {ago:.0f} s ago"
            return None


async def health_problems(svc: Services, telegram: TelegramProbe | None = None) -> list[str]:
    """Why this process is not ready to work (/readyz, and /healthz as before); empty when it
    is: the database answers and takes writes, the nudge tick runs, Telegram answers."""
    problems = []
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            ping = getattr(svc.store, "ping", None)
            if ping is not None:
                await ping()
                # A database that reads but refuses writes fails every update: not ready.
                await svc.store.check_writable()
            else:
                async with svc.store.reading() as db:
                    await db.execute(text("SELECT 1"))
    except DatabaseProblem as exc:  # the SQLite file deleted under the bot, read-only
        _REPEATS.failed("health: database", exc)  # once, then a count (a probe every 5 s)
        problems.append(str(exc))
    except Exception as exc:  # any failure to answer is the finding
        problems.append(f"database does not answer ({type(exc).__name__})")
    else:
        _REPEATS.worked("health: database")
    last = svc.dispatcher.last_tick_at
    # A nudge wave of thousands of sends makes one tick long (29 sends/s), hence the floor.
    allowed = timedelta(seconds=max(60.0, 3 * svc.settings.nudge_tick_seconds))
    if last is None:
        problems.append("the nudge tick has not run yet")
    elif svc.clock.now() - last > allowed:
        ago = (svc.clock.now() - last).total_seconds()
        problems.append(f"the nudge tick last ran {ago:.0f} s ago")
    if telegram is not None:
        problem = await telegram.problem()
        if problem:
            problems.append(problem)
    return problems


def health_routes(svc: Services, telegram: TelegramProbe | None) -> list[Route]:
    async def livez(request: Request) -> Response:
        # Only that the process and its event loop answer: what a supervisor restarts on.
        # A Telegram outage or a database in trouble is not cured by a restart (readyz).
        return PlainTextResponse("ok")

    async def healthz(request: Request) -> Response:
        problems = await health_problems(svc, telegram)
        if problems:
            return PlainTextResponse("; ".join(problems), status_code=503)
        return PlainTextResponse("ok")

    async def metrics(request: Request) -> Response:
        try:
            async with asyncio.timeout(CHECK_SECONDS):
                svc.metrics.active_sessions.set(await svc.store.count_live_sessions())
        except Exception as exc:  # the other figures are still worth serving
            log.warning("metrics: live sessions not counted (%s)", type(exc).__name__)
        return Response(svc.metrics.render(), media_type="text/plain; version=0.0.4")

    return [
        Route("/livez", livez, methods=["GET"]),
        Route("/readyz", healthz, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),  # the readiness of earlier releases
        Route("/metrics", metrics, methods=["GET"]),
    ]


def bind(port: int, name: str, host: str = "0.0.0.0", backlog: int = 128) -> socket.socket:
    """A listening socket, or ConfigError naming the variable when the port cannot be used
    (uvicorn would log the error and exit 1 from inside a task instead)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"{name}={port} cannot be used: {exc.strerror}") from None
    sock.listen(backlog)
    sock.setblocking(False)
    return sock


class Server(uvicorn.Server):
    """uvicorn's server that, as it starts to stop, first runs `stopping` (the player's
    answer to its waiting long-polls, bot/player/live.py): uvicorn waits for every request
    under way before it stops, and a long-poll waits up to 25 s."""

    def __init__(self, config: uvicorn.Config, stopping: list[Callable[[], None]]) -> None:
        super().__init__(config)
        self.stopping = stopping

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for release in self.stopping:
            release()
        await super().shutdown(sockets)


class NoSignals(Server):
    """A uvicorn server that leaves SIGTERM and SIGINT to the process (bot.startup)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class HealthServer:
    """/healthz and /metrics on their own port, for polling mode."""

    def __init__(
        self, svc: Services, telegram: TelegramProbe, port: int, host: str = "0.0.0.0"
    ) -> None:
        from bot.player.api import player_routes

        self._sock = bind(port, "HEALTH_PORT", host)
        stopping: list[Callable[[], None]] = []
        self._server = NoSignals(
            uvicorn.Config(
                Starlette(routes=[*health_routes(svc, telegram), *player_routes(svc, stopping)]),
                log_level="warning",
                log_config=None,  # through the root logger: its format and its token filter
                timeout_keep_alive=5,
                # Open players hold a long-poll each (bot/player/live.py); without them 64.
                limit_concurrency=2048 if svc.settings.public_url else 64,
            ),
            stopping,
        )
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        return int(self._sock.getsockname()[1])

    def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]))

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task
        self._sock.close()
