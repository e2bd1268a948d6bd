"""One flooding chat slows nobody else (issue 18): per-chat pacing, per-chat 429s, collapsed
repeats, and the priorities at the rate limiter, through the stand-in enforcing Telegram's
limits (30/s for the bot; per chat a burst of 3, then one a second).

These run on the real clock: per-chat pacing is in real seconds (the harness's fast test clock
runs with chats unpaced, `chat_pace_per_second` 0, see bot.ratelimit.chat_pace).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram.ext import ExtBot

from bot import texts
from bot.clock import SystemClock
from bot.flood import PER_CHAT_IN_FLIGHT, FloodGate, Verdict
from bot.ratelimit import Priority, PriorityRateLimiter, mark_answering, sending_as
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from bot.store.models import GuidedSession
from tests.harness import Harness

FLOODER = 7001
OTHER = 7002
# What "not slowed" means for the other user: well under a second from their message to the
# stand-in receiving the answer (before the fix: 44 s for /help, 50 s for the session card).
SMALL_LATENCY = 1.0


@pytest.fixture
def bot_options(emu: BotApiEmulator) -> dict[str, Any]:
    """How this file's bot differs from the shared one (tests/conftest.py)."""
    emu.enforce_flood()
    return dict(clock=SystemClock(), overrides={"chat_pace_per_second": 1.0})


def is_card(message: BotMessage) -> bool:
    """A session's first card (the one with Ready)."""
    return texts.BUTTON_READY in [label for label, _ in BotApiEmulator.buttons(message)]


async def answer_to(emu: BotApiEmulator, chat_id: int, pushed_at: float, found: Any) -> float:
    """Seconds from `pushed_at` until a message of the bot in the chat satisfies `found`."""
    await emu.wait_for(lambda: any(found(m) for m in emu.messages(chat_id)), timeout=15)
    message = next(m for m in emu.messages(chat_id) if found(m))
    return message.sent_at - pushed_at


async def sessions_of(bot: Harness, user_id: int) -> int:
    async with bot.services.store.reading() as db:
        count = await db.scalar(
            select(func.count()).select_from(GuidedSession).where(GuidedSession.user_id == user_id)
        )
    return int(count or 0)


@pytest.mark.slow  # 4.4 s here (--durations)
async def test_500_stretch_at_once_start_one_session_and_do_not_slow_another_user(
    emu: BotApiEmulator, bot: Harness
) -> None:
    for _ in range(500):
        emu.send_text(FLOODER, "/stretch")
    pushed = time.monotonic()
    emu.send_text(OTHER, "/help")
    help_latency = await answer_to(emu, OTHER, pushed, lambda m: "/routines" in m.text)

    await asyncio.sleep(2.0)  # a person reads the help first
    pushed = time.monotonic()
    emu.send_text(OTHER, "/stretch")
    card_latency = await answer_to(emu, OTHER, pushed, is_card)

    await emu.settled(quiet=1.5, timeout=30)
    assert help_latency < SMALL_LATENCY
    assert card_latency < SMALL_LATENCY
    # The flood collapsed to one session: the medical note and one card, no 429 at all.
    assert await sessions_of(bot, FLOODER) == 1
    assert len([m for m in emu.messages(FLOODER) if is_card(m)]) == 1
    assert len(emu.messages(FLOODER)) == 2
    assert emu.flood_429s_by_chat.get(FLOODER, 0) == 0
    assert emu.flood_429s == 0


@pytest.mark.slow  # 3.1 s here (--durations)
async def test_a_429_for_one_chat_does_not_stall_the_others(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 3",
        retry_after=3,
        chat_id=FLOODER,
    )
    refused_at = time.monotonic()
    emu.send_text(FLOODER, "/help")
    await emu.wait_for(lambda: any(c.status == 429 for c in emu.calls), timeout=5)
    pushed = time.monotonic()
    emu.send_text(OTHER, "/help")
    other_latency = await answer_to(emu, OTHER, pushed, lambda m: "/routines" in m.text)
    flooder_latency = await answer_to(emu, FLOODER, refused_at, lambda m: "/routines" in m.text)
    assert other_latency < SMALL_LATENCY
    assert flooder_latency >= 3.0  # its own chat did wait what Telegram asked


@pytest.mark.slow  # 3.1 s here (--durations)
async def test_one_chat_gets_about_one_message_a_second_after_a_short_burst(
    emu: BotApiEmulator, bot: Harness
) -> None:
    """Different commands are each answered, at the chat's pace and without a 429."""
    commands = ["/help", "/routines", "/settings", "/stats", "/help extra"]
    for command in commands:
        emu.send_text(FLOODER, command)
    await emu.wait_for(lambda: len(emu.messages(FLOODER)) >= len(commands), timeout=15)
    sent = sorted(m.sent_at for m in emu.messages(FLOODER))
    assert emu.flood_429s == 0
    # A burst of two, then one a second (the stand-in would allow a burst of three).
    assert sent[-1] - sent[0] >= len(commands) - 2 - 0.1


@pytest.mark.slow  # 1.8 s here (--durations)
async def test_answers_go_before_steps_before_countdowns_before_nudges(
    emu: BotApiEmulator,
) -> None:
    """With the budget short, what waits is served by priority, not by arrival."""
    limiter = PriorityRateLimiter(per_second=5, max_retries=0)
    bot: ExtBot[Any] = ExtBot(emu.token, base_url=emu.base_url, rate_limiter=limiter)
    await bot.initialize()
    try:

        async def send(chat_id: int, text: str, priority: Priority) -> None:
            if priority is Priority.NUDGE:
                await bot.send_message(chat_id, text, rate_limit_args={"low": True})
                return
            if priority is Priority.ANSWER:
                mark_answering()  # as the front door does for a handler's task
                await bot.send_message(chat_id, text)
                return
            with sending_as(priority):
                await bot.send_message(chat_id, text)

        tasks = [asyncio.create_task(send(100 + i, "nudge", Priority.NUDGE)) for i in range(6)]
        await asyncio.sleep(0.05)  # the nudges queue first
        tasks += [
            asyncio.create_task(send(200, "countdown", Priority.COUNTDOWN)),
            asyncio.create_task(send(201, "step", Priority.STEP)),
            asyncio.create_task(send(202, "answer", Priority.ANSWER)),
        ]
        await asyncio.gather(*tasks)
    finally:
        await bot.shutdown()
    order = [c.params["text"] for c in emu.calls if c.method == "sendMessage"]
    assert order[order.index("answer") :][:3] == ["answer", "step", "countdown"]
    assert order.index("answer") <= 2  # behind at most the nudges already given a slot


class _Handling:
    def __init__(self) -> None:
        self.finished = False

    def done(self) -> bool:
        return self.finished


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        # (message id, content, whether its handling has ended when the next one comes)
        ([(1, "/stretch", False), (2, "/stretch", False)], ["handle", "repeat"]),
        # Back to back: the user had not seen an answer yet, even if it is done by now.
        ([(1, "/stretch", True), (2, "/stretch", True)], ["handle", "repeat"]),
        # The bot answered in between (ids 2 and 3 are its messages): asked again, answered.
        ([(1, "/start", True), (4, "/start", True)], ["handle", "handle"]),
        # Still being handled: a repeat even with an answer in between.
        ([(1, "/stretch", False), (4, "/stretch", False)], ["handle", "repeat"]),
        # Different messages back to back are each answered.
        (
            [(1, "/help", False), (2, "/stats", False), (3, "/help", False)],
            ["handle", "handle", "repeat"],
        ),
    ],
)
def test_the_flood_gate_collapses_repeats(
    messages: list[tuple[int, str, bool]], expected: list[str]
) -> None:
    gate = FloodGate(now=lambda: 0.0)
    verdicts = []
    for message_id, content, finished in messages:
        handling = _Handling()
        verdicts.append(gate.check(7, message_id, content, handling.done).value)
        handling.finished = finished
    assert verdicts == expected


def test_the_flood_gate_bounds_a_chat_in_flight_and_tells_it_once_a_minute() -> None:
    clock = [0.0]
    gate = FloodGate(now=lambda: clock[0])
    verdicts = [gate.check(7, 2 * i + 1, f"text {i}", lambda: False) for i in range(40)]
    assert verdicts[:PER_CHAT_IN_FLIGHT] == [Verdict.HANDLE] * PER_CHAT_IN_FLIGHT
    assert verdicts[PER_CHAT_IN_FLIGHT] is Verdict.OVER_NOTICE
    assert set(verdicts[PER_CHAT_IN_FLIGHT + 1 :]) == {Verdict.OVER}
    assert gate.check(8, 1, "text", lambda: False) is Verdict.HANDLE  # other chats unaffected
    clock[0] = 61.0
    assert gate.check(7, 999, "later", lambda: False) is Verdict.OVER_NOTICE


@pytest.mark.slow  # 2.0 s here (--durations)
async def test_in_a_busy_chat_an_answer_goes_before_a_countdown_edit_queued_earlier(
    emu: BotApiEmulator,
) -> None:
    limiter = PriorityRateLimiter(per_second=29, max_retries=0)
    bot: ExtBot[Any] = ExtBot(emu.token, base_url=emu.base_url, rate_limiter=limiter)
    await bot.initialize()
    try:
        chat = 300
        await bot.send_message(chat, "one")
        await bot.send_message(chat, "two")  # the chat's burst is spent

        async def countdown() -> None:
            with sending_as(Priority.COUNTDOWN):
                await bot.send_message(chat, "countdown")

        async def answer() -> None:
            mark_answering()
            await bot.send_message(chat, "answer")

        edit = asyncio.create_task(countdown())
        await asyncio.sleep(0.05)  # the edit is waiting for the chat's turn first
        await asyncio.gather(edit, answer())
    finally:
        await bot.shutdown()
    order = [c.params["text"] for c in emu.calls if c.method == "sendMessage"]
    assert order == ["one", "two", "answer", "countdown"]
