"""Issue 23's rough edges, each as a user meets them, through the Bot API stand-in: nudge times
around midnight, places shown as chosen, old buttons, messages nobody asked for mid-session,
and the mobility check's line in /stats."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import texts
from bot.clock import MovableClock
from bot.domain.nudge_rules import WEEKLY
from bot.nudges import IN_SESSION_RETRY
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from tests.harness import Harness, next_message
from tests.history import seed_sessions

ANN = 3001
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # 13:00 in Berlin


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOON, frozen=True)


@pytest.fixture
def bot_options(clock: MovableClock) -> dict[str, Any]:
    """How this file's bot differs from the shared one (tests/conftest.py): the clock a test
    moves is the bot's."""
    return dict(clock=clock)


def labels(message: BotMessage) -> list[str]:
    return [label for label, _ in BotApiEmulator.buttons(message)]


async def say(emu: BotApiEmulator, text: str) -> BotMessage:
    """Ann types `text`; the bot's first answer to it."""
    await emu.settled(quiet=0.2)  # the answers to what she said before are all in
    before = len(emu.messages(ANN))
    emu.send_text(ANN, text, first_name="Ann", language_code="en")
    return await next_message(emu, ANN, before)


async def subscribed(emu: BotApiEmulator, zone: str = "Europe/Berlin") -> None:
    """/start, answered with a zone, and the two nudge times left as they are."""
    await say(emu, "/start")
    await emu.wait_for(lambda: "Which time zone" in emu.messages(ANN)[-1].text)
    await say(emu, zone)
    await emu.wait_for(lambda: "in the morning" in emu.messages(ANN)[-1].text)
    await say(emu, "7:00")
    await emu.wait_for(lambda: "bedtime" in emu.messages(ANN)[-1].text)
    await say(emu, "22:00")
    await emu.wait_for(lambda: "All set" in emu.messages(ANN)[-1].text)


# Times -------------------------------------------------------------------------------------


async def test_midnight_as_a_morning_nudge_is_not_called_the_evening(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await subscribed(emu)
    for typed in ("/morning midnight", "/morning 0:30", "/morning 12am"):
        answer = await say(emu, typed)
        assert "middle of the night" in answer.text, answer.text
        assert "afternoon or evening" not in answer.text


async def test_midnight_bedtimes_are_taken_as_meant(emu: BotApiEmulator, bot: Harness) -> None:
    await subscribed(emu)
    for typed, shown in (
        ("/bedtime midnight", "00:00"),
        ("/bedtime 0:30", "00:30"),
        ("/bedtime 12am", "00:00"),
    ):
        answer = await say(emu, typed)
        assert f"Bedtime nudge set for {shown}" in answer.text, answer.text


async def test_half_ten_is_half_past_ten(emu: BotApiEmulator, bot: Harness) -> None:
    await subscribed(emu)
    answer = await say(emu, "/bedtime half ten")
    # A bedtime that left the half of the day open: 22:30 offered, the reading itself 10:30.
    assert "10:30" in answer.text and "22:30" in labels(answer), answer.text


# Places ------------------------------------------------------------------------------------


async def settings_zone_line(emu: BotApiEmulator) -> str:
    shown = await say(emu, "/settings")
    return next(line for line in shown.text.splitlines() if "Time zone" in line)


@pytest.mark.parametrize(
    ("typed", "shown", "not_shown"),
    [
        ("Lyon", "Lyon, France (Europe/Paris)", "Paris"),
        ("Munich", "Munich, Germany (Europe/Berlin)", "Berlin,"),
        ("Paris, TX", "Paris, Texas, United States (America/Chicago)", "Chicago,"),
    ],
)
async def test_the_place_chosen_is_the_place_shown(
    emu: BotApiEmulator, bot: Harness, typed: str, shown: str, not_shown: str
) -> None:
    await subscribed(emu, typed)
    assert any(f"Time zone set: {shown.split(' (')[0]}" in m.text for m in emu.messages(ANN))
    line = await settings_zone_line(emu)
    assert shown in line and not_shown not in line.split("(")[0], line


async def test_a_place_typed_in_another_script_is_named_in_the_readers_language(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await subscribed(emu, "Москва")
    assert any("Time zone set: Moscow, Russia" in m.text for m in emu.messages(ANN))
    emu.send_text(ANN, "/language de")
    await emu.wait_for(lambda: "Deutsch" in emu.messages(ANN)[-1].text)
    line = next(
        ln for ln in (await say(emu, "/settings")).text.splitlines() if "Europe/Moscow" in ln
    )
    assert "Moskau, Russland" in line, line


async def test_a_location_at_sea_says_its_offset_with_the_right_sign(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await say(emu, "/start")
    await emu.wait_for(lambda: "Which time zone" in emu.messages(ANN)[-1].text)
    before = len(emu.messages(ANN))
    emu.send_location(ANN, 0.0, -160.0)
    answer = await next_message(emu, ANN, before)
    # 12:00 UTC is 01:00 at UTC−11: the zone is Etc/GMT+11, whose POSIX sign is inverted.
    assert "UTC−11" in answer.text and "01:00" in answer.text, answer.text
    assert "GMT+11" not in answer.text


async def test_an_ambiguous_name_offers_only_the_places_of_that_name(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await say(emu, "/start")
    await emu.wait_for(lambda: "Which time zone" in emu.messages(ANN)[-1].text)
    choices = await say(emu, "Birmingham")
    names = labels(choices)
    assert names[:2] == [
        "Birmingham, United Kingdom",
        "Birmingham, Alabama, United States",
    ], names
    assert not any("Cartersville" in n for n in names), names


# The mobility check and /stats ---------------------------------------------------------------


async def test_stats_shows_the_mobility_line_before_any_session(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await subscribed(emu)
    question = await say(emu, "/reach")
    await emu.wait_for(lambda: "left" in emu.messages(ANN)[-1].text.lower())
    question = emu.messages(ANN)[-1]
    emu.press(ANN, question.message_id, text="60°")
    await emu.wait_for(lambda: "right" in emu.messages(ANN)[-1].text.lower())
    emu.press(ANN, emu.messages(ANN)[-1].message_id, text="75°")
    await emu.settled(quiet=0.3)
    shown = await say(emu, "/stats")
    assert "No sessions yet" not in shown.text, shown.text
    assert shown.photo is not None  # the chart, with the mobility line
    assert "left 60°, right 75°" in shown.text, shown.text


async def test_the_mobility_check_is_not_offered_on_day_one(
    emu: BotApiEmulator, bot: Harness, clock: MovableClock
) -> None:
    await subscribed(emu)
    store, progress = bot.services.store, bot.services.progress
    # Two sessions on the first day: "It's been a week" would not be true.
    await seed_sessions(store, ANN, [NOON - timedelta(hours=2), NOON], zone="Europe/Berlin")
    await progress.after_session(ANN, ANN)
    await emu.settled(quiet=0.3)
    assert not [m for m in emu.messages(ANN) if m.text == texts.REACH_OFFER]
    # A week after the first session, after the next one: offered, once.
    clock.set(NOON + timedelta(days=7))
    await seed_sessions(store, ANN, [NOON + timedelta(days=7)], zone="Europe/Berlin")
    await progress.after_session(ANN, ANN)
    await progress.after_session(ANN, ANN)
    await emu.settled(quiet=0.3)
    assert len([m for m in emu.messages(ANN) if m.text == texts.REACH_OFFER]) == 1


# Nothing unasked for during a session -------------------------------------------------------


async def test_the_weekly_summary_waits_for_the_sessions_end(
    emu: BotApiEmulator, bot: Harness, clock: MovableClock
) -> None:
    await subscribed(emu)
    store, dispatcher = bot.services.store, bot.services.dispatcher
    due = (await store.nudges_of(ANN))[WEEKLY].next_nudge_at
    assert due is not None
    clock.set(due - timedelta(seconds=30))
    await say(emu, "/stretch")
    await emu.wait_for(lambda: texts.BUTTON_STOP in labels(emu.messages(ANN)[-1]))
    clock.set(due + timedelta(seconds=1))
    await dispatcher.tick()
    await emu.settled(quiet=0.3)
    assert not summaries(emu)  # not between the card and its hold
    step = next(m for m in reversed(emu.messages(ANN)) if texts.BUTTON_STOP in labels(m))
    emu.press(ANN, step.message_id, text=texts.BUTTON_STOP)
    for _ in range(100):
        if await store.live_session_of(ANN) is None:
            break
        await asyncio.sleep(0.05)
    await emu.settled(quiet=0.3)
    last_of_session = len(emu.messages(ANN))
    clock.set(due + IN_SESSION_RETRY + timedelta(seconds=1))
    await dispatcher.tick()
    await emu.wait_for(lambda: bool(summaries(emu)))
    assert len(summaries(emu)) == 1
    assert emu.messages(ANN)[last_of_session:][0].text.startswith(texts.WEEKLY_TITLE)
    # Sent once: the next tick finds it moved to next week.
    clock.set(due + 2 * IN_SESSION_RETRY)
    await dispatcher.tick()
    await emu.settled(quiet=0.2)
    assert len(summaries(emu)) == 1


def summaries(emu: BotApiEmulator) -> list[str]:
    return [m.text for m in emu.messages(ANN) if m.text.startswith(texts.WEEKLY_TITLE)]


# Old buttons -------------------------------------------------------------------------------


async def test_the_start_zone_picker_is_out_of_date_once_a_city_was_typed(
    emu: BotApiEmulator, bot: Harness, clock: MovableClock
) -> None:
    await say(emu, "/start")
    await emu.wait_for(lambda: "Which time zone" in emu.messages(ANN)[-1].text)
    picker = emu.messages(ANN)[-1]
    await say(emu, "Lyon")
    await emu.wait_for(lambda: "in the morning" in emu.messages(ANN)[-1].text)
    clock.set(NOON + timedelta(hours=5))
    emu.press(ANN, picker.message_id, text=labels(picker)[-1])  # hours later, "Kolkata"
    await emu.settled(quiet=0.3)
    assert (await bot.services.store.get_user(ANN)).timezone == "Europe/Paris"  # type: ignore[union-attr]
    assert texts.STALE_BUTTON in answers(emu)
    assert not labels(emu.messages(ANN)[emu.messages(ANN).index(picker)])  # its buttons gone


async def test_a_zone_choice_from_timezone_command_still_works(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await subscribed(emu)
    choices = await say(emu, "/timezone Birmingham")
    emu.press(ANN, choices.message_id, text="Birmingham, Alabama, United States")
    await emu.wait_for(
        lambda: (
            "Time zone set: Birmingham" in emu.messages(ANN)[-1].text
            or any("Time zone set: Birmingham" in m.text for m in emu.messages(ANN))
        )
    )
    assert (await bot.services.store.get_user(ANN)).timezone == "America/Chicago"  # type: ignore[union-attr]


async def test_a_morning_nudge_pressed_at_night_starts_the_bedtime_session(
    emu: BotApiEmulator, bot: Harness, clock: MovableClock
) -> None:
    await subscribed(emu)
    morning = (await bot.services.store.nudges_of(ANN))["morning"].next_nudge_at
    assert morning is not None
    clock.set(morning + timedelta(seconds=1))
    await bot.services.dispatcher.tick()
    await emu.wait_for(lambda: texts.BUTTON_START_NOW in labels(emu.messages(ANN)[-1]))
    nudge = emu.messages(ANN)[-1]
    clock.set(morning.replace(hour=20))  # 21:00 in Berlin
    emu.press(ANN, nudge.message_id, text=texts.BUTTON_START_NOW)
    await emu.wait_for(lambda: "🌙" in emu.messages(ANN)[emu.messages(ANN).index(nudge)].text)
    text = emu.messages(ANN)[emu.messages(ANN).index(nudge)].text
    assert text.endswith(texts.nudge_started("bedtime")), text
    await emu.wait_for(lambda: bool(bot_sessions(emu)))


def bot_sessions(emu: BotApiEmulator) -> list[BotMessage]:
    return [m for m in emu.messages(ANN) if texts.BUTTON_STOP in labels(m)]


def answers(emu: BotApiEmulator) -> list[str]:
    return [str(c.params.get("text", "")) for c in emu.calls if c.method == "answerCallbackQuery"]
