"""The live hub (bot/player/live.py) on both databases: a waiting page is woken with what it
shows now, read by the tick; what the hub told a page lets its next poll wait without a read,
and is forgotten once no page waits."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime

from bot.domain.session import Event, apply, begin
from bot.player.live import LiveHub
from bot.routines import load_routines
from bot.store.player import PageChange, Watch
from bot.store.repo import Store
from tests.harness import QUICK_ROUTINES

ANN = 2501
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TICK = 0.02


async def _until(condition: Callable[[], bool]) -> None:
    """Until the hub's ticks (every TICK seconds) make `condition` true; 5 s at most."""
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(TICK / 2)


async def test_a_woken_page_is_told_what_it_shows_and_its_next_poll_needs_no_read(
    store: Store,
) -> None:
    routine = load_routines(QUICK_ROUTINES).routines["single"]
    await store.upsert_user(ANN, ANN, "Ann", None, NOW)
    await store.set_language(ANN, "fr", NOW)
    record, _ = await store.start_session(ANN, ANN, routine.id, begin(routine, NOW), NOW)
    hub = LiveHub(store, tick=TICK)
    shown = Watch(ANN, record.id, record.version)
    try:
        assert not hub.current(shown)  # nothing told yet: a poll reads first
        waiting = asyncio.create_task(hub.wait(shown, timeout=10))
        # The page's own session, confirmed by a tick: a poll at it may wait unread.
        await _until(lambda: hub.current(shown))
        await asyncio.sleep(TICK * 3)
        assert not waiting.done()  # nothing moved: the page waits on
        paused = apply(record.state, Event.STOP, routine, NOW, switch_seconds=5).state
        moved = await store.transition(record, paused, NOW, routine)
        assert moved is not None
        change = await asyncio.wait_for(waiting, 2)
        assert change is not None
        # Stopped, in the language Ann chose, from the tick's own read.
        assert change == PageChange(dataclasses.replace(moved, language="fr"), "fr")
        # Woken at the new version: the page's next poll at it waits without a read; one at
        # the old version does not (it reads, and is answered at once).
        now_shown = Watch(ANN, record.id, moved.version)
        assert hub.current(now_shown) and not hub.current(shown)
        # No page waits: two ticks later the hub remembers nothing, and its task has ended.
        task = hub._task
        await _until(lambda: not hub.current(now_shown) and task is not None and task.done())
    finally:
        await hub.close()


async def test_a_page_times_out_with_nothing_new(store: Store) -> None:
    hub = LiveHub(store, tick=TICK)
    try:
        assert await hub.wait(Watch(ANN, None, 0), timeout=0.1) is None
    finally:
        await hub.close()
