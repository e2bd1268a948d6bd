"""The /stats picture in every language: the shipped font draws Latin and Cyrillic."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta

import pytest
from PIL import Image, ImageChops

from bot import i18n
from bot.domain.streaks import DayRecord
from bot.stats_chart import (
    COLOR_LEFT,
    COLOR_PAIN,
    COLOR_RIGHT,
    FONT_PATH,
    HEIGHT,
    LEFT,
    PAIN_HEIGHT,
    PAIN_TOP,
    REACH_HEIGHT,
    REACH_TOP,
    WEEKS,
    WIDTH,
    ChartData,
    first_monday,
    month_labels,
    plot_frame,
    render_stats_png,
)

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


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_month_labels_never_overlap(language: str) -> None:
    # Every 16-week window of two years: the first column's month sat under the next one
    # whenever a month began in the first week or two ("Sept" over "Oct").
    with i18n.using(language):
        for week in range(104):
            today = date(2026, 1, 5) + timedelta(weeks=week)
            labels = month_labels(today)
            for a, b in itertools.pairwise(labels):
                assert not _overlap(a.box, b.box), (today, a, b)
                assert a.box[2] < b.box[0], (today, a, b)
            # Every month that begins inside the window is still named.
            start = first_monday(today)
            begun = {
                start + timedelta(days=i)
                for i in range(1, WEEKS * 7)
                if (start + timedelta(days=i)).day == 1
            }
            assert len(labels) >= len(begun), today


def test_the_labels_are_drawn_where_their_boxes_say() -> None:
    today = date(2026, 1, 14)  # the first column starts 29 Sep: October begins in it
    png = render_stats_png(ChartData(today=today))
    labels = month_labels(today)
    assert [label.text for label in labels] == ["Oct", "Nov", "Dec", "Jan"]
    for label in labels:
        assert inked(png, label.box) > 0, label


def _plotted(
    image: Image.Image, colours: set[tuple[int, int, int]], right: int
) -> list[tuple[int, int]]:
    rgb = image.convert("RGB")
    return [(x, y) for y in range(HEIGHT) for x in range(right) if rgb.getpixel((x, y)) in colours]


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_plotted_point_stays_inside_its_frame(language: str) -> None:
    # The extremes at the first and last columns: no pain and 10, 30 and 90 degrees, on the
    # first Monday and on today (a Sunday). A 30 used to run along the frame's bottom edge,
    # half of each dot below it.
    today = date(2026, 11, 29)
    start = first_monday(today)
    pain = {start: 0, start + timedelta(days=1): 10, today - timedelta(days=1): 10, today: 0}
    reach = {
        start: {"left": 30, "right": 90},
        start + timedelta(days=7): {"left": 90, "right": 30},
        today - timedelta(days=7): {"left": 30, "right": 90},
        today: {"left": 90, "right": 30},
    }
    with i18n.using(language):
        png = render_stats_png(ChartData(today=today, pain=pain, reach=reach, title="Ann"))
    pain_box = plot_frame(PAIN_TOP, PAIN_HEIGHT)
    reach_box = plot_frame(REACH_TOP, REACH_HEIGHT)
    image = Image.open(io.BytesIO(png))
    # Left of the latest answers and the legend, which are drawn in the lines' colours.
    limit = pain_box[2] + 10
    for colours, box in (
        ({COLOR_PAIN}, pain_box),
        ({COLOR_LEFT, COLOR_RIGHT}, reach_box),
    ):
        points = _plotted(image, colours, limit)
        assert len(points) > 100, language
        outside = [(x, y) for x, y in points if not (box[0] < x < box[2] and box[1] < y < box[3])]
        assert not outside, (language, box, outside[:5])
