"""A rate limiter for Telegram's limits in which people come before broadcasts and no chat
waits for another.

Telegram allows about 30 messages a second for the whole bot and about one a second per chat
(short bursts tolerated). PTB's AIORateLimiter queues every request first come, first served
and pauses every request on any 429: one user flooding their chat (500 `/stretch` at once)
held up everyone else for 44 s (issue 18). Here a request passes two gates:

1. **Its chat's turn.** Each chat has its own line: one request of the chat at a time (so its
   messages arrive in order), paced by a bucket of `chat_burst` messages refilled at
   `per_chat_per_second`. A chat's backlog waits in its own line only; a 429 pauses only the
   chat it was for (unless several chats get one within a second: then it is the bot's overall
   budget and everyone waits).
2. **A global slot**, one every 1/`per_second` s (smooth: never a burst, so never a 429 from
   Telegram's sliding second), given to the most urgent request waiting: answers to people,
   then session steps, then countdown edits, then nudges (`Priority`). A request takes a
   global slot only once its chat may send, so a backlogged chat never holds slots others
   could use. Among answers, the update handled first goes first: a handler's second message
   goes before a later handler's first, so a person's answer arrives whole and the handler
   gives back its update slot (PTB has `concurrent_updates` of them) as soon as it can.

Where a request's priority comes from, first match wins: `rate_limit_args={"priority": ...}`;
`rate_limit_args={"low": True}` (a nudge); `sending_as(...)` around the call (wrap only the
send: a job scheduled inside would inherit it); `mark_answering()` (called for every update
before the handlers: anything its task sends is an answer to a person); otherwise a session
step (timer jobs).

Requests without a chat_id (answerCallbackQuery, getUpdates) are not limited, as Telegram does
not count them.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
import weakref
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from enum import IntEnum
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
JSONDict = dict[str, Any]

# 429s from this many different chats within GLOBAL_429_WINDOW seconds mean the bot's overall
# budget is spent (not one chat's): then every chat waits, as before.
GLOBAL_429_CHATS = 3
GLOBAL_429_WINDOW = 1.0
# Pressure is measured over this many seconds of global slots.
PRESSURE_WINDOW = 2.0
# Countdown steps by pressure: the step grows at once when pressure reaches a threshold and
# comes back one level at a time, once pressure stayed under DOWN_FACTOR x that level's
# threshold for a window (so the step does not flap as thinner countdowns relieve the load).
STEP_UP_AT = (0.8, 1.0, 1.5)
DOWN_FACTOR = 0.6
# Idle chat lines are dropped once there are this many, so a nudge wave to a million chats
# does not keep a million lines.
PRUNE_LINES_AT = 2048
# A group's messages a minute at most, its burst included (Telegram: about 20).
GROUP_PER_MINUTE = 19


class Priority(IntEnum):
    """Who goes first when slots are short (lower first)."""

    ANSWER = 0  # a reply to something a person just did
    STEP = 1  # a session moving on by itself (timer follow-ups)
    COUNTDOWN = 2  # a hold's countdown edit: nice to have, thinned first
    NUDGE = 3  # broadcasts


_sending_as: ContextVar[Priority | None] = ContextVar("limber_send_priority", default=None)
# The tasks handling an update. A task, not a context variable: APScheduler starts jobs from
# callbacks that copy the context of whoever last woke it (often a handler scheduling a
# follow-up), so a context variable set while handling would leak into timer jobs.
_answering: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()


def mark_answering() -> None:
    """What the current update's handlers send are answers to a person (top priority).

    Called from a group -1 handler: PTB runs an update's handlers in one task of its own, so
    this covers exactly that update.
    """
    task = asyncio.current_task()
    if task is not None:
        _answering.add(task)


@contextlib.contextmanager
def sending_as(priority: Priority) -> Iterator[None]:
    """Requests made inside the block go with `priority` (e.g. countdown edits)."""
    token = _sending_as.set(priority)
    try:
        yield
    finally:
        _sending_as.reset(token)


class SharedBudgetLike(Protocol):
    """What the limiter needs of a budget shared between workers (bot/budget.py)."""

    async def start(self, limiter: PriorityRateLimiter) -> None: ...

    async def stop(self) -> None: ...


class _ChatLine:
    """One chat's queue: a token bucket and the requests waiting for their turn."""

    __slots__ = (
        "burst",
        "busy",
        "changed",
        "paused_until",
        "pump",
        "rate",
        "stamp",
        "tokens",
        "waiters",
    )

    def __init__(self, burst: float, now: float, rate: float = 1e9) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = now
        self.paused_until = 0.0
        self.busy = False
        self.waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self.pump: asyncio.Task[None] | None = None
        self.changed: asyncio.Event | None = None

    def refill(self, now: float, rate: float, burst: float) -> None:
        self.tokens = min(burst, self.tokens + (now - self.stamp) * rate)
        self.stamp = now

    def ready_in(self, now: float, rate: float, burst: float) -> float:
        self.refill(now, rate, burst)
        wait = max(0.0, self.paused_until - now)
        if self.tokens < 1.0:
            wait = max(wait, (1.0 - self.tokens) / rate)
        return wait

    def idle(self, now: float, rate: float, burst: float) -> bool:
        self.refill(now, rate, burst)
        return (
            not self.busy
            and not self.waiters
            and self.pump is None
            and self.tokens >= burst
            and self.paused_until <= now
        )


class PriorityRateLimiter(BaseRateLimiter[JSONDict]):
    def __init__(
        self,
        per_second: float = 29.0,
        max_retries: int = 3,
        *,
        # Shares the budget with the bot's other workers (bot/budget.py); None: this process
        # has it all.
        budget: SharedBudgetLike | None = None,
        per_chat_per_second: float | None = 1.0,
        # Telegram tolerates short bursts in a chat; the stand-in allows 3 (as we measured no
        # limit to copy, a guess on the safe side). Keeping one in reserve absorbs network
        # jitter: two requests sent a second apart may arrive 0.9 s apart.
        chat_burst: float = 2.0,
    ) -> None:
        self._interval = 1.0 / per_second
        self._next_free = 0.0
        self._max_retries = max_retries
        # Unpaced chats (None) still take turns and are paused alone by a 429.
        self._chat_rate = per_chat_per_second or 1e9
        self._chat_burst = chat_burst
        self._chats: dict[Any, _ChatLine] = {}
        self._prune_at = PRUNE_LINES_AT
        # (priority, turn, seq, future): the turn is the request's own seq, or for an answer
        # the seq of its handler's first request (`_turn`).
        self._queue: list[tuple[int, int, int, asyncio.Future[None]]] = []
        self._turns: weakref.WeakKeyDictionary[asyncio.Task[Any], int] = (
            weakref.WeakKeyDictionary()
        )
        # Queued requests whose caller gave up (cancelled): the pump drops them when it comes
        # to them. Counted, so the pressure is len(queue) minus these, not a scan of the
        # queue: the scan ran for every step shown, and with 200 presses queued at once it
        # was 158,000 looks and 0.3 s of CPU in a 300-press burst (cProfile).
        self._abandoned = 0
        self._pump_task: asyncio.Task[None] | None = None
        self._seq = itertools.count()
        self._recent_429: deque[tuple[float, Any]] = deque()
        self.per_second = per_second
        self._budget = budget
        self._granted: deque[float] = deque()
        self._level = 0
        self._level_since = 0.0

    async def initialize(self) -> None:
        if self._budget is not None:
            await self._budget.start(self)

    async def shutdown(self) -> None:
        if self._budget is not None:
            await self._budget.stop()

    def set_rate(self, per_second: float) -> None:
        """Change the global pace (the shared budget gives each worker its share)."""
        self.per_second = per_second
        self._interval = 1.0 / per_second

    # Load -----------------------------------------------------------------------------------------

    def pressure(self) -> float:
        """How hard the budget is pressed: the share of global slots used over the last
        PRESSURE_WINDOW seconds plus the seconds of requests waiting for one. Below 1 there is
        room; above 1 something waits."""
        now = time.monotonic()
        granted = self._granted
        while granted and now - granted[0] > PRESSURE_WINDOW:
            granted.popleft()
        used = len(granted) / (self.per_second * PRESSURE_WINDOW)
        waiting = (len(self._queue) - self._abandoned) / self.per_second
        return used + waiting

    def suggested_countdown_step(self, base: int = 5) -> int | None:
        """The countdown step a hold should use now: `base` with the budget free; 2x, then 3x
        as it fills; None (show only the start and the end) when requests wait. Countdown
        edits thin out before any answer, step or nudge has to wait for them."""
        now = time.monotonic()
        pressure = self.pressure()
        target = sum(1 for threshold in STEP_UP_AT if pressure >= threshold)
        if target > self._level:
            self._level, self._level_since = target, now
        elif (
            target < self._level
            and now - self._level_since >= PRESSURE_WINDOW
            and pressure < STEP_UP_AT[self._level - 1] * DOWN_FACTOR
        ):
            self._level, self._level_since = self._level - 1, now
        return (base, 2 * base, 3 * base, None)[self._level]

    # The global gate ----------------------------------------------------------------------------

    async def broadcast_slot(self) -> None:
        """Wait for and take a broadcast slot; the send that uses it passes `slot_taken`.

        The nudge dispatcher claims a nudge only once it holds a slot for it, so a claimed
        nudge is on the wire within milliseconds and a crash can lose only what is in flight.
        """
        await self._global_slot(Priority.NUDGE)

    def _turn(self, priority: Priority, seq: int) -> int:
        """Where a request stands among those of its priority. An answer takes its handler's
        turn (the seq of the handler's first request): a Ready press sends two messages, and
        in a burst of 300 presses at once everyone's first went before anyone's second, so
        each of 256 handlers held its update slot for the whole burst (256 / 29 per second =
        8.8 s) and the presses beyond waited for one: answered 10.6 s late. Answers only:
        handlers end with their update, while a long-lived sender (the nudge wave, the sweep)
        keeping its first turn would go before everyone of its priority for good."""
        if priority != Priority.ANSWER or (task := asyncio.current_task()) is None:
            return seq
        return self._turns.setdefault(task, seq)

    async def _global_slot(self, priority: Priority) -> None:
        now = time.monotonic()
        seq = next(self._seq)
        turn = self._turn(priority, seq)  # taken by a handler's first request, queued or not
        if not self._queue and self._next_free <= now:
            self._next_free = now + self._interval
            self._count_grant(now)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, (int(priority), turn, seq, future))
        if self._pump_task is None:
            self._pump_task = asyncio.create_task(self._pump())
        try:
            await future
        except asyncio.CancelledError:
            if future.cancelled():  # still in the queue, until the pump comes to it
                self._abandoned += 1
            raise

    def _count_grant(self, now: float) -> None:
        granted = self._granted
        granted.append(now)
        while now - granted[0] > PRESSURE_WINDOW:
            granted.popleft()

    async def _pump(self) -> None:
        """Hands out one global slot per interval to the most urgent waiting request."""
        try:
            while self._queue:
                now = time.monotonic()
                if self._next_free > now:
                    await asyncio.sleep(self._next_free - now)
                    continue
                future = heapq.heappop(self._queue)[-1]
                if future.done():  # its request was cancelled
                    self._abandoned -= 1
                    continue
                future.set_result(None)
                self._next_free = now + self._interval
                self._count_grant(now)
        finally:
            self._pump_task = None

    # The per-chat gate --------------------------------------------------------------------------

    def _line(self, chat: Any, now: float) -> _ChatLine:
        line = self._chats.get(chat)
        if line is None:
            if len(self._chats) >= self._prune_at:
                self._prune(now)
                # Many busy chats: scan again only once their number doubled.
                self._prune_at = max(PRUNE_LINES_AT, 2 * len(self._chats))
            burst, rate = self._pace_of(chat)
            line = self._chats[chat] = _ChatLine(burst, now, rate)
        return line

    def _pace_of(self, chat: Any) -> tuple[float, float]:
        """(burst, rate) of a chat's bucket. A group (a negative id) gets at most
        GROUP_PER_MINUTE a minute, burst included: Telegram allows a bot about 20 messages a
        minute in a group, however they are spread."""
        burst, rate = self._chat_burst, self._chat_rate
        if isinstance(chat, int) and chat < 0 and self._chat_rate < 1e9:
            rate = min(rate, (GROUP_PER_MINUTE - burst) / 60.0)
        return burst, rate

    def _prune(self, now: float) -> None:
        for chat in [c for c, line in self._chats.items() if line.idle(now, line.rate, line.burst)]:
            del self._chats[chat]

    async def _take_turn(self, line: _ChatLine, priority: Priority) -> None:
        now = time.monotonic()
        if not line.busy and not line.waiters and line.ready_in(now, line.rate, line.burst) <= 0:
            line.busy = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(line.waiters, (int(priority), next(self._seq), future))
        if line.pump is None:
            line.pump = asyncio.create_task(self._chat_pump(line))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release(line)  # given the turn just as it was cancelled: pass it on
            raise

    async def _chat_pump(self, line: _ChatLine) -> None:
        """Gives the chat's turn to its most urgent waiting request when the chat may send."""
        try:
            while True:
                while line.waiters and line.waiters[0][2].done():
                    heapq.heappop(line.waiters)
                if not line.waiters:
                    return
                if line.busy:
                    if line.changed is None:
                        line.changed = asyncio.Event()
                    await line.changed.wait()
                    line.changed.clear()
                    continue
                wait = line.ready_in(time.monotonic(), line.rate, line.burst)
                if wait > 0:
                    await asyncio.sleep(wait)
                    continue  # a 429 meanwhile may have paused the chat longer
                _, _, future = heapq.heappop(line.waiters)
                line.busy = True
                future.set_result(None)
        finally:
            line.pump = None

    def _release(self, line: _ChatLine) -> None:
        line.busy = False
        if line.changed is not None:
            line.changed.set()

    def _spend(self, line: _ChatLine) -> None:
        line.refill(time.monotonic(), line.rate, line.burst)
        line.tokens -= 1.0

    # Requests -----------------------------------------------------------------------------------

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: JSONDict | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if "chat_id" not in data:
            return await callback(*args, **kwargs)
        chat = data["chat_id"]
        priority = _priority(rate_limit_args)
        slot_taken = bool(rate_limit_args and rate_limit_args.get("slot_taken"))
        attempt = 0
        while True:
            line = self._line(chat, time.monotonic())
            await self._take_turn(line, priority)
            try:
                if not (slot_taken and attempt == 0):
                    await self._global_slot(priority)
                self._spend(line)
                _refresh(data, rate_limit_args)
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = _seconds(exc.retry_after)
                self._after_429(chat, line, seconds)
                if attempt >= self._max_retries:
                    raise
                attempt += 1
                log.info("429 on %s: waiting %.1f s before retry %d", endpoint, seconds, attempt)
            finally:
                self._release(line)

    def _after_429(self, chat: Any, line: _ChatLine, seconds: float) -> None:
        """Pause the chat; if several chats were refused at once, pause everyone."""
        now = time.monotonic()
        line.paused_until = max(line.paused_until, now + seconds)
        recent = self._recent_429
        recent.append((now, chat))
        while recent and now - recent[0][0] > GLOBAL_429_WINDOW:
            recent.popleft()
        if len({c for _, c in recent}) >= GLOBAL_429_CHATS:
            # Telegram's flood control is then for the whole bot.
            self._next_free = max(self._next_free, now + seconds)


def chat_pace(per_second: float = 1.0) -> float | None:
    """Messages per real second one chat may get: `per_second` (Telegram's one a second), or
    None (a chat's turn only, unpaced) when it is 0.

    In real seconds whatever the clock says: Telegram, and the stand-in enforcing its limits,
    count a chat's messages by the wall clock. A fast clock used to leave chats unpaced, and
    the fleet test (a 2x clock, the stand-in enforcing a burst of 3 at 1/s) got a 429: a
    hold's last countdown edit, late in the queue, landed 0.1 s before the hold's end and its
    three messages (closing edit, "Done!", the pain question), 4 in 0.34 s. A run on a fast
    clock against a stand-in that does not enforce the limit, where pacing would only stretch
    the session, passes 0 (as tests/harness.py does).
    """
    return per_second if per_second > 0 else None


def _priority(rate_limit_args: JSONDict | None) -> Priority:
    if rate_limit_args:
        given = rate_limit_args.get("priority")
        if isinstance(given, int):
            return Priority(given)
        if isinstance(given, str):
            return Priority[given.upper()]
        if rate_limit_args.get("low"):
            return Priority.NUDGE
    current = _sending_as.get()
    if current is not None:
        return current
    task = asyncio.current_task()
    return Priority.ANSWER if task is not None and task in _answering else Priority.STEP


def _refresh(data: dict[str, Any], rate_limit_args: JSONDict | None) -> None:
    """Let the sender rewrite the request as its turn comes (`rate_limit_args={"fresh": f}`,
    f(data)): a countdown rendered before a wait at its chat's turn or a 429's pause arrived
    1.7 s later still saying "5 s left" (issue 29)."""
    fresh = rate_limit_args.get("fresh") if rate_limit_args else None
    if callable(fresh):
        fresh(data)


def _seconds(wait: Any) -> float:
    return float(wait.total_seconds() if hasattr(wait, "total_seconds") else wait)
