"""Calls that arrive while a statement is out go together in the next one.

The PostgreSQL hot path's reads by id (the sender's user, a pressed session), its steps'
compare-and-sets, its newcomers' rows and its "the chat shows this step" marks were one round
trip each, and each round trip is what the stack's own
floor does not pay: without the marks alone a worker's burst cost 0.24 ms less CPU per update
(1.76 against 1.96-2.04 ms, docs/benchmarks.md). So the callers of one such statement share
it, the way a database's group commit shares a flush:

- A call made while nothing is out runs at once, as a batch of one, in its own coroutine.
- A call made while something is out waits for a batch, which starts at the loop's next turn
  (beside a call alone, not behind it) and takes everyone waiting; while that batch is out,
  calls wait for the next, which takes everyone who came meanwhile.
- So a caller alone pays what it paid before (one round trip; no task, no future: with a
  task per call, one pair of the player's benchmark at 200 presses a second read 3.32
  against 3.10 ms of worker CPU per press), and a burst of a thousand costs a handful of
  statements instead of a thousand (docs/benchmarks.md, "Sixth pass").

Each caller still gets its own answer and its own error: a batch that fails fails every call
in it, as each would have failed alone, and the next batch is tried afresh.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K")
R = TypeVar("R")

# The most keys in one statement: 500 ids are a 4 KB array, and a batch that large runs in
# about a millisecond on PostgreSQL; a burst larger than that goes as several.
LIMIT = 500


class Coalesced(Generic[K, R]):
    """`run(keys)` answers many calls at once, one result per key in the same order.

    `distinct`: keys that must not share a statement (two marks of one session: an UPDATE
    changes a row once however many of its source rows match) go in successive batches."""

    def __init__(
        self,
        run: Callable[[Sequence[K]], Awaitable[Sequence[R]]],
        *,
        limit: int = LIMIT,
        distinct: Callable[[K], Hashable] | None = None,
    ) -> None:
        self._run = run
        self._limit = limit
        self._distinct = distinct
        self._waiting: list[tuple[K, asyncio.Future[R]]] = []
        self._alone = False  # a call alone is out
        # Runs the batches while anyone waits. A burst's second caller does not wait behind
        # the first's statement: the batch goes beside it. Queued behind it, a 300-user burst
        # read 363-368 updates/s in four runs; beside it, 365-495 in three (workers.py).
        self._flusher: asyncio.Task[None] | None = None
        self.batches = 0  # statements run: the benchmarks and tests read it

    async def __call__(self, key: K) -> R:
        if self._flusher is None and not self._alone:
            self._alone = True
            try:
                self.batches += 1
                (result,) = await self._run([key])
            finally:
                self._alone = False
            return result
        answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((key, answer))
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        return await answer

    def _take(self) -> list[tuple[K, asyncio.Future[R]]]:
        """The next batch, in order of arrival; a call given up meanwhile is left out."""
        batch: list[tuple[K, asyncio.Future[R]]] = []
        left: list[tuple[K, asyncio.Future[R]]] = []
        seen: set[Hashable] = set()
        for key, answer in self._waiting:
            if answer.done():
                continue  # its caller was cancelled: nothing to run for it
            if len(batch) >= self._limit:
                left.append((key, answer))
                continue
            if self._distinct is not None:
                mark = self._distinct(key)
                if mark in seen:
                    left.append((key, answer))
                    continue
                seen.add(mark)
            batch.append((key, answer))
        self._waiting = left
        return batch

    async def _flush(self) -> None:
        try:
            while self._waiting:
                batch = self._take()
                if not batch:
                    continue
                self.batches += 1
                try:
                    results = await self._run([key for key, _ in batch])
                except asyncio.CancelledError:
                    # The loop is closing (the store shuts down): every caller hears it.
                    for _, answer in (*batch, *self._waiting):
                        answer.cancel()
                    self._waiting = []
                    raise
                except Exception as exc:
                    for _, answer in batch:
                        if not answer.done():
                            answer.set_exception(exc)
                    continue
                for (_, answer), result in zip(batch, results, strict=True):
                    if not answer.done():
                        answer.set_result(result)
        finally:
            self._flusher = None
