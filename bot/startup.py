"""Reaching Telegram at start, and running long polling until SIGTERM.

PTB's `run_polling` is not used: with a token Telegram rejects it prints the token in a
traceback, with no network it gives up after one try with six tracebacks and unclosed sessions,
and a SIGTERM during its getUpdates back-off waits out the sleep (up to 30 s; 10.6 and 21.3 s
measured). Here a rejected token is one line, a network that is down is retried with back-off
and one log line per attempt, and a stop is honoured within a second in every phase.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator

from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.config import ConfigError, Settings
from bot.services import AnyApp

log = logging.getLogger(__name__)
REJECTED = (
    "Telegram rejected BOT_TOKEN (401 Unauthorized): check the token with @BotFather "
    "(/mybots, API Token) and set it again"
)
NOT_FOUND = (
    "Telegram answered 404 Not Found to getMe: check BOT_TOKEN with @BotFather, and "
    "TELEGRAM_API_BASE_URL if you set it"
)
# 1, 2, 4, ... 30 s: quick enough to serve soon after a short outage, slow enough not to
# hammer a network that is down for long.
FIRST_DELAY = 1.0
MAX_DELAY = 30.0
# The name PTB gives its polling task; its back-off sleep does not watch the stop event.
POLLING_TASK = "Updater:start_polling:polling_task"


@contextlib.asynccontextmanager
async def stop_signals() -> AsyncIterator[asyncio.Event]:
    """An event set by SIGTERM or SIGINT while the block runs."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        yield stop
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


async def connect(app: AnyApp, stop: asyncio.Event) -> bool:
    """Initialise the Application (its getMe checks the token), retrying while Telegram cannot
    be reached. True once connected; False if `stop` was set first. ConfigError when Telegram
    rejects the token: nothing to retry, the operator must fix it."""
    delay = FIRST_DELAY
    attempt = 1
    while not stop.is_set():
        try:
            await app.initialize()
            if attempt > 1:
                log.info("Telegram answered on attempt %d", attempt)
            return True
        except InvalidToken as exc:
            await app.bot.shutdown()  # close the HTTP sessions: no "Unclosed client session"
            # PTB raises it for 401 (a revoked or mistyped token) and for 404, which is also
            # what a wrong TELEGRAM_API_BASE_URL gets.
            if "not found" in str(exc.__cause__ or "").lower():
                raise ConfigError(NOT_FOUND) from None
            raise ConfigError(REJECTED) from None
        except RetryAfter as exc:
            await app.bot.shutdown()
            wait = exc.retry_after
            delay = wait if isinstance(wait, int | float) else wait.total_seconds()
            log.warning("Telegram asks to wait %.0f s before starting (attempt %d)", delay, attempt)
        except NetworkError as exc:  # includes TimedOut and Telegram's 5xx answers
            await app.bot.shutdown()
            log.warning(
                "Telegram cannot be reached (%s: %s); attempt %d, next in %.0f s",
                type(exc).__name__,
                exc,
                attempt,
                delay,
            )
        except TelegramError as exc:
            await app.bot.shutdown()
            raise ConfigError(f"Telegram refused to start the bot: {exc}") from None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, MAX_DELAY)
        attempt += 1
    return False


def _polling_failed(exc: TelegramError) -> None:
    # One line a failure (PTB's default logs a traceback each time); PTB retries with back-off.
    log.warning("getUpdates failed (%s: %s); retrying", type(exc).__name__, exc)


# The objects a burst's updates hold while in flight (a thousand requests' PTB objects,
# records, tasks) outlived the default 700-object young generation and were walked again as
# they aged; with the started objects frozen, the full collections, which count only the
# rest, came often. In a 300-user burst the collector took 0.22-0.33 ms of the worker's CPU
# per update; collected every 50,000 objects, 0.01 ms, and the worker's CPU per update went
# from 3.1-4.2 ms to 3.0-3.2 ms (workers.py, three alternating pairs, gc.callbacks; issue
# 28). The price: a young collection pauses 12-15 ms where it paused 4-8, and garbage in a
# cycle waits for 50,000 new objects to be freed (5-7 MB more resident memory with 1,000
# player pages open, benchmarks/player_live.py).
YOUNG_OBJECTS = 50_000


def freeze_what_started() -> None:
    """What the start built (modules, routines, catalogs, the application's own objects)
    lives as long as the process: collected once, then kept out of the collector's sight
    (gc.freeze), so a full collection walks only what the updates made. With 1,000 player
    pages open a full collection took 48-220 ms, four of them in 20 s; frozen, 28-128 ms, and
    press to answer p99 went from 173 to 76 ms (benchmarks/player_live.py, issue 28).

    Then the young generation is collected every YOUNG_OBJECTS new objects, not Python's
    default 700 (docs/design-notes.md, "Issue 28, seventh pass")."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])


async def run_polling(app: AnyApp, settings: Settings) -> None:
    """Long polling until SIGTERM/SIGINT; /healthz and /metrics on HEALTH_PORT if set."""
    from bot.app import ALLOWED_UPDATES, start_app, stop_app
    from bot.health import HealthServer, TelegramProbe
    from bot.services import KEY

    probe = TelegramProbe(app.bot)
    health = None
    async with stop_signals() as stop:
        try:
            port = settings.health_port
            if port is None and settings.public_url:
                port = settings.port  # the player needs a server: PORT, as in webhook mode
            if port is not None:
                # Up before Telegram is reached, so a platform sees why the bot is not ready.
                health = HealthServer(app.bot_data[KEY], probe, port)
                health.start()
            if not await connect(app, stop):
                return
            probe.ok()
            await start_app(app)
            freeze_what_started()
            assert app.updater is not None
            await app.updater.start_polling(
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
                error_callback=_polling_failed,
            )
            log.info("Limber is polling for updates")
            await stop.wait()
            log.info("stopping: finishing what is in flight")
        finally:
            await _stop_polling(app)
            await stop_app(app)
            if health is not None:
                await health.stop()


async def _stop_polling(app: AnyApp) -> None:
    """Stop the updater; if PTB's polling task is in its back-off sleep (which ignores the stop
    event), cancel it: nothing is in flight there, so nothing is lost."""
    if app.updater is None or not app.updater.running:
        return
    stopping = asyncio.create_task(app.updater.stop())
    done, _ = await asyncio.wait({stopping}, timeout=0.5)
    if not done:
        for task in asyncio.all_tasks():
            if task.get_name() == POLLING_TASK:
                task.cancel()
    await stopping
