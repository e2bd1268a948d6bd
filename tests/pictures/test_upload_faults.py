"""Picture uploads failing (issue 29), as people meet them through the stand-in: the stretch
card always reaches the person, before its hold, once; a file_id Telegram refuses is replaced.

Before: with uploads answered 500 for 20 s, 5 of 5 people never saw their card and went
straight to "Hold"; with uploads answered after the read timeout the hold began 11 s late and
a second copy of the card came after it; a refused file_id stayed in the store for good.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from bot.pictures import picture_key
from bot.routines import load_routines
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from bot.sandbox.spec import Upload
from tests.harness import DATA, Harness

POSED = DATA / "posed.toml"
CARD = "Bed leg raise"  # the posed stretch's name: on its card and on its hold
PEOPLE = list(range(7_001, 7_006))


def cards(emu: BotApiEmulator, chat_id: int) -> list[BotMessage]:
    """The stretch cards the person got: a message with the card's steps (its Ready button
    is taken off once the hold begins)."""
    return [m for m in emu.messages(chat_id) if "Lie on your bed" in m.text]


def holds(emu: BotApiEmulator, chat_id: int) -> list[BotMessage]:
    return [m for m in emu.messages(chat_id) if m.text.startswith("⏱") and CARD in m.text]


async def start(emu: BotApiEmulator, sqlite_url: str, **overrides: Any) -> Harness:
    harness = Harness(emu, sqlite_url, routines=POSED, overrides=overrides)
    await harness.start()
    return harness


@pytest.mark.slow  # ~3 s of real waiting
async def test_uploads_answering_500_still_bring_every_card_before_its_hold(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    emu.fail_uploads_for(3.0)  # the whole test: no upload gets through
    bot = await start(emu, sqlite_url)
    try:
        for person in PEOPLE:
            emu.send_text(person, "/stretch")
        await emu.wait_for(lambda: all(holds(emu, p) for p in PEOPLE), timeout=10)
        await emu.settled(quiet=0.5)
        for person in PEOPLE:
            (card,) = cards(emu, person)  # the card as text, once
            (hold, *_) = holds(emu, person)
            assert card.sent_at < hold.sent_at
        assert any(c.method == "sendAnimation" and c.status == 500 for c in emu.calls)
    finally:
        await bot.stop()


@pytest.mark.slow  # ~3 s of real waiting
async def test_slow_uploads_neither_hold_up_the_hold_nor_double_the_card(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    """Uploads answered (and acted on) after the bot's read timeout: 1.0 s against 0.5 s
    here, the same rule as 7 s against production's 5 s, without the wait."""
    emu.slow_uploads(1.0)
    bot = await start(emu, sqlite_url, telegram_read_timeout=0.5)
    try:
        for person in PEOPLE[:3]:
            emu.send_text(person, "/stretch")
        await emu.wait_for(lambda: all(holds(emu, p) for p in PEOPLE[:3]), timeout=10)
        await emu.settled(quiet=1.5)  # the late upload lands meanwhile
        for person in PEOPLE[:3]:
            (card,) = cards(emu, person)  # never a second copy
            (hold, *_) = holds(emu, person)
            assert card.sent_at < hold.sent_at
            # On time: the card's own get-ready count (clock-seconds, 10 x real here) after it,
            # give or take 0.6 s (before: 11 s late).
            ready = re.search(r"starts by itself in (\d+) s", card.text)
            assert ready is not None, card.text
            assert hold.sent_at - card.sent_at < int(ready.group(1)) / 10 + 0.6
    finally:
        await bot.stop()


async def test_a_refused_file_id_is_replaced_in_the_store(
    emu: BotApiEmulator, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    pose = load_routines(POSED).stretches["bedraise"].pose
    assert pose is not None
    key = picture_key(pose, "animation")
    bot = await start(emu, sqlite_url)
    try:
        store = bot.services.store
        await store.remember_file_id(emu.bot_id, key, "file-telegram-forgot", bot.clock.now())
        await bot.restart()  # a worker that knows only the stored id
        emu.send_text(PEOPLE[0], "/stretch")
        await emu.wait_for(lambda: bool(cards(emu, PEOPLE[0])), timeout=8)
        await emu.wait_for(lambda: len(emu.files) == 1, timeout=8)  # uploaded again
        kept = await bot.services.store.file_id_of(emu.bot_id, key)
        assert kept is not None and kept in emu.files  # the refused id replaced
        caplog.clear()
        await bot.restart()  # every later worker sends the new id: no refusal, no upload
        emu.send_text(PEOPLE[1], "/stretch")
        await emu.wait_for(lambda: bool(cards(emu, PEOPLE[1])), timeout=8)
        (card,) = cards(emu, PEOPLE[1])
        assert card.file_id == kept
        assert len(emu.files) == 1
        uploads = [
            c
            for c in emu.calls
            if c.method == "sendAnimation" and isinstance(c.params.get("animation"), Upload)
        ]
        assert len(uploads) == 1
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        await bot.stop()
