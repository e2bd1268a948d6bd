"""The /stats picture and /stats, /export through the stand-in."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import insert

from bot import texts
from bot.clock import MovableClock
from bot.domain.streaks import DayRecord
from bot.sandbox.emulator import BotApiEmulator
from bot.stats_chart import (
    COLOR_BEDTIME,
    COLOR_BOTH,
    COLOR_FREEZE,
    COLOR_FUTURE,
    COLOR_MORNING,
    COLOR_NONE,
    HEIGHT,
    WIDTH,
    ChartData,
    cell_center,
    render_stats_png,
)
from bot.store.models import GuidedSession, SessionLog
from tests.harness import Harness, next_message

TODAY = date(2026, 11, 25)  # a Wednesday


def pixel(png: bytes, xy: tuple[int, int]) -> tuple[int, int, int]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    found = image.getpixel(xy)
    assert isinstance(found, tuple)
    return (int(found[0]), int(found[1]), int(found[2]))


def test_the_picture_colours_known_days() -> None:
    days = {
        TODAY - timedelta(days=1): DayRecord(morning=True),
        TODAY - timedelta(days=2): DayRecord(bedtime=True),
        TODAY - timedelta(days=3): DayRecord(morning=True, bedtime=True),
        TODAY - timedelta(days=60): DayRecord(morning=True, bedtime=True),
    }
    png = render_stats_png(ChartData(today=TODAY, days=days, pain={TODAY: 3}, current=3, best=3))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
    assert pixel(png, cell_center(TODAY, TODAY - timedelta(days=1))) == COLOR_MORNING
    assert pixel(png, cell_center(TODAY, TODAY - timedelta(days=2))) == COLOR_BEDTIME
    assert pixel(png, cell_center(TODAY, TODAY - timedelta(days=3))) == COLOR_BOTH
    assert pixel(png, cell_center(TODAY, TODAY - timedelta(days=60))) == COLOR_BOTH
    assert pixel(png, cell_center(TODAY, TODAY - timedelta(days=4))) == COLOR_NONE
    assert pixel(png, cell_center(TODAY, TODAY + timedelta(days=2))) == COLOR_FUTURE


@pytest.mark.parametrize("title", ["", "Ann 🌿", "שלום", "\u202eevil", "x" * 500])
def test_any_name_renders(title: str) -> None:
    png = render_stats_png(ChartData(today=TODAY, title=title))
    assert Image.open(io.BytesIO(png)).size == (WIDTH, HEIGHT)


ANN = 3001
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


async def seed_month(bot: Harness) -> None:
    """A month of history: a morning session most days, bedtime on weekends, pain answers."""
    store = bot.services.store
    await store.upsert_user(ANN, ANN, "Ann", "en", NOW - timedelta(days=40))
    rows = []
    for i in range(1, 31):
        if i % 9 == 0:
            continue
        day = NOW - timedelta(days=i)
        slots = [day.replace(hour=7)] + ([day.replace(hour=20)] if day.weekday() >= 5 else [])
        rows += slots
    async with store.writing() as db:
        for n, finished in enumerate(rows):
            result = await db.execute(
                insert(GuidedSession)
                .values(
                    user_id=ANN,
                    chat_id=ANN,
                    routine_id="quick",
                    status="done",
                    phase="intro",
                    stretch_index=1,
                    side=0,
                    holds_done=3,
                    stretches_done=2,
                    stretches_skipped=0,
                    shown_version=2,
                    started_at=finished - timedelta(minutes=5),
                    ended_at=finished,
                    end_reason="finished",
                    version=2,
                    updated_at=finished,
                )
                .returning(GuidedSession.id)
            )
            session_id = result.scalar_one()
            await db.execute(
                insert(SessionLog).values(
                    user_id=ANN,
                    session_id=session_id,
                    routine_id="quick",
                    started_at=finished - timedelta(minutes=5),
                    finished_at=finished,
                    holds_done=3,
                    holds_total=3,
                    stretches_done=2,
                    duration_seconds=300 + n,
                    timezone="UTC",
                )
            )
    for i in range(1, 31, 3):
        await store.record_pain(ANN, (NOW - timedelta(days=i)).date(), 7 - i // 5, NOW)


@pytest.fixture
def bot_options() -> dict[str, Any]:
    """How this file's bot differs from the shared one (tests/conftest.py)."""
    return dict(clock=MovableClock(NOW, frozen=True))


async def test_stats_without_history_is_a_friendly_text(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(ANN, "/stats")
    reply = await next_message(emu, ANN, 0)
    assert reply.text == texts.NO_HISTORY and reply.photo is None


async def test_stats_sends_a_summary_and_a_picture(emu: BotApiEmulator, bot: Harness) -> None:
    await seed_month(bot)
    emu.send_text(ANN, "/stats")
    reply = await next_message(emu, ANN, 0)
    assert reply.photo is not None
    # Missed days 9, 18 and 27 days ago: the first broke a 3-day run; freezes earned at 7 and
    # 14 days saved the other two, so 24 days ago to yesterday is one streak.
    assert "Streak: 24 days (best 24)" in reply.text
    assert "Streak freezes held: 1" in reply.text
    image = Image.open(io.BytesIO(reply.photo))
    assert image.size == (WIDTH, HEIGHT)
    yesterday = (NOW - timedelta(days=1)).date()
    assert pixel(reply.photo, cell_center(NOW.date(), yesterday)) in (COLOR_MORNING, COLOR_BOTH)
    # Since issue 17 a day a freeze saved is marked; the day that broke the run is not.
    saved = (NOW - timedelta(days=9)).date()
    assert pixel(reply.photo, cell_center(NOW.date(), saved)) == COLOR_FREEZE
    missed = (NOW - timedelta(days=27)).date()
    assert pixel(reply.photo, cell_center(NOW.date(), missed)) == COLOR_NONE


async def test_export_sends_the_history_as_csv(emu: BotApiEmulator, bot: Harness) -> None:
    await seed_month(bot)
    emu.send_text(ANN, "/export")
    reply = await next_message(emu, ANN, 0)
    assert reply.document is not None and reply.filename == "limber-export.zip"
    history = zipfile.ZipFile(io.BytesIO(reply.document)).read("history.csv")
    rows = list(csv.DictReader(io.StringIO(history.decode("utf-8"))))
    sessions = [r for r in rows if r["record"] == "session"]
    pains = [r for r in rows if r["record"] == "pain"]
    assert len(sessions) == len(await bot.services.store.session_log(ANN))
    assert len(pains) == 10
    assert {r["routine"] for r in sessions} == {"quick"}
