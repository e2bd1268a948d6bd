"""Moving a body between keyframes without stretching its limbs: pure geometry, no drawing.

Joint positions are not interpolated straight: a leg swinging from the floor to the ceiling
would shrink to 71 % of its length half-way (the chord of a quarter circle). Instead the body is
a tree of bones rooted at the near hip; the root moves in a straight line and every bone turns
by the shorter way round and keeps its length, and the joints are rebuilt from the root out.
"""

from __future__ import annotations

import math

from bot.routines import SIDE_JOINTS, Keyframe, Point, Side

# (parent, child), parents before children; the root is near.hip.
BONES: tuple[tuple[str, str], ...] = (
    ("near.hip", "far.hip"),
    ("near.hip", "near.knee"),
    ("near.knee", "near.ankle"),
    ("near.ankle", "near.toe"),
    ("far.hip", "far.knee"),
    ("far.knee", "far.ankle"),
    ("far.ankle", "far.toe"),
    ("near.hip", "neck"),
    ("neck", "head"),
    ("neck", "near.shoulder"),
    ("near.shoulder", "near.elbow"),
    ("near.elbow", "near.hand"),
    ("neck", "far.shoulder"),
    ("far.shoulder", "far.elbow"),
    ("far.elbow", "far.hand"),
)
ROOT = "near.hip"


def points(frame: Keyframe) -> dict[str, Point]:
    """Every joint of a keyframe by name."""
    joints = {"head": frame.head, "neck": frame.neck}
    for side_name, side in (("near", frame.near), ("far", frame.far)):
        for j in SIDE_JOINTS:
            joints[f"{side_name}.{j}"] = getattr(side, j)
    return joints


def from_points(name: str, joints: dict[str, Point]) -> Keyframe:
    """A keyframe from joints by name (the inverse of `points`)."""

    def side(s: str) -> Side:
        return Side(**{j: _round(joints[f"{s}.{j}"]) for j in SIDE_JOINTS})

    return Keyframe(
        name=name,
        head=_round(joints["head"]),
        neck=_round(joints["neck"]),
        near=side("near"),
        far=side("far"),
    )


def _round(p: Point) -> Point:
    # Rounded so that the same pose always gives the same floats, whatever path computed them
    # (the pictures are cached and compared by content).
    return (round(p[0], 6), round(p[1], 6))


def interpolate(a: Keyframe, b: Keyframe, t: float, name: str = "between") -> Keyframe:
    """The body a fraction `t` (0..1) of the way from `a` to `b`."""
    pa, pb = points(a), points(b)
    out: dict[str, Point] = {
        ROOT: (_lerp(pa[ROOT][0], pb[ROOT][0], t), _lerp(pa[ROOT][1], pb[ROOT][1], t))
    }
    for parent, child in BONES:
        angle_a, length_a = _polar(pa[parent], pa[child])
        angle_b, length_b = _polar(pb[parent], pb[child])
        turn = (angle_b - angle_a + math.pi) % (2 * math.pi) - math.pi
        angle = angle_a + turn * t
        length = _lerp(length_a, length_b, t)
        px, py = out[parent]
        out[child] = (px + length * math.cos(angle), py + length * math.sin(angle))
    return from_points(name, out)


def ease(t: float) -> float:
    """Slow in, slow out: a body starts and stops moving gently."""
    return t * t * (3 - 2 * t)


def with_leg_angle(frame: Keyframe, side: str, degrees: float) -> Keyframe:
    """`frame` with the `side` leg straight, raised `degrees` from the floor (0 = flat along
    the floor towards the feet, 90 = pointing at the ceiling), the foot at a right angle to
    the shin. The limb lengths are the frame's own. For the mobility check (issue 17)."""
    joints = points(frame)
    hip = joints[f"{side}.hip"]
    thigh = math.dist(hip, joints[f"{side}.knee"])
    shin = math.dist(joints[f"{side}.knee"], joints[f"{side}.ankle"])
    foot = math.dist(joints[f"{side}.ankle"], joints[f"{side}.toe"])
    # Which way the feet point: away from the neck.
    feet = 1.0 if hip[0] >= joints["neck"][0] else -1.0
    theta = math.radians(degrees)
    dx, dy = feet * math.cos(theta), math.sin(theta)
    knee = (hip[0] + thigh * dx, hip[1] + thigh * dy)
    ankle = (knee[0] + shin * dx, knee[1] + shin * dy)
    # The toes point the way the front of the leg faces: up when the leg lies flat.
    tx, ty = -dy * feet, dx * feet
    toe = (ankle[0] + foot * tx, ankle[1] + foot * ty)
    joints.update({f"{side}.knee": knee, f"{side}.ankle": ankle, f"{side}.toe": toe})
    return from_points(f"{frame.name}@{degrees:g}", joints)


def _polar(a: Point, b: Point) -> tuple[float, float]:
    return math.atan2(b[1] - a[1], b[0] - a[0]), math.dist(a, b)


def _lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t
