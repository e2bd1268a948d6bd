"""The rate limiter, through PTB's own door (`process_request`), on a fast pace.

What a user notices: an answer to a pressed button is never held up, a session step goes out
before the nudges of a wave that were already waiting, and a 429 makes everybody wait its
retry_after. What Telegram notices: never a burst. The pace is raised to 100-200 sends a
second so each test takes a fraction of a second; the assertions are lower bounds on spacing
(a busy machine only makes sends later, never closer together) and orders.

Requests go to different chats throughout: these tests are about the bot-wide pace and the
order between kinds of request, not about any per-chat pacing (but for the last, which is
about a worker's per-chat pacing on a fast clock).
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from telegram.error import RetryAfter

from bot.app import build_application
from bot.clock import ScaledClock
from bot.config import Settings
from bot.ratelimit import PriorityRateLimiter, mark_answering
from bot.sandbox.emulator import DEFAULT_TEST_TOKEN
from tests.harness import QUICK_ROUTINES

PER_SECOND = 100.0
INTERVAL = 1.0 / PER_SECOND
# asyncio may wake a sleeper up to one clock tick early; never more than this.
SLACK = 0.001


class Wire:
    """Stands in for the HTTP call: records what went out and when."""

    def __init__(self, latency: float = 0.0) -> None:
        self.sent: list[tuple[str, float]] = []
        self.failures: dict[str, list[Exception]] = {}
        self.latency = latency  # Telegram's answer takes a while: others queue meanwhile

    async def call(self, label: str) -> dict[str, Any]:
        self.sent.append((label, time.monotonic()))
        if self.latency:
            await asyncio.sleep(self.latency)
        queued = self.failures.get(label)
        if queued:
            raise queued.pop(0)
        return {"ok": label}

    def labels(self) -> list[str]:
        return [label for label, _ in self.sent]

    def at(self, label: str) -> float:
        return next(t for sent, t in self.sent if sent == label)


async def send(
    limiter: PriorityRateLimiter,
    wire: Wire,
    label: str,
    *,
    chat_id: int | None,
    endpoint: str = "sendMessage",
    rate_limit_args: dict[str, Any] | None = None,
) -> Any:
    data: dict[str, Any] = {"text": label}
    if chat_id is not None:
        data["chat_id"] = chat_id
    return await limiter.process_request(wire.call, (label,), {}, endpoint, data, rate_limit_args)


def assert_paced(wire: Wire, began: float, interval: float = INTERVAL) -> None:
    """The k-th send went out no earlier than k slots after the start: no burst, and never
    ahead of the pace. (Gaps between two sends can be shorter than a slot when the first was
    woken late on a busy machine; what Telegram counts is sends per window, and this bounds
    them.)"""
    times = sorted(t for _, t in wire.sent)
    early = [k for k, t in enumerate(times) if t - began < k * interval - SLACK]
    assert not early, f"sends ahead of the pace: {early}"


def nudge(limiter: PriorityRateLimiter, wire: Wire, i: int) -> asyncio.Task[Any]:
    return asyncio.create_task(
        send(limiter, wire, f"nudge{i}", chat_id=10_000 + i, rate_limit_args={"low": True})
    )


async def test_sends_are_paced_evenly_never_in_a_burst() -> None:
    limiter = PriorityRateLimiter(per_second=PER_SECOND)
    wire = Wire()
    began = time.monotonic()
    await asyncio.gather(*(send(limiter, wire, f"m{i}", chat_id=100 + i) for i in range(20)))
    assert len(wire.sent) == 20
    assert_paced(wire, began)


async def test_a_nudge_wave_keeps_the_same_pace() -> None:
    limiter = PriorityRateLimiter(per_second=PER_SECOND)
    wire = Wire()
    began = time.monotonic()
    await asyncio.gather(*(nudge(limiter, wire, i) for i in range(15)))
    assert len(wire.sent) == 15
    assert_paced(wire, began)


async def test_a_session_step_goes_out_before_the_waiting_nudges() -> None:
    limiter = PriorityRateLimiter(per_second=PER_SECOND)
    wire = Wire()
    began = time.monotonic()
    wave = [nudge(limiter, wire, i) for i in range(30)]
    await asyncio.sleep(5 * INTERVAL)  # the wave is under way, most of it still waiting
    waiting = 30 - len(wire.sent)
    assert waiting > 10
    await send(limiter, wire, "step", chat_id=7)
    before_step = wire.labels().index("step")
    # At most the nudge already holding the next slot (and one woken with it) go first.
    assert before_step <= 30 - waiting + 2, wire.labels()
    await asyncio.gather(*wave)
    assert len(wire.sent) == 31
    assert_paced(wire, began)


async def test_an_answer_to_a_button_is_never_held_up() -> None:
    """answerCallbackQuery has no chat_id: Telegram does not count it, so it waits for no one,
    not even for the session steps already queued."""
    limiter = PriorityRateLimiter(per_second=PER_SECOND)
    wire = Wire()
    steps = [asyncio.create_task(send(limiter, wire, f"s{i}", chat_id=200 + i)) for i in range(10)]
    wave = [nudge(limiter, wire, i) for i in range(10)]
    await asyncio.sleep(0)  # every step and nudge is queued now
    asked = time.monotonic()
    await send(limiter, wire, "answer", chat_id=None, endpoint="answerCallbackQuery")
    assert wire.at("answer") - asked < 5 * INTERVAL
    assert wire.labels().index("answer") <= 2, wire.labels()
    await asyncio.gather(*steps, *wave)
    labels = wire.labels()
    # Steps, then nudges: every session step before the first nudge of the wave.
    assert max(labels.index(f"s{i}") for i in range(10)) < min(
        labels.index(f"nudge{i}") for i in range(10)
    ), labels


async def test_a_persons_answer_goes_out_whole_before_the_next_persons() -> None:
    """A Ready press sends two messages (the card's buttons taken away, then the hold). With
    many presses at once, everyone's first message used to go before anyone's second: person 1
    waited for the whole burst to see the hold, and every handler kept its update slot (PTB
    has 256) as long, so a 300th press was answered 10.6 s late (benchmarks/load.py). A
    handler that already sent goes before handlers that have not: person k has both messages
    after about 2k slots."""
    limiter = PriorityRateLimiter(per_second=PER_SECOND)
    wire = Wire(latency=2 * INTERVAL)

    async def handler(person: int) -> None:
        mark_answering()  # as app.py's group -1 does for every update
        await send(limiter, wire, f"p{person}-buttons", chat_id=300 + person)
        await send(limiter, wire, f"p{person}-hold", chat_id=300 + person)

    await asyncio.gather(*(handler(i) for i in range(12)))
    labels = wire.labels()
    # Between a person's two messages only the few others sent while Telegram answered the
    # first (two slots of latency here), not everyone else's first message.
    apart = [labels.index(f"p{i}-hold") - labels.index(f"p{i}-buttons") for i in range(12)]
    assert max(apart) <= 4, labels
    finished = [labels.index(f"p{i}-hold") for i in range(12)]
    assert finished == sorted(finished), labels


async def test_a_429_for_one_chat_waits_its_retry_after_and_the_others_go_on() -> None:
    limiter = PriorityRateLimiter(per_second=200.0)
    wire = Wire()
    pause = 0.15
    wire.failures["flooded"] = [RetryAfter(timedelta(seconds=pause))]
    began = time.monotonic()
    first = asyncio.create_task(send(limiter, wire, "flooded", chat_id=1))
    await asyncio.sleep(0.02)  # the 429 has come back
    other = asyncio.create_task(send(limiter, wire, "other", chat_id=2))
    assert await first == {"ok": "flooded"}
    assert await other == {"ok": "other"}
    retried = [t for label, t in wire.sent if label == "flooded"]
    assert len(retried) == 2
    assert retried[1] - began >= pause - SLACK
    # One chat's flood control is that chat's (issue #18): the other chat did not wait.
    assert wire.at("other") - began < pause - SLACK


async def test_429s_for_several_chats_at_once_make_everyone_wait() -> None:
    """Three chats flooded within a second look like the bot's own limit: all sends wait."""
    limiter = PriorityRateLimiter(per_second=200.0)
    wire = Wire()
    pause = 0.15
    for label in ("a", "b", "c"):
        wire.failures[label] = [RetryAfter(timedelta(seconds=pause))]
    began = time.monotonic()
    flooded = [
        asyncio.create_task(send(limiter, wire, label, chat_id=n))
        for n, label in enumerate(("a", "b", "c"), start=1)
    ]
    await asyncio.sleep(0.02)  # the three 429s have come back
    other = asyncio.create_task(send(limiter, wire, "other", chat_id=9))
    await asyncio.gather(*flooded)
    assert await other == {"ok": "other"}
    assert wire.at("other") - began >= pause - SLACK


@pytest.mark.slow  # waits real time (--durations ~1 s)
async def test_a_429_that_persists_is_raised_after_the_retries() -> None:
    limiter = PriorityRateLimiter(per_second=200.0, max_retries=2)
    wire = Wire()
    wire.failures["flooded"] = [RetryAfter(timedelta(milliseconds=10)) for _ in range(3)]
    with pytest.raises(RetryAfter):
        await send(limiter, wire, "flooded", chat_id=1)
    assert wire.labels() == ["flooded"] * 3  # the first try and two retries


async def test_a_broadcast_slot_held_by_the_dispatcher_is_not_taken_twice() -> None:
    """The dispatcher takes a slot, claims a nudge, then sends it with `slot_taken`: the send
    uses that slot instead of waiting for another, so the pace stays one send per slot."""
    slow = 4.0  # a slot of 250 ms, so a second take would show well above any load noise
    limiter = PriorityRateLimiter(per_second=slow)
    wire = Wire()
    await limiter.broadcast_slot()
    held = time.monotonic()
    await send(
        limiter, wire, "nudge", chat_id=10_000, rate_limit_args={"low": True, "slot_taken": True}
    )
    assert wire.at("nudge") - held < 0.5 / slow
    # The slot is used: the next send waits for the one after it.
    await send(limiter, wire, "step", chat_id=7)
    assert wire.at("step") - held >= 1 / slow - SLACK


class ChatAllowance:
    """Telegram's per-chat allowance as the stand-in enforces it (bot/sandbox/emulator.py
    `enforce_flood`): a burst of 3, refilled at 1 a real second; counts what it would refuse."""

    def __init__(self, burst: float = 3.0, per_second: float = 1.0) -> None:
        self.burst, self.per_second = burst, per_second
        self.tokens, self.stamp = burst, time.monotonic()
        self.refused: list[str] = []

    def take(self, label: str) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens < 1.0:
            self.refused.append(label)
        else:
            self.tokens -= 1.0


async def test_a_worker_on_a_fast_clock_paces_its_chats_in_real_seconds(sqlite_url: str) -> None:
    """The fleet test's 429 (tests/scenarios/test_fleet_faults.py: workers on a 2x clock, the
    stand-in enforcing a burst of 3 at 1/s): a hold's last countdown edit, late in the queue, landed
    0.1 s before the hold's end, and with it the end's three messages (the closing edit,
    "Done!", the pain question): 4 to one chat in 0.34 s. The worker left its chats unpaced
    because its clock ran fast; Telegram and the stand-in count real seconds."""
    settings = Settings(
        bot_token=SecretStr(DEFAULT_TEST_TOKEN),
        database_url=sqlite_url,
        routines_path=QUICK_ROUTINES,
    )
    app = build_application(settings, clock=ScaledClock(2.0))
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, PriorityRateLimiter)
    allowance = ChatAllowance()
    wire = Wire()

    async def call(label: str) -> dict[str, Any]:
        allowance.take(label)
        return await wire.call(label)

    ending = ["countdown edit", "closing edit", "Done!", "pain question"]
    for label in ending:
        await limiter.process_request(
            call, (label,), {}, "sendMessage", {"chat_id": 7, "text": label}, None
        )
    assert wire.labels() == ending
    assert allowance.refused == [], f"the stand-in would answer 429 to {allowance.refused}"


async def test_requests_given_up_while_queued_no_longer_thin_the_countdown() -> None:
    """A wave of nudges queued, then cancelled (a worker stopping its wave): the holds shown
    next count only what still waits, and go back to the full countdown."""
    limiter = PriorityRateLimiter(per_second=10)
    wire = Wire()
    first = nudge(limiter, wire, 0)
    await asyncio.sleep(0)  # the first takes the free slot; the rest queue behind it
    wave = [nudge(limiter, wire, i) for i in range(1, 31)]
    await asyncio.sleep(0.05)
    assert limiter.suggested_countdown_step(5) is None  # thirty waiting at 10/s
    for task in wave:
        task.cancel()
    await asyncio.gather(*wave, return_exceptions=True)
    assert limiter.pressure() < 0.5  # the slot used a moment ago, and nothing waiting
    await first
    assert wire.labels() == ["nudge0"]
