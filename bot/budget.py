"""One Telegram budget for all workers of a bot, through the PostgreSQL they already share.

Each webhook worker paced its own sends at 29/s, so three workers sent up to 87/s against
Telegram's ~30/s and met the limit only by collecting 429s (issue 16). Here each worker holds
one PostgreSQL advisory lock (key: the bot's id, a slot number) on a connection of its own for
as long as it runs, and every second counts the locks held: with N live workers each paces
itself at `total / N` (rounded down, see `share`), with its own priorities inside its share.

Why advisory locks rather than a table of leases and heartbeats: PostgreSQL releases a
session's locks the moment its connection ends, so a worker that dies (SIGKILL, a lost host)
gives its share back as soon as its connection drops (within the TCP timeouts, at once
for a killed process), with no expiry to tune, no heartbeat writes, no clean-up, and no
schema change. A new worker takes a free slot and the others see it at their next count, so
it joins without any restart (until then it sends only a trickle, so the fleet stays within
the limit while it joins). SQLite is one process: it keeps the local limiter.

Whatever goes wrong on its connection (a PostgreSQL restart left asyncpg saying "cannot switch
to state 12; another operation is in progress", an error no list of "lost" errors named, and
the watcher died silently: issue 29) is a loss: one log line, the connection dropped, a rejoin
every second until it works. A worker that cannot see the others paces itself at the trickle
of a joining one: they may have counted it out and split the whole budget among themselves.
Back in, it keeps the fleet it last saw for REJOIN_SETTLE_SECONDS, so the first worker back
after an outage does not take the whole budget while the others are still rejoining.

What it does not do: lend an idle worker's share to a busy one (shares are equal; with
answers first inside each share, 29/N a second is still far above what one worker's people
need), or pace a chat across workers (per-chat pacing is per process; a webhook balancer
that keeps a chat on one worker keeps it exact).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from bot.ratelimit import PriorityRateLimiter

log = logging.getLogger(__name__)

# Slots per bot: more live workers than this share as if there were this many.
MAX_WORKERS = 64
# How often a worker counts the others: a new or dead worker is seen within this.
REFRESH_SECONDS = 1.0
# A worker joining running ones sends at most this many a second until its next count, by
# when the others have seen it and made room (our 29/s leaves Telegram's 30th for this).
JOIN_TRICKLE = 0.5
# A query to PostgreSQL taking longer than this counts as a lost connection.
QUERY_TIMEOUT = 5.0
# After a rejoin, the fleet seen before the loss still counts for this long: every worker
# lost PostgreSQL together, and they come back within a second or two of each other.
REJOIN_SETTLE_SECONDS = 5.0
# Telegram counts a bot's messages over a second. A worker that vanished sent its share until
# the moment it died, and those sends still count for this long: the survivors take its share
# only once a count this long after the first that missed it still misses it.
TELEGRAM_WINDOW_SECONDS = 1.0

_COUNT = """
SELECT count(*) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND classid = $1 AND objsubid = 2
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


class SharedBudget:
    """Gives the limiter its share of `total`: total / live workers, recounted every second."""

    def __init__(self, dsn: str, bot_id: int, total: float = 29.0) -> None:
        self._dsn = dsn
        self._key = bot_id & 0x7FFFFFFF  # advisory lock keys are int4
        self.total = total
        self.workers = 1
        self.slot: int | None = None
        self._conn: Any = None
        self._limiter: PriorityRateLimiter | None = None
        self._task: asyncio.Task[None] | None = None
        # The fleet seen before a loss, and until when (event-loop time) it still counts.
        self._fleet_before = 1
        self._settle_until = 0.0
        # When a count first found fewer workers than the share is for (event-loop time).
        self._fewer_since: float | None = None

    async def start(self, limiter: PriorityRateLimiter) -> None:
        """Join (take a slot) and keep counting. A database not reachable now does not stop
        the bot: it runs on a trickle (it cannot see the others) and joins when it can."""
        if self._task is not None:
            return  # already in (PTB initializes the bot, and so the limiter, more than once)
        self._limiter = limiter
        try:
            await self._join()
        except Exception as exc:
            log.warning("shared Telegram budget: cannot join yet (%s)", _why(exc))
            await self._lose()
        self._task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        """Leave, whatever state the watcher is in (running, waiting on a dead connection, or
        ended): shutdown must go on to close the bot's HTTP client (issue 29: a watcher that
        had died raised here, and the process exited 1 with "Unclosed client session")."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._leave()

    async def _join(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(self._dsn, timeout=QUERY_TIMEOUT)
        try:
            for slot in range(MAX_WORKERS):
                if await conn.fetchval(
                    "SELECT pg_try_advisory_lock($1, $2)", self._key, slot, timeout=QUERY_TIMEOUT
                ):
                    self._conn, self.slot = conn, slot
                    break
            else:
                log.warning("shared Telegram budget: all %d slots taken", MAX_WORKERS)
                self._conn, self.slot = conn, None
            await self._recount(joining=True)
        except BaseException:
            if self._conn is None:
                await conn.close()
            raise
        log.info("shared Telegram budget: slot %s, %d worker(s)", self.slot, self.workers)

    async def _recount(self, *, joining: bool = False) -> None:
        assert self._conn is not None and self._limiter is not None
        live = await self._conn.fetchval(_COUNT, self._key, timeout=QUERY_TIMEOUT)
        workers = max(1, int(live or 0))
        if self.slot is None:
            workers = max(workers, MAX_WORKERS)
        now = asyncio.get_running_loop().time()
        if now < self._settle_until:
            workers = max(workers, self._fleet_before)
        if workers < self.workers and not joining:
            # A worker gone (killed, its host lost): its last second of sends still counts at
            # Telegram. Taken at the first count after the kill, its share could put the dead
            # one's last second (up to 8 at a third of the budget) on top of 2 x 13: 34 in a
            # second, over the 30. The fleet test drew 4 bot-wide 429s once (2026-12-07).
            if self._fewer_since is None:
                self._fewer_since = now
            if now - self._fewer_since < TELEGRAM_WINDOW_SECONDS:
                workers = self.workers  # not yet
            else:
                self._fewer_since = None  # taken now; a later loss waits a window of its own
        else:
            self._fewer_since = None
        if workers != self.workers:
            log.info("shared Telegram budget: %d worker(s), %.1f/s each", workers, self.total)
        self.workers = workers
        self._limiter.set_rate(
            JOIN_TRICKLE if joining and workers > 1 else share(self.total, workers)
        )

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            lost = self._conn is None or self._conn.is_closed()
            try:
                if lost:
                    await self._leave()
                    await self._join()
                else:
                    await self._recount()
            except Exception as exc:  # any error on the connection: lost, rejoin next turn
                if not lost:  # one line per loss, not one per failed rejoin
                    log.warning("shared Telegram budget: lost the database (%s)", _why(exc))
                await self._lose()

    async def _lose(self) -> None:
        """Cannot see the others: drop the connection and pace at a safe share until back."""
        self._fleet_before = self.workers
        self._settle_until = asyncio.get_running_loop().time() + REJOIN_SETTLE_SECONDS
        await self._leave()
        if self._limiter is not None:
            self._limiter.set_rate(JOIN_TRICKLE)

    async def _leave(self) -> None:
        conn, self._conn, self.slot = self._conn, None, None
        if conn is None or conn.is_closed():
            return
        try:
            await conn.close(timeout=QUERY_TIMEOUT)  # closing releases the lock
        except Exception:  # a connection in a broken state: drop it without a goodbye
            conn.terminate()


def share(total: float, workers: int) -> float:
    """One worker's pace: a whole number of messages a second, one below total / workers when
    there are several.

    Workers pace themselves independently, each smooth but each at its own phase, and
    Telegram counts by when a message arrives: a worker at r/s can land r + 1 in one second
    (a send at each edge, or one a little late). Three workers at 9/s landed 30 in one second
    of the fleet test on a loaded machine (arrivals up to 132 ms late), one short of a 429, and
    drew one in two full-suite runs. So each of N > 1 workers keeps N x (r + 1) <= total: 13/s
    for two (worst second 28), 8/s for three (27), 6/s for four (28). One worker alone keeps
    the whole 29 (its worst second, 30, is Telegram's own limit).
    """
    each = total / workers
    if workers == 1:
        return float(math.floor(each)) if each >= 1 else each
    return float(math.floor(each) - 1) if each >= 2 else each / 2


def _why(exc: BaseException) -> str:
    """An error in a few words for the one log line of a loss (no traceback: it is expected)."""
    detail = str(exc).splitlines()[0][:120] if str(exc) else ""
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def shared_budget(database_url: str, token: str, total: float = 29.0) -> SharedBudget | None:
    """The shared budget for a PostgreSQL deployment; None on SQLite (one process)."""
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        return None
    head = token.split(":", 1)[0]
    bot_id = int(head) if head.isdigit() else 0
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return SharedBudget(dsn, bot_id, total)
