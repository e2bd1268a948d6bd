"""The pictures: every stretch with pose data gets a still and an animation that show which
leg stretches, the same pose always gives the same bytes, and the mobility pictures put the
leg at the angle they name."""

from __future__ import annotations

import dataclasses
import io
import math
from pathlib import Path

import pytest
from PIL import Image, ImageSequence

from bot.config import DEFAULT_ROUTINES
from bot.pictures import (
    LEG_ANGLES,
    Pictures,
    draw_animation,
    draw_leg_angle,
    draw_still,
    leg_angle_pose,
    picture_key,
    style,
)
from bot.pictures.media import animation_frames
from bot.pictures.render import CHAIR_DEPTH, View
from bot.routines import LIMBS, Keyframe, Point, Prop, load_routines

DATA = Path(__file__).parents[1] / "data"
SIZE = style.DEFAULT_SIZE
SEED = load_routines(DEFAULT_ROUTINES)
SEED_POSES = {sid: s.pose for sid, s in SEED.stretches.items() if s.pose is not None}
TELEGRAM_KB = 300  # our own budget per animation: quick to upload, quick to show on a phone


def pixel(image: Image.Image, p: Point) -> tuple[int, int, int]:
    x, y = View(image.width, image.height).px(p)
    rgb = image.convert("RGB").getpixel((int(x), int(y)))
    assert isinstance(rgb, tuple)
    return (int(rgb[0]), int(rgb[1]), int(rgb[2]))


def close(a: tuple[int, int, int], b: tuple[int, int, int], tolerance: int = 14) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def along(a: Point, b: Point, ts: tuple[float, ...] = (0.3, 0.5, 0.7)) -> list[Point]:
    return [(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t) for t in ts]


def _near_segment(p: Point, a: Point, b: Point, within: float) -> bool:
    ax, ay, bx, by = *a, *b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / ((dx * dx + dy * dy) or 1)))
    return math.dist(p, (ax + t * dx, ay + t * dy)) < within


def leg_samples(frame: Keyframe, side: str) -> list[Point]:
    """Points along the thigh and shin of `side` not covered by what is drawn over them
    (the near arm and hand; the near leg, when `side` is the far one)."""
    s = frame.near if side == "near" else frame.far
    points = along(s.hip, s.knee, (0.35, 0.5, 0.65)) + along(s.knee, s.ankle)
    covers = [(frame.near.shoulder, frame.near.elbow), (frame.near.elbow, frame.near.hand)]
    if side == "far":
        n = frame.near
        covers += [(n.hip, n.knee), (n.knee, n.ankle), (n.ankle, n.toe)]
        covers += [(frame.neck, frame.near.hip)]
    margin = style.LEG_WIDTH
    return [p for p in points if not any(_near_segment(p, a, b, margin) for a, b in covers)]


def test_a_new_stretch_with_pose_data_gets_its_own_pictures(tmp_path: Path) -> None:
    library = load_routines(DATA / "posed.toml")
    assert library.stretches["plain"].pose is None  # no pose data: no picture, still loads
    pose = library.stretches["bedraise"].pose
    assert pose is not None
    pictures = Pictures(cache_dir=tmp_path)
    still, animation = pictures.still(pose), pictures.animation(pose)

    with Image.open(io.BytesIO(still.data)) as png:
        assert (png.format, png.size) == ("PNG", SIZE)
    with Image.open(io.BytesIO(animation.data)) as gif:
        assert (gif.format, gif.size) == ("GIF", SIZE)
        assert gif.n_frames > 10 and gif.info["loop"] == 0
    assert (still.mime, animation.mime) == ("image/png", "image/gif")
    assert len(animation.data) < TELEGRAM_KB * 1024

    seed_keys = {picture_key(p, k) for p in SEED_POSES.values() for k in ("still", "animation")}
    assert still.key not in seed_keys and animation.key not in seed_keys
    assert still.key != animation.key
    seed_stills = {draw_still(p) for p in SEED_POSES.values()}
    assert still.data not in seed_stills


@pytest.mark.parametrize("sid", sorted(SEED_POSES))
@pytest.mark.slow  # 1.4 s here (--durations)
def test_every_seed_stretch_gets_a_small_still_and_animation(sid: str) -> None:
    pose = SEED_POSES[sid]
    with Image.open(io.BytesIO(draw_still(pose))) as png:
        assert (png.format, png.size) == ("PNG", SIZE)
    data = draw_animation(pose)
    assert len(data) < TELEGRAM_KB * 1024
    with Image.open(io.BytesIO(data)) as gif:
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(gif)]
    # Rest in the start pose, move, stay in the hold longest, move back.
    assert durations[0] > 50 and max(durations) == durations[durations.index(max(durations))]
    assert max(durations) >= 1000 and durations.count(max(durations)) == 1
    assert sum(durations) < 10_000  # a short loop


def accent(leg: str) -> tuple[int, int, int]:
    return style.ACCENT if leg == "near" else style.ACCENT_FAR


@pytest.mark.parametrize("sid", sorted(SEED_POSES))
def test_the_stretching_leg_is_drawn_in_the_accent_colour(sid: str) -> None:
    pose = SEED_POSES[sid]
    leg = pose.stretching_leg
    other = "far" if leg == "near" else "near"
    still = Image.open(io.BytesIO(draw_still(pose)))
    samples = leg_samples(pose.hold, leg)
    assert len(samples) >= 4
    for p in samples:
        assert close(pixel(still, p), accent(leg)), (sid, p, pixel(still, p))
    # The other leg is not highlighted.
    others = leg_samples(pose.hold, other)
    assert others, sid
    for p in others:
        assert not close(pixel(still, p), style.ACCENT, 60), (sid, p)
        assert not close(pixel(still, p), style.ACCENT_FAR, 40), (sid, p)


def test_the_far_leg_is_highlighted_when_it_is_the_stretching_leg() -> None:
    lying = SEED_POSES["lying"]
    pose = dataclasses.replace(lying, stretching_leg="far")
    still = Image.open(io.BytesIO(draw_still(pose)))
    far = leg_samples(pose.hold, "far")
    assert far
    assert all(close(pixel(still, p), style.ACCENT_FAR) for p in far)
    near = leg_samples(pose.hold, "near")
    assert all(close(pixel(still, p), style.BODY) for p in near)


@pytest.mark.parametrize("sid", sorted(SEED_POSES))
@pytest.mark.slow  # 1.3 s here (--durations)
def test_the_animation_moves_the_stretching_leg_from_start_to_hold(sid: str) -> None:
    pose = SEED_POSES[sid]
    with Image.open(io.BytesIO(draw_animation(pose))) as gif:
        frames = [f.convert("RGB") for f in ImageSequence.Iterator(gif)]
        durations = [f.info["duration"] for f in ImageSequence.Iterator(gif)]
    first, held = frames[0], frames[durations.index(max(durations))]
    leg = pose.stretching_leg
    for p in leg_samples(pose.keyframes[0], leg):
        assert close(pixel(first, p), accent(leg)), (sid, p)
    for p in leg_samples(pose.hold, leg):
        assert close(pixel(held, p), accent(leg)), (sid, p)


def test_same_pose_same_bytes_and_key() -> None:
    again = load_routines(DEFAULT_ROUTINES)
    for sid, pose in SEED_POSES.items():
        twin = again.stretches[sid].pose
        assert twin is not None and twin is not pose
        assert draw_still(pose) == draw_still(twin)
        assert picture_key(pose, "still") == picture_key(twin, "still")
    towel = SEED_POSES["towel"]
    assert draw_animation(towel) == draw_animation(towel)
    hold = towel.hold
    moved = dataclasses.replace(
        hold, near=dataclasses.replace(hold.near, toe=(hold.near.toe[0] + 0.01, hold.near.toe[1]))
    )
    changed = dataclasses.replace(towel, keyframes=(*towel.keyframes[:-1], moved))
    assert picture_key(changed, "still") != picture_key(towel, "still")
    assert picture_key(towel, "still", (240, 180)) != picture_key(towel, "still")


def test_pictures_are_drawn_once_then_cached_in_memory_and_on_disk(tmp_path: Path) -> None:
    pose = SEED_POSES["chair"]
    first = Pictures(cache_dir=tmp_path)
    a = first.still(pose)
    assert first.still(pose) is a and first.drawn == 1
    assert (tmp_path / a.filename).read_bytes() == a.data
    after_restart = Pictures(cache_dir=tmp_path)
    assert after_restart.still(pose).data == a.data and after_restart.drawn == 0
    no_disk = Pictures()
    assert no_disk.still(pose).data == a.data and no_disk.drawn == 1


@pytest.mark.parametrize("degrees", LEG_ANGLES)
def test_leg_angle_pictures_put_the_leg_at_the_angle_they_name(degrees: int) -> None:
    image = Image.open(io.BytesIO(draw_leg_angle(degrees)))
    assert image.size == SIZE
    frame = leg_angle_pose(degrees).hold
    hip = frame.near.hip

    def at(angle: float, r: float) -> Point:
        return (
            hip[0] + r * math.cos(math.radians(angle)),
            hip[1] + r * math.sin(math.radians(angle)),
        )

    # Along the leg at its angle: the accent colour; 15 degrees either side: not the leg.
    for r in (0.2, 0.26, 0.3):
        assert close(pixel(image, at(degrees, r)), style.ACCENT), (degrees, r)
        for off in (-15, 15):
            if 0 < degrees + off <= 100:
                assert not close(pixel(image, at(degrees + off, r)), style.ACCENT, 60)
    # The straight leg keeps its length (a leg at any angle is the same leg).
    s = frame.near
    length = math.dist(s.hip, s.knee) + math.dist(s.knee, s.ankle)
    assert math.dist(s.hip, s.ankle) == pytest.approx(length, rel=1e-4)


def test_the_five_leg_angle_pictures_differ() -> None:
    assert len({draw_leg_angle(d) for d in LEG_ANGLES}) == len(LEG_ANGLES)


@pytest.mark.parametrize("sid", sorted(SEED_POSES))
def test_limbs_keep_their_length_while_moving(sid: str) -> None:
    # Joints moved in straight lines would shrink a leg swinging from the floor to the ceiling
    # to 71 % half-way; the skeleton turns the bones instead.
    pose = SEED_POSES[sid]
    for a, b in LIMBS:
        lengths = [math.dist(f.joint(a), f.joint(b)) for f in pose.keyframes]
        low, high = min(lengths), max(lengths)
        for frame in animation_frames(pose):
            assert low - 1e-4 <= math.dist(frame.joint(a), frame.joint(b)) <= high + 1e-4, (a, b)


def test_leg_angle_pictures_are_cached_under_their_own_keys(tmp_path: Path) -> None:
    pictures = Pictures(cache_dir=tmp_path)
    drawn = [pictures.leg_angle(d) for d in LEG_ANGLES]
    assert len({p.key for p in drawn}) == len(LEG_ANGLES)
    assert all(p.mime == "image/png" and p.filename.endswith(".png") for p in drawn)
    assert drawn[1].data == draw_leg_angle(LEG_ANGLES[1])
    assert pictures.leg_angle(LEG_ANGLES[0]) is drawn[0] and pictures.drawn == len(LEG_ANGLES)


def test_the_chair_thighs_rest_on_the_seat_never_through_it() -> None:
    # The straight leg's thigh leaves the seat at its front edge: it used to run 3 % of the
    # picture below the seat's top there, drawn through the board.
    pose = SEED_POSES["chair"]
    chair = pose.prop("chair")
    assert chair is not None and isinstance(chair.x, float) and chair.y is not None
    facing = 1 if chair.facing != "left" else -1
    back, front = sorted((chair.x - facing * CHAIR_DEPTH, chair.x))
    for frame in [*pose.keyframes, *animation_frames(pose)]:
        for side in (frame.near, frame.far):
            for x, y in along(side.hip, side.knee, tuple(i / 40 for i in range(41))):
                if back <= x <= front:
                    # The thigh is drawn LEG_WIDTH thick: its underside, not only its middle.
                    assert y - style.LEG_WIDTH / 2 >= chair.y - 0.002, (frame.name, x, y)
    # The seat's top surface is at the seat height: wood just below it, nothing above it at
    # the back of the seat, where no one sits.
    still = Image.open(io.BytesIO(draw_still(pose)))
    middle = (back + front) / 2
    assert close(pixel(still, (middle, chair.y - 0.008)), style.WOOD)
    assert close(pixel(still, (back + 0.04, chair.y + 0.006)), style.BACKGROUND)


def _leg_angle(frame: Keyframe, side: str) -> float:
    """The hip-to-ankle line's angle above the floor, in degrees (90: straight up)."""
    s = frame.near if side == "near" else frame.far
    return math.degrees(math.atan2(s.ankle[1] - s.hip[1], abs(s.ankle[0] - s.hip[0])))


def test_the_wall_corner_leg_reaches_90_degrees_up_the_wall_past_the_corner() -> None:
    # The source: walk the heel up the wall to 90 degrees. It was drawn at a doorway and the
    # held leg reached 77 degrees (65 before sliding closer).
    pose = SEED_POSES["wall"]
    corner = pose.prop("corner")
    assert corner is not None and isinstance(corner.x, float) and pose.prop("doorway") is None
    leg = pose.stretching_leg
    other = "far" if leg == "near" else "near"
    raised = pose.hold.far if leg == "far" else pose.hold.near
    assert _leg_angle(pose.hold, leg) >= 85
    assert math.dist(raised.hip, raised.ankle) > 0.97 * (
        math.dist(raised.hip, raised.knee) + math.dist(raised.knee, raised.ankle)
    )
    # The heel rests on the wall the corner faces: the back of the leg at its edge, not in it.
    heel = raised.ankle[0] + style.LEG_WIDTH * 0.45
    assert corner.x - 0.01 <= heel <= corner.x + 0.002
    # The other leg lies on the floor past the corner, in front of the wall along the body.
    flat = pose.hold.near if other == "near" else pose.hold.far
    assert flat.ankle[0] > corner.x + 0.1 and abs(flat.ankle[1] - flat.hip[1]) < 0.02
    still = Image.open(io.BytesIO(draw_still(pose)))
    assert close(pixel(still, (corner.x + 0.1, 0.5)), style.WALL)  # the wall along the body
    assert close(pixel(still, (corner.x - 0.1, 0.5)), style.BACKGROUND)  # open room
    for p in leg_samples(pose.hold, other):
        if p[0] > corner.x:
            assert close(pixel(still, p), style.BODY), p  # drawn over the wall, not behind it


def test_a_doorway_in_a_file_of_ones_own_still_draws() -> None:
    # The seed no longer uses the doorway; a custom file may.
    wall = SEED_POSES["wall"]
    door = dataclasses.replace(
        wall,
        props=(wall.props[0], Prop(kind="doorway", x=0.62, facing="left")),
    )
    still = Image.open(io.BytesIO(draw_still(door)))
    assert close(pixel(still, (0.63, 0.4)), style.WALL_EDGE)  # the door frame
    assert still.tobytes() != Image.open(io.BytesIO(draw_still(wall))).tobytes()


def test_the_wall_corner_heel_never_goes_into_the_wall() -> None:
    # Bones turned between keyframes swing the heel outwards: from a bent knee low on the wall
    # to the straight leg, it went 0.02 into the wall half-way.
    pose = SEED_POSES["wall"]
    corner = pose.prop("corner")
    assert corner is not None and isinstance(corner.x, float)
    for frame in [*pose.keyframes, *animation_frames(pose)]:
        leg = frame.far if pose.stretching_leg == "far" else frame.near
        for joint in (leg.knee, leg.ankle, leg.toe):
            assert joint[0] + style.LEG_WIDTH * 0.45 <= corner.x + 0.003, (frame.name, joint)
