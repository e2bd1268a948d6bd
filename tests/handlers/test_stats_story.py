"""/stats tells a story: the mobility line on the calendar's weeks, freeze days marked, this
week's numbers beside the calendar, and the picture in words under it (screen readers).
Positions are checked by sampling the PNG's pixels."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from bot import texts
from bot.clock import MovableClock
from bot.domain.streaks import DayRecord
from bot.sandbox.emulator import BotApiEmulator
from bot.stats_chart import (
    COLOR_FREEZE,
    COLOR_LEFT,
    COLOR_NONE,
    COLOR_PAIN,
    COLOR_RIGHT,
    HEIGHT,
    PANEL_LEFT,
    TOP,
    WIDTH,
    ChartData,
    cell_center,
    pain_point,
    reach_point,
    render_stats_png,
)
from tests.harness import Harness, next_message
from tests.history import seed_sessions, set_up_user

TODAY = date(2026, 11, 25)  # a Wednesday

# Per-chat pacing (one message a real second) is not what these tests are about, and a
# frozen clock would make them wait for it in real time (tests/ratelimit/test_flood.py tests it).
NO_PACING = {"rate_limit": False}


def pixel(png: bytes, xy: tuple[float, float]) -> tuple[int, int, int]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    found = image.getpixel((round(xy[0]), round(xy[1])))
    assert isinstance(found, tuple)
    return (int(found[0]), int(found[1]), int(found[2]))


def test_points_sit_where_their_values_say() -> None:
    pain = {TODAY - timedelta(days=14): 8, TODAY - timedelta(days=7): 5, TODAY: 2}
    reach = {
        TODAY - timedelta(days=21): {"left": 30, "right": 45},
        TODAY: {"left": 75, "right": 60},
    }
    png = render_stats_png(ChartData(today=TODAY, pain=pain, reach=reach, current=1, best=1))
    for day, score in pain.items():
        assert pixel(png, pain_point(TODAY, day, score)) == COLOR_PAIN
    for day, sides in reach.items():
        assert pixel(png, reach_point(TODAY, day, sides["left"])) == COLOR_LEFT
        assert pixel(png, reach_point(TODAY, day, sides["right"])) == COLOR_RIGHT
    # Higher is higher up: 75 above 60 above 30; no dot where no answer was given.
    assert reach_point(TODAY, TODAY, 75)[1] < reach_point(TODAY, TODAY, 60)[1]
    assert reach_point(TODAY, TODAY, 90)[1] < reach_point(TODAY, TODAY, 30)[1]
    empty = reach_point(TODAY, TODAY - timedelta(days=10), 60)
    assert pixel(png, empty) not in (COLOR_LEFT, COLOR_RIGHT)


def test_a_day_saved_by_a_freeze_is_marked_and_this_week_has_a_panel() -> None:
    frozen = TODAY - timedelta(days=2)
    days = {TODAY - timedelta(days=i): DayRecord(morning=True) for i in (1, 3, 4)}
    plain = render_stats_png(ChartData(today=TODAY, days=days))
    png = render_stats_png(
        ChartData(
            today=TODAY,
            days=days,
            frozen=frozenset({frozen}),
            week_lines=texts.chart_week_lines(3, 1, 15, 4, 60, 4),
        )
    )
    assert pixel(plain, cell_center(TODAY, frozen)) == COLOR_NONE
    assert pixel(png, cell_center(TODAY, frozen)) == COLOR_FREEZE
    # The panel fills the space right of the legend; without numbers it stays blank.
    corner = (PANEL_LEFT - 8, TOP + 150)
    assert pixel(plain, corner) == (255, 255, 255)
    assert pixel(png, corner) != (255, 255, 255)
    assert Image.open(io.BytesIO(png)).size == (WIDTH, HEIGHT)


CAL = 4401
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def bot_options() -> dict[str, Any]:
    """How this file's bot differs from the shared one (tests/conftest.py)."""
    return dict(clock=MovableClock(NOW, frozen=True), overrides=NO_PACING)


@pytest.fixture
async def bot(bot: Harness) -> Harness:
    """The shared bot, with this file's user set up (pytest passes the conftest one in)."""
    await set_up_user(bot.services.store, bot.services.subscriptions, CAL, "UTC", NOW)
    return bot


async def test_stats_caption_tells_the_picture_in_words(emu: BotApiEmulator, bot: Harness) -> None:
    store = bot.services.store
    # 20 days of sessions with day 9 ago missed (a freeze earned at 7 days saves it), pain
    # falling from 6 to 3, the leg rising from 45 to 60.
    finished = [NOW - timedelta(days=i) for i in range(1, 21) if i != 9]
    await seed_sessions(store, CAL, finished)
    for days_ago, score in ((20, 6), (12, 5), (6, 4), (1, 3)):
        await store.record_pain(CAL, (NOW - timedelta(days=days_ago)).date(), score, NOW)
    for days_ago, degrees in ((15, 45), (1, 60)):
        for side in ("left", "right"):
            day = (NOW - timedelta(days=days_ago)).date()
            await store.record_reach(CAL, day, side, degrees, NOW)
    emu.send_text(CAL, "/stats")
    reply = await next_message(emu, CAL, 0)
    assert reply.photo is not None
    frozen = (NOW - timedelta(days=9)).date()
    assert pixel(reply.photo, cell_center(TODAY, frozen)) == COLOR_FREEZE
    text = reply.text
    assert "the last 16 weeks, 19 days with a session" in text
    assert "a streak freeze kept the streak on 16 Nov" in text
    assert "This week 2 sessions, last week 6." in text  # Mon 16 Nov was the missed day
    assert "Back pain went from 6 to 3 (0 = no pain)." in text
    assert "Straight-leg raise went from about 45° to 60°." in text
    assert len(text) <= 1024  # a photo caption's limit


def test_the_longest_caption_fits_under_a_photo() -> None:
    words = texts.stats_picture_text(
        weeks=16,
        days_stretched=112,
        frozen=["30 Sep", "30 Oct", "30 Nov"],
        pain_first=10,
        pain_last=10,
        reach_first=90,
        reach_last=90,
        week_sessions=99,
        week_before=99,
    )
    figures = texts.stats_text(9999, 9999, 99999, 999999, 9999, 2)
    reach = texts.stats_reach_line(90, 90, "30 Sep", 90)
    assert len("\n".join([figures, reach, "", words])) <= 1024


def test_a_point_stays_inside_its_weeks_column() -> None:
    sunday = TODAY + timedelta(days=6 - TODAY.weekday())  # the last column's Sunday
    monday = sunday - timedelta(days=6)
    x_sun, _ = pain_point(sunday, sunday, 5)
    x_mon, _ = reach_point(sunday, monday, 60)
    cell_x, _ = cell_center(sunday, sunday)
    assert cell_x - 12 <= x_mon < x_sun <= cell_x + 12  # CELL is 24 px wide
