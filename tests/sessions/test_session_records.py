"""Issue 23, item 1: a session's record is what was done, however it ended.

Through the real Application and the Bot API stand-in on a fast clock (speed 10: the quick
routine's 10 s holds pass in 1 real second), the clock moved by hand for the long pauses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import texts
from bot.clock import ScaledClock
from bot.domain.session import EndReason, Event, Status, apply, begin
from bot.routines import load_routines
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from bot.store.repo import Store
from tests.harness import QUICK_ROUTINES, SPEED, Harness, next_message

ANN = 2301


@pytest.fixture
def clock() -> ScaledClock:
    return ScaledClock(SPEED)


@pytest.fixture
def bot_options(clock: ScaledClock) -> dict[str, Any]:
    """How this file's bot differs from the shared one (tests/conftest.py): the clock a test
    moves is the bot's."""
    return dict(clock=clock)


async def message_where(
    emu: BotApiEmulator, predicate: Callable[[BotMessage], bool], timeout: float = 5.0
) -> BotMessage:
    """The first message in Ann's chat (as it reads now) that `predicate` accepts."""
    await emu.wait_for(lambda: any(predicate(m) for m in emu.messages(ANN)), timeout)
    return next(m for m in emu.messages(ANN) if predicate(m))


def labels(message: BotMessage) -> list[str]:
    return [label for label, _ in BotApiEmulator.buttons(message)]


async def hold_the_first_stretch(emu: BotApiEmulator) -> BotMessage:
    """/stretch (the quick routine), Ready, both sides of "First stretch" held by their
    timers: returns the card of the second stretch, its get-ready count running."""
    emu.send_text(ANN, "/stretch")
    intro = await next_message(emu, ANN, 1)  # 0 is the medical note of a first session
    emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
    await message_where(emu, lambda m: "Stretch 2 of 2" in m.text, timeout=8)
    return next(m for m in emu.messages(ANN) if "Stretch 2 of 2" in m.text)


async def stats_text(emu: BotApiEmulator) -> str:
    before = len(emu.messages(ANN))
    emu.send_text(ANN, "/stats")
    await emu.wait_for(lambda: len(emu.messages(ANN)) > before)
    await emu.settled(quiet=0.3)
    return "\n".join(m.text for m in emu.messages(ANN)[before:])


async def test_a_session_paused_overnight_ends_counting_only_what_was_held(
    emu: BotApiEmulator, bot: Harness, clock: ScaledClock
) -> None:
    """Before: Resume ten hours later carried on and finished "in 601 min 19 s", and /stats
    said "601 min in all"."""
    card = await hold_the_first_stretch(emu)
    emu.press(ANN, card.message_id, text=texts.BUTTON_PAUSE)
    await emu.wait_for(lambda: "Paused" in emu.messages(ANN)[card_index(emu, card)].text)
    clock.advance(timedelta(hours=10))
    emu.press(ANN, card.message_id, text=texts.BUTTON_RESUME)
    ending = await message_where(emu, lambda m: "paused for more than 30 min" in m.text, timeout=8)
    assert "1 of 2 stretches held" in ending.text
    assert "600 min" not in ending.text and "601 min" not in ending.text
    assert "Day 1" in ending.text  # one stretch held on both sides counts
    assert "Done!" not in ending.text
    live = await bot.services.store.live_session_of(ANN)
    assert live is None
    (entry,) = await bot.services.store.session_log(ANN)
    # Holds (2 x 10 s), the switch (5 s) and the get-ready counts: well under a minute of
    # clock time, never the ten hours of the pause.
    assert entry.duration_seconds < 60
    assert entry.stretches_done == 1
    stats = await stats_text(emu)
    assert "600 min" not in stats and "601 min" not in stats


def card_index(emu: BotApiEmulator, card: BotMessage) -> int:
    return next(i for i, m in enumerate(emu.messages(ANN)) if m.message_id == card.message_id)


async def test_a_paused_session_ends_by_itself_after_the_limit(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    """Before: a paused session stayed paused for ever (no setting, no wake)."""
    harness = Harness(emu, sqlite_url, overrides={"pause_limit_seconds": 20})
    await harness.start()
    try:
        card = await hold_the_first_stretch(emu)
        emu.press(ANN, card.message_id, text=texts.BUTTON_PAUSE)
        # 20 clock-seconds are 2 real seconds: nobody presses anything.
        ending = await message_where(emu, lambda m: "paused for more than" in m.text, timeout=8)
        assert "1 of 2 stretches held" in ending.text
        assert await harness.services.store.live_session_of(ANN) is None
        assert len(await harness.services.store.session_log(ANN)) == 1
        # The paused card no longer offers Resume.
        assert labels(emu.messages(ANN)[card_index(emu, card)]) == []
    finally:
        await harness.stop()


async def test_stop_after_a_stretch_held_counts_like_finishing(
    emu: BotApiEmulator, bot: Harness
) -> None:
    """Before: "Session stopped after 1 stretch (2 holds). Every bit counts", and /stats said
    "No sessions yet"."""
    card = await hold_the_first_stretch(emu)
    emu.press(ANN, card.message_id, text=texts.BUTTON_STOP)
    ending = await message_where(emu, lambda m: "Session stopped" in m.text)
    assert "1 of 2 stretches held" in ending.text
    assert "Every bit counts" not in ending.text
    assert "Day 1" in ending.text
    (entry,) = await bot.services.store.session_log(ANN)
    assert entry.stretches_done == 1 and entry.holds_done == 2
    # The back-pain question follows a session that counts, however it ended.
    await message_where(emu, lambda m: m.text == texts.PAIN_QUESTION)
    stats = await stats_text(emu)
    assert texts.NO_HISTORY not in stats


async def test_stop_with_nothing_held_says_so_without_praise(
    emu: BotApiEmulator, bot: Harness
) -> None:
    """Before: "Session stopped after 0 stretches (0 holds). Every bit counts." """
    emu.send_text(ANN, "/stretch")
    intro = await next_message(emu, ANN, 1)
    emu.press(ANN, intro.message_id, text=texts.BUTTON_STOP)
    ending = await message_where(emu, lambda m: "Session stopped" in m.text)
    for praise in ("Every bit counts", "0 stretches", "Day 1", "🎉", "Well done"):
        assert praise not in ending.text
    assert "No stretch was held" in ending.text
    await emu.settled(quiet=0.3)
    assert texts.PAIN_QUESTION not in [m.text for m in emu.messages(ANN)]
    assert await bot.services.store.session_log(ANN) == []


async def test_skip_then_finish_and_stop_say_the_same_words(
    emu: BotApiEmulator, bot: Harness
) -> None:
    """Before: "you held 1 of 4 … 🔥 Day 1" after skipping, while the same work ended by
    Stop did not count at all."""
    emu.send_text(ANN, "/stretch")
    intro = await next_message(emu, ANN, 1)
    emu.press(ANN, intro.message_id, text=texts.BUTTON_SKIP)
    card = await message_where(emu, lambda m: "Stretch 2 of 2" in m.text)
    emu.press(ANN, card.message_id, text=texts.BUTTON_READY)
    ending = await message_where(emu, lambda m: "stretches held" in m.text, timeout=8)
    assert "1 of 2 stretches held" in ending.text and "Day 1" in ending.text
    assert "Done!" not in ending.text


async def test_slash_stop_ends_a_live_session_too(emu: BotApiEmulator, bot: Harness) -> None:
    """Before: /stop turned the nudges off and left the session running."""
    card = await hold_the_first_stretch(emu)
    emu.send_text(ANN, "/stop")
    ending = await message_where(emu, lambda m: "Session stopped" in m.text)
    assert "1 of 2 stretches held" in ending.text
    await message_where(emu, lambda m: m.text == texts.STOPPED)
    assert await bot.services.store.live_session_of(ANN) is None
    assert labels(emu.messages(ANN)[card_index(emu, card)]) == []
    (entry,) = await bot.services.store.session_log(ANN)
    assert entry.stretches_done == 1
    record = await bot.services.store.get_session(entry.session_id)
    assert record is not None and record.state.status is Status.STOPPED


async def test_the_store_logs_a_stopped_session_with_its_active_time(store: Store) -> None:
    """On SQLite and PostgreSQL: Stop after a stretch held both sides is logged in the same
    compare-and-set that ends the session, with the active time, not the pause."""
    t0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    routine = load_routines(QUICK_ROUTINES).routines["quick"]
    await store.upsert_user(ANN, ANN, "Ann", "en", t0)
    state = begin(routine, t0)
    record, _ = await store.start_session(ANN, ANN, routine.id, state, t0)
    at = t0
    for event, seconds in (
        (Event.READY, 0),
        (Event.TIMER, 10),
        (Event.TIMER, 5),
        (Event.TIMER, 10),
        (Event.READY, 4),
        (Event.PAUSE, 3),
        (Event.STOP, 25 * 60),
    ):
        at += timedelta(seconds=seconds)
        state = apply(record.state, event, routine, at, switch_seconds=5).state
        updated = await store.transition(record, state, at, routine)
        assert updated is not None
        record = updated
    assert record.state.end_reason is EndReason.STOPPED
    (entry,) = await store.session_log(ANN)
    # 10 + 5 + 10 s of the first stretch, 4 s reading the card, 3 s of the last hold.
    assert (entry.stretches_done, entry.holds_done, entry.duration_seconds) == (1, 2, 32)
