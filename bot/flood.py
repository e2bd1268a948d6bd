"""The front door: one flooding chat gets collapsed work, not a queue.

User A sending 500 `/stretch` at once used to start 500 sessions, each with its messages:
1,547 answers of 429 for A's chat and 66 s of a busy bot (issue 18). Telegram lets the bot
send a chat about one message a second, so anything beyond that is a backlog nobody reads.
Before any handler sees a message, `FloodGate` decides:

- **A repeat is dropped quietly**: a message identical to one from the same chat that is
  still being handled, or that the user sent back to back with it (consecutive message ids:
  nothing from the bot in between, so the user had not seen an answer yet). The first is
  handled and answers: 500 `/stretch` make one session. No time window: a person who reads
  the answer and sends the same command again is answered again, however fast.
- **At most `PER_CHAT_IN_FLIGHT` messages of one chat are handled at once**; more are
  dropped, and the chat is told once per `NOTICE_EVERY` seconds. PTB handles at most
  `UPDATE_SLOTS` updates at once for the whole bot (bot/app.py), and a chat's handlers wait for
  its one-a-second turn at the rate limiter: without this bound one flooding chat would hold
  every slot and everyone else's updates would wait.

Button presses are not gated: each must be answered (the spinner), a press changes a session
only by compare-and-set, and a repeated press finds the step already changed.

Per process: several webhook workers each collapse what they receive (a repeat that reaches
another worker is at worst one more answer; the session's compare-and-set keeps it one).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackContext

from bot import texts
from bot.ratelimit import mark_answering

log = logging.getLogger(__name__)

# A person has a handful of messages in flight at most; a flood has hundreds. 16 of the 4096
# update slots: it takes 256 flooding chats at once to fill them.
PER_CHAT_IN_FLIGHT = 16
NOTICE_EVERY = 60.0
# A handling this old counts as over whatever its task says (a stuck handler must not mute a
# chat's commands for good).
HANDLING_AT_MOST = 60.0
GATE_KEY = "flood_gate"


class Verdict(Enum):
    HANDLE = "handle"
    REPEAT = "repeat"  # dropped quietly: the first of them is answered
    OVER = "over"  # dropped: the chat sent far more than can be answered
    OVER_NOTICE = "over_notice"  # dropped, and this once the chat is told why


@dataclass
class _Chat:
    last_id: int = 0
    # Contents (hashed: nothing a user wrote is kept) of the current back-to-back run.
    run: set[int] = field(default_factory=set)
    # Accepted messages still being handled: content hash -> "is it done?" of each.
    handling: dict[int, list[Callable[[], bool]]] = field(default_factory=dict)
    noticed_at: float | None = None


class FloodGate:
    """Per-chat repeat collapsing and an in-flight bound; pure bookkeeping, time injected."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._chats: dict[int, _Chat] = {}
        self.dropped = 0

    def check(
        self, chat_id: int, message_id: int, content: str, done: Callable[[], bool]
    ) -> Verdict:
        """Decide for one message; `done()` tells later whether its handling has ended."""
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat()
        key = hash(content)
        back_to_back = message_id == chat.last_id + 1
        chat.last_id = max(chat.last_id, message_id)
        if not back_to_back:
            chat.run = set()
        for k in [k for k, hs in chat.handling.items() if not _prune_done(hs)]:
            del chat.handling[k]
        if key in chat.run or key in chat.handling:
            chat.run.add(key)
            self.dropped += 1
            return Verdict.REPEAT
        chat.run.add(key)
        if sum(len(hs) for hs in chat.handling.values()) >= PER_CHAT_IN_FLIGHT:
            self.dropped += 1
            now = self._now()
            if chat.noticed_at is None or now - chat.noticed_at >= NOTICE_EVERY:
                chat.noticed_at = now
                return Verdict.OVER_NOTICE
            return Verdict.OVER
        chat.handling.setdefault(key, []).append(done)
        if len(self._chats) > 4096:
            self._forget_quiet(keep=chat_id)
        return Verdict.HANDLE

    def _forget_quiet(self, keep: int) -> None:
        """Drop chats with nothing in flight (a later message starts a new run anyway)."""
        for chat_id in [c for c, chat in self._chats.items() if c != keep and not chat.handling]:
            del self._chats[chat_id]


def _prune_done(handlings: list[Callable[[], bool]]) -> bool:
    """Drop finished handlings from the list; whether any is left."""
    handlings[:] = [done for done in handlings if not done()]
    return bool(handlings)


def content_of(update: Update) -> str | None:
    """What makes two messages the same, or None for updates the gate lets through."""
    message = update.message
    if message is None:
        return None
    if message.text is not None:
        return "t:" + message.text.strip()
    # Anything else (a sticker, a location...): the same content sent again is a repeat.
    body = message.to_dict()
    for volatile in ("message_id", "date", "chat", "from"):
        body.pop(volatile, None)
    return "a:" + json.dumps(body, sort_keys=True, default=str)


async def front_door(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Group -1: mark what follows as an answer to a person; stop a flood's extra messages."""
    mark_answering()
    content = content_of(update)
    chat = update.effective_chat
    if content is None or chat is None:
        return
    message = update.message
    assert message is not None  # content_of said so
    gate: FloodGate = context.application.bot_data.setdefault(GATE_KEY, FloodGate())
    # PTB handles each update in a task of its own: the message is handled until it ends.
    task = asyncio.current_task()
    started = time.monotonic()

    def done() -> bool:
        return task is None or task.done() or time.monotonic() - started > HANDLING_AT_MOST

    verdict = gate.check(chat.id, message.message_id, content, done)
    if verdict is Verdict.HANDLE:
        return
    if verdict is Verdict.OVER_NOTICE:
        log.info("chat %s is flooding: extra messages dropped", chat.id)
        try:
            await context.bot.send_message(chat.id, texts.FLOOD_NOTICE)
        except TelegramError as exc:
            log.info("flood notice to chat %s failed: %s", chat.id, exc)
    raise ApplicationHandlerStop
