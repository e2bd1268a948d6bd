"""A rate limiter for Telegram's ~30 messages/s in which people come before broadcasts.

PTB's AIORateLimiter queues every request first come, first served: during a nudge wave of
thousands, the reply to someone pressing Ready waits behind all of them. Here every request
with a chat_id takes one slot of 1/29 s (never a burst, so never a 429 from Telegram's sliding
second), but nudges (marked `rate_limit_args={"low": True}`) only take a slot that is free
now: an interactive request reserves the next slot ahead of all waiting nudges. A 429 still
waits its retry_after and retries. Requests without a chat_id (answerCallbackQuery, getUpdates)
are not limited, as Telegram does not count them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
JSONDict = dict[str, Any]


class PriorityRateLimiter(BaseRateLimiter[JSONDict]):
    def __init__(self, per_second: float = 29.0, max_retries: int = 3) -> None:
        self._interval = 1.0 / per_second
        self._next_free = 0.0
        self._max_retries = max_retries

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def broadcast_slot(self) -> None:
        """Wait for and take a broadcast slot; the send that uses it passes `slot_taken`.

        The nudge dispatcher claims a nudge only once it holds a slot for it, so a claimed
        nudge is on the wire within milliseconds and a crash can lose only what is in flight.
        """
        await self._acquire(low=True)

    async def _acquire(self, low: bool) -> None:
        while True:
            now = time.monotonic()
            if low and self._next_free > now:
                # Someone holds the next slot; a broadcast only takes a slot that is free now.
                await asyncio.sleep(self._next_free - now)
                continue
            start = max(now, self._next_free)
            self._next_free = start + self._interval
            if start > now:
                await asyncio.sleep(start - now)
            return

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: JSONDict | None,
    ) -> bool | JSONDict | list[JSONDict]:
        limited = "chat_id" in data
        low = bool(rate_limit_args and rate_limit_args.get("low"))
        slot_taken = bool(rate_limit_args and rate_limit_args.get("slot_taken"))
        attempt = 0
        while True:
            if limited and not (slot_taken and attempt == 0):
                await self._acquire(low)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= self._max_retries:
                    raise
                attempt += 1
                wait = exc.retry_after
                seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
                log.info("429 on %s: waiting %.1f s before retry %d", endpoint, seconds, attempt)
                # Everyone waits: Telegram's flood control is for the whole bot.
                self._next_free = max(self._next_free, time.monotonic() + seconds)
                await asyncio.sleep(seconds)
