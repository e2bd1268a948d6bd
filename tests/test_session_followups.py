"""Follow-ups never die: a session goes on after the process froze, a follow-up failed, or a
follow-up was lost (issue 18, "Sessions freeze after a hiccup")."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from bot import texts
from bot.sandbox.emulator import BotApiEmulator
from tests.harness import next_message, process_env, spawn_bot

ANN = 5101


async def test_a_process_frozen_mid_hold_goes_on_with_the_session(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """A paused VM or a stalled disk freezes the bot for 12 s during a 10 s hold. Its pending
    follow-up (the countdown edit at 5 s) is then 8.5 s late; APScheduler's default 1 s misfire
    grace dropped it and the session stayed in its hold for good. It must run late instead."""
    env = process_env(emu, f"sqlite+aiosqlite:///{tmp_path / 'limber.db'}", LOG_LEVEL="INFO")
    proc = await spawn_bot(env)
    try:
        emu.send_text(ANN, "/stretch")
        intro = await next_message(emu, ANN, 1, timeout=20)
        emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
        hold = await next_message(emu, ANN, 2, timeout=10)
        assert "10 s left" in hold.text
        await asyncio.sleep(1.5)  # the bot has recorded the step and armed its follow-up
        proc.send_signal(signal.SIGSTOP)
        await asyncio.sleep(12)
        proc.send_signal(signal.SIGCONT)
        resumed = time.monotonic()
        switch = await emu.wait_for_message(ANN, "Switch sides", timeout=10)
        assert time.monotonic() - resumed < 5  # at once, not at some later sweep of luck
        assert emu.messages(ANN)[2].text.startswith("✓ First stretch — left leg")
        # ... and the rest of the session follows on its own.
        await emu.wait_for_message(ANN, "right leg\nHold", timeout=15)
        assert sum("Switch sides" in m.text for m in emu.messages(ANN)) == 1
        assert switch.message_id == emu.messages(ANN)[3].message_id
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
