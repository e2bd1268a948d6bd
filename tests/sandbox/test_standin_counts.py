"""The stand-in's count of sends per second is of sends, not of its own pauses: while it
enforces Telegram's limits, its process's garbage collector is held off (bot/sandbox/collector.py),
so a collection cannot stamp evenly paced sends as one burst and answer a 429 Telegram would not."""

from __future__ import annotations

import gc

from bot.sandbox.emulator import BotApiEmulator


async def test_the_collector_is_held_while_the_stand_in_counts_and_given_back_after() -> None:
    assert gc.isenabled()
    async with BotApiEmulator() as emu:
        emu.enforce_flood()
        emu.enforce_flood()  # again (a test may tighten the limits): still one hold
        assert not gc.isenabled() and gc.get_freeze_count() > 0
    assert gc.isenabled()
