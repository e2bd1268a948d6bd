"""Answers before steps (bot/sessions/answers.py): when many press at once, every spinner stops
before any of their next steps is drawn and sent, and a step still follows promptly."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from bot import texts
from bot.clock import ScaledClock
from bot.sandbox.emulator import BotApiEmulator
from bot.sessions.answers import AnswersFirst
from tests.harness import Harness

USERS = 20


async def test_a_step_waits_only_while_another_press_waits_for_its_answer() -> None:
    answers = AnswersFirst(wait_at_most=5.0)
    began = time.monotonic()
    await answers.turn()  # nobody waiting: straight on
    assert time.monotonic() - began < 0.1

    first, second = answers.pressed(), answers.pressed()
    first.answered()
    first.answered()  # counted out once only
    assert answers.waiting == 1
    step = asyncio.create_task(answers.turn())
    await asyncio.sleep(0.05)
    assert not step.done()  # the second press still waits for its answer
    second.answered()
    await asyncio.wait_for(step, timeout=1.0)
    assert answers.waiting == 0


async def test_a_step_never_waits_longer_than_the_bound() -> None:
    answers = AnswersFirst(wait_at_most=0.1)
    answers.pressed()  # never answered (say, its handler is stuck)
    began = time.monotonic()
    await answers.turn()
    assert 0.09 <= time.monotonic() - began < 1.0


async def test_presses_at_once_are_all_answered_before_any_step_goes_out(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    # Slow clock: no get-ready or hold ends by itself during the test. Rate limiter off, so
    # the steps could go out at once: only the answers-first wait keeps them behind.
    bot = Harness(emu, sqlite_url, clock=ScaledClock(0.1), overrides={"rate_limit": False})
    await bot.start()
    try:
        users = list(range(300_000, 300_000 + USERS))
        for uid in users:
            emu.send_text(uid, "/stretch")
        await emu.wait_for(lambda: all(len(emu.messages(u)) >= 2 for u in users), timeout=30)
        first_call = len(emu.calls)
        pressed_at = time.monotonic()
        for uid in users:
            emu.press(uid, emu.messages(uid)[1].message_id, text=texts.BUTTON_READY)
        await emu.wait_for(lambda: all(len(emu.messages(u)) >= 3 for u in users), timeout=30)

        calls = [c for c in emu.calls[first_call:] if c.method != "getUpdates"]
        answers = [i for i, c in enumerate(calls) if c.method == "answerCallbackQuery"]
        steps = [i for i, c in enumerate(calls) if c.method != "answerCallbackQuery"]
        assert len(answers) == USERS
        assert (
            Counter(str(calls[i].params["callback_query_id"]) for i in answers).most_common(1)[0][1]
            == 1
        )  # each press answered once
        assert max(answers) < min(steps)  # every spinner stopped before the first step
        # ... and the steps followed: every hold shown within two seconds of the presses (the
        # wait is at most 250 ms; the rest is a shared test machine).
        assert max(calls[i].at for i in steps) - pressed_at < 2.0
        assert all("left leg" in emu.messages(u)[2].text for u in users)
    finally:
        await bot.stop()
