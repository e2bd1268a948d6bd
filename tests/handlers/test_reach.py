"""/reach, the mobility check: the rules (table tests), the codec, and the whole check through
the stand-in, into /stats (points at their pixels) and /export."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from bot import texts
from bot.clock import MovableClock
from bot.domain.mobility import (
    LEFT,
    RIGHT,
    ReachAnswer,
    answer_in_time,
    latest_change,
    next_side,
    should_offer,
)
from bot.keyboards import ReachPress, reach_keyboard
from bot.reach_pictures import reach_picture_key
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.spec import Upload
from bot.stats_chart import COLOR_LEFT, COLOR_RIGHT, reach_point
from tests.harness import Harness, next_message
from tests.history import seed_sessions, set_up_user

TODAY = date(2026, 11, 25)

# Per-chat pacing (one message a real second) is not what these tests are about, and a
# frozen clock would make them wait for it in real time (tests/ratelimit/test_flood.py tests it).
NO_PACING = {"rate_limit": False}

WEEK_AGO = TODAY - timedelta(days=7)
OFFER_CASES = [
    # last offered, last checked, today, sessions finished, started, offer?
    (None, None, TODAY, 2, WEEK_AGO, True),
    (None, None, TODAY, 1, WEEK_AGO, False),  # the first session already brings enough
    (TODAY - timedelta(days=7), None, TODAY, 9, WEEK_AGO, True),
    (TODAY - timedelta(days=6), None, TODAY, 9, WEEK_AGO, False),
    (None, TODAY - timedelta(days=2), TODAY, 9, WEEK_AGO, False),
    (TODAY - timedelta(days=30), TODAY - timedelta(days=8), TODAY, 9, WEEK_AGO, True),
    (TODAY, TODAY - timedelta(days=30), TODAY, 9, WEEK_AGO, False),
    # "It's been a week": not on day 1, however many sessions that day brought (issue 23).
    (None, None, TODAY, 2, TODAY, False),
    (None, None, TODAY, 5, TODAY - timedelta(days=6), False),
    (None, None, TODAY, 2, None, False),
]


@pytest.mark.parametrize(
    ("offered", "checked", "today", "sessions", "started", "expected"), OFFER_CASES
)
def test_the_check_is_offered_once_a_week(
    offered: date | None,
    checked: date | None,
    today: date,
    sessions: int,
    started: date | None,
    expected: bool,
) -> None:
    assert should_offer(offered, checked, today, sessions, started) is expected


@pytest.mark.parametrize(
    ("answered", "expected"),
    [([], LEFT), ([LEFT], RIGHT), ([RIGHT], LEFT), ([LEFT, RIGHT], None)],
)
def test_left_first_then_right(answered: list[str], expected: str | None) -> None:
    assert next_side(answered) == expected


def a(days_ago: int, side: str, degrees: int) -> ReachAnswer:
    return ReachAnswer(TODAY - timedelta(days=days_ago), side, degrees)


CHANGE_CASES = [
    ([], None),
    ([a(3, LEFT, 45), a(3, RIGHT, 60)], (53, None)),  # 52.5 rounds half up
    ([a(10, LEFT, 45), a(10, RIGHT, 45), a(3, LEFT, 60), a(3, RIGHT, 60)], (60, 45)),
    ([a(10, LEFT, 60), a(3, LEFT, 45)], (45, 60)),
    ([a(10, LEFT, 60), a(3, RIGHT, 60)], (60, 60)),
]


@pytest.mark.parametrize(("answers", "expected"), CHANGE_CASES)
def test_the_latest_change(answers: list[ReachAnswer], expected: tuple[int, int | None]) -> None:
    change = latest_change(answers)
    assert (None if change is None else (change.degrees, change.before)) == expected


def test_an_answer_counts_only_for_a_recent_day() -> None:
    assert answer_in_time(TODAY, TODAY) and answer_in_time(TODAY - timedelta(days=2), TODAY)
    assert not answer_in_time(TODAY - timedelta(days=3), TODAY)
    assert not answer_in_time(TODAY + timedelta(days=1), TODAY)


@pytest.mark.parametrize(
    "data",
    ["rc:20261125:x:60", "rc:20261125:l:50", "rc:20261325:l:60", "rc:20261125:l:６０", "rc:go:1"],
)
def test_forged_reach_data_is_refused(data: str) -> None:
    assert ReachPress.unpack(data) is None


def test_every_reach_button_round_trips() -> None:
    for side in (LEFT, RIGHT):
        for row in reach_keyboard(TODAY, side).inline_keyboard:
            for button in row:
                assert isinstance(button.callback_data, str)
                pressed = ReachPress.unpack(button.callback_data)
                assert pressed is not None and (pressed.day, pressed.side) == (TODAY, side)


BEN = 4301
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


@pytest.fixture
def bot_options() -> dict[str, Any]:
    """How this file's bot differs from the shared one (tests/conftest.py)."""
    return dict(clock=MovableClock(NOW, frozen=True), overrides=NO_PACING)


@pytest.fixture
async def bot(bot: Harness) -> Harness:
    """The shared bot, with this file's user set up (pytest passes the conftest one in)."""
    await set_up_user(bot.services.store, bot.services.subscriptions, BEN, "UTC", NOW)
    return bot


def pixel(png: bytes, xy: tuple[float, float]) -> tuple[int, int, int]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    found = image.getpixel((round(xy[0]), round(xy[1])))
    assert isinstance(found, tuple)
    return (int(found[0]), int(found[1]), int(found[2]))


async def answer(emu: BotApiEmulator, index: int, degrees: int, expect: str) -> None:
    question = emu.messages(BEN)[index]
    emu.press(BEN, question.message_id, text=texts.reach_choice(degrees))
    await emu.wait_for(lambda: expect in emu.messages(BEN)[index].text)


async def test_reach_end_to_end_into_stats_and_export(emu: BotApiEmulator, bot: Harness) -> None:
    store = bot.services.store
    # A check last week, to make a line.
    week_ago = TODAY - timedelta(days=7)
    await store.record_reach(BEN, week_ago, LEFT, 45, NOW)
    await store.record_reach(BEN, week_ago, RIGHT, 30, NOW)
    await seed_sessions(store, BEN, [NOW - timedelta(days=1)])

    emu.send_text(BEN, "/reach")
    picture = await next_message(emu, BEN, 0)
    assert picture.photo is not None and picture.text == texts.REACH_CAPTION
    question = await next_message(emu, BEN, 1)
    assert question.text == texts.reach_question(LEFT)
    await answer(emu, 1, 60, texts.reach_question(RIGHT))
    await answer(emu, 1, 45, "Noted: left 60°, right 45°")
    assert emu.buttons(emu.messages(BEN)[1]) == []
    got = await store.reach_checks(BEN)
    assert [x for x in got if x.day == TODAY] == [
        ReachAnswer(TODAY, LEFT, 60),
        ReachAnswer(TODAY, RIGHT, 45),
    ]

    emu.send_text(BEN, "/stats")
    stats = await next_message(emu, BEN, 2)
    assert stats.photo is not None
    assert "Straight-leg raise on 25 Nov: left 60°, right 45°; before: about 38°" in stats.text
    for day, degrees, colour in (
        (TODAY, 60, COLOR_LEFT),
        (TODAY, 45, COLOR_RIGHT),
        (week_ago, 45, COLOR_LEFT),
        (week_ago, 30, COLOR_RIGHT),
    ):
        assert pixel(stats.photo, reach_point(TODAY, day, degrees)) == colour, (day, degrees)

    emu.send_text(BEN, "/export")
    export = await next_message(emu, BEN, 3)
    assert export.document is not None
    table = zipfile.ZipFile(io.BytesIO(export.document)).read("tables/reach_checks.csv")
    rows = list(csv.DictReader(io.StringIO(table.decode("utf-8"))))
    assert {(r["day"], r["side"], r["degrees"]) for r in rows} == {
        ("2026-11-18", "left", "45"),
        ("2026-11-18", "right", "30"),
        ("2026-11-25", "left", "60"),
        ("2026-11-25", "right", "45"),
    }


async def test_the_pictures_are_uploaded_once_per_bot(emu: BotApiEmulator, bot: Harness) -> None:
    """As the session cards: the first /reach uploads the pictures, every later one sends the
    file_id Telegram gave them (kept in the database, so a restart uploads nothing either)."""
    emu.send_text(BEN, "/reach")
    first = await next_message(emu, BEN, 0)
    await next_message(emu, BEN, 1)
    emu.send_text(BEN, "/reach")
    again = await next_message(emu, BEN, 2)
    assert again.photo is not None and again.photo == first.photo
    assert again.text == texts.REACH_CAPTION
    await bot.restart()
    emu.send_text(BEN, "/reach")
    await next_message(emu, BEN, 4)
    photos = [c for c in emu.calls if c.method == "sendPhoto" and c.status == 200]
    assert len(photos) == 3
    assert isinstance(photos[0].params["photo"], Upload)  # the one upload
    assert [c.params["photo"] for c in photos[1:]] == [first.file_id] * 2
    assert len(emu.files) == 1


async def test_a_refused_file_id_still_brings_the_pictures(
    emu: BotApiEmulator, bot: Harness
) -> None:
    """A kept file_id Telegram no longer takes: the pictures are uploaded, not left out."""
    await bot.services.store.remember_file_id(emu.bot_id, reach_picture_key(), "gone", NOW)
    emu.send_text(BEN, "/reach")
    picture = await next_message(emu, BEN, 0)
    assert picture.photo is not None and picture.text == texts.REACH_CAPTION
    assert (await next_message(emu, BEN, 1)).text == texts.reach_question(LEFT)


async def test_a_double_tap_records_once_and_an_old_question_changes_nothing(
    emu: BotApiEmulator, bot: Harness
) -> None:
    store = bot.services.store
    emu.send_text(BEN, "/reach")
    question = await next_message(emu, BEN, 1)
    emu.press(BEN, question.message_id, text="60°")
    emu.press(BEN, question.message_id, text="60°")
    await emu.wait_for(lambda: texts.reach_question(RIGHT) in emu.messages(BEN)[1].text)
    await emu.settled()
    assert await store.reach_checks(BEN) == [ReachAnswer(TODAY, LEFT, 60)]
    old = f"rc:{TODAY - timedelta(days=5):%Y%m%d}:l:90"
    emu.press(BEN, question.message_id, data=old)
    await emu.wait_for(
        lambda: any(
            c.method == "answerCallbackQuery" and c.params.get("text") == texts.REACH_STALE
            for c in emu.calls
        )
    )
    assert await store.reach_checks(BEN) == [ReachAnswer(TODAY, LEFT, 60)]


async def test_after_a_session_the_check_is_offered_once_a_week(
    emu: BotApiEmulator, bot: Harness
) -> None:
    progress, clock = bot.services.progress, bot.services.clock
    assert isinstance(clock, MovableClock)
    # A first session a week ago ("It's been a week" must be true: issue 23).
    await seed_sessions(bot.services.store, BEN, [NOW - timedelta(days=7)])
    await progress.after_session(BEN, BEN)
    assert not [m for m in emu.messages(BEN) if m.text == texts.REACH_OFFER]  # first session
    await seed_sessions(bot.services.store, BEN, [NOW])
    await progress.after_session(BEN, BEN)
    await progress.after_session(BEN, BEN)
    offers = [m for m in emu.messages(BEN) if m.text == texts.REACH_OFFER]
    assert len(offers) == 1
    emu.press(BEN, offers[0].message_id, text=texts.BUTTON_REACH_NOW)
    await emu.wait_for(lambda: emu.messages(BEN)[-1].text == texts.reach_question(LEFT))
    clock.set(NOW + timedelta(days=6))
    await progress.after_session(BEN, BEN)
    clock.set(NOW + timedelta(days=7))
    await progress.after_session(BEN, BEN)
    assert len([m for m in emu.messages(BEN) if m.text.startswith(texts.REACH_OFFER)]) == 2


def test_each_choice_is_the_stretch_pictures_leg_at_that_angle() -> None:
    from bot.pictures import draw_leg_angle
    from bot.reach_pictures import PANEL, panel_origin, reach_choices_png

    sheet = Image.open(io.BytesIO(reach_choices_png())).convert("RGB")
    for i, degrees in enumerate((30, 45, 60, 75, 90)):
        x, y = panel_origin(i)
        panel = sheet.crop((x, y, x + PANEL[0], y + PANEL[1]))
        drawn = Image.open(io.BytesIO(draw_leg_angle(degrees, PANEL))).convert("RGB")
        assert panel.tobytes() == drawn.tobytes(), degrees


@pytest.mark.slow  # a real 2 s hold (20 clock-seconds at speed 10), ~2.6 s in all
async def test_a_finished_session_brings_the_offer_after_the_pain_question(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    harness = Harness(emu, sqlite_url)  # the fast clock: the 20 s hold passes in 2 s
    await harness.start()
    try:
        emu.send_text(BEN, "/start")
        await next_message(emu, BEN, 0)
        await emu.settled(quiet=0.3)
        # Not the first session (that one brings enough), and a week after it: one 7 days ago.
        earlier = harness.services.clock.now() - timedelta(days=7)
        await seed_sessions(harness.services.store, BEN, [earlier])
        start = len(emu.messages(BEN))
        emu.send_text(BEN, "/stretch single")
        intro = await next_message(emu, BEN, start)
        emu.press(BEN, intro.message_id, text=texts.BUTTON_READY)
        await emu.wait_for(
            lambda: any(m.text.startswith(texts.REACH_OFFER) for m in emu.messages(BEN)),
            timeout=10,
        )
        said = [m.text for m in emu.messages(BEN)]
        assert said.index(texts.PAIN_QUESTION) < said.index(texts.REACH_OFFER)
    finally:
        await harness.stop()
