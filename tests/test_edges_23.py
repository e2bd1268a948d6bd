"""Issue 23's rough edges, each as a user meets them, through the Bot API stand-in: nudge times
around midnight, places shown as chosen, old buttons, messages nobody asked for mid-session,
and the mobility check's line in /stats."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from tests.harness import Harness, next_message

ANN = 3001
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # 13:00 in Berlin


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOON, frozen=True)


@pytest.fixture
async def bot(emu: BotApiEmulator, sqlite_url: str, clock: MovableClock) -> AsyncIterator[Harness]:
    harness = Harness(emu, sqlite_url, clock=clock)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


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
    for typed, shown in (("/bedtime midnight", "00:00"), ("/bedtime 0:30", "00:30"),
                         ("/bedtime 12am", "00:00")):
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
