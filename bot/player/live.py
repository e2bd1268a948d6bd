"""How an open page learns that its session changed: one long-poll per page, answered by
one batched query per worker.

A page asks "has my session moved past version V?" and the request waits (up to
WAIT_SECONDS). While any page waits, one task on this worker asks the database every
TICK_SECONDS for the versions of every watched session and any live session of every
watching user: one indexed query for 1 page or 1,000 (bot/store/player.py). A press in
another worker, a timer, or the chat all change the row, so all are seen the same way, within
a tick. Server-sent events would save the re-polls (one every WAIT_SECONDS per page: 40
requests/s at 1,000 pages), but need the same watcher behind them, and a long-poll passes
every proxy and needs no keep-alive tuning.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from bot.store.player import SessionMark
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
    user_id: int
    session_id: int | None
    version: int
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def stale(self, marks: list[SessionMark]) -> bool:
        for mark in marks:
            if mark.id == self.session_id and mark.version != self.version:
                return True
            if mark.user_id == self.user_id and mark.live and mark.id != self.session_id:
                return True  # a session started elsewhere takes the page over
        # Gone (its data was deleted) counts as changed too.
        return self.session_id is not None and not any(m.id == self.session_id for m in marks)


class LiveHub:
    """The waiting pages of this worker, and the one task that watches for them."""

    def __init__(self, store: Store, tick: float = TICK_SECONDS) -> None:
        self.store = store
        self.tick = tick
        self._waiting: set[_Waiter] = set()
        self._task: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def wait(
        self, user_id: int, session_id: int | None, version: int, timeout: float = WAIT_SECONDS
    ) -> bool:
        """Wait until the user's session is no longer (session_id, version); False on timeout."""
        waiter = _Waiter(user_id, session_id, version)
        self._waiting.add(waiter)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._watch(), name="player-watch")
        try:
            async with asyncio.timeout(timeout):
                await asyncio.shield(waiter.done)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiting.discard(waiter)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        while self._waiting:
            await asyncio.sleep(self.tick)
            waiting = list(self._waiting)
            if not waiting:
                break
            sessions = {w.session_id for w in waiting if w.session_id is not None}
            users = {w.user_id for w in waiting}
            try:
                marks = await self.store.session_marks(sessions, users)
            except Exception as exc:  # the pages wait on; the next tick asks again
                log.warning("player: session versions unreadable (%s)", type(exc).__name__)
                continue
            by_user: dict[int, list[SessionMark]] = {}
            for mark in marks:
                by_user.setdefault(mark.user_id, []).append(mark)
            for waiter in waiting:
                if not waiter.done.done() and waiter.stale(by_user.get(waiter.user_id, [])):
                    waiter.done.set_result(None)
