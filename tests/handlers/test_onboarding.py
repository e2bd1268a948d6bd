"""Onboarding and settings, driven through the stand-in: zone, morning, bedtime, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import i18n, texts
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from tests.harness import Harness, next_message

ANN = 2001
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # 13:00 in Berlin


@pytest.fixture
def bot_options() -> dict[str, Any]:
    """How this file's bot differs from the shared one (tests/conftest.py)."""
    return dict(clock=MovableClock(NOON, frozen=True))


async def onboard_to_zone_question(emu: BotApiEmulator, language: str = "de") -> int:
    emu.send_text(ANN, "/start", first_name="Ann", language_code=language)
    await next_message(emu, ANN, 0)
    await next_message(emu, ANN, 1)
    return 2


async def test_the_whole_onboarding_by_buttons_and_typing(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.send_text(ANN, "/start", first_name="Ann", language_code="de")
    await next_message(emu, ANN, 0)
    question = await next_message(emu, ANN, 1)
    with i18n.using("de"):  # a German Telegram app: the question comes in German
        assert question.text == texts.ASK_TIMEZONE
    zones = emu.buttons(question)
    assert any("Berlin" in label for label, _ in zones)  # guessed from the language code
    user = await bot.services.store.get_user(ANN)
    assert user is not None
    assert all(n.next_nudge_at is None for n in (await bot.services.store.nudges_of(ANN)).values())

    berlin = next(label for label, _ in zones if "Berlin" in label)
    emu.press(ANN, question.message_id, text=berlin)
    await next_message(emu, ANN, 2)  # "Time zone set"
    morning_q = await next_message(emu, ANN, 3)
    assert "morning" in morning_q.text
    emu.send_text(ANN, "7am")
    assert "07:00" in (await next_message(emu, ANN, 4)).text
    bedtime_q = await next_message(emu, ANN, 5)
    assert "bedtime" in bedtime_q.text
    emu.press(ANN, bedtime_q.message_id, text="22:30")
    await next_message(emu, ANN, 6)
    done = await next_message(emu, ANN, 7)
    assert "All set" in done.text
    # The zone as a place in the reader's language, with the id it stands for.
    assert "🌍 Time zone: Berlin, Germany (Europe/Berlin)" in done.text
    assert "07:00" in done.text and "22:30" in done.text
    assert "Next nudge: bedtime, 22:30 (in 9 h 30 min)" in done.text

    nudges = await bot.services.store.nudges_of(ANN)
    assert nudges["morning"].next_nudge_at == datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    assert nudges["bedtime"].next_nudge_at == datetime(2026, 11, 24, 21, 30, tzinfo=UTC)
    user = await bot.services.store.get_user(ANN)
    assert user is not None and user.timezone == "Europe/Berlin" and user.onboarding is None


@pytest.mark.parametrize(
    ("typed", "reply"),
    [
        ("Mars/Olympus", texts.BAD_ZONE),
        ("UTC+5:30", texts.OFFSET_ZONE),
        ("", None),
    ],
)
async def test_a_bad_zone_is_refused_and_changes_nothing(
    emu: BotApiEmulator, bot: Harness, typed: str, reply: str | None
) -> None:
    n = await onboard_to_zone_question(emu)
    if not typed:
        return  # Telegram never delivers an empty text; covered by the command variant below
    emu.send_text(ANN, typed)
    answer = await next_message(emu, ANN, n)
    assert answer.text == reply
    user = await bot.services.store.get_user(ANN)
    assert user is not None and user.timezone == "UTC" and user.onboarding == "ob:timezone"


async def test_typed_city_names_are_understood(emu: BotApiEmulator, bot: Harness) -> None:
    n = await onboard_to_zone_question(emu)
    emu.send_text(ANN, "new york")
    # The place and its clock (07:00 in New York at 12:00 UTC), not a raw zone name.
    confirmed = (await next_message(emu, ANN, n)).text
    assert "New York City" in confirmed and "07:00" in confirmed
    assert "America/New_York" not in confirmed
    emu.send_text(ANN, "/timezone Kolkata")
    await emu.wait_for(lambda: any("Kolkata" in m.text for m in emu.messages(ANN)[n + 1 :]))
    user = await bot.services.store.get_user(ANN)
    assert user is not None and user.timezone == "Asia/Kolkata"


async def test_a_shared_location_sets_the_zone(emu: BotApiEmulator, bot: Harness) -> None:
    n = await onboard_to_zone_question(emu)
    emu.send_location(ANN, 52.52, 13.405)
    confirmed = (await next_message(emu, ANN, n)).text
    assert "Berlin" in confirmed and "13:00" in confirmed  # noon UTC is 13:00 in Berlin
    user = await bot.services.store.get_user(ANN)
    assert user is not None and user.timezone == "Europe/Berlin"


@pytest.mark.parametrize("command", ["/morning 25:99", "/bedtime 13pm", "/morning soon"])
async def test_a_bad_time_is_refused_and_changes_nothing(
    emu: BotApiEmulator, bot: Harness, command: str
) -> None:
    emu.send_text(ANN, "/start", first_name="Ann")
    await next_message(emu, ANN, 1)
    emu.send_text(ANN, "Berlin")
    await next_message(emu, ANN, 3)
    before = await bot.services.store.nudges_of(ANN)
    count = len(emu.messages(ANN))
    emu.send_text(ANN, command)
    assert (await next_message(emu, ANN, count)).text == texts.BAD_TIME
    assert await bot.services.store.nudges_of(ANN) == before


async def test_commands_change_times_and_turn_nudges_off(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(ANN, "/start", first_name="Ann")
    await next_message(emu, ANN, 1)
    emu.send_text(ANN, "/timezone Europe/London")
    await emu.wait_for(lambda: any("Time zone set: London" in m.text for m in emu.messages(ANN)))
    emu.send_text(ANN, "/bedtime 10:15 pm")
    await emu.wait_for(lambda: any("22:15" in m.text for m in emu.messages(ANN)))
    nudges = await bot.services.store.nudges_of(ANN)
    assert nudges["bedtime"].local_time == "22:15"
    assert nudges["bedtime"].next_nudge_at == datetime(2026, 11, 24, 22, 15, tzinfo=UTC)

    emu.send_text(ANN, "/settings")
    await emu.wait_for(lambda: any(texts.SETTINGS_TITLE in m.text for m in emu.messages(ANN)))
    menu = next(m for m in emu.messages(ANN) if texts.SETTINGS_TITLE in m.text)
    emu.press(ANN, menu.message_id, text="☀️ Morning: turn off")
    await emu.wait_for(
        lambda: (
            "Morning nudge: off" in emu.messages(ANN)[-1].text
            or any("Morning nudge: off" in m.text for m in emu.messages(ANN))
        )
    )
    nudges = await bot.services.store.nudges_of(ANN)
    assert not nudges["morning"].enabled and nudges["morning"].next_nudge_at is None


async def test_pause_resume_and_stop(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(ANN, "/start", first_name="Ann")
    await next_message(emu, ANN, 1)
    emu.send_text(ANN, "Berlin")
    await next_message(emu, ANN, 3)
    count = len(emu.messages(ANN))
    emu.send_text(ANN, "/pause 0")
    assert (await next_message(emu, ANN, count)).text == texts.BAD_PAUSE
    emu.send_text(ANN, "/pause 3")
    reply = await next_message(emu, ANN, count + 1)
    assert "break" in reply.text
    user = await bot.services.store.get_user(ANN)
    assert user is not None and user.paused_until == NOON + timedelta(days=3)
    emu.send_text(ANN, "/resume")
    await next_message(emu, ANN, count + 2)
    user = await bot.services.store.get_user(ANN)
    assert user is not None and user.paused_until is None
    emu.send_text(ANN, "/stop")
    assert (await next_message(emu, ANN, count + 3)).text == texts.STOPPED
    assert all(n.next_nudge_at is None for n in (await bot.services.store.nudges_of(ANN)).values())


# Finding the city (issue 14) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "place", "zone", "clock"),
    [
        ("Lyon", "Lyon", "Europe/Paris", "13:00"),
        ("London, UK", "London", "Europe/London", "12:00"),
        ("Paris France", "Paris", "Europe/Paris", "13:00"),
        ("Salt Lake City", "Salt Lake City", "America/Denver", "05:00"),
        # Typed in Cyrillic by an English reader: named in the reader's language (issue 23).
        ("Москва", "Moscow, Russia", "Europe/Moscow", "15:00"),
        ("Sao Paolo", "São Paulo", "America/Sao_Paulo", "09:00"),
    ],
)
@pytest.mark.slow  # 1.3 s here (--durations)
async def test_a_typed_city_is_confirmed_with_its_clock(
    emu: BotApiEmulator, bot: Harness, typed: str, place: str, zone: str, clock: str
) -> None:
    n = await onboard_to_zone_question(emu, language="en")
    emu.send_text(ANN, typed)
    confirmed = (await next_message(emu, ANN, n)).text
    assert place in confirmed and f"It's {clock} there now" in confirmed
    user = await bot.services.store.get_user(ANN)
    assert user is not None and user.timezone == zone


async def test_an_ambiguous_city_asks_which_one_with_the_country_and_state(
    emu: BotApiEmulator, bot: Harness
) -> None:
    n = await onboard_to_zone_question(emu, language="en")
    emu.send_text(ANN, "Birmingham")
    question = await next_message(emu, ANN, n)
    labels = [label for label, _ in emu.buttons(question)]
    assert labels[:2] == ["Birmingham, United Kingdom", "Birmingham, Alabama, United States"]
    user = await bot.services.store.get_user(ANN)
    assert user is not None and user.timezone == "UTC"  # nothing taken until they pick
    emu.press(ANN, question.message_id, text="Birmingham, Alabama, United States")
    confirmed = (await next_message(emu, ANN, n + 1)).text
    assert "Birmingham, Alabama" in confirmed and "It's 06:00 there now" in confirmed
    user = await bot.services.store.get_user(ANN)
    assert user is not None and user.timezone == "America/Chicago"


async def test_a_spanish_speakers_valencia_is_offered_first(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.set_user_language(ANN, "es")  # a Spanish app on every update: read in Spanish
    n = await onboard_to_zone_question(emu, language="es")
    emu.send_text(ANN, "Valencia")
    labels = [label for label, _ in emu.buttons(await next_message(emu, ANN, n))]
    assert labels[0] == "Valencia, España" and "Valencia, Venezuela" in labels


@pytest.mark.parametrize(
    ("telegram", "first"),
    [
        ("en", "New York, United States"),
        ("es", "Madrid, España"),
        ("pt-br", "São Paulo, Brasil"),
        ("de", "Berlin, Deutschland"),
        ("fr", "Paris, France"),
        ("ru", "Москва, Россия"),
    ],
)
async def test_the_suggested_zones_are_places_in_the_users_language(
    emu: BotApiEmulator, bot: Harness, telegram: str, first: str
) -> None:
    """A person reads a place and its country, never an IANA id ("Europe/Madrid")."""
    emu.set_user_language(ANN, telegram)  # on every update, presses too
    emu.send_text(ANN, "/start", first_name="Ann")
    question = await next_message(emu, ANN, 1)
    labels = [label for label, _ in emu.buttons(question)]
    assert labels[0] == first
    assert all("/" not in label and "_" not in label for label in labels), labels
    emu.press(ANN, question.message_id, text=first)
    confirmed = (await next_message(emu, ANN, 2)).text
    assert first in confirmed


async def test_place_buttons_follow_the_chosen_language_not_the_app(
    emu: BotApiEmulator, bot: Harness
) -> None:
    """A German Telegram app, but Limber read in French: the places are named in French."""
    emu.set_user_language(ANN, "de")
    n = await onboard_to_zone_question(emu, language="de")
    emu.send_text(ANN, "/language fr")
    await next_message(emu, ANN, n)
    emu.send_text(ANN, "/timezone Valencia")
    labels = [label for label, _ in emu.buttons(await next_message(emu, ANN, n + 1))]
    assert "Valencia, Espagne" in labels and not any("Spanien" in label for label in labels)
    emu.send_text(ANN, "/timezone")
    question = await next_message(emu, ANN, n + 2)
    labels = [label for label, _ in emu.buttons(question)]
    assert labels[0] == "Berlin, Allemagne"  # zones guessed from the app, named in French
    emu.press(ANN, question.message_id, text="Berlin, Allemagne")
    assert "Berlin, Allemagne" in (await next_message(emu, ANN, n + 3)).text


@pytest.mark.parametrize("typed", ["GMT", "UTC", "UTC+2", "CET", "Etc/GMT-3"])
async def test_offsets_and_bare_gmt_get_one_answer_about_summer_time(
    emu: BotApiEmulator, bot: Harness, typed: str
) -> None:
    n = await onboard_to_zone_question(emu, language="en")
    emu.send_text(ANN, typed)
    answer = await next_message(emu, ANN, n)
    assert answer.text == texts.OFFSET_ZONE and "summer" in answer.text
    assert emu.buttons(answer)  # the zone question's buttons again
    user = await bot.services.store.get_user(ANN)
    assert user is not None and user.timezone == "UTC" and user.onboarding == "ob:timezone"


# Reading times (issue 14) ---------------------------------------------------------------------


async def _to_bedtime_question(emu: BotApiEmulator) -> int:
    n = await onboard_to_zone_question(emu, language="en")
    emu.send_text(ANN, "Berlin")
    await next_message(emu, ANN, n)  # zone set
    await next_message(emu, ANN, n + 1)  # morning?
    emu.send_text(ANN, "0730")
    assert "07:30" in (await next_message(emu, ANN, n + 2)).text
    assert "bedtime" in (await next_message(emu, ANN, n + 3)).text
    return n + 4


@pytest.mark.parametrize(
    ("typed", "offered"), [("7", ["19:00", "✅ 07:00"]), ("7:30am", ["✅ 07:30"])]
)
async def test_a_bedtime_in_the_morning_is_questioned_not_taken(
    emu: BotApiEmulator, bot: Harness, typed: str, offered: list[str]
) -> None:
    n = await _to_bedtime_question(emu)
    emu.send_text(ANN, typed)
    question = await next_message(emu, ANN, n)
    assert "bedtime" in question.text and "morning" in question.text
    labels = [label for label, _ in emu.buttons(question)]
    assert labels[: len(offered)] == offered
    nudges = await bot.services.store.nudges_of(ANN)
    assert nudges["bedtime"].local_time == "22:00"  # unchanged until they tap
    emu.press(ANN, question.message_id, text=offered[0])
    assert offered[0].removeprefix("✅ ") in (await next_message(emu, ANN, n + 1)).text
    nudges = await bot.services.store.nudges_of(ANN)
    assert nudges["bedtime"].local_time == offered[0].removeprefix("✅ ")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("half past ten pm", "22:30"), ("22h", "22:00"), ("midnight", "00:00"), ("23 30", "23:30")],
)
@pytest.mark.slow  # 1.6 s here (--durations)
async def test_bedtimes_as_people_type_them(
    emu: BotApiEmulator, bot: Harness, typed: str, expected: str
) -> None:
    n = await _to_bedtime_question(emu)
    emu.send_text(ANN, typed)
    assert expected in (await next_message(emu, ANN, n)).text
    nudges = await bot.services.store.nudges_of(ANN)
    assert nudges["bedtime"].local_time == expected


async def test_a_morning_nudge_in_the_evening_is_questioned(
    emu: BotApiEmulator, bot: Harness
) -> None:
    n = await onboard_to_zone_question(emu, language="en")
    emu.send_text(ANN, "Berlin")
    await next_message(emu, ANN, n)
    await next_message(emu, ANN, n + 1)
    emu.send_text(ANN, "/morning 19:30")
    question = await next_message(emu, ANN, n + 2)
    assert "morning nudge" in question.text
    assert next(label for label, _ in emu.buttons(question)) == "✅ 19:30"
