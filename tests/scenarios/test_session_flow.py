"""/start and whole /stretch sessions through the real Application and the Bot API stand-in."""

from __future__ import annotations

import asyncio
import itertools
import re

import pytest

from bot import texts
from bot.clock import ScaledClock
from bot.domain.session import Status
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from bot.store.models import SessionLog, User
from tests.harness import SPEED, Harness, first_hold, next_message

ANN = 1001
BOB = 1002
# Real seconds for the quick routine's phases at the test clock's speed.
HOLD_ONE = 10 / SPEED
HOLD_TWO = 20 / SPEED
SWITCH = 5 / SPEED
# A follow-up may come this much before its nominal time as measured from the previous
# message's arrival (that message was sent a few ms after the phase began), and must come
# within 1 s after it.
EARLY = 0.05
LATE = 1.0


def labels(emu: BotApiEmulator, message: BotMessage) -> list[str]:
    return [text for text, _ in emu.buttons(message)]


def answers(emu: BotApiEmulator) -> list[str]:
    return [str(c.params.get("text", "")) for c in emu.calls if c.method == "answerCallbackQuery"]


def gap(later: BotMessage, earlier: BotMessage) -> float:
    return later.sent_at - earlier.sent_at


async def test_start_greets_gives_the_medical_note_and_registers_commands(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.send_text(ANN, "/start", first_name="Ann")
    hello = await next_message(emu, ANN, 0)
    assert "Hi Ann" in hello.text
    assert "doctor" in hello.text and "stop" in hello.text.lower()
    assert "/stretch" in hello.text
    names = {c["command"] for c in emu.commands}
    assert {"start", "stretch", "routines", "help", "settings", "timezone"} <= names
    await next_message(emu, ANN, 1)  # the time-zone question of the onboarding
    emu.send_text(ANN, "/start", first_name="Ann")
    again = await next_message(emu, ANN, 2)
    # Still a first-timer (the set-up is not finished): no "Welcome back" (issue 13).
    assert "Hi Ann" in again.text and "Welcome back" not in again.text
    assert await bot.services.store.count(User) == 1


async def test_help_lists_what_the_bot_does(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(ANN, "/help")
    reply = await next_message(emu, ANN, 0)
    for command in ("/stretch", "/routines", "/start"):
        assert command in reply.text


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
async def test_a_whole_session_message_by_message(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(ANN, "/stretch")
    note = await next_message(emu, ANN, 0)
    assert "doctor" in note.text  # a first-time user hears the medical note first
    intro = await next_message(emu, ANN, 1)
    assert "Quick test" in intro.text and "Stretch 1 of 2: First stretch" in intro.text
    assert "1. Lie down." in intro.text and "2. Lift the leg." in intro.text
    # Hands-free by default: Ready starts the hold before its get-ready count is over.
    assert labels(emu, intro) == [
        texts.BUTTON_READY,
        texts.BUTTON_PAUSE,
        texts.BUTTON_SKIP,
        texts.BUTTON_STOP,
        texts.BUTTON_HURT,
    ]

    emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
    hold1 = await next_message(emu, ANN, 2)
    assert "left leg" in hold1.text and "10 s left" in hold1.text
    assert texts.BUTTON_PAUSE in labels(emu, hold1) and texts.BUTTON_HURT in labels(emu, hold1)
    assert emu.buttons(emu.messages(ANN)[1]) == []  # Ready is gone once pressed

    switch = await next_message(emu, ANN, 3)
    assert "Switch sides" in switch.text and "right leg" in switch.text
    assert HOLD_ONE - EARLY <= gap(switch, hold1) <= HOLD_ONE + LATE
    assert emu.messages(ANN)[2].text.startswith("✓ First stretch — left leg: 10 s held")

    hold2 = await next_message(emu, ANN, 4)
    assert "right leg" in hold2.text and "Hold" in hold2.text
    assert SWITCH - EARLY <= gap(hold2, switch) <= SWITCH + LATE

    intro2 = await next_message(emu, ANN, 5)
    assert "Stretch 2 of 2: Second stretch" in intro2.text and "Sit tall." in intro2.text
    assert HOLD_ONE - EARLY <= gap(intro2, hold2) <= HOLD_ONE + LATE

    emu.press(ANN, intro2.message_id, text=texts.BUTTON_READY)
    hold3 = await next_message(emu, ANN, 6)
    assert "Second stretch" in hold3.text and "leg" not in hold3.text  # held once, no sides

    done = await next_message(emu, ANN, 7)
    assert HOLD_TWO - EARLY <= gap(done, hold3) <= HOLD_TWO + LATE
    assert "Done!" in done.text and "2 stretches" in done.text
    assert emu.buttons(done) == []

    (entry,) = await bot.services.store.session_log(ANN)
    assert (entry.routine_id, entry.holds_done, entry.holds_total, entry.stretches_done) == (
        "quick",
        3,
        3,
        2,
    )
    assert "Day 1" in done.text  # the streak begins
    question = await next_message(emu, ANN, 8)
    assert question.text == texts.PAIN_QUESTION
    assert [label for label, _ in emu.buttons(question)] == [str(n) for n in range(11)]
    await emu.settled(quiet=0.3)
    assert len(emu.messages(ANN)) == 9  # nothing after the finishing message and the question


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
async def test_the_countdown_edits_its_message_at_most_once_a_second(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    # At speed 5 a 20 s hold takes 4 real seconds and the 5 s countdown step is 1 real second.
    slow = Harness(emu, sqlite_url, clock=ScaledClock(5.0))
    await slow.start()
    try:
        emu.send_text(ANN, "/stretch single")
        intro = await next_message(emu, ANN, 1)
        emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
        hold = await next_message(emu, ANN, 2)
        assert "20 s left" in hold.text
        await next_message(emu, ANN, 3, timeout=10)
        edits = emu.messages(ANN)[2].edits
        shown = [text for _, text in edits]
        # It counts down by editing itself (15 s left is skipped when it would come less than
        # a second after the message itself).
        assert any("10 s left" in t for t in shown)
        assert shown[-1].startswith("✓ Second stretch: 20 s held")
        times = [hold.sent_at] + [at for at, _ in edits]
        assert all(b - a >= 0.95 for a, b in itertools.pairwise(times)), times
    finally:
        await slow.stop()


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
async def test_pause_freezes_the_hold_and_resume_continues_it(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.send_text(ANN, "/stretch single")
    intro = await next_message(emu, ANN, 1)
    emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
    hold = await next_message(emu, ANN, 2)
    await asyncio.sleep(0.5)  # 5 of the 20 clock-seconds
    emu.press(ANN, hold.message_id, text=texts.BUTTON_PAUSE)
    await emu.wait_for(lambda: "Paused" in emu.messages(ANN)[2].text)
    paused = emu.messages(ANN)[2]
    # About 5 of the 20 clock-seconds had passed (a few more if the press was slow).
    assert re.search(r"1[2-5] s left", paused.text), paused.text
    assert labels(emu, paused) == [texts.BUTTON_RESUME, texts.BUTTON_STOP]
    await asyncio.sleep(HOLD_TWO + 0.5)  # longer than the whole hold: nothing may happen
    assert len(emu.messages(ANN)) == 3
    live = await bot.services.store.live_session_of(ANN)
    assert live is not None and live.state.status is Status.PAUSED
    assert live.state.paused_remaining is not None
    left = live.state.paused_remaining / SPEED  # real seconds still to hold

    emu.press(ANN, hold.message_id, text=texts.BUTTON_RESUME)
    await emu.wait_for(
        lambda: "left" in emu.messages(ANN)[2].text and "Paused" not in emu.messages(ANN)[2].text
    )
    resumed_at = emu.messages(ANN)[2].edits[-1][0]
    done = await next_message(emu, ANN, 3)
    assert "Done!" in done.text
    assert left - EARLY <= done.sent_at - resumed_at <= left + LATE


async def test_skip_moves_to_the_next_hold_and_skipping_everything_is_not_praised(
    emu: BotApiEmulator, bot: Harness
) -> None:
    """Issue 13: Skip in a hold goes to the next hold, not past the stretch; a session with
    nothing held ends saying so, with no "Well done", no streak, and /stats does not count it."""
    hold = await first_hold(emu, ANN)
    emu.press(ANN, hold.message_id, text=texts.BUTTON_SKIP)
    switch = await next_message(emu, ANN, 3)
    assert "Switch sides" in switch.text and "right leg" in switch.text
    assert "stopped early" in emu.messages(ANN)[2].text
    emu.press(ANN, switch.message_id, text=texts.BUTTON_SKIP)
    right = await next_message(emu, ANN, 4)
    assert "right leg" in right.text and "Hold" in right.text
    emu.press(ANN, right.message_id, text=texts.BUTTON_SKIP)
    intro2 = await next_message(emu, ANN, 5)
    assert "Stretch 2 of 2" in intro2.text
    emu.press(ANN, intro2.message_id, text=texts.BUTTON_SKIP)
    done = await next_message(emu, ANN, 6)
    assert "No stretch was held" in done.text
    for praise in ("Done!", "Well done", "Day 1", "🎉", "✅"):
        assert praise not in done.text
    await emu.settled(quiet=0.3)
    assert len(emu.messages(ANN)) == 7  # no pain question after a session that did not count
    assert await bot.services.store.session_log(ANN) == []
    emu.send_text(ANN, "/stats")
    stats = await next_message(emu, ANN, 7)
    assert stats.text == texts.NO_HISTORY


@pytest.mark.slow  # 1.6 s here (--durations)
async def test_stop_ends_the_session_and_its_buttons_answer_briefly(
    emu: BotApiEmulator, bot: Harness
) -> None:
    hold = await first_hold(emu, ANN)
    emu.press(ANN, hold.message_id, text=texts.BUTTON_STOP)
    stopped = await next_message(emu, ANN, 3)
    assert "Session stopped" in stopped.text
    assert await bot.services.store.count(SessionLog) == 0
    await asyncio.sleep(HOLD_ONE + 0.3)
    assert len(emu.messages(ANN)) == 4  # the timer died with the session
    # A button of the ended session (Ready, still on the card) changes nothing.
    card = emu.messages(ANN)[1]
    emu.press(ANN, card.message_id, data="s:1:ready:1")
    await emu.wait_for(lambda: texts.SESSION_ENDED in answers(emu))
    assert len(emu.messages(ANN)) == 4


async def test_this_hurts_ends_with_the_advice_to_see_a_doctor(
    emu: BotApiEmulator, bot: Harness
) -> None:
    hold = await first_hold(emu, ANN)
    emu.press(ANN, hold.message_id, text=texts.BUTTON_HURT)
    advice = await next_message(emu, ANN, 3)
    assert "never pain" in advice.text and "doctor" in advice.text and "numbness" in advice.text


async def test_a_double_tap_advances_once(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(ANN, "/stretch")
    intro = await next_message(emu, ANN, 1)
    emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
    emu.press(
        ANN,
        intro.message_id,
        data=emu.buttons(intro)[0][1] if emu.buttons(intro) else "s:1:ready:1",
    )
    await next_message(emu, ANN, 2)
    await emu.wait_for(lambda: texts.STALE_BUTTON in answers(emu))
    await asyncio.sleep(0.3)
    assert len(emu.messages(ANN)) == 3


async def test_someone_elses_button_changes_nothing(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(ANN, "/stretch")
    intro = await next_message(emu, ANN, 1)
    data = emu.buttons(intro)[0][1]
    emu.send_text(BOB, "/start", first_name="Bob")
    await next_message(emu, BOB, 0)
    emu.press(BOB, intro.message_id, data=data, chat_id=ANN)
    await emu.wait_for(lambda: texts.NOT_YOURS in answers(emu))
    live = await bot.services.store.live_session_of(ANN)
    assert live is not None and live.version == 1
    assert len(emu.messages(ANN)) == 2


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
async def test_a_restart_mid_hold_resumes_where_it_was(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    first = Harness(emu, sqlite_url)
    await first.start()
    emu.send_text(ANN, "/stretch single")
    intro = await next_message(emu, ANN, 1)
    emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
    hold = await next_message(emu, ANN, 2)
    await first.stop()  # the bot goes down 0 s into a 2 s hold
    await asyncio.sleep(0.5)
    # The restarted bot reads the same wall clock: a fresh scaled clock would start behind
    # the first one by 9x the real time the first bot ran, and the hold's deadline with it.
    second = Harness(emu, sqlite_url, clock=first.clock)
    await second.start()
    try:
        done = await next_message(emu, ANN, 3)
        assert "Done!" in done.text
        # It finished on the original schedule, not restarted from scratch.
        assert HOLD_TWO - EARLY <= gap(done, hold) <= HOLD_TWO + LATE
        assert len(await second.services.store.session_log(ANN)) == 1
    finally:
        await second.stop()


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
async def test_after_long_downtime_the_bot_asks_before_going_on(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    first = Harness(emu, sqlite_url)
    await first.start()
    emu.send_text(ANN, "/stretch single")
    intro = await next_message(emu, ANN, 1)
    emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
    await next_message(emu, ANN, 2)
    await first.stop()
    # The bot stays down for 35 clock-seconds: the 20 s hold is 15 s overdue when it is back,
    # more than the 10 s after which it asks instead of going on blindly.
    second = Harness(emu, sqlite_url, overrides={"resume_ask_after_seconds": 10})
    second.clock = first.clock
    await asyncio.sleep(3.5)
    await second.start()
    try:
        ask = await next_message(emu, ANN, 3)
        assert "interrupted" in ask.text
        assert labels(emu, ask) == [texts.BUTTON_RESUME, texts.BUTTON_STOP]
        emu.press(ANN, ask.message_id, text=texts.BUTTON_RESUME)
        done = await next_message(emu, ANN, 4)
        assert "Done!" in done.text
    finally:
        await second.stop()


async def test_bad_input_gets_a_helpful_reply(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(ANN, "/stretch nosuch")
    reply = await next_message(emu, ANN, 0)
    assert (
        "nosuch" in reply.text
        and "/stretch quick" in reply.text
        and "/stretch single" in reply.text
    )
    emu.send_text(ANN, "hello there")
    reply = await next_message(emu, ANN, 1)
    assert "/help" in reply.text
    emu.send_text(ANN, "/frobnicate now")
    reply = await next_message(emu, ANN, 2)
    assert "/frobnicate" in reply.text and "/help" in reply.text
    emu.send_sticker(ANN)
    reply = await next_message(emu, ANN, 3)
    assert "/help" in reply.text
    assert await bot.services.store.live_session_of(ANN) is None


async def test_a_group_chat_is_told_once_that_sessions_are_private(
    emu: BotApiEmulator, bot: Harness
) -> None:
    group = -500
    emu.send_text(ANN, "/stretch", chat_id=group, chat_type="group")
    note = await next_message(emu, group, 0)
    assert "private" in note.text
    emu.send_text(ANN, "/stretch", chat_id=group, chat_type="group")
    await emu.settled(quiet=0.4)
    assert len(emu.messages(group)) == 1  # once, then quiet
    # /start in a group answers with what the group can do (issue 25), and subscribes nobody.
    emu.send_text(ANN, "/start", chat_id=group, chat_type="group")
    help_ = await next_message(emu, group, 1)
    assert "/deskbreak" in help_.text
    assert await bot.services.store.count(User) == 0


async def test_routines_offers_a_button_per_routine(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(ANN, "/routines")
    menu = await next_message(emu, ANN, 0)
    assert len(emu.buttons(menu)) == 2
    emu.press(ANN, menu.message_id, text=emu.buttons(menu)[1][0])
    intro = await next_message(emu, ANN, 2)
    assert "Single" in intro.text


async def test_a_press_answer_is_timed_for_the_operator(emu: BotApiEmulator, bot: Harness) -> None:
    """/metrics' slow-answer figure (issue 27): every session press's answer is observed."""
    emu.send_text(ANN, "/stretch")
    intro = await next_message(emu, ANN, 1)
    emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
    await next_message(emu, ANN, 2)
    await emu.wait_for(
        lambda: b"limber_press_answer_seconds_count 1.0" in bot.services.metrics.render()
    )
    assert b'limber_press_answer_seconds_bucket{le="5.0"} 1.0' in bot.services.metrics.render()
