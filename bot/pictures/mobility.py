"""The mobility check's pictures (issue 17): lying on the back, one leg raised straight to a
given angle, so a person answers "how high does my leg go?" by looking, not guessing."""

from __future__ import annotations

import math

from PIL import Image, ImageDraw, ImageFont

from bot.pictures import style
from bot.pictures.encode import encode_png
from bot.pictures.render import Canvas, Extras, View
from bot.pictures.skeleton import with_leg_angle
from bot.routines import FLOOR_Y, Keyframe, Pose, Prop, Side

LEG_ANGLES = (30, 45, 60, 75, 90)

_Y = FLOOR_Y + 0.038
# Lying on the back, head on the left, arms resting along the body, both legs flat: the same
# body as the lying stretch's start keyframe in routines.toml.
_LYING = Keyframe(
    name="lying",
    head=(0.21, _Y),
    neck=(0.26, _Y),
    near=Side(
        shoulder=(0.28, _Y),
        elbow=(0.4, _Y - 0.006),
        hand=(0.515, _Y - 0.006),
        hip=(0.47, _Y),
        knee=(0.64, _Y),
        ankle=(0.805, _Y),
        toe=(0.805, _Y + 0.05),
    ),
    far=Side(
        shoulder=(0.28, _Y),
        elbow=(0.4, _Y - 0.006),
        hand=(0.515, _Y - 0.006),
        hip=(0.47, _Y),
        knee=(0.64, _Y),
        ankle=(0.805, _Y),
        toe=(0.805, _Y + 0.05),
    ),
)


def leg_angle_pose(degrees: float, base: Keyframe = _LYING, side: str = "near") -> Pose:
    """A one-keyframe pose: `base` with the `side` leg straight at `degrees` from the floor."""
    frame = with_leg_angle(base, side, degrees)
    return Pose(stretching_leg=side, keyframes=(frame,), props=(Prop(kind="floor", y=FLOOR_Y),))


def draw_leg_angle(
    degrees: float, size: tuple[int, int] = style.DEFAULT_SIZE, *, label: bool = True
) -> bytes:
    """PNG: the leg at `degrees`, with the floor line, a faint vertical for 90° and the angle
    marked by an arc (and its number, when `label`)."""
    pose = leg_angle_pose(degrees)
    frame = pose.hold
    ss = style.SUPERSAMPLE
    image = Image.new("RGB", (size[0] * ss, size[1] * ss), style.BACKGROUND)
    draw = ImageDraw.Draw(image)
    view = View(size[0] * ss, size[1] * ss)
    canvas = Canvas(draw, view)
    hip = frame.near.hip
    reach = math.dist(hip, frame.near.ankle) + 0.05
    canvas.floor(pose.props[0])
    # The guides: where 90° would be, and the angle from the floor to the leg.
    _dashed(canvas, hip, (hip[0], hip[1] + reach), style.GUIDE)
    canvas.scene(pose, frame, Extras())
    r = 0.12
    arc = [
        (hip[0] + r * math.cos(math.radians(a)), hip[1] + r * math.sin(math.radians(a)))
        for a in range(0, int(degrees) + 1, 3)
    ] + [
        (hip[0] + r * math.cos(math.radians(degrees)), hip[1] + r * math.sin(math.radians(degrees)))
    ]
    draw.line(
        [view.px(p) for p in arc],
        fill=style.ACCENT,
        width=round(view.length(style.ARROW_WIDTH)),
        joint="curve",
    )
    if label:
        font = ImageFont.load_default(size=round(view.length(0.075)))
        text = f"{degrees:g}°"
        mid = math.radians(degrees / 2)
        # The number outside the arc, half-way round it.
        x, y = view.px((hip[0] + 0.2 * math.cos(mid), hip[1] + 0.2 * math.sin(mid)))
        draw.text((x, y), text, fill=style.INK, font=font, anchor="mm")
    return encode_png(image.resize(size, Image.Resampling.LANCZOS))


def _dashed(
    canvas: Canvas, a: tuple[float, float], b: tuple[float, float], colour: style.Colour
) -> None:
    length = math.dist(a, b)
    dash = 0.018
    n = int(length / dash)
    for i in range(0, n, 2):
        t0, t1 = i / n, min(1.0, (i + 1) / n)
        canvas.limb(
            (a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0),
            (a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1),
            0.005,
            colour,
        )
