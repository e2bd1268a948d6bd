"""The stand-in's count of sends per second is of sends, not of its own pauses: while it
enforces Telegram's limits, its process's garbage collector is held off (bot/sandbox/collector.py),
so a collection cannot stamp evenly paced sends as one burst and answer a 429 Telegram would not."""

from __future__ import annotations

import asyncio
import gc
import time

import aiohttp

from bot.sandbox.emulator import BotApiEmulator


async def test_the_collector_is_held_while_the_stand_in_counts_and_given_back_after() -> None:
    assert gc.isenabled()
    async with BotApiEmulator() as emu:
        emu.enforce_flood()
        emu.enforce_flood()  # again (a test may tighten the limits): still one hold
        assert not gc.isenabled() and gc.get_freeze_count() > 0
    assert gc.isenabled()


async def test_a_bot_wide_429_records_how_late_the_stand_in_itself_ran() -> None:
    """A 429 stamped while the stand-in's own loop had stalled is the stand-in's doing as
    much as the bot's: its record says so (the fleet tests print it when they fail)."""
    async with BotApiEmulator() as emu, aiohttp.ClientSession() as client:
        emu.enforce_flood(per_second_overall=2)
        for chat in (1, 2, 3):
            emu.send_text(chat, "hi")
        await asyncio.sleep(0.02)  # the watch has begun
        time.sleep(0.15)  # noqa: ASYNC251 - the stand-in waits for a core: its loop is blocked
        await asyncio.sleep(0.02)
        statuses = []
        for chat in (1, 2, 3):
            async with client.post(
                f"{emu.base_url}{emu.token}/sendMessage", data={"chat_id": chat, "text": "x"}
            ) as response:
                statuses.append(response.status)
        assert statuses == [200, 200, 429]
        [(_, counted, lag)] = emu.flood_windows
        assert counted == 2 and lag >= 0.1
