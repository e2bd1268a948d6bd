"""The mobility check's picture: the five choices (30..90 degrees), each the leg raised at that
angle as drawn by the stretch pictures' own code (bot.pictures.draw_leg_angle), so the answer
is a matter of looking, not guessing. One image rather than five photos: one upload, and the
choices sit side by side to compare."""

from __future__ import annotations

import hashlib
import io
import json
from functools import cache

from PIL import Image

from bot.domain.mobility import ANGLES
from bot.pictures import draw_leg_angle, leg_angle_pose, picture_key

PANEL = (320, 240)  # the pictures' 4:3
COLUMNS = 3
GUTTER = 8  # white between the choices, so each reads as its own picture
BACKGROUND = (255, 255, 255)


def panel_origin(index: int) -> tuple[int, int]:
    """Top-left pixel of the `index`-th choice (for tests)."""
    row, column = divmod(index, COLUMNS)
    return GUTTER + column * (PANEL[0] + GUTTER), GUTTER + row * (PANEL[1] + GUTTER)


@cache
def reach_choices_png() -> bytes:
    """One PNG with every choice, each labelled with its angle (drawn once per process)."""
    rows = -(-len(ANGLES) // COLUMNS)
    size = (GUTTER + COLUMNS * (PANEL[0] + GUTTER), GUTTER + rows * (PANEL[1] + GUTTER))
    sheet = Image.new("RGB", size, BACKGROUND)
    for i, degrees in enumerate(ANGLES):
        panel = Image.open(io.BytesIO(draw_leg_angle(degrees, PANEL))).convert("RGB")
        sheet.paste(panel, panel_origin(i))
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue()


@cache
def reach_picture_key() -> str:
    """The sheet's name for the file_id Telegram gives it (store.file_id_of): made of each
    choice's own picture key and the layout, so a change to the drawing (DRAWING_VERSION, the
    pose), the choices or the layout names a new picture, uploaded anew."""
    panels = [picture_key(leg_angle_pose(degrees), "leg-angle", PANEL) for degrees in ANGLES]
    blob = json.dumps([panels, COLUMNS, GUTTER, BACKGROUND], separators=(",", ":"))
    return "reach-" + hashlib.sha256(blob.encode()).hexdigest()[:20]
