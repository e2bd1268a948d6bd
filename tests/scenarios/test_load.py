"""Load on one SQLite file: 200 users press Ready in the same instant while 1,000 nudges go out.

What a user would notice if it broke: a button whose spinner never stops (a press dropped or
failed), a press applied twice or not at all, a nudge missing or doubled, and in the log a
"database is locked" or an error. How fast this goes is measured by benchmarks/load.py and
recorded in docs/benchmarks.md; a test asserts no timings.

The rate limiter is off here: with it on, the sends alone would take a minute at 29/s. Off,
every write of the presses, the shows and the wave lands on SQLite at once, which is the
harder case for the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot import texts
from bot.clock import ScaledClock
from bot.domain.session import Event, Phase, Status, apply, begin
from bot.routines import load_routines
from bot.sandbox.emulator import BotApiEmulator
from bot.store.repo import Store
from tests.harness import QUICK_ROUTINES, Harness, seed_subscribers

USERS = 200
NUDGES = 1000
FIRST_USER = 100_000
FIRST_NUDGED = 500_000


def trouble(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records that mean something went wrong."""
    found = []
    for record in caplog.records:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]!r}"
        if "database is locked" in text or record.levelno >= logging.ERROR:
            found.append(f"{record.levelname} {record.name}: {text}")
    return found


@pytest.mark.slow
async def test_200_presses_at_once_during_a_nudge_wave_all_land_once(
    emu: BotApiEmulator, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # A slow clock (a tenth of real time): no hold ends during the test, so after the press
    # every session must be exactly one step on.
    bot = Harness(emu, sqlite_url, clock=ScaledClock(0.1), overrides={"rate_limit": False})
    await bot.start()
    try:
        users = list(range(FIRST_USER, FIRST_USER + USERS))
        for uid in users:
            emu.send_text(uid, "/stretch")
        # The medical note (new users) and the first stretch's steps with Ready.
        await emu.wait_for(lambda: all(len(emu.messages(u)) >= 2 for u in users), timeout=60)
        store = bot.services.store
        before = {r.user_id: r for r in await store.live_sessions()}
        assert sorted(before) == users
        assert {r.version for r in before.values()} == {1}

        nudged = await seed_subscribers(
            store, NUDGES, bot.clock.now() - timedelta(seconds=1), first_id=FIRST_NUDGED
        )
        wave = asyncio.create_task(bot.services.dispatcher.tick())
        pressed = [
            emu.press(uid, emu.messages(uid)[1].message_id, text=texts.BUTTON_READY)
            for uid in users
        ]
        press_ids = {p["callback_query"]["id"] for p in pressed}

        def answers() -> list[dict[str, object]]:
            return [c.params for c in emu.calls if c.method == "answerCallbackQuery"]

        await emu.wait_for(lambda: len(answers()) >= USERS, timeout=60)
        # Each hold is shown (its message sent) and the show recorded.
        await emu.wait_for(lambda: all(len(emu.messages(u)) >= 3 for u in users), timeout=60)
        report = await asyncio.wait_for(wave, timeout=60)
        await emu.settled(quiet=0.3, timeout=30)

        # Every press answered exactly once, as a press that took effect (no "stale" or
        # "something went wrong" text).
        answered = Counter(str(a["callback_query_id"]) for a in answers())
        assert set(answered) == press_ids
        assert set(answered.values()) == {1}
        assert [a for a in answers() if a.get("text")] == []

        # Every session moved exactly one step (intro -> first hold), and the chat shows it.
        after = {r.user_id: r for r in await store.live_sessions()}
        assert sorted(after) == users
        for uid, record in after.items():
            assert record.id == before[uid].id
            assert record.version == 2, uid
            assert record.state.status is Status.ACTIVE
            assert record.state.phase is Phase.HOLD and record.state.side == 0
            assert record.shown_version == 2, uid
            assert "left leg" in emu.messages(uid)[2].text

        # Every nudge went out exactly once.
        sent = Counter(
            int(c.params["chat_id"])
            for c in emu.calls
            if c.method == "sendMessage" and int(c.params["chat_id"]) >= FIRST_NUDGED
        )
        assert sorted(sent) == nudged
        assert set(sent.values()) == {1}
        assert report.claimed == NUDGES and report.sent == NUDGES and report.failed == 0

        assert trouble(caplog) == []
    finally:
        await bot.stop()


@pytest.mark.slow
async def test_200_double_taps_at_once_each_change_a_session_once(db_url: str) -> None:
    """The store alone, on both backends: 200 sessions each pressed twice from the same
    version at the same instant (a double tap). Exactly one of each pair wins; then of a
    current and a stale show, only the current one is recorded."""
    from bot.store.db import create_engine, upgrade_async

    await upgrade_async(db_url)
    store = Store(create_engine(db_url))
    try:
        routine = load_routines(QUICK_ROUTINES).default
        now = datetime.now(UTC)
        for uid in range(1, USERS + 1):
            await store.upsert_user(uid, uid, "A", None, now)
            await store.start_session(uid, uid, routine.id, begin(routine, now), now)
        records = await store.live_sessions()
        assert len(records) == USERS
        ready = apply(records[0].state, Event.READY, routine, now, switch_seconds=5).state

        won = await asyncio.gather(
            *(store.transition(r, ready, now, routine) for r in records for _ in range(2))
        )
        for record, pair in zip(records, zip(won[::2], won[1::2], strict=True), strict=True):
            assert sum(w is not None for w in pair) == 1, record.id
        after = await store.live_sessions()
        assert {r.version for r in after} == {2}
        assert {r.state.phase for r in after} == {Phase.HOLD}

        shown = await asyncio.gather(
            *(store.mark_shown(r.id, 2, 1000 + r.id) for r in records),
            *(store.mark_shown(r.id, 1, 1) for r in records),  # a stale show never lands
        )
        assert shown == [True] * USERS + [False] * USERS
        for r in await store.live_sessions():
            assert (r.shown_version, r.message_id) == (2, 1000 + r.id)
    finally:
        await store.close()


async def test_a_write_inside_a_write_fails_loudly_on_sqlite(sqlite_url: str) -> None:
    """SQLite writers of one process take turns; a second write transaction opened inside the
    first would wait for itself forever, so it raises instead."""
    from bot.store.db import create_engine, upgrade_async

    await upgrade_async(sqlite_url)
    store = Store(create_engine(sqlite_url))
    try:
        async with store.writing():
            with pytest.raises(RuntimeError, match="do not nest"):
                async with store.writing():
                    pass
        # The turn was given back: the next write goes through.
        await store.upsert_user(1, 1, "A", None, ScaledClock(1.0).now())
    finally:
        await store.close()
