"""Issue 29's smaller findings, each as a person meets them through the stand-in: a 64 KB first
name, a city typed in its own script, and a hold that arrives late still saying the full time."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bot import texts
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from tests.harness import Harness, next_message

ANN = 2901
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
# Telegram refuses a message longer than this.
MESSAGE_LIMIT = 4096


@pytest.fixture
def bot_options() -> dict[str, Any]:
    """How this file's bot differs from the shared one (tests/conftest.py)."""
    return dict(clock=MovableClock(NOON, frozen=True))


async def test_a_64_kb_first_name_still_gets_a_welcome_telegram_takes(
    emu: BotApiEmulator, bot: Harness
) -> None:
    # Before: a 66,006-character greeting, which Telegram refuses (no welcome at all).
    emu.send_text(ANN, "/start", first_name="Ann" + "n" * 65_533, language_code="en")
    welcome = await next_message(emu, ANN, 0)
    assert len(welcome.text) <= MESSAGE_LIMIT
    first_line = welcome.text.splitlines()[0]
    assert first_line.startswith("Hi Annnn") and "…" in first_line
    assert len(first_line) < 80


@pytest.mark.parametrize(
    ("typed", "place", "zone", "clock"),
    [("東京", "Tokyo", "Asia/Tokyo", "21:00"), ("القاهرة", "Cairo", "Africa/Cairo", "14:00")],
)
async def test_a_city_typed_in_its_own_script_is_found(
    emu: BotApiEmulator, bot: Harness, typed: str, place: str, zone: str, clock: str
) -> None:
    # Before: "I don't know that place" (the index kept Latin and Cyrillic names only).
    emu.send_text(ANN, "/start", first_name="Ann", language_code="en")
    await next_message(emu, ANN, 1)  # the time-zone question
    emu.send_text(ANN, typed)
    confirmed = (await next_message(emu, ANN, 2)).text
    assert place in confirmed and f"It's {clock} there now" in confirmed
    user = await bot.services.store.get_user(ANN)
    assert user is not None and user.timezone == zone


@pytest.mark.slow  # a 429's one real second (~2.5 s in all)
async def test_a_hold_sent_late_says_the_time_left_when_it_arrives(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    """The hold waits its turn at the rate limiter (here a 429's 1 s pause: 10 clock-seconds
    at the harness's speed) after it was rendered. Before: it arrived saying "20 s left" with
    10 s left."""
    bot = Harness(emu, sqlite_url)
    await bot.start()
    try:
        emu.send_text(ANN, "/stretch single")
        intro = await emu.wait_for_message(ANN, "Stretch 1 of 1")
        emu.fail_next(
            "sendMessage", error_code=429, description="Too Many Requests: retry after 1",
            retry_after=1, chat_id=ANN,
        )  # fmt: skip
        emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
        await emu.wait_for_message(ANN, "⏱", timeout=8)
        sent = [
            str(c.params.get("text"))
            for c in emu.calls
            if c.method == "sendMessage" and c.status == 200 and "⏱" in str(c.params.get("text"))
        ]
        shown = re.search(r"Hold: (\d+) s left", sent[0])
        assert shown is not None, sent[0]
        # Sent 10 clock-seconds into its 20: at most one countdown step (5 s) above 10.
        assert int(shown.group(1)) <= 15, sent[0]
    finally:
        await bot.stop()
