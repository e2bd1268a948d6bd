"""Webhook mode: an ASGI app (Starlette on uvicorn) for several stateless workers.

Telegram allows one long-polling consumer per token, so scaling out means webhooks: each worker
serves the same URL behind a load balancer and shares PostgreSQL. This app takes Telegram's
POST (checking the secret header Telegram sends back to us), hands the update to PTB's queue,
and serves /healthz and /metrics for the platform. Modelled on PTB's customwebhookbot example.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from datetime import timedelta
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.config import Settings
from bot.services import KEY, AnyApp, Services
from bot.store.errors import DatabaseProblem

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram retries a webhook POST that is not answered in time; keep the bodies small.
MAX_BODY_BYTES = 1_000_000


def webhook_path(settings: Settings) -> str:
    """The path part of WEBHOOK_URL ("/telegram" if it has none)."""
    path = urlsplit(settings.webhook_url or "").path
    return path if path not in ("", "/") else "/telegram"


def build_asgi(app: AnyApp, settings: Settings) -> Starlette:
    svc: Services = app.bot_data[KEY]
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""

    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return PlainTextResponse("too large", status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, app.bot)
        except (ValueError, TypeError, KeyError):
            return PlainTextResponse("malformed update", status_code=400)
        await app.update_queue.put(update)
        return Response(status_code=200)

    async def healthz(request: Request) -> Response:
        problems = await health_problems(svc)
        if problems:
            return PlainTextResponse("; ".join(problems), status_code=503)
        return PlainTextResponse("ok")

    async def metrics(request: Request) -> Response:
        svc.metrics.active_sessions.set(await svc.store.count_live_sessions())
        return Response(svc.metrics.render(), media_type="text/plain; version=0.0.4")

    return Starlette(
        routes=[
            Route(webhook_path(settings), telegram, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ]
    )


async def health_problems(svc: Services) -> list[str]:
    """Why this worker is unhealthy; empty when it is fine."""
    problems = []
    try:
        async with asyncio.timeout(3):
            await svc.store.ping()
    except DatabaseProblem as exc:  # e.g. the SQLite file deleted under the running bot
        log.error("health: %s", exc)
        problems.append(str(exc))
    except Exception as exc:  # any failure to answer is the finding
        problems.append(f"database does not answer ({type(exc).__name__})")
    last = svc.dispatcher.last_tick_at
    allowed = timedelta(seconds=max(60.0, 3 * svc.settings.nudge_tick_seconds))
    if last is None:
        problems.append("the nudge tick has not run yet")
    elif svc.clock.now() - last > allowed:
        problems.append(f"the nudge tick last ran {svc.clock.now() - last} ago")
    return problems


async def serve(app: AnyApp, settings: Settings, *, host: str = "0.0.0.0") -> None:
    """Run until SIGTERM/SIGINT: register the webhook, serve, then drain and stop."""
    from bot.app import ALLOWED_UPDATES, start_app, stop_app

    assert settings.webhook_url and settings.webhook_secret
    server = uvicorn.Server(
        uvicorn.Config(
            build_asgi(app, settings),
            host=host,
            port=settings.port,
            log_level="warning",
            timeout_graceful_shutdown=8,
        )
    )
    # uvicorn catches SIGTERM/SIGINT for a graceful stop, then re-raises them once it is done;
    # ignored by then, they no longer kill the process before PTB drains (and exit is 0).
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    await start_app(app)
    try:
        await app.bot.set_webhook(
            url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
        )
        await server.serve()  # returns after SIGTERM, once in-flight requests are done
    finally:
        await stop_app(app)  # drains the update queue and running handlers
