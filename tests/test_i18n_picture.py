"""The /stats picture in every language: the shipped font draws Latin and Cyrillic."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image, ImageChops

from bot import i18n
from bot.domain.streaks import DayRecord
from bot.stats_chart import FONT_PATH, HEIGHT, LEFT, WIDTH, ChartData, render_stats_png

TODAY = date(2026, 11, 27)
# The title row: "Limber: <name>" is drawn at (LEFT, 24) in 30 px type.
TITLE_ROW = (LEFT, 20, WIDTH - 20, 64)


def inked(png: bytes, box: tuple[int, int, int, int]) -> int:
    """Pixels in `box` darker than the light grey of empty cells."""
    region = Image.open(io.BytesIO(png)).convert("L").crop(box)
    return sum(region.histogram()[:160])


def test_a_cyrillic_name_is_drawn() -> None:
    bare = render_stats_png(ChartData(today=TODAY, title=""))
    anna = render_stats_png(ChartData(today=TODAY, title="Анна"))
    # "Limber" alone against "Limber: Анна": the name adds ink (Pillow's own font drew nothing).
    assert inked(anna, TITLE_ROW) > inked(bare, TITLE_ROW) + 150
    diff = ImageChops.difference(
        Image.open(io.BytesIO(anna)).convert("L"), Image.open(io.BytesIO(bare)).convert("L")
    )
    assert diff.getbbox() is not None and diff.getbbox()[1] < 64  # the change is in the title


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_the_picture_is_labelled_in_each_language(language: str) -> None:
    days = {
        TODAY - timedelta(days=i): DayRecord(morning=True, bedtime=i % 2 == 0) for i in range(30)
    }
    data = ChartData(today=TODAY, days=days, pain={TODAY: 2}, current=12, best=40, title="Zoë")
    english = render_stats_png(data)
    with i18n.using(language):
        png = render_stats_png(data)
    image = Image.open(io.BytesIO(png))
    assert image.size == (WIDTH, HEIGHT)
    if language != i18n.SOURCE:
        assert png != english  # labels, months and weekdays are the language's own


def test_the_font_and_its_licence_ship_with_the_package() -> None:
    assert FONT_PATH.is_file() and FONT_PATH.stat().st_size > 100_000
    licence = (FONT_PATH.parent / "LICENSE-DejaVu").read_text(encoding="utf-8")
    assert "Bitstream" in licence and "Permission is hereby granted" in licence
