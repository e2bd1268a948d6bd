"""Logging set-up that never leaks the bot token.

httpx logs every request URL at INFO, and Telegram URLs contain the token, so httpx is held at
WARNING. As a second line of defence every record passes a filter that masks the token wherever
it appears (a traceback, an exception message, a third-party debug line).
"""

from __future__ import annotations

import logging

REDACTED = "[BOT_TOKEN]"
_QUIET = ("httpx", "httpcore", "apscheduler", "aiosqlite", "asyncio")


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


def install_redaction(secret: str, handlers: list[logging.Handler] | None = None) -> RedactToken:
    """Attach the filter to `handlers` (default: the root logger's handlers)."""
    flt = RedactToken(secret)
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        handler.addFilter(flt)
    return flt


def configure(level: str, secret: str) -> None:
    """Logging for `python -m bot`: one line a record, the token never shown."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
    install_redaction(secret)
