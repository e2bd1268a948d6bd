"""Draw one keyframe of a pose as an RGB image: props, body, towel, arrow, in the flat style.

Drawn by hand with Pillow's ImageDraw: no library draws a stick figure from joint data, and
a body of thick rounded limbs is a handful of lines and circles (see docs/design-notes.md).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from PIL import Image, ImageDraw

from bot.pictures import style
from bot.pictures.style import Colour
from bot.routines import FLOOR_Y, POSE_X_MAX, POSE_Y_MAX, Keyframe, Point, Pose, Prop

SEAT_THICKNESS = 0.028  # a chair's seat board, below the seat height
CHAIR_DEPTH = 0.2  # from the seat's front edge to the back rest


@dataclass(frozen=True, slots=True)
class View:
    """Maps pose units (y up) to pixels (y down) of a canvas, keeping the 4:3 box centred."""

    width: int
    height: int

    @property
    def scale(self) -> float:
        return min(self.width / POSE_X_MAX, self.height / POSE_Y_MAX)

    def px(self, p: Point) -> tuple[float, float]:
        s = self.scale
        ox = (self.width - POSE_X_MAX * s) / 2
        oy = (self.height - POSE_Y_MAX * s) / 2
        return ox + p[0] * s, self.height - (oy + p[1] * s)

    def length(self, units: float) -> float:
        return units * self.scale


@dataclass(frozen=True, slots=True)
class Extras:
    """What a still adds to the bare body: the stretching leg's earlier positions as pale
    ghosts, and the arrow of the movement."""

    ghosts: tuple[Keyframe, ...] = ()
    arrow_from: Keyframe | None = None


def render(
    pose: Pose,
    frame: Keyframe,
    size: tuple[int, int],
    extras: Extras | None = None,
    supersample: int = style.SUPERSAMPLE,
) -> Image.Image:
    """The keyframe drawn at `size` (supersampled, then scaled down)."""
    ss = supersample
    image = Image.new("RGB", (size[0] * ss, size[1] * ss), style.BACKGROUND)
    canvas = Canvas(ImageDraw.Draw(image), View(size[0] * ss, size[1] * ss))
    canvas.scene(pose, frame, extras or Extras())
    return image.resize(size, Image.Resampling.LANCZOS)


class Canvas:
    """Drawing primitives in pose units."""

    def __init__(self, draw: ImageDraw.ImageDraw, view: View) -> None:
        self.draw = draw
        self.view = view

    # -- primitives ---------------------------------------------------------------------------

    def limb(self, a: Point, b: Point, width: float, colour: Colour) -> None:
        """A thick segment with round ends."""
        pa, pb = self.view.px(a), self.view.px(b)
        w = self.view.length(width)
        self.draw.line([pa, pb], fill=colour, width=max(1, round(w)))
        for x, y in (pa, pb):
            self.draw.ellipse([x - w / 2, y - w / 2, x + w / 2, y + w / 2], fill=colour)

    def dot(self, p: Point, radius: float, colour: Colour) -> None:
        x, y = self.view.px(p)
        r = self.view.length(radius)
        self.draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)

    def rect(self, x0: float, y0: float, x1: float, y1: float, colour: Colour) -> None:
        """A rectangle between two corners in pose units."""
        (ax, ay), (bx, by) = self.view.px((x0, y0)), self.view.px((x1, y1))
        self.draw.rectangle([min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)], fill=colour)

    def rounded(self, x0: float, y0: float, x1: float, y1: float, r: float, colour: Colour) -> None:
        (ax, ay), (bx, by) = self.view.px((x0, y0)), self.view.px((x1, y1))
        self.draw.rounded_rectangle(
            [min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)],
            radius=self.view.length(r),
            fill=colour,
        )

    def arc_arrow(
        self, centre: Point, radius: float, start: float, end: float, colour: Colour
    ) -> None:
        """An arc around `centre` from angle `start` to `end` (radians, counter-clockwise
        from the +x axis, y up), with an arrowhead at `end`."""
        steps = max(8, int(abs(end - start) / math.radians(4)))
        head = 0.035
        # Stop the line short of the tip so the arrowhead's point stays sharp.
        shorten = head * 0.6 / radius * (1 if end > start else -1)
        angles = [start + (end - shorten - start) * i / steps for i in range(steps + 1)]
        line = [
            self.view.px((centre[0] + radius * math.cos(a), centre[1] + radius * math.sin(a)))
            for a in angles
        ]
        self.draw.line(
            line, fill=colour, width=round(self.view.length(style.ARROW_WIDTH)), joint="curve"
        )
        tip = (centre[0] + radius * math.cos(end), centre[1] + radius * math.sin(end))
        direction = 1 if end > start else -1
        # Tangent of the motion at the tip.
        tx, ty = -math.sin(end) * direction, math.cos(end) * direction
        nx, ny = -ty, tx
        back = (tip[0] - tx * head, tip[1] - ty * head)
        wing = head * 0.55
        triangle = [
            tip,
            (back[0] + nx * wing, back[1] + ny * wing),
            (back[0] - nx * wing, back[1] - ny * wing),
        ]
        self.draw.polygon([self.view.px(p) for p in triangle], fill=colour)

    # -- the scene ----------------------------------------------------------------------------

    def scene(self, pose: Pose, frame: Keyframe, extras: Extras) -> None:
        for prop in pose.props:
            if prop.kind in ("wall", "doorway"):
                self.wall(prop, doorway=prop.kind == "doorway")
            elif prop.kind == "corner":
                self.corner(prop)
        for prop in pose.props:
            if prop.kind == "bed":
                self.bed(prop)
            elif prop.kind == "floor":
                self.floor(prop)
            elif prop.kind == "chair":
                self.chair(prop, front=False)
        leg = pose.stretching_leg
        for ghost in extras.ghosts:
            self.leg(ghost, leg, style.GHOST)
        far_leg = style.ACCENT_FAR if leg == "far" else style.BODY_FAR
        towel = pose.prop("towel")
        self.arm(frame, "far", style.BODY_FAR)
        if towel is not None and towel.foot == "far":
            self.towel(frame, towel)
        self.leg(frame, "far", far_leg)
        for prop in pose.props:
            if prop.kind == "doorway":
                self.door_jamb(prop)
        self.trunk(frame)
        for prop in pose.props:
            if prop.kind == "chair":
                self.chair(prop, front=True)
        if towel is not None and towel.foot == "near":
            self.towel(frame, towel)
        self.leg(frame, "near", style.ACCENT if leg == "near" else style.BODY)
        self.arm(frame, "near", style.BODY)
        if pose.arrow is not None and extras.arrow_from is not None:
            self.movement_arrow(pose, extras.arrow_from, frame)

    def trunk(self, frame: Keyframe) -> None:
        hip = _mid(frame.near.hip, frame.far.hip)
        self.limb(frame.neck, hip, style.TRUNK_WIDTH, style.BODY)
        self.limb(frame.neck, frame.head, style.NECK_WIDTH, style.BODY)
        self.dot(frame.head, style.HEAD_RADIUS, style.BODY)

    def leg(self, frame: Keyframe, side: str, colour: Colour) -> None:
        s = frame.near if side == "near" else frame.far
        self.limb(s.hip, s.knee, style.LEG_WIDTH, colour)
        self.limb(s.knee, s.ankle, style.LEG_WIDTH * 0.9, colour)
        self.limb(s.ankle, s.toe, style.FOOT_WIDTH, colour)

    def arm(self, frame: Keyframe, side: str, colour: Colour) -> None:
        s = frame.near if side == "near" else frame.far
        self.limb(s.shoulder, s.elbow, style.ARM_WIDTH, colour)
        self.limb(s.elbow, s.hand, style.ARM_WIDTH * 0.9, colour)
        self.dot(s.hand, style.HAND_RADIUS, colour)

    def towel(self, frame: Keyframe, prop: Prop) -> None:
        """The middle of the towel behind the ankle, one end in each hand: a loop round the
        back of the ankle, two strands to the hands."""
        foot = frame.near if prop.foot == "near" else frame.far
        hand = (frame.near if prop.hands == "near" else frame.far).hand
        ankle = foot.ankle
        ux, uy = ankle[0] - hand[0], ankle[1] - hand[1]
        d = math.hypot(ux, uy) or 1.0
        ux, uy = ux / d, uy / d
        nx, ny = -uy, ux
        r = style.LEG_WIDTH * 0.45 + style.TOWEL_WIDTH * 0.5
        for sign in (1, -1):
            self.limb(
                hand,
                (ankle[0] + sign * nx * r, ankle[1] + sign * ny * r),
                style.TOWEL_WIDTH,
                style.TOWEL,
            )
        # The loop: half a ring on the far side of the ankle from the hands (behind the heel
        # when the hands pull the leg towards the body).
        start = math.atan2(ny, nx)
        ring = [
            (
                ankle[0] + r * math.cos(start - math.pi * i / 12),
                ankle[1] + r * math.sin(start - math.pi * i / 12),
            )
            for i in range(13)
        ]
        for a, b in itertools.pairwise(ring):
            self.limb(a, b, style.TOWEL_WIDTH, style.TOWEL)

    def movement_arrow(self, pose: Pose, start: Keyframe, hold: Keyframe) -> None:
        assert pose.arrow is not None
        # Each keyframe's joint seen from its own pivot: the body may have moved in between.
        centre = hold.joint(pose.arrow.around)
        a0, a = start.joint(pose.arrow.around), start.joint(pose.arrow.joint)
        b = hold.joint(pose.arrow.joint)
        a_angle = math.atan2(a[1] - a0[1], a[0] - a0[0])
        b_angle = math.atan2(b[1] - centre[1], b[0] - centre[0])
        turn = (b_angle - a_angle + math.pi) % (2 * math.pi) - math.pi
        if abs(turn) < math.radians(8):
            return  # too little movement for an arrow to say anything
        radius = max(math.dist(a0, a), math.dist(centre, b)) + 0.07
        # The arc starts a little after the start and ends short of the joint it points at.
        margin = math.radians(6) * (1 if turn > 0 else -1)
        self.arc_arrow(centre, radius, a_angle + margin, a_angle + turn - margin, style.ACCENT)

    # -- props --------------------------------------------------------------------------------

    def floor(self, prop: Prop) -> None:
        y = prop.y if prop.y is not None else FLOOR_Y
        self.rect(0, 0, POSE_X_MAX, y, style.FLOOR)
        self.rect(0, y - 0.004, POSE_X_MAX, y, style.FLOOR_EDGE)

    def bed(self, prop: Prop) -> None:
        assert isinstance(prop.x, tuple) and prop.y is not None
        x0, x1 = prop.x
        top = prop.y
        self.rect(0, 0, POSE_X_MAX, FLOOR_Y, style.FLOOR)
        self.rect(x0 + 0.02, FLOOR_Y, x0 + 0.045, top, style.BED_FRAME)
        self.rect(x1 - 0.045, FLOOR_Y, x1 - 0.02, top, style.BED_FRAME)
        self.rect(x0, top - 0.09, x1, top - 0.06, style.BED_FRAME)
        self.rounded(x0, top - 0.065, x1, top, 0.02, style.MATTRESS)

    def chair(self, prop: Prop, *, front: bool) -> None:
        """A side view of a chair; the back and far legs behind the body, the seat in front."""
        assert isinstance(prop.x, float) and prop.y is not None
        facing = 1 if prop.facing != "left" else -1
        front_x = prop.x
        back_x = front_x - facing * CHAIR_DEPTH
        seat = prop.y
        if not front:
            self.rect(0, 0, POSE_X_MAX, FLOOR_Y, style.FLOOR)
            # Back rest and the back legs.
            self.limb((back_x, FLOOR_Y), (back_x, seat + 0.24), 0.02, style.WOOD_DARK)
            self.limb(
                (front_x - facing * 0.01, FLOOR_Y),
                (front_x - facing * 0.01, seat - 0.01),
                0.018,
                style.WOOD_DARK,
            )
            return
        under = seat - SEAT_THICKNESS
        self.limb(
            (back_x + facing * 0.02, FLOOR_Y), (back_x + facing * 0.02, under), 0.02, style.WOOD
        )
        self.limb(
            (front_x - facing * 0.015, FLOOR_Y), (front_x - facing * 0.015, under), 0.02, style.WOOD
        )
        # The seat's top surface is at the seat height, and the board ends at the front edge:
        # the thighs rest on that surface, and a thigh leaves the seat at exactly that edge.
        self.rounded(back_x, seat - SEAT_THICKNESS, front_x, seat, 0.006, style.WOOD)

    def wall(self, prop: Prop, *, doorway: bool) -> None:
        assert isinstance(prop.x, float)
        # The wall's face is at x; it stands on the side the prop does not face.
        face = prop.x
        beyond = POSE_X_MAX if prop.facing != "right" else 0.0
        colour = style.WALL
        if doorway:
            # Seen from the side, the far leg goes through the opening: the wall beyond is
            # paler than a plain wall, and the door frame's edge is drawn over the far leg.
            colour = _blend(style.WALL, style.BACKGROUND, 0.55)
        self.rect(face, 0, beyond, POSE_Y_MAX, colour)
        if not doorway:
            self.rect(face - 0.003, 0, face + 0.003, POSE_Y_MAX, style.WALL_EDGE)

    def corner(self, prop: Prop) -> None:
        """Two walls meeting at x. The one along the body stands behind the leg that lies past
        the corner: seen face on, with its skirting at the floor. The one the raised heel rests
        on faces the head: seen edge on, a narrow shaded band at the corner's edge."""
        assert isinstance(prop.x, float)
        away = 1 if prop.facing != "right" else -1
        edge = prop.x
        beyond = POSE_X_MAX if away > 0 else 0.0
        self.rect(edge, 0, beyond, POSE_Y_MAX, style.WALL)
        self.rect(edge, FLOOR_Y, beyond, FLOOR_Y + 0.022, _blend(style.WALL, style.WALL_EDGE, 0.45))
        self.rect(
            edge, 0, edge + away * 0.014, POSE_Y_MAX, _blend(style.WALL, style.WALL_EDGE, 0.6)
        )
        self.rect(edge - away * 0.002, 0, edge + away * 0.002, POSE_Y_MAX, style.WALL_EDGE)

    def door_jamb(self, prop: Prop) -> None:
        assert isinstance(prop.x, float)
        away = 1 if prop.facing != "right" else -1
        face = prop.x
        self.rect(face, FLOOR_Y, face + away * 0.035, 0.62, style.WALL_EDGE)
        self.rect(face, 0.6, face + away * 0.2, 0.64, style.WALL_EDGE)


def _mid(a: Point, b: Point) -> Point:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def _blend(a: Colour, b: Colour, t: float) -> Colour:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )
