"""The /stats picture: a 16-week calendar, the streak figures, the back-pain line and, on the
same week columns below it, the mobility line (how high the straight leg goes, per side).

Drawn with Pillow and DejaVu Sans shipped in bot/fonts (Bitstream Vera licence, beside it),
so it needs no system fonts, renders the same on every machine, and draws every language
Limber speaks: Pillow's built-in font has Latin only, and a Cyrillic name came out blank. The
labels come from bot/texts.py in the user's language. It is CPU work, so callers run it off the
event loop (inside a copy of the caller's context, so the language goes along).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot import texts
from bot.domain.streaks import DayRecord

RGB = tuple[int, int, int]

WIDTH, HEIGHT = 1000, 780
WEEKS = 16
BACKGROUND = (255, 255, 255)
INK = (40, 44, 52)
MUTED = (120, 126, 136)
COLOR_NONE = (230, 232, 236)
COLOR_MORNING = (255, 196, 87)
COLOR_BEDTIME = (120, 144, 230)
COLOR_BOTH = (46, 160, 90)
COLOR_FUTURE = (255, 255, 255)
COLOR_PAIN = (214, 69, 65)
COLOR_FREEZE = (160, 215, 245)
COLOR_LEFT = (123, 63, 196)
COLOR_RIGHT = (0, 150, 170)

CELL, GAP = 24, 5
LEFT, TOP = 70, 130
PAIN_TOP, PAIN_HEIGHT = 400, 150
# The mobility line shares the calendar's week columns, so a week reads straight down.
REACH_TOP, REACH_HEIGHT = 610, 120
REACH_MIN, REACH_MAX = 30, 90
# A dot is 4 px round on a 3 px line, and a plot's frame is the box its grid lines span: the
# lowest and highest values (no pain, 30 degrees) used to sit on the frame's edge with half of
# every dot and the line's width outside it. Values are placed this far inside the frame.
PLOT_PAD = 8
# The least space between two month labels above the calendar.
LABEL_GAP = 6


@dataclass(frozen=True, slots=True)
class ChartData:
    today: date
    days: Mapping[date, DayRecord] = field(default_factory=dict)
    pain: Mapping[date, int] = field(default_factory=dict)
    current: int = 0
    best: int = 0
    total_sessions: int = 0
    total_minutes: int = 0
    full_days: int = 0
    freezes_held: int = 0
    title: str = ""
    # Mobility checks: day -> {"left": degrees, "right": degrees}.
    reach: Mapping[date, Mapping[str, int]] = field(default_factory=dict)
    # Days a streak freeze was spent on (kept the streak without a session).
    frozen: frozenset[date] = frozenset()
    # This week's lines for the panel beside the calendar (bot/texts.py words them).
    week_lines: tuple[str, ...] = ()


def first_monday(today: date) -> date:
    """The Monday starting the first of the 16 weeks shown (the last one holds today)."""
    return today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)


def cell_center(today: date, day: date) -> tuple[int, int]:
    """Pixel centre of a day's calendar cell (for tests and the pain line's x)."""
    offset = (day - first_monday(today)).days
    week, weekday = divmod(offset, 7)
    x = LEFT + week * (CELL + GAP) + CELL // 2
    y = TOP + weekday * (CELL + GAP) + CELL // 2
    return x, y


def day_x(today: date, day: date) -> float:
    """The x of a day on the lines below the calendar: each day of a week gets its own x
    within its week's column, Monday at the cell's left edge and Sunday at its right, so a
    point never passes the calendar's last column (it did by 12 px when days were spread
    over the cell and its gap)."""
    week, weekday = divmod((day - first_monday(today)).days, 7)
    return LEFT + week * (CELL + GAP) + weekday * CELL / 6


def plot_frame(top: int, height: int) -> tuple[int, int, int, int]:
    """The box (left, top, right, bottom) a line is drawn in: the calendar's columns with room
    for a dot on either side, `height` pixels down from `top`."""
    right = LEFT + WEEKS * (CELL + GAP) - GAP
    return LEFT - PLOT_PAD, top, right + PLOT_PAD, top + height


def _plot_y(top: int, height: int, share: float) -> float:
    """The y of a value `share` (0 at the bottom, 1 at the top) of the way up a plot."""
    return top + height - PLOT_PAD - max(0.0, min(1.0, share)) * (height - 2 * PLOT_PAD)


def pain_point(today: date, day: date, score: int) -> tuple[float, float]:
    """Pixel centre of a pain answer's dot."""
    return day_x(today, day), _plot_y(PAIN_TOP, PAIN_HEIGHT, score / 10)


def reach_point(today: date, day: date, degrees: int) -> tuple[float, float]:
    """Pixel centre of a mobility answer's dot (30 degrees at the bottom, 90 at the top)."""
    share = (degrees - REACH_MIN) / (REACH_MAX - REACH_MIN)
    return day_x(today, day), _plot_y(REACH_TOP, REACH_HEIGHT, share)


@dataclass(frozen=True, slots=True)
class MonthLabel:
    """A month's name above the calendar: where it is drawn from and the box its ink fills."""

    text: str
    at: tuple[int, int]
    box: tuple[int, int, int, int]


def month_labels(today: date) -> list[MonthLabel]:
    """The month names above the calendar and the box each is drawn in: at the first column
    and at every month's first day. The first column's month is left out when the next
    month begins too close after it (within a week or two, "Sept" was drawn over "Oct"): the
    month that begins is the one worth naming."""
    start = first_monday(today)
    small = _font(14)
    labels: list[MonthLabel] = []
    for offset in range(WEEKS * 7):
        day = start + timedelta(days=offset)
        if day.day != 1 and offset != 0:
            continue
        x, y = cell_center(today, day)[0] - CELL // 2, TOP - 22
        text = texts.chart_month(day.month)
        left, top, right, bottom = (round(v) for v in small.getbbox(text))
        box = (x + left, y + top, x + right, y + bottom)
        if labels and box[0] < labels[-1].box[2] + LABEL_GAP:
            labels.pop()
        labels.append(MonthLabel(text, (x, y), box))
    return labels


def _drawable(text: str) -> str:
    """The part of a name the font can draw (Latin, Greek, Cyrillic: below U+0530); emoji and
    other scripts would come out as boxes, so they are left out rather than shown broken."""
    kept = "".join(c for c in text if c == " " or (c.isprintable() and ord(c) < 0x530))
    return " ".join(kept.split())[:40]


FONT_PATH = Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    # Cached per size: five sizes per picture, each face object reused by every picture.
    return ImageFont.truetype(str(FONT_PATH), size=size)


def _fitting(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> ImageFont.FreeTypeFont:
    """The font at `size`, or smaller until `text` fits `width` pixels: the figures line is
    longest in Portuguese (~890 px at 18 of the 910 there are) and a large number adds more."""
    while size > 10 and draw.textlength(text, font=_font(size)) > width:
        size -= 1
    return _font(size)


def _colour(
    record: DayRecord | None, day: date, today: date, frozen: frozenset[date] = frozenset()
) -> tuple[int, int, int]:
    if day > today:
        return COLOR_FUTURE
    if day in frozen:
        return COLOR_FREEZE
    if record is None:
        return COLOR_NONE
    if record.full:
        return COLOR_BOTH
    return COLOR_MORNING if record.morning else COLOR_BEDTIME


def render_stats_png(data: ChartData) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    name = _drawable(data.title)
    draw.text((LEFT, 24), texts.chart_title(name), fill=INK, font=_font(30))
    figures = texts.chart_figures(
        data.current,
        data.best,
        data.total_sessions,
        data.total_minutes,
        data.full_days,
        data.freezes_held,
    )
    draw.text((LEFT, 70), figures, fill=INK, font=_fitting(draw, figures, 18, WIDTH - LEFT - 20))
    _calendar(draw, data)
    _legend(draw)
    _this_week(draw, data)
    _pain(draw, data)
    _latest_pain(draw, data)
    _reach(draw, data)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _calendar(draw: ImageDraw.ImageDraw, data: ChartData) -> None:
    start = first_monday(data.today)
    small = _font(14)
    for label, weekday in texts.chart_weekdays():
        draw.text((LEFT - 45, TOP + weekday * (CELL + GAP) + 4), label, fill=MUTED, font=small)
    for offset in range(WEEKS * 7):
        day = start + timedelta(days=offset)
        x, y = cell_center(data.today, day)
        colour = _colour(data.days.get(day), day, data.today, data.frozen)
        box = (x - CELL // 2, y - CELL // 2, x + CELL // 2, y + CELL // 2)
        draw.rounded_rectangle(
            box, radius=4, fill=colour, outline=COLOR_NONE if colour == COLOR_FUTURE else None
        )
    for month in month_labels(data.today):
        draw.text(month.at, month.text, fill=MUTED, font=small)
    if start <= data.today:
        x, y = cell_center(data.today, data.today)
        draw.rounded_rectangle(
            (x - CELL // 2 - 2, y - CELL // 2 - 2, x + CELL // 2 + 2, y + CELL // 2 + 2),
            radius=5,
            outline=INK,
            width=2,
        )


def _legend(draw: ImageDraw.ImageDraw) -> None:
    x = LEFT + WEEKS * (CELL + GAP) + 30
    colours = (COLOR_MORNING, COLOR_BEDTIME, COLOR_BOTH, COLOR_NONE, COLOR_FREEZE)
    labels = (*texts.chart_legend(), texts.CHART_FREEZE)
    for i, (label, colour) in enumerate(zip(labels, colours, strict=True)):
        y = TOP + i * 34
        draw.rounded_rectangle((x, y, x + CELL, y + CELL), radius=4, fill=colour)
        # The "This week" panel starts 16 px left of PANEL_LEFT: a longer label
        # ("Protetor usado", 115 px at 16) shrinks to end before it.
        fit = _fitting(draw, label, 16, PANEL_LEFT - 24 - (x + CELL + 10))
        draw.text((x + CELL + 10, y + 3), label, fill=INK, font=fit)


def _pain(draw: ImageDraw.ImageDraw, data: ChartData) -> None:
    small = _font(14)
    draw.text((LEFT, PAIN_TOP - 30), texts.CHART_PAIN_TITLE, fill=INK, font=_font(16))
    frame = plot_frame(PAIN_TOP, PAIN_HEIGHT)
    draw.rectangle(frame, outline=COLOR_NONE)
    for value in (0, 5, 10):
        _, y = pain_point(data.today, data.today, value)
        draw.line((frame[0], y, frame[2], y), fill=COLOR_NONE, width=1)
        draw.text((LEFT - 38, y - 8), str(value), fill=MUTED, font=small)
    start = first_monday(data.today)
    shown = {d: data.pain[d] for d in data.pain if start <= d <= data.today}
    _line(draw, [(d, pain_point(data.today, d, v)) for d, v in sorted(shown.items())], COLOR_PAIN)
    if not data.pain:
        draw.text((LEFT + 10, PAIN_TOP + 60), texts.CHART_NO_PAIN, fill=MUTED, font=small)


def _line(
    draw: ImageDraw.ImageDraw, points: list[tuple[date, tuple[float, float]]], colour: RGB
) -> None:
    """Dots joined by a line, broken where more than a week passes without an answer."""
    run: list[tuple[float, float]] = []
    previous: date | None = None
    for day, xy in points:
        if previous is not None and (day - previous).days > 7:
            if len(run) > 1:
                draw.line(run, fill=colour, width=3)
            run = []
        run.append(xy)
        previous = day
    if len(run) > 1:
        draw.line(run, fill=colour, width=3)
    for _, (x, y) in points:
        draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=colour)


def _reach(draw: ImageDraw.ImageDraw, data: ChartData) -> None:
    small = _font(14)
    right = LEFT + WEEKS * (CELL + GAP) - GAP
    draw.text((LEFT, REACH_TOP - 30), texts.CHART_REACH_TITLE, fill=INK, font=_font(16))
    frame = plot_frame(REACH_TOP, REACH_HEIGHT)
    draw.rectangle(frame, outline=COLOR_NONE)
    for value in (30, 60, 90):
        _, y = reach_point(data.today, data.today, value)
        draw.line((frame[0], y, frame[2], y), fill=COLOR_NONE, width=1)
        draw.text((LEFT - 46, y - 8), f"{value}°", fill=MUTED, font=small)
    start = first_monday(data.today)
    days = sorted(d for d in data.reach if start <= d <= data.today)
    for side, colour in (("left", COLOR_LEFT), ("right", COLOR_RIGHT)):
        points = [
            (d, reach_point(data.today, d, data.reach[d][side]))
            for d in days
            if side in data.reach[d]
        ]
        _line(draw, points, colour)
    if not data.reach:
        draw.text((LEFT + 10, REACH_TOP + 45), texts.CHART_NO_REACH, fill=MUTED, font=small)
    elif days:
        latest = data.reach[days[-1]]
        words = texts.chart_latest_reach(latest.get("left"), latest.get("right"))
        fit = _fitting(draw, words, 16, WIDTH - 20 - (right + 20))
        draw.text((right + 20, REACH_TOP + 66), words, fill=INK, font=fit)
    # Which line is which, to the right of the lines.
    for i, (label, colour) in enumerate(
        zip(texts.chart_reach_sides(), (COLOR_LEFT, COLOR_RIGHT), strict=True)
    ):
        y = REACH_TOP + 10 + i * 26
        draw.line((right + 20, y + 8, right + 44, y + 8), fill=colour, width=3)
        draw.text((right + 52, y), label, fill=INK, font=small)


# The right-hand column: this week beside the calendar, the latest answer beside each line.
PANEL_LEFT = 720


def _this_week(draw: ImageDraw.ImageDraw, data: ChartData) -> None:
    if not data.week_lines:
        return
    draw.rounded_rectangle(
        (PANEL_LEFT - 16, TOP - 8, WIDTH - 20, TOP + 7 * (CELL + GAP) - GAP + 8),
        radius=8,
        fill=(246, 247, 249),
    )
    draw.text((PANEL_LEFT, TOP), texts.CHART_THIS_WEEK, fill=INK, font=_font(20))
    for i, line in enumerate(data.week_lines):
        # Shrunk to the panel's width: "Sessões: 2 (semana passada 6)" is the widest language.
        fit = _fitting(draw, line, 16, WIDTH - 28 - PANEL_LEFT)
        draw.text((PANEL_LEFT, TOP + 36 + i * 28), _drawable(line), fill=INK, font=fit)


def _latest_pain(draw: ImageDraw.ImageDraw, data: ChartData) -> None:
    shown = [d for d in data.pain if d <= data.today]
    if not shown:
        return
    day = max(shown)
    right = LEFT + WEEKS * (CELL + GAP) - GAP
    latest = texts.chart_latest_pain(data.pain[day], day.day, day.month)
    fit = _fitting(draw, latest, 16, WIDTH - 20 - (right + 20))
    draw.text((right + 20, PAIN_TOP + 10), latest, fill=COLOR_PAIN, font=fit)
