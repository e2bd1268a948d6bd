"""The mobility check's picture: the five choices (30..90 degrees) side by side, so the
answer is a matter of looking. Until the stretch-picture code (bot/pictures/) is on this
branch, each panel is a plain outline drawn here; see `panel`."""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from bot.domain.mobility import ANGLES

PANEL = (240, 200)
BACKGROUND = (255, 255, 255)
INK = (40, 44, 52)


def panel(degrees: int) -> Image.Image:
    import math

    image = Image.new("RGB", PANEL, BACKGROUND)
    draw = ImageDraw.Draw(image)
    hip = (110, 160)
    draw.line((20, 165, 220, 165), fill=(200, 200, 200), width=2)
    draw.line((30, 160, hip[0], hip[1]), fill=INK, width=8)
    x = hip[0] + 95 * math.cos(math.radians(degrees))
    y = hip[1] - 95 * math.sin(math.radians(degrees))
    draw.line((hip[0], hip[1], x, y), fill=(46, 160, 90), width=8)
    draw.text(
        (PANEL[0] // 2, 24),
        f"{degrees}°",
        fill=INK,
        font=ImageFont.load_default(size=28),
        anchor="mm",
    )
    return image


@cache
def reach_choices_png() -> bytes:
    """One PNG with every choice, labelled (drawn once per process)."""
    strip = Image.new("RGB", (PANEL[0] * len(ANGLES), PANEL[1]), BACKGROUND)
    for i, degrees in enumerate(ANGLES):
        strip.paste(panel(degrees), (i * PANEL[0], 0))
    out = io.BytesIO()
    strip.save(out, format="PNG", optimize=True)
    return out.getvalue()
