"""Pain acted on (issue 22): a high answer or "This hurts" brings advice and a pause offer, the
next session asks first, and repeated or rising pain brings a suggestion to see a doctor, once.

The rules are table-tested on bot/domain/pain_care.py; the rest goes through the real
Application and the Bot API emulator, as a person would meet it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import texts
from bot.clock import MovableClock
from bot.domain.pain_care import (
    PainSignals,
    check_before_session,
    doctor_after_answers,
    doctor_after_weeks,
)
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from tests.harness import Harness, first_hold, next_message
from tests.history import set_up_user

ANN = 2201
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
PAUSE_OFFER = [texts.BUTTON_PAUSE_3, texts.BUTTON_PAUSE_7, texts.BUTTON_NO_THANKS]

# -- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signals", "ask"),
    [
        (PainSignals(), False),
        (PainSignals(latest_score=6, latest_answered_at=NOW - H), False),
        (PainSignals(latest_score=7, latest_answered_at=NOW - H), True),
        (PainSignals(latest_score=10, latest_answered_at=NOW - 25 * H), False),  # a day ago
        (PainSignals(last_hurt_at=NOW - 5 * H), True),
        (PainSignals(last_hurt_at=NOW - 25 * H), False),
        # "This hurts", then a check answered 3: settled
        (PainSignals(latest_score=3, latest_answered_at=NOW - H, last_hurt_at=NOW - 2 * H), False),
        # an answer of 3 before the "This hurts" does not settle it
        (PainSignals(latest_score=3, latest_answered_at=NOW - 3 * H, last_hurt_at=NOW - H), True),
        (PainSignals(latest_score=8, latest_answered_at=NOW - H, last_hurt_at=NOW - 2 * H), True),
    ],
)
def test_when_a_session_asks_first(signals: PainSignals, ask: bool) -> None:
    assert check_before_session(signals, NOW) is ask


@pytest.mark.parametrize(
    ("scores", "suggested_at", "suggest"),
    [
        ((7, 8, 9), None, True),
        ((9, 9), None, False),  # two are not three
        ((8, 6, 9), None, False),  # not in a row
        ((2, 7, 7, 7), None, True),  # the last three
        ((7, 8, 9), NOW - timedelta(days=10), False),  # suggested ten days ago
        ((7, 8, 9), NOW - timedelta(days=28), True),  # four weeks on: again
    ],
)
def test_when_three_high_answers_suggest_a_doctor(
    scores: tuple[int, ...], suggested_at: datetime | None, suggest: bool
) -> None:
    signals = PainSignals(recent_scores=scores, doctor_suggested_at=suggested_at)
    assert doctor_after_answers(signals, NOW) is suggest


@pytest.mark.parametrize(
    ("average", "before", "suggest"),
    [
        (6.0, 3.0, True),
        (5.9, 3.0, False),
        (None, 2.0, False),
        (6.0, None, False),
        (3.0, 6.0, False),
    ],
)
def test_when_a_rising_week_suggests_a_doctor(
    average: float | None, before: float | None, suggest: bool
) -> None:
    assert doctor_after_weeks(average, before, None, NOW) is suggest


# -- through the emulator -------------------------------------------------------------------


def labels(emu: BotApiEmulator, message: BotMessage) -> list[str]:
    return [text for text, _ in emu.buttons(message)]


def texts_of(emu: BotApiEmulator, user: int) -> list[str]:
    return [m.text for m in emu.messages(user)]


def cards(emu: BotApiEmulator, user: int) -> list[str]:
    return [t for t in texts_of(emu, user) if "Stretch 1 of" in t]


async def answer_pain_question(emu: BotApiEmulator, bot: Harness, score: int) -> BotMessage:
    await bot.services.progress.ask_pain(ANN, ANN)
    await emu.wait_for(lambda: texts.PAIN_QUESTION in texts_of(emu, ANN))
    question = next(m for m in reversed(emu.messages(ANN)) if m.text == texts.PAIN_QUESTION)
    emu.press(ANN, question.message_id, text=str(score))
    await emu.wait_for(lambda: f"{score}/10" in question.text)
    return question


async def test_a_10_of_10_brings_advice_and_a_pause_once_and_the_next_session_asks_first(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await set_up_user(bot.services.store, bot.services.subscriptions, ANN, "UTC", bot.clock.now())
    question = await answer_pain_question(emu, bot, 10)
    await emu.wait_for(lambda: texts.pain_high_advice(10) in texts_of(emu, ANN))
    advice = emu.messages(ANN)[-1]
    assert "doctor" in advice.text and "never pain" in advice.text
    assert labels(emu, advice) == PAUSE_OFFER
    # Corrected to 9 the same day: noted, and no second round of advice.
    emu.press(ANN, question.message_id, text="9")
    await emu.wait_for(lambda: "9/10" in question.text)
    await asyncio.sleep(0.3)
    assert sum("is a lot" in t for t in texts_of(emu, ANN)) == 1

    before = len(emu.messages(ANN))
    emu.send_text(ANN, "/stretch")
    check = await next_message(emu, ANN, before)
    assert check.text == texts.PAIN_CHECK_QUESTION  # not the first stretch's card
    assert texts.BUTTON_START_ANYWAY in labels(emu, check)
    assert await bot.services.store.live_session_of(ANN) is None
    emu.press(ANN, check.message_id, text="3")
    await emu.wait_for(lambda: len(cards(emu, ANN)) == 1)
    assert check.text == texts.pain_check_ok(3)
    assert await bot.services.store.live_session_of(ANN) is not None


async def test_this_hurts_lists_the_warning_signs_and_the_next_stretch_asks_first(
    emu: BotApiEmulator, bot: Harness
) -> None:
    hold = await first_hold(emu, ANN)
    emu.press(ANN, hold.message_id, text=texts.BUTTON_HURT)
    await emu.wait_for(lambda: texts.HURT_PAUSE_OFFER in texts_of(emu, ANN))
    ending = next(t for t in texts_of(emu, ANN) if t.startswith("Stopping now"))
    assert texts.WARNING_SIGNS in ending and "numbness around your buttocks" in ending

    # Five seconds later, /stretch: asked first; "Start anyway" starts.
    before = len(emu.messages(ANN))
    emu.send_text(ANN, "/stretch")
    check = await next_message(emu, ANN, before)
    assert check.text == texts.PAIN_CHECK_QUESTION
    emu.press(ANN, check.message_id, text=texts.BUTTON_START_ANYWAY)
    await emu.wait_for(lambda: len(cards(emu, ANN)) == 2)
    assert check.text == texts.PAIN_CHECK_ANYWAY


async def test_a_high_answer_to_the_check_starts_nothing(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(ANN, "/stretch")
    intro = await next_message(emu, ANN, 1)
    emu.press(ANN, intro.message_id, text=texts.BUTTON_HURT)
    await emu.wait_for(lambda: texts.HURT_PAUSE_OFFER in texts_of(emu, ANN))
    before = len(emu.messages(ANN))
    emu.send_text(ANN, "/stretch")
    check = await next_message(emu, ANN, before)
    emu.press(ANN, check.message_id, text="8")
    await emu.wait_for(lambda: check.text == texts.pain_check_high(8))
    assert texts.WARNING_SIGNS in check.text
    assert labels(emu, check) == PAUSE_OFFER
    await asyncio.sleep(0.3)
    assert len(cards(emu, ANN)) == 1 and await bot.services.store.live_session_of(ANN) is None
    # "Not now" on a later check: nothing starts either.
    emu.send_text(ANN, "/stretch")
    await emu.wait_for(lambda: texts_of(emu, ANN).count(texts.PAIN_CHECK_QUESTION) == 1)
    again = next(m for m in emu.messages(ANN) if m.text == texts.PAIN_CHECK_QUESTION)
    emu.press(ANN, again.message_id, text=texts.BUTTON_NOT_NOW)
    await emu.wait_for(lambda: again.text == texts.PAIN_CHECK_NOT_NOW)
    assert len(cards(emu, ANN)) == 1


async def test_help_lists_the_warning_signs(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(ANN, "/help")
    reply = await next_message(emu, ANN, 0)
    assert texts.WARNING_SIGNS in reply.text and texts.MEDICAL_NOTE in reply.text


@pytest.fixture
async def still(emu: BotApiEmulator, sqlite_url: str) -> AsyncIterator[Harness]:
    """A bot whose clock moves only when told (days pass between answers)."""
    harness = Harness(emu, sqlite_url, clock=MovableClock(NOW, frozen=True))
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_three_high_answers_in_a_row_suggest_a_doctor_once(
    emu: BotApiEmulator, still: Harness
) -> None:
    store, clock = still.services.store, still.clock
    assert isinstance(clock, MovableClock)
    await set_up_user(store, still.services.subscriptions, ANN, "UTC", NOW)
    await store.record_pain(ANN, date(2026, 11, 30), 8, NOW - 48 * H)
    await store.record_pain(ANN, date(2026, 12, 1), 7, NOW - 24 * H)
    await answer_pain_question(emu, still, 9)
    await emu.wait_for(lambda: texts.DOCTOR_AFTER_ANSWERS in texts_of(emu, ANN))
    # The next day, an 8 again: advice for the 8, but the doctor was suggested yesterday.
    clock.advance(24 * H)
    await answer_pain_question(emu, still, 8)
    await emu.wait_for(lambda: texts.pain_high_advice(8) in texts_of(emu, ANN))
    await asyncio.sleep(0.3)
    assert texts_of(emu, ANN).count(texts.DOCTOR_AFTER_ANSWERS) == 1


async def test_a_rising_weekly_average_suggests_a_doctor_once(
    emu: BotApiEmulator, still: Harness
) -> None:
    """Last week's answers averaged 2, this week's 6: the summary says to see a doctor; the
    next week's, rising again, does not say it again (four weeks between suggestions)."""
    store = still.services.store
    await set_up_user(store, still.services.subscriptions, ANN, "UTC", NOW)
    for day, score in ((date(2026, 11, 24), 2), (date(2026, 11, 25), 2)):
        await store.record_pain(ANN, day, score, NOW)
    for day, score in ((date(2026, 11, 30), 6), (date(2026, 12, 1), 6)):
        await store.record_pain(ANN, day, score, NOW)
    first = await still.services.progress.weekly_text(ANN, NOW)
    assert first is not None and texts.doctor_after_weeks(6, 2) in first
    assert "averaged 6 this week, up from 2" in first
    for day, score in ((date(2026, 12, 7), 10), (date(2026, 12, 8), 10)):
        await store.record_pain(ANN, day, score, NOW)
    later = await still.services.progress.weekly_text(ANN, NOW + timedelta(days=7))
    assert later is not None and "averaged 10 this week, up from 6" in later
    assert "🩺" not in later
