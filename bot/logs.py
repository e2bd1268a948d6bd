"""Logging set-up that never leaks the bot token, and never floods.

httpx logs every request URL at INFO, and Telegram URLs contain the token, so httpx is held at
WARNING. As a second line of defence every record passes a filter that masks the token wherever
it appears (a traceback, an exception message, a third-party debug line), and as the last one
stdout and stderr themselves are wrapped (`protect_streams`), so whatever else writes to them (an
uncaught exception's traceback, a warning printed at exit) is masked too.

`LOG_FORMAT=json` writes one JSON object per line (python-json-logger) for log collectors; the
same filters apply, since they change the record before any formatter sees it.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import IO, Any

REDACTED = "[BOT_TOKEN]"
_QUIET = ("httpx", "httpcore", "apscheduler", "aiosqlite", "asyncio")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers whose repeated records come from outside (a flood of hostile connections, a network
# that is down), so they are rate limited; the bot's own loggers are never silenced.
FLOODABLE = ("asyncio", "uvicorn", "bot.webhook", "bot.health", "telegram")


class RedactToken(logging.Filter):
    """Replace the token in the formatted message and in exception text."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secret:
            return True
        message = record.getMessage()
        if self.secret in message:
            record.msg = message.replace(self.secret, REDACTED)
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if self.secret in text:
                record.exc_text = text.replace(self.secret, REDACTED)
                record.exc_info = None
                record.msg = f"{record.msg}\n{record.exc_text}"
                record.exc_text = None
        return True


class OneLineTelegramErrors(logging.Filter):
    """A Telegram or network error logged by a library becomes one line, not a traceback.

    PTB logs every failed getUpdates with the whole traceback (six of them in a minute of no
    network), asyncio every failed accept(); the exception's type and message say all an
    operator can act on.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info:
            return True
        exc = record.exc_info[1]
        from telegram.error import TelegramError

        # ValueError: PTB logs an answer that is not JSON (a wrong API URL's 404 page) too.
        if (record.name.startswith("telegram") and isinstance(exc, TelegramError | ValueError)) or (
            record.name == "asyncio" and isinstance(exc, OSError)
        ):
            record.msg = f"{record.getMessage()} ({type(exc).__name__}: {exc})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class RateLimit(logging.Filter):
    """At most `burst` records of one kind (logger, level, message template) per `window`
    seconds from the loggers named by `prefixes`; the first record after the window says how
    many were left out."""

    def __init__(
        self, prefixes: tuple[str, ...] = FLOODABLE, burst: int = 5, window: float = 60.0
    ) -> None:
        super().__init__()
        self.prefixes = prefixes
        self.burst = burst
        self.window = window
        self._seen: dict[tuple[str, int, str], tuple[float, int, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self.prefixes):
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = time.monotonic()
        started, shown, dropped = self._seen.get(key, (now, 0, 0))
        if now - started >= self.window:
            if dropped:
                record.msg = f"{record.getMessage()} ({dropped} similar messages left out)"
                record.args = None
            started, shown, dropped = now, 0, 0
        if shown >= self.burst:
            self._seen[key] = (started, shown, dropped + 1)
            return False
        self._seen[key] = (started, shown + 1, dropped)
        if len(self._seen) > 1000:  # varied messages must not grow this without end
            self._seen.clear()
        return True


class RedactingStream:
    """A text stream that masks the token in everything written through it."""

    def __init__(self, stream: IO[str], secret: str) -> None:
        self._stream = stream
        self._secret = secret

    def write(self, text: str) -> int:
        self._stream.write(text.replace(self._secret, REDACTED) if self._secret else text)
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, ...
        return getattr(self._stream, name)


def protect_streams(secret: str) -> None:
    """Mask the token on stdout and stderr for the rest of the process (every exit path:
    uncaught exceptions, warnings, anything printed)."""
    if not secret:
        return
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, RedactingStream):
            setattr(sys, name, RedactingStream(stream, secret))


def install_redaction(secret: str, handlers: list[logging.Handler] | None = None) -> RedactToken:
    """Attach the filter to `handlers` (default: the root logger's handlers)."""
    flt = RedactToken(secret)
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        handler.addFilter(flt)
    return flt


def configure(level: str, secret: str, fmt: str = "text") -> None:
    """Logging for `python -m bot`: one line (or one JSON object) a record, no token shown.

    Like basicConfig, a root logger that already has handlers (a test runner's) keeps them,
    and they get only the token filter: rate limits there would outlive the caller.
    """
    root = logging.getLogger()
    if not root.handlers:
        stream = logging.StreamHandler()  # sys.stderr as it is now: wrapped by protect_streams
        stream.setFormatter(_formatter(fmt))
        stream.addFilter(RateLimit())
        stream.addFilter(OneLineTelegramErrors())
        root.addHandler(stream)
        logging.captureWarnings(True)  # warnings pass the same filters
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    install_redaction(secret)


def iso_utc(record: logging.LogRecord) -> str:
    """The record's time as ISO 8601 in UTC, to the millisecond: 2026-11-24T07:30:00.123Z.
    Log collectors parse it without being told the host's zone or Python's comma format."""
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        class IsoJson(JsonFormatter):
            def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
                return iso_utc(record)

        return IsoJson(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger", "asctime": "time"},
        )
    return logging.Formatter(TEXT_FORMAT)


# A run of identical errors is said again, with its count, at most this often.
REPEAT_EVERY_SECONDS = 60.0


def error_line(exc: BaseException) -> str:
    """An error in one line: its type and the first line of the driver's own message (a
    SQLAlchemy error's text carries the statement and its parameters, which differ by row)."""
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).strip().splitlines() or [""])[0][:200]
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


class Repeats:
    """Errors that repeat (a database read-only or gone for minutes, met by every tick and
    every session's retry) logged once with a count, not a traceback per tick: issue 29 found
    2,140 lines and 51 tracebacks in 80 s of a read-only database. The first of a kind is one
    line; then one line every REPEAT_EVERY_SECONDS with how many there were; and one when
    the thing works again."""

    def __init__(self, logger: logging.Logger, every: float = REPEAT_EVERY_SECONDS) -> None:
        self.log = logger
        self.every = every
        # what -> (error line, first seen, last said, failures since said)
        self._runs: dict[str, tuple[str, float, float, int]] = {}

    def failed(self, what: str, exc: BaseException) -> None:
        line = error_line(exc)
        now = time.monotonic()
        run = self._runs.get(what)
        if run is None or run[0] != line:
            self.log.warning("%s failed (%s); trying again", what, line)
            self._runs[what] = (line, now, now, 0)
            return
        _, first, said, count = run
        if now - said >= self.every:
            self.log.warning(
                "%s still failing (%s): %d more times in %.0f s",
                what, line, count + 1, now - said,
            )  # fmt: skip
            self._runs[what] = (line, first, now, 0)
        else:
            self._runs[what] = (line, first, said, count + 1)

    def worked(self, what: str) -> None:
        run = self._runs.pop(what, None)
        if run is not None:
            self.log.warning("%s works again, after %.0f s", what, time.monotonic() - run[1])
