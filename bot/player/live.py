"""How an open page learns that its session changed: one long-poll per page, answered by
one batched query per worker.

A page asks "has my session moved past version V?" and the request waits (up to
WAIT_SECONDS). While any page waits, one task on this worker asks the database every
TICK_SECONDS which of the watched pages show a session that moved on, and what they show now
(bot/store/player.py): one indexed statement for 1 page or 1,000, whose rows are only the pages
that changed. A press in another worker, a timer, or the chat all change the row, so all are
seen the same way, within a tick. Server-sent events would save the re-polls (one every
WAIT_SECONDS per page: 40 requests/s at 1,000 pages), but need the same watcher behind them,
and a long-poll passes every proxy and needs no keep-alive tuning.

A woken page is answered from the tick's own row, and polls again at once at the version it
was given; the hub remembers what it told each user in its last two ticks, so that poll waits
without reading first (every page at 200 changes a second made three reads a change: the
answer's, the next poll's check, its user's language). Nothing is missed by not reading: a
change made after the tick is seen by a later one, whatever the hub remembers. Only a change
made between a tick's read and the page's next poll waits longer than before: for the first
tick that includes that poll (at most the query under way plus TICK_SECONDS, where the read
answered at once). The page drops an answer older than what it shows (player.js `show`),
since a press's answer can overtake a poll's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from bot.store.player import PageChange, Watch, showing
from bot.store.repo import Store

log = logging.getLogger(__name__)

# A change shows in the page within a tick plus the page's round trip: "within a second" with
# room to spare, and 4 small queries a second per worker however many pages are open.
TICK_SECONDS = 0.25
# A waiting request is answered "nothing new" after this long, below the 30-60 s idle
# timeouts of common proxies (nginx's proxy_read_timeout is 60 s).
WAIT_SECONDS = 25.0


@dataclass(eq=False)
class _Waiter:
    watch: Watch
    done: asyncio.Future[PageChange | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class LiveHub:
    """The waiting pages of this worker, and the one task that watches for them."""

    def __init__(self, store: Store, tick: float = TICK_SECONDS) -> None:
        self.store = store
        self.tick = tick
        self._waiting: set[_Waiter] = set()
        self._task: asyncio.Task[None] | None = None
        # User id -> (what their pages show as of a tick, that tick's number): the last two
        # ticks' only, so it holds no more than the pages open.
        self._told: dict[int, tuple[Watch, int]] = {}
        self._ticks = 0
        self._released = False

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def current(self, watch: Watch) -> bool:
        """Whether a tick of the last two found the user's page showing `watch`: a poll at
        it may wait without reading the session first."""
        told = self._told.get(watch.user_id)
        return told is not None and told[0] == watch

    async def wait(self, watch: Watch, timeout: float = WAIT_SECONDS) -> PageChange | None:
        """Wait until the user's page no longer shows `watch`: what it shows now, or None
        on timeout (and at once while the server stops)."""
        if self._released:
            return None
        waiter = _Waiter(watch)
        self._waiting.add(waiter)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._watch(), name="player-watch")
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(waiter.done)
        except TimeoutError:
            return None
        finally:
            self._waiting.discard(waiter)

    def release(self) -> None:
        """The server is stopping: every waiting page is answered now, with nothing new, and
        so is every poll from here on. Each page polls again and reaches another worker (or
        this one restarted); without this a stop waited up to WAIT_SECONDS for open pages,
        and a webhook worker cut them off after its 8 s grace."""
        self._released = True
        for waiter in self._waiting:
            if not waiter.done.done():
                waiter.done.set_result(None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        while self._waiting or self._told:
            await asyncio.sleep(self.tick)
            waiting = list(self._waiting)
            watches = list({w.watch for w in waiting})
            try:
                changes = await self.store.page_changes(watches)
            except Exception as exc:  # the pages wait on; the next tick asks again
                log.warning("player: session versions unreadable (%s)", type(exc).__name__)
                continue
            self._remember(watches, changes)
            for waiter in waiting:
                change = changes.get(waiter.watch)
                if change is not None and not waiter.done.done():
                    waiter.done.set_result(change)

    def _remember(self, watches: list[Watch], changes: dict[Watch, PageChange]) -> None:
        self._ticks += 1
        tick = self._ticks
        for watch in watches:
            change = changes.get(watch)
            told = watch if change is None else showing(watch.user_id, change.record)
            self._told[watch.user_id] = (told, tick)
        # A woken page polls again within moments: what it was told is kept one tick more.
        self._told = {user: told for user, told in self._told.items() if told[1] >= tick - 1}
