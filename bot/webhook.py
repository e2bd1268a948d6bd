"""Webhook mode: an ASGI app (Starlette on uvicorn) for several stateless workers.

Telegram allows one long-polling consumer per token, so scaling out means webhooks: each worker
serves the same URL behind a load balancer and shares PostgreSQL. This app takes Telegram's
POST (checking the secret header Telegram sends back to us), hands the update to PTB's queue,
and serves /healthz and /metrics for the platform (bot/health.py). Modelled on PTB's
customwebhookbot example.

The port is open to the internet, so the server is built for hostile clients too (measured in
docs/benchmarks.md): a connection must send its request headers within HEADER_SECONDS and its
body within BODY_SECONDS; connections are capped below the open-file limit, and at the cap the
connection that has waited longest without sending a request makes room (slow clients cannot
starve Telegram or the platform's probe); a body over MAX_BODY_BYTES is refused by its
Content-Length before it is read, or as soon as a streamed one passes the cap; a signed body that
is not a well-formed update gets 400 and never reaches a handler.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import resource
import signal
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import h11
import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.config import Settings
from bot.health import Server, TelegramProbe, bind, health_problems, health_routes
from bot.keyboards.session import SessionPress
from bot.player.api import player_routes
from bot.services import KEY, AnyApp, Services
from bot.webhook_reply import WebhookReplies

__all__ = ["build_asgi", "health_problems", "serve", "webhook_path"]

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; a megabyte leaves room for the longest message with
# entities and still bounds what one request can make the process hold.
MAX_BODY_BYTES = 1_000_000
# Telegram sends a whole update at once; a client that takes longer than this for its headers
# or its body is not Telegram (or is on a link too poor to be served anyway).
HEADER_SECONDS = 10.0
BODY_SECONDS = 10.0
# Connections accepted in one go before any of them is looked at (asyncio accepts up to the
# listen backlog per wake-up; uvicorn's default is 2,048, beyond most open-file limits).
ACCEPT_BATCH = 32
# Deeper than any real update (a reply to a message with a keyboard is about 8 levels).
MAX_DEPTH = 32


def webhook_path(settings: Settings) -> str:
    """The path part of WEBHOOK_URL ("/telegram" if it has none)."""
    path = urlsplit(settings.webhook_url or "").path
    return path if path not in ("", "/") else "/telegram"


class Malformed(ValueError):
    """A signed body that is not an update the handlers can take."""


def parse_update(body: bytes, app: AnyApp) -> Update:
    """The update in `body`, or Malformed naming what is wrong with it.

    PTB's de_json trusts its input ("message": "x" raises AttributeError deep inside, a
    callback_query without "from" is accepted and breaks a handler later), so the shape the
    handlers rely on is checked here, once.
    """
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise Malformed("not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise Malformed("no update_id")
    if _depth(data) > MAX_DEPTH:
        raise Malformed(f"nested deeper than {MAX_DEPTH} levels")
    for key in ("message", "callback_query"):
        if key in data and not isinstance(data[key], dict):
            raise Malformed(f"{key} is not an object")
    try:
        update = Update.de_json(data, app.bot)
    except Exception as exc:  # whatever PTB trips on, the body is the problem
        raise Malformed(f"{type(exc).__name__} while reading it") from exc
    message = update.message
    if message is not None and (
        not isinstance(message.chat.id if message.chat else None, int)
        or (message.from_user is not None and not isinstance(message.from_user.id, int))
        or not isinstance(message.text, str | None)
    ):
        raise Malformed("message without a chat, or with a bad sender or text")
    query = update.callback_query
    if query is not None and (
        query.from_user is None
        or not isinstance(query.from_user.id, int)
        or not isinstance(query.id, str)
        or not isinstance(query.data, str | None)
    ):
        raise Malformed("callback_query without a sender or id")
    return update


def _depth(value: Any, level: int = 1) -> int:
    # Iterative on purpose: a recursive walk of a hostile body is what is being guarded against.
    deepest, stack = level, [(value, level)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            return depth
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


async def read_body(request: Request) -> bytes | Response:
    """The body, or the response refusing it (413 too large, 408 too slow)."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        return PlainTextResponse("too large", status_code=413)  # refused before reading
    chunks, size = [], 0
    try:
        async with asyncio.timeout(BODY_SECONDS):
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY_BYTES:  # chunked, or a Content-Length that lied
                    return PlainTextResponse("too large", status_code=413)
                chunks.append(chunk)
    except TimeoutError:
        return PlainTextResponse("request body too slow", status_code=408)
    except ClientDisconnect:
        return Response(status_code=400)
    return b"".join(chunks)


def _answered_at_once(data: str | None) -> bool:
    """Whether the press is a session button's, answered as soon as it is saved. Other
    buttons edit their message first (the edit may wait its turn at the rate limiter), and
    holding Telegram's connection for them (one of 40) would cost more than it saves."""
    return data is not None and data.startswith(f"{SessionPress.prefix}:")


def build_asgi(
    app: AnyApp,
    settings: Settings,
    telegram: TelegramProbe | None = None,
    stopping: list[Callable[[], None]] | None = None,
) -> Starlette:
    svc: Services = app.bot_data[KEY]
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    replies: WebhookReplies | None = getattr(app.bot.request, "replies", None)

    async def receive_update(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        body = await read_body(request)
        if isinstance(body, Response):
            return body
        try:
            update = parse_update(body, app)
        except Malformed as exc:
            log.warning("refused a malformed update (%s)", exc)
            return PlainTextResponse("malformed update", status_code=400)
        query = update.callback_query
        if replies is None or query is None or not _answered_at_once(query.data):
            await app.update_queue.put(update)
            return Response(status_code=200)
        # A session button: its answer goes back in this response (bot/webhook_reply.py).
        waiting = replies.expect(query.id)
        await app.update_queue.put(update)
        answer = await replies.wait(query.id, waiting)
        if answer is None:
            return Response(status_code=200)
        if await request.is_disconnected():
            # Telegram hung up (or the balancer did): the answer goes out on its own.
            params = {k: v for k, v in answer.items() if k != "method"}
            app.create_task(app.bot.answer_callback_query(**params))
            return Response(status_code=200)
        return Response(json.dumps(answer), media_type="application/json")

    return Starlette(
        routes=[
            Route(webhook_path(settings), receive_update, methods=["POST"]),
            *health_routes(svc, telegram),
            *player_routes(svc, stopping),
        ]
    )


class _Guarded(H11Protocol):
    """uvicorn's h11 protocol with a header timeout and a connection cap (see module doc);
    `guarded_protocol` makes one class per server with its own limits and bookkeeping."""

    max_connections: int
    header_seconds: float
    # Connections with no complete request, oldest first. At the cap the oldest that sent part
    # of one (the slow-header attack) makes room; if there is none, the new connection is
    # refused: one that sent nothing yet is a kept-alive one between requests (as Telegram's
    # own are) or fresh, and the header timeout clears those that never send.
    partial: dict[H11Protocol, None]
    idle: dict[H11Protocol, None]
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._wait_for_request()
        if len(self.connections) > self.max_connections:
            victim = next(iter(self.partial)) if self.partial else self
            log.warning(
                "%d connections open (the cap): closed one that sent no complete request",
                len(self.connections),
            )
            victim._close_slow()  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the request line and headers are in
            self._request_started()
        elif self in self.idle and data:
            del self.idle[self]
            self.partial[self] = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._wait_for_request()  # a kept-alive connection owes the next request

    def connection_lost(self, exc: Exception | None) -> None:
        self._request_started()
        super().connection_lost(exc)

    def _wait_for_request(self) -> None:
        self._request_started()
        self.idle[self] = None
        self._deadline = self.loop.call_later(self.header_seconds, self._too_slow)

    def _request_started(self) -> None:
        self.partial.pop(self, None)
        self.idle.pop(self, None)
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        log.warning("closed a connection that sent no request in %.0f s", self.header_seconds)
        self._close_slow()

    def _close_slow(self) -> None:
        self._request_started()
        self.transport.abort()  # no FIN handshake to wait for: the fd is free at once


def guarded_protocol(
    max_connections: int, header_seconds: float = HEADER_SECONDS
) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a header timeout and a connection cap (see module doc).

    uvicorn has neither: its keep-alive timer does not run before the first request and any
    byte resets it, and `limit_concurrency` answers 503 only once a request has been read.
    """
    limits = {
        "max_connections": max_connections,
        "header_seconds": header_seconds,
        "partial": {},
        "idle": {},
    }
    return type("Guarded", (_Guarded,), limits)


def connection_cap() -> int:
    """Connections the server accepts at once: below the open-file limit (raised to the hard
    limit first), leaving room for the database, Telegram's connection pool and logs. At the
    common limit of 1,024 that is 768; 1,100 slow clients used to exhaust it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        try:
            target = hard if hard != resource.RLIM_INFINITY else max(soft, 65_536)
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    # Accepted sockets wait for their protocol, and closed ones for the next loop turn, so a
    # few batches are in flight at once (one batch of 64 still ran out of files at 256).
    reserve = min(512, max(64, soft // 4)) + 3 * ACCEPT_BATCH
    return max(16, min(10_000, soft - reserve))


def server_config(asgi: Starlette, max_connections: int, **options: Any) -> uvicorn.Config:
    """uvicorn's settings for the webhook server (tests pass host and port in `options`)."""
    return uvicorn.Config(
        asgi,
        log_level="warning",
        log_config=None,  # through the root logger: its format, token filter, rate limit
        http=guarded_protocol(max_connections),
        timeout_keep_alive=5,
        timeout_graceful_shutdown=8,
        backlog=ACCEPT_BATCH,
        **options,
    )


async def serve(app: AnyApp, settings: Settings, *, host: str = "0.0.0.0") -> None:
    """Run until SIGTERM/SIGINT: register the webhook, serve, then drain and stop."""
    from bot.app import ALLOWED_UPDATES, start_app, stop_app
    from bot.startup import connect, freeze_what_started

    assert settings.webhook_url and settings.webhook_secret
    sock = bind(settings.port, "PORT", host, backlog=ACCEPT_BATCH)  # in use: one line, exit 2
    probe = TelegramProbe(app.bot)
    cap = connection_cap()
    stopping: list[Callable[[], None]] = []
    server = Server(server_config(build_asgi(app, settings, probe, stopping), cap), stopping)
    # uvicorn catches SIGTERM/SIGINT for a graceful stop, then re-raises them once it is done;
    # ignored by then, they no longer kill the process before PTB drains (and exit is 0).
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    # Serving (and answering /healthz) while Telegram is still being reached; the updates that
    # arrive meanwhile wait in PTB's queue.
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    stop = asyncio.Event()
    serving.add_done_callback(lambda _: stop.set())
    log.info("webhook server on port %d (at most %d connections)", settings.port, cap)
    try:
        if not await connect(app, stop):
            return
        probe.ok()
        await start_app(app)
        freeze_what_started()
        await app.bot.set_webhook(
            url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
        )
        await serving  # returns after SIGTERM, once in-flight requests are done
    finally:
        server.should_exit = True
        await serving
        await stop_app(app)  # drains the update queue and running handlers
        sock.close()
