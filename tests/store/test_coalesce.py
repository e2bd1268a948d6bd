"""Callers of one statement share it (bot/store/coalesce.py): each still gets its own answer
and its own error, a caller alone is not kept waiting, and a caller given up is left out."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.store.coalesce import Coalesced


class Statement:
    """A statement that doubles its keys, records each batch, waits to be let through
    (`hold`) so a test decides what is out while more calls arrive, and fails the batches
    numbered in `failing` (1 is the first)."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.hold: asyncio.Event | None = None
        self.failing: set[int] = set()

    async def __call__(self, keys: Sequence[int]) -> list[int]:
        self.batches.append(list(keys))
        number = len(self.batches)
        await asyncio.sleep(0)  # a round trip: other coroutines run meanwhile
        if self.hold is not None:
            await self.hold.wait()
        if number in self.failing:
            raise ConnectionError(f"database went away (batch {number})")
        return [k * 2 for k in keys]

    async def until_out(self, count: int) -> None:
        """Wait until `count` batches have gone out (and are held, if `hold` is set)."""
        while len(self.batches) < count:
            await asyncio.sleep(0)


def held() -> tuple[Statement, Coalesced[int, int]]:
    """A statement that waits to be let through, and its callers' door."""
    statement = Statement()
    statement.hold = asyncio.Event()
    return statement, Coalesced(statement)


async def test_calls_made_together_share_a_statement_and_each_gets_its_own_answer() -> None:
    statement = Statement()
    doubled = Coalesced(statement)
    answers = await asyncio.gather(*(doubled(k) for k in range(10)))
    assert answers == [k * 2 for k in range(10)]
    assert statement.batches == [[0], list(range(1, 10))]  # the first went at once


async def test_a_call_alone_runs_at_once() -> None:
    statement = Statement()
    doubled = Coalesced(statement)
    assert await asyncio.wait_for(doubled(21), timeout=5) == 42
    assert await asyncio.wait_for(doubled(4), timeout=5) == 8
    assert statement.batches == [[21], [4]]


async def test_calls_made_while_a_statement_is_out_go_together_in_the_next() -> None:
    statement, doubled = held()
    first = asyncio.ensure_future(doubled(1))
    await statement.until_out(1)
    later = [asyncio.ensure_future(doubled(k)) for k in (2, 3, 4)]
    await statement.until_out(2)
    # Beside the first, not behind it; and while that batch is out, the next ones wait.
    latest = [asyncio.ensure_future(doubled(k)) for k in (5, 6)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert statement.batches == [[1], [2, 3, 4]]
    statement.hold.set()
    assert await first == 2
    assert [await f for f in (*later, *latest)] == [4, 6, 8, 10, 12]
    assert statement.batches == [[1], [2, 3, 4], [5, 6]]


async def test_a_batch_over_the_limit_goes_as_several() -> None:
    statement = Statement()
    doubled = Coalesced(statement, limit=4)
    answers = await asyncio.gather(*(doubled(k) for k in range(10)))
    assert answers == [k * 2 for k in range(10)]
    assert statement.batches == [[0], [1, 2, 3, 4], [5, 6, 7, 8], [9]]


async def test_keys_that_must_not_share_a_statement_go_in_successive_ones() -> None:
    statement = Statement()
    doubled = Coalesced(statement, distinct=lambda k: k % 10)  # 3 and 13 are "one session"
    answers = await asyncio.gather(*(doubled(k) for k in (0, 3, 4, 13, 23, 5)))
    assert answers == [0, 6, 8, 26, 46, 10]
    assert statement.batches == [[0], [3, 4, 5], [13], [23]]


async def test_a_failed_statement_fails_its_callers_and_the_next_batch_is_tried_afresh() -> None:
    statement, doubled = held()
    statement.failing = {2}
    first = asyncio.ensure_future(doubled(1))
    await statement.until_out(1)
    later = [asyncio.ensure_future(doubled(k)) for k in (2, 3)]
    await asyncio.sleep(0)
    statement.hold.set()
    assert await first == 2
    for f in later:
        with pytest.raises(ConnectionError, match="batch 2"):
            await f
    assert await doubled(4) == 8  # the batch after a failed one is tried afresh
    assert statement.batches == [[1], [2, 3], [4]]


async def test_a_failed_call_alone_fails_only_itself() -> None:
    statement = Statement()
    statement.failing = {1}
    doubled = Coalesced(statement)
    with pytest.raises(ConnectionError, match="batch 1"):
        await doubled(1)
    assert await doubled(2) == 4


async def test_a_caller_given_up_is_left_out_and_the_others_are_answered() -> None:
    statement, doubled = held()
    first = asyncio.ensure_future(doubled(1))
    await statement.until_out(1)
    second = asyncio.ensure_future(doubled(2))
    await statement.until_out(2)
    given_up = asyncio.ensure_future(doubled(3))
    kept = asyncio.ensure_future(doubled(4))
    await asyncio.sleep(0)
    given_up.cancel()
    statement.hold.set()
    assert [await first, await second, await kept] == [2, 4, 8]
    assert statement.batches == [[1], [2], [4]]


async def test_a_first_caller_cancelled_mid_statement_leaves_the_others_answered() -> None:
    statement, doubled = held()
    first = asyncio.ensure_future(doubled(1))
    await statement.until_out(1)
    later = asyncio.ensure_future(doubled(2))
    await asyncio.sleep(0)
    first.cancel()  # a worker stopping, a client gone
    with pytest.raises(asyncio.CancelledError):
        await first
    statement.hold.set()
    assert await asyncio.wait_for(later, timeout=5) == 4
    assert await asyncio.wait_for(doubled(3), timeout=5) == 6  # and nothing is left stuck
