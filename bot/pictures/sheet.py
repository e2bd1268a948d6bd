"""The contact sheet: every picture Limber draws, on one PNG, for people reading the docs.

    python -m bot.pictures.sheet docs/pictures/contact-sheet.png [routines.toml]

Per stretch with pose data: its still, and six frames of its animation taken from the GIF
itself (what Telegram would show). Then the five leg-angle pictures of the mobility check.
It prints how long each picture takes to draw at 480x360 (median of 5) and its size.
"""

from __future__ import annotations

import functools
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageSequence

from bot.config import DEFAULT_ROUTINES
from bot.pictures import style
from bot.pictures.media import draw_animation, draw_still
from bot.pictures.mobility import LEG_ANGLES, draw_leg_angle
from bot.routines import load_routines

MARGIN = 20
TITLE = 34
STILL = style.DEFAULT_SIZE
THUMB = (160, 120)
STRIP_FRAMES = 6
ANGLE = (192, 144)
REPEATS = 5


def gif_frames(data: bytes, count: int) -> list[Image.Image]:
    """`count` frames evenly spread over the GIF's first half (into the pose): the way back
    repeats them."""
    with Image.open(io.BytesIO(data)) as gif:
        all_frames = [f.convert("RGB") for f in ImageSequence.Iterator(gif)]
    half = all_frames[: len(all_frames) // 2 + 1]
    picks = [round(i * (len(half) - 1) / (count - 1)) for i in range(count)]
    return [half[i] for i in picks]


def _timed(draw: Callable[[], bytes], runs: int = REPEATS) -> tuple[float, bytes]:
    """The median time of `runs` draws in milliseconds (the machine is shared), and the bytes."""
    times, data = [], b""
    for _ in range(runs):
        t0 = time.perf_counter()
        data = draw()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), data


def build(routines: Path) -> tuple[Image.Image, list[str]]:
    """The sheet, and the measurement lines (draw time and size per picture)."""
    library = load_routines(routines)
    posed = [s for s in library.stretches.values() if s.pose is not None]
    report: list[str] = []
    rows: list[tuple[str, Image.Image, list[Image.Image]]] = []
    for stretch in posed:
        assert stretch.pose is not None
        pose = stretch.pose
        still_ms, still = _timed(functools.partial(draw_still, pose))
        gif_ms, gif = _timed(functools.partial(draw_animation, pose))
        with Image.open(io.BytesIO(gif)) as probe:
            n = getattr(probe, "n_frames", 1)
        report.append(
            f"{stretch.id}: still {still_ms:.0f} ms, {len(still) / 1024:.1f} KB; "
            f"animation {gif_ms:.0f} ms, {len(gif) / 1024:.1f} KB, {n} frames"
        )
        frames = [f.resize(THUMB, Image.Resampling.LANCZOS) for f in gif_frames(gif, STRIP_FRAMES)]
        rows.append((stretch.name, Image.open(io.BytesIO(still)).convert("RGB"), frames))
    angles = []
    for degrees in LEG_ANGLES:
        ms, data = _timed(functools.partial(draw_leg_angle, degrees))
        report.append(f"leg at {degrees}°: {ms:.0f} ms, {len(data) / 1024:.1f} KB")
        image = Image.open(io.BytesIO(data)).convert("RGB")
        angles.append(image.resize(ANGLE, Image.Resampling.LANCZOS))

    strip_w = 3 * THUMB[0] + 2 * 8
    width = MARGIN * 3 + STILL[0] + strip_w
    width = max(width, MARGIN * 2 + len(LEG_ANGLES) * ANGLE[0] + (len(LEG_ANGLES) - 1) * 8)
    height = MARGIN + len(rows) * (TITLE + STILL[1] + MARGIN) + TITLE + ANGLE[1] + MARGIN
    sheet = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=20)
    small = ImageFont.load_default(size=14)
    y = MARGIN
    for name, still_image, frames in rows:
        draw.text((MARGIN, y + 4), name, fill=style.INK, font=font)
        draw.text(
            (MARGIN * 2 + STILL[0], y + 10),
            "animation, into the pose",
            fill=style.GUIDE,
            font=small,
        )
        y += TITLE
        sheet.paste(still_image, (MARGIN, y))
        for i, frame in enumerate(frames):
            row, col = divmod(i, 3)
            x = MARGIN * 2 + STILL[0] + col * (THUMB[0] + 8)
            sheet.paste(frame, (x, y + row * (THUMB[1] + 8)))
        y += STILL[1] + MARGIN
    draw.text((MARGIN, y + 4), "Mobility check: how high the leg goes", fill=style.INK, font=font)
    y += TITLE
    for i, image in enumerate(angles):
        sheet.paste(image, (MARGIN + i * (ANGLE[0] + 8), y))
    return sheet, report


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m bot.pictures.sheet OUT.png [routines.toml]", file=sys.stderr)
        return 2
    out = Path(argv[0])
    routines = Path(argv[1]) if len(argv) > 1 else DEFAULT_ROUTINES
    sheet, report = build(routines)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, format="PNG", optimize=True)
    print("\n".join(report))
    print(f"{out}: {sheet.width}x{sheet.height}, {out.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
