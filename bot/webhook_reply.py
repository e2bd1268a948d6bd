"""Answers to button presses that ride on the webhook's HTTP response.

The Bot API lets a webhook answer its update with one method call in the response body ("If
you're using webhooks, you can perform a request to the Bot API while sending an answer to
the webhook"). For a button press that call is answerCallbackQuery: the spinner on the
person's button stops as soon as the press is saved, without a request of its own.

Measured (benchmarks/workers.py): an answerCallbackQuery through PTB and aiohttp is one of the
five Bot API requests of a /stretch and its Ready press, and the answer queued behind the
other requests of a busy worker. The webhook (bot/webhook.py) holds a press's response up to
WAIT_SECONDS for the answer; the HTTP layer (bot/http.py) hands an answerCallbackQuery for a
waiting press to it instead of sending it. Telegram does not say whether a call made this way
worked, which costs nothing here: an answer has no result to read, and a failed one only leaves
the spinner to time out.

A press whose answer takes longer (a database outage, a long queue) gets an empty 200 after
WAIT_SECONDS, and its answer goes out later as a request of its own, as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

ANSWER = "answerCallbackQuery"
# Telegram keeps at most 40 connections open to a webhook (setWebhook's max_connections
# default) and sends the next update on one only when its response is in: a press's response
# is held for its answer at most this long. Saving a press takes a few ms; past a second the
# answer is better sent on its own than holding Telegram's connection any longer.
WAIT_SECONDS = 1.0


class WebhookReplies:
    """Presses whose webhook response is waiting for their answer, by callback query id."""

    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def expect(self, query_id: str) -> asyncio.Future[dict[str, Any]]:
        """Hold a place for the answer to `query_id` (the same place for a press Telegram
        delivers again while the first delivery still waits)."""
        waiting = self._waiting.get(query_id)
        if waiting is None or waiting.done():
            waiting = asyncio.get_running_loop().create_future()
            self._waiting[query_id] = waiting
        return waiting

    def offer(self, method: str, parameters: dict[str, Any]) -> bool:
        """Take the call if it answers a press whose response is waiting: True if taken (the
        caller then sends nothing)."""
        if method != ANSWER:
            return False
        waiting = self._waiting.pop(str(parameters.get("callback_query_id")), None)
        if waiting is None or waiting.done():
            return False
        waiting.set_result({"method": ANSWER, **parameters})
        return True

    async def wait(self, query_id: str, waiting: asyncio.Future[dict[str, Any]]) -> Any:
        """The answer to put in the response body, or None after WAIT_SECONDS (the answer then
        goes out as a request of its own)."""
        try:
            return await asyncio.wait_for(asyncio.shield(waiting), WAIT_SECONDS)
        except TimeoutError:
            # Offered in the moment between the timeout and this line: still ours to carry.
            # No await from here on, so no offer can slip in after the check.
            return waiting.result() if waiting.done() else None
        finally:
            # Timed out or cancelled (the connection dropped): a later answer is sent itself.
            if self._waiting.get(query_id) is waiting:
                del self._waiting[query_id]
