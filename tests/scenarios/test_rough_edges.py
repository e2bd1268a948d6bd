"""Issue 13's rough edges, each as a user meets them, through the stand-in: double taps,
onboarding that hangs, nudge settings after /stop, Skip today, /help and the picture's plurals.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PIL import ImageDraw

from bot import i18n, texts
from bot.app import COMMANDS
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from bot.stats_chart import ChartData, render_stats_png
from bot.store.models import GuidedSession
from tests.harness import Harness, next_message

ANN = 3001
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # 13:00 in Berlin
BERLIN_MORNING = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
BAD_ZONE_START = "I don't know that place"


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOON, frozen=True)


@pytest.fixture
def bot_options(clock: MovableClock) -> dict[str, Any]:
    """How this file's bot differs from the shared one (tests/conftest.py): the clock a test
    moves is the bot's."""
    return dict(clock=clock)


def answers(emu: BotApiEmulator) -> list[str]:
    """What each button press was answered (the toast), in order."""
    return [str(c.params.get("text", "")) for c in emu.calls if c.method == "answerCallbackQuery"]


def sent_texts(emu: BotApiEmulator, fragment: str) -> list[str]:
    """Every message the bot sent (not edits) whose text holds `fragment`."""
    return [
        str(c.params.get("text", ""))
        for c in emu.calls
        if c.method == "sendMessage" and fragment in str(c.params.get("text", ""))
    ]


def welcomes(emu: BotApiEmulator) -> list[str]:
    # "I coach you through" / "Ich begleite dich durch": the welcome in English or German.
    return [
        m.text
        for m in emu.messages(ANN)
        if "I coach you through" in m.text or "Ich begleite dich" in m.text
    ]


async def nudge_message(emu: BotApiEmulator) -> BotMessage:
    def found() -> list[BotMessage]:
        return [m for m in emu.messages(ANN) if texts.BUTTON_START_NOW in labels(m)]

    await emu.wait_for(lambda: bool(found()))
    return found()[0]


def labels(message: BotMessage) -> list[str]:
    return [label for label, _ in BotApiEmulator.buttons(message)]


def assert_no_error_shown(emu: BotApiEmulator) -> None:
    shown = answers(emu) + [str(c.params.get("text", "")) for c in emu.calls]
    assert not any(texts.SOMETHING_WRONG[:40] in s for s in shown)


async def double_tap(emu: BotApiEmulator, message: BotMessage, label: str) -> None:
    """Two presses of one button, the second sent before the bot has handled the first."""
    before = len(answers(emu))
    emu.press(ANN, message.message_id, text=label)
    emu.press(ANN, message.message_id, text=label)
    await emu.wait_for(lambda: len(answers(emu)) >= before + 2)
    await emu.settled(quiet=0.3)


async def set_up(emu: BotApiEmulator, *, bedtime: str = "22:30") -> None:
    """/start, Berlin, 7am, and `bedtime` (a button label) through the onboarding."""
    emu.send_text(ANN, "/start", first_name="Ann", language_code="de")
    zone_q = await next_message(emu, ANN, 1)
    emu.press(ANN, zone_q.message_id, text=next(t for t in labels(zone_q) if "Berlin" in t))
    await next_message(emu, ANN, 3)
    emu.send_text(ANN, "7am")
    bedtime_q = await next_message(emu, ANN, 5)
    emu.press(ANN, bedtime_q.message_id, text=bedtime)
    await emu.wait_for(lambda: any("All set" in m.text for m in emu.messages(ANN)))
    # Ann's Telegram app is German (hence Berlin first), but she reads Limber in English: without
    # this, the nudges would come in German, the language her app told the bot at /start.
    emu.send_text(ANN, "/language en")
    await emu.wait_for(lambda: "I'll speak English" in emu.messages(ANN)[-1].text)


# 1. Double taps -------------------------------------------------------------------------------


async def test_a_double_tap_on_a_zone_button_sets_it_once(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.send_text(ANN, "/start", first_name="Ann", language_code="de")
    zone_q = await next_message(emu, ANN, 1)
    await double_tap(emu, zone_q, next(t for t in labels(zone_q) if "Berlin" in t))
    assert len(sent_texts(emu, "Time zone set")) == 1
    assert len(sent_texts(emu, "in the morning")) == 1  # the next question, asked once
    assert_no_error_shown(emu)
    assert sorted(answers(emu)[-2:]) == sorted(["", texts.ALREADY_DONE])


async def test_a_double_tap_on_a_time_button_sets_it_once(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.send_text(ANN, "/start", first_name="Ann", language_code="de")
    zone_q = await next_message(emu, ANN, 1)
    emu.press(ANN, zone_q.message_id, text=next(t for t in labels(zone_q) if "Berlin" in t))
    morning_q = await next_message(emu, ANN, 3)
    await double_tap(emu, morning_q, "07:00")
    assert len(sent_texts(emu, "Morning nudge set for 07:00")) == 1
    assert len(sent_texts(emu, "And at bedtime")) == 1
    assert_no_error_shown(emu)
    assert texts.ALREADY_DONE in answers(emu)[-2:]  # the taps may be answered in any order


async def test_a_double_tap_on_a_pain_score_is_noted_once(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await set_up(emu)
    assert await bot.services.progress.ask_pain(ANN, ANN)
    question = await emu.wait_for_message(ANN, texts.PAIN_QUESTION)
    await double_tap(emu, question, "3")
    assert "noted: 3/10" in (emu.messages(ANN)[-1]).text
    assert_no_error_shown(emu)
    assert texts.ALREADY_DONE in answers(emu)[-2:]  # the taps may be answered in any order
    assert (await bot.services.store.pain_reports(ANN)) == {date(2026, 11, 24): 3}


@pytest.mark.parametrize("label", [texts.BUTTON_DELETE, texts.BUTTON_KEEP])
@pytest.mark.slow  # 2.1 s here (--durations)
async def test_a_double_tap_on_delete_or_cancel_answers_once(
    emu: BotApiEmulator, bot: Harness, label: str
) -> None:
    await set_up(emu)
    emu.send_text(ANN, "/deletedata")
    confirm = await emu.wait_for_message(ANN, texts.CONFIRM_DELETE)
    await double_tap(emu, confirm, label)
    assert_no_error_shown(emu)
    assert texts.ALREADY_DONE in answers(emu)[-2:]  # the taps may be answered in any order
    shown = next(m for m in emu.messages(ANN) if m.message_id == confirm.message_id)
    assert shown.text == (texts.DELETED if label == texts.BUTTON_DELETE else texts.KEPT)


async def test_a_double_tap_on_start_now_starts_one_session(
    emu: BotApiEmulator, bot: Harness, clock: MovableClock
) -> None:
    await set_up(emu)
    clock.set(BERLIN_MORNING + timedelta(seconds=1))
    assert (await bot.services.dispatcher.tick()).sent == 1
    nudge = await nudge_message(emu)
    await double_tap(emu, nudge, texts.BUTTON_START_NOW)
    assert len(sent_texts(emu, "Stretch 1 of")) == 1
    assert await bot.services.store.count(GuidedSession) == 1
    assert_no_error_shown(emu)
    assert texts.ALREADY_DONE in answers(emu)[-2:]  # the taps may be answered in any order


async def test_start_now_during_a_session_asks_as_stretch_does(
    emu: BotApiEmulator, bot: Harness, clock: MovableClock
) -> None:
    """A nudge's Start now while a session runs asks "carry on or start over?", as /stretch
    does, instead of replacing the session; Start over then starts the nudge's routine."""
    await set_up(emu)
    clock.set(BERLIN_MORNING + timedelta(seconds=1))
    assert (await bot.services.dispatcher.tick()).sent == 1
    nudge = await nudge_message(emu)
    emu.send_text(ANN, "/stretch single")
    await emu.wait_for_message(ANN, "Stretch 1 of 1")
    running = await bot.services.store.live_session_of(ANN)
    assert running is not None and running.routine_id == "single"

    emu.press(ANN, nudge.message_id, text=texts.BUTTON_START_NOW)
    ask = await emu.wait_for_message(ANN, "Carry on, or start over?")
    assert "Single" in ask.text
    assert labels(ask) == [texts.BUTTON_CARRY_ON, texts.BUTTON_START_OVER]
    assert labels(next(m for m in emu.messages(ANN) if m.message_id == nudge.message_id)) == []
    live = await bot.services.store.live_session_of(ANN)
    assert live is not None and live.id == running.id  # nothing replaced yet
    assert len(sent_texts(emu, "Stretch 1 of")) == 1

    emu.press(ANN, ask.message_id, text=texts.BUTTON_START_OVER)
    await emu.wait_for(lambda: len(sent_texts(emu, "Stretch 1 of")) == 2)
    live = await bot.services.store.live_session_of(ANN)
    assert live is not None and live.routine_id == "quick"  # the morning nudge's routine
    assert_no_error_shown(emu)


async def test_a_double_tap_on_a_routine_starts_one_session(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await set_up(emu)
    emu.send_text(ANN, "/routines")
    menu = await emu.wait_for_message(ANN, "Pick a routine")
    await double_tap(emu, menu, labels(menu)[0])
    assert len(sent_texts(emu, "Stretch 1 of")) == 1
    assert await bot.services.store.count(GuidedSession) == 1
    assert_no_error_shown(emu)


async def test_a_double_tap_on_a_settings_toggle_is_no_error(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await set_up(emu)
    emu.send_text(ANN, "/settings")
    menu = await emu.wait_for_message(ANN, texts.SETTINGS_TITLE)
    await double_tap(emu, menu, "☀️ Morning: turn off")
    assert_no_error_shown(emu)
    nudges = await bot.services.store.nudges_of(ANN)
    assert not nudges["morning"].enabled and nudges["bedtime"].enabled


async def test_a_press_on_a_message_too_old_to_edit_still_takes_effect(
    emu: BotApiEmulator, bot: Harness
) -> None:
    """Telegram refuses edits of messages older than 48 h: the press still sets the zone."""
    emu.send_text(ANN, "/start", first_name="Ann", language_code="de")
    zone_q = await next_message(emu, ANN, 1)
    emu.fail_next(
        "editMessageReplyMarkup",
        error_code=400,
        description="Bad Request: message can't be edited",
    )
    emu.press(ANN, zone_q.message_id, text=next(t for t in labels(zone_q) if "Berlin" in t))
    await emu.wait_for_message(ANN, "in the morning")
    user = await bot.services.store.get_user(ANN)
    assert user is not None and user.timezone == "Europe/Berlin"
    assert_no_error_shown(emu)


# 2. Onboarding that hangs ---------------------------------------------------------------------


@pytest.mark.parametrize("reply", ["thanks!", "👍", "Thank you 🙏", "ok"])
async def test_a_reply_that_is_no_place_re_asks_with_the_buttons(
    emu: BotApiEmulator, bot: Harness, reply: str
) -> None:
    emu.send_text(ANN, "/start", first_name="Ann", language_code="de")
    await next_message(emu, ANN, 1)
    emu.send_text(ANN, reply)
    answer = await next_message(emu, ANN, 2)
    assert BAD_ZONE_START not in answer.text
    assert "time zone" in answer.text
    assert any("Berlin" in label for label in labels(answer))


async def test_an_unknown_place_is_refused_with_the_buttons_again(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.send_text(ANN, "/start", first_name="Ann", language_code="de")
    await next_message(emu, ANN, 1)
    emu.send_text(ANN, "Mars/Olympus")
    answer = await next_message(emu, ANN, 2)
    assert answer.text == texts.BAD_ZONE
    assert any("Berlin" in label for label in labels(answer))


async def test_following_the_welcome_advice_still_lets_onboarding_finish(
    emu: BotApiEmulator, bot: Harness
) -> None:
    """/start, then /stretch as the welcome says, Stop, "thanks!", /settings, and /start."""
    emu.send_text(ANN, "/start", first_name="Ann", language_code="de")
    await next_message(emu, ANN, 1)
    emu.send_text(ANN, "/stretch")
    intro = await emu.wait_for_message(ANN, "Stretch 1 of")
    emu.press(ANN, intro.message_id, text=texts.BUTTON_STOP)
    await emu.wait_for(lambda: "stopped" in emu.messages(ANN)[-1].text)
    emu.send_text(ANN, "thanks!")
    await emu.wait_for(lambda: "time zone" in emu.messages(ANN)[-1].text)
    assert BAD_ZONE_START not in emu.messages(ANN)[-1].text

    # Its own answer, not the last one (which speaks of the time zone too): /start must not
    # be sent while /settings is still being handled, or their answers race.
    before = len(emu.messages(ANN))
    emu.send_text(ANN, "/settings")
    await emu.wait_for(lambda: len(emu.messages(ANN)) > before)
    settings = emu.messages(ANN)[-1]
    assert "time zone" in settings.text
    assert "UTC" not in settings.text  # no zone was chosen: none is shown as if it were
    emu.send_text(ANN, "/start", first_name="Ann", language_code="de")
    await emu.wait_for(lambda: len(welcomes(emu)) == 2)
    # A German Telegram app: the /start replies come in German.
    assert "Willkommen zurück" not in welcomes(emu)[-1] and "Hallo Ann" in welcomes(emu)[-1]

    await emu.wait_for(lambda: "Ich begleite dich" not in emu.messages(ANN)[-1].text)
    zone_q = emu.messages(ANN)[-1]
    with i18n.using("de"):
        assert texts.ASK_TIMEZONE in zone_q.text
    emu.press(ANN, zone_q.message_id, text=next(t for t in labels(zone_q) if "Berlin" in t))
    morning_q = await emu.wait_for_message(ANN, "in the morning")
    emu.press(ANN, morning_q.message_id, text="07:00")
    bedtime_q = await emu.wait_for_message(ANN, "And at bedtime")
    emu.press(ANN, bedtime_q.message_id, text="22:00")
    await emu.wait_for(lambda: any("All set" in m.text for m in emu.messages(ANN)))
    nudges = await bot.services.store.nudges_of(ANN)
    assert nudges["morning"].next_nudge_at == BERLIN_MORNING


async def test_a_first_timer_who_stretched_before_start_is_not_welcomed_back(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.send_text(ANN, "/stretch", first_name="Ann")
    await emu.wait_for_message(ANN, "Stretch 1 of")
    emu.send_text(ANN, "/start", first_name="Ann")
    await emu.wait_for(lambda: len(welcomes(emu)) == 1)
    assert "Welcome back" not in welcomes(emu)[0]


# 3. After /stop -------------------------------------------------------------------------------


async def test_after_stop_settings_and_times_say_the_nudges_are_off(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await set_up(emu)
    emu.send_text(ANN, "/stop")
    await emu.wait_for_message(ANN, texts.STOPPED)
    emu.send_text(ANN, "/settings")
    menu = await emu.wait_for_message(ANN, texts.SETTINGS_TITLE)
    assert "/start" in menu.text and "Next nudge" not in menu.text
    assert not any("turn off" in label for label in labels(menu))

    emu.send_text(ANN, "/morning 8")
    await emu.wait_for(lambda: "08:00" in emu.messages(ANN)[-1].text)
    reply = emu.messages(ANN)[-1].text
    assert "Morning nudge set for 08:00" not in reply
    assert "/start" in reply

    for command in ("/pause 3", "/resume"):
        count = len(emu.messages(ANN))
        emu.send_text(ANN, command)
        answer = await next_message(emu, ANN, count)
        assert "/start" in answer.text and "Nudges are on again" not in answer.text


# 4. Skip today --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bedtime", "promise", "not_said"),
    [
        (texts.BUTTON_OFF, "tomorrow morning", "tonight"),
        ("22:30", "tonight", "tomorrow morning"),
    ],
)
@pytest.mark.slow  # 1.4 s here (--durations)
async def test_skip_today_promises_only_a_nudge_that_is_on(
    emu: BotApiEmulator,
    bot: Harness,
    clock: MovableClock,
    bedtime: str,
    promise: str,
    not_said: str,
) -> None:
    await set_up(emu, bedtime=bedtime)
    clock.set(BERLIN_MORNING + timedelta(seconds=1))
    assert (await bot.services.dispatcher.tick()).sent == 1
    nudge = await nudge_message(emu)
    emu.press(ANN, nudge.message_id, text=texts.BUTTON_SKIP_TODAY)
    await emu.wait_for(lambda: "skipping" in emu.messages(ANN)[-1].text)
    said = emu.messages(ANN)[-1].text
    assert promise in said and not_said not in said


# 5. /help and plurals -------------------------------------------------------------------------


async def test_help_lists_every_command(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(ANN, "/help")
    reply = await next_message(emu, ANN, 0)
    missing = [c.command for c in COMMANDS if f"/{c.command}" not in reply.text]
    assert missing == []


@pytest.mark.parametrize(("streak", "shown"), [(1, "Streak: 1 day "), (2, "Streak: 2 days ")])
def test_the_picture_says_1_day_and_2_days(
    monkeypatch: pytest.MonkeyPatch, streak: int, shown: str
) -> None:
    drawn: list[str] = []
    original = ImageDraw.ImageDraw.text

    def record(self: ImageDraw.ImageDraw, xy: Any, text: Any, *args: Any, **kwargs: Any) -> None:
        drawn.append(str(text))
        original(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", record)
    render_stats_png(ChartData(today=date(2026, 11, 25), current=streak, best=streak))
    assert any(shown in line for line in drawn), drawn
