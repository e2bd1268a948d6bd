"""routines.toml: the seed file is faithful, and every kind of bad file is refused clearly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_ROUTINES, PROJECT_ROOT
from bot.routines import Keyframe, Prop, RoutinesError, load_routines

GOOD = """
[stretches.a]
name = "A"
steps = ["Do it."]
hold_seconds = 30

[routines.r]
title = "R"
stretches = ["a"]
default = true
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "routines.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_file_holds_the_four_stretches_and_three_routines() -> None:
    library = load_routines(DEFAULT_ROUTINES)
    names = {s.name for s in library.stretches.values()}
    assert names == {
        "Lying hamstring stretch",
        "Seated chair stretch",
        "Wall-corner stretch",
        "Towel stretch",
    }
    assert all(s.hold_seconds == 30 and s.each_side for s in library.stretches.values())
    assert library.default.id == "full"
    assert [s.id for s in library.default.stretches] == ["lying", "chair", "wall", "towel"]
    assert [s.id for s in library.routines["desk"].stretches] == ["chair"]
    assert [s.id for s in library.routines["bedtime"].stretches] == ["wall", "towel"]
    lying = " ".join(library.stretches["lying"].steps).lower()
    assert "ceiling" in lying
    assert "edge" in " ".join(library.stretches["chair"].steps).lower()
    assert "90 degrees" in " ".join(library.stretches["wall"].steps)
    assert "towel" in " ".join(library.stretches["towel"].steps).lower()


@pytest.mark.parametrize(
    ("text", "key", "fix"),
    [
        ("[stretches.a\nname = 1", "(syntax)", "TOML"),
        (
            GOOD.replace('stretches = ["a"]', 'stretches = ["nosuch"]'),
            "routines.r.stretches",
            "one of: a",
        ),
        (GOOD.replace("default = true", ""), "routines", "default = true"),
        (
            GOOD + '\n[routines.s]\ntitle = "S"\nstretches = ["a"]\ndefault = true\n',
            "routines.s.default",
            "exactly one",
        ),
        (
            GOOD.replace("hold_seconds = 30", "hold_seconds = 4"),
            "stretches.a.hold_seconds",
            "5 to 600",
        ),
        (
            GOOD.replace("hold_seconds = 30", "hold_seconds = 601"),
            "stretches.a.hold_seconds",
            "5 to 600",
        ),
        (
            GOOD.replace("hold_seconds = 30", 'hold_seconds = "30"'),
            "stretches.a.hold_seconds",
            "hold_seconds = 30",
        ),
        (GOOD.replace('steps = ["Do it."]', "steps = []"), "stretches.a.steps", "steps ="),
        (GOOD.replace('name = "A"', ""), "stretches.a.name", "name ="),
        (
            GOOD.replace('name = "A"', 'name = "A"\ncolour = "red"'),
            "stretches.a.colour",
            "use only",
        ),
        (GOOD.replace("[routines.r]", "[routines.R]"), "routines.R", "lower-case"),
        ("[stretches]\n[routines]\n", "stretches", "[stretches.<id>]"),
        (GOOD + "\n[extras]\nx = 1\n", "extras", "[stretches.<id>]"),
    ],
    ids=[
        "malformed",
        "unknown-stretch",
        "no-default",
        "two-defaults",
        "hold-too-short",
        "hold-too-long",
        "hold-not-int",
        "no-steps",
        "no-name",
        "unknown-key",
        "bad-id",
        "empty-sections",
        "unknown-section",
    ],
)
def test_bad_file_is_refused_naming_file_key_and_fix(
    tmp_path: Path, text: str, key: str, fix: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RoutinesError) as caught:
        load_routines(path)
    message = str(caught.value)
    assert str(path) in message
    assert caught.value.key == key
    assert fix in caught.value.fix
    assert "\n" not in message


@pytest.mark.slow  # runs the CLI as a process
def test_every_problem_is_listed_at_once_on_one_line(tmp_path: Path) -> None:
    """An operator fixes a bad file in one go, not one restart per problem (issue #15)."""
    path = write(
        tmp_path,
        """
[stretches.a]
name = "A"
steps = ["Lie down."]

[stretches.b]
steps = []
hold_seconds = 30

[routines.r]
title = "R"
stretches = ["a", "zzz"]
default = true
""",
    )
    with pytest.raises(RoutinesError) as caught:
        load_routines(path)
    keys = [p.key for p in caught.value.problems]
    assert keys == ["stretches.a.hold_seconds", "stretches.b.name", "routines.r.stretches"]
    # A missing hold says "missing", not "must be a whole number".
    assert caught.value.problems[0].problem == "is missing"
    message = str(caught.value)
    assert "3 problems" in message and "\n" not in message
    assert "'zzz'" in message and "use one of: a, b" in message
    result = run_cli("check-routines", str(path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "3 problems" in result.stderr


def test_optional_keys_are_accepted(tmp_path: Path) -> None:
    text = GOOD.replace("hold_seconds = 30", 'hold_seconds = 30\neach_side = false\ntip = "Easy."')
    library = load_routines(write(tmp_path, text))
    assert library.stretches["a"].sides == 1
    assert library.stretches["a"].tip == "Easy."


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
    )


@pytest.mark.slow  # starts a real process
def test_check_routines_prints_what_the_file_holds() -> None:
    result = run_cli("check-routines", str(DEFAULT_ROUTINES))
    assert result.returncode == 0, result.stderr
    assert "routine full (default)" in result.stdout
    assert "Towel stretch" in result.stdout


@pytest.mark.slow  # starts a real process
def test_bot_refuses_to_start_with_a_bad_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("hold_seconds = 30", "hold_seconds = 1000"))
    env = {
        "PATH": "/usr/bin:/bin",
        "BOT_TOKEN": "123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ",
        "ROUTINES_PATH": str(path),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
    }
    result = run_cli(env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and "stretches.a.hold_seconds" in lines[0]
    assert not (tmp_path / "x.db").exists()


@pytest.mark.slow  # starts a real process
@pytest.mark.parametrize("token", [None, "", "not-a-token", "123:short"])
def test_missing_or_malformed_token_exits_2_with_one_line(
    tmp_path: Path, token: str | None
) -> None:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}
    if token is not None:
        env["BOT_TOKEN"] = token
    result = run_cli(env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "BOT_TOKEN" in lines[0], result.stderr
    if token:
        assert token not in result.stderr or token == ""


# --- pose data (pictures) -----------------------------------------------------------------

SIDE = (
    "{{ shoulder = [0.28, 0.12], elbow = [0.40, 0.11], hand = [0.52, 0.11], "
    "hip = [0.47, 0.12], knee = [{kx}, {ky}], ankle = [{ax}, {ay}], toe = [{tx}, {ty}] }}"
)
FLAT = {"kx": 0.64, "ky": 0.12, "ax": 0.81, "ay": 0.12, "tx": 0.81, "ty": 0.17}
RAISED = {"kx": 0.47, "ky": 0.29, "ax": 0.47, "ay": 0.45, "tx": 0.42, "ty": 0.45}


def keyframe(name: str, near: dict[str, float]) -> str:
    return (
        f"[stretches.a.pose.keyframes.{name}]\n"
        "head = [0.21, 0.12]\nneck = [0.26, 0.12]\n"
        f"near = {SIDE.format(**near)}\nfar = {SIDE.format(**FLAT)}\n"
    )


POSED = (
    GOOD
    + """
[stretches.a.pose]
stretching_leg = "near"
props = [{ kind = "floor" }, { kind = "towel", hands = "near", foot = "near" }]
arrow = { joint = "near.ankle", around = "near.hip" }
"""
    + keyframe("start", FLAT)
    + keyframe("hold", RAISED)
)
POSE_KEY = "stretches.a.pose"


def test_pose_data_is_parsed_into_frozen_dataclasses(tmp_path: Path) -> None:
    stretch = load_routines(write(tmp_path, POSED)).stretches["a"]
    pose = stretch.pose
    assert pose is not None
    assert pose.stretching_leg == "near"
    assert [f.name for f in pose.keyframes] == ["start", "hold"]
    assert pose.hold.near.ankle == (0.47, 0.45)
    assert pose.hold.joint("far.knee") == (0.64, 0.12)
    assert [p.kind for p in pose.props] == ["floor", "towel"]
    floor = pose.prop("floor")
    assert floor is not None and floor.y == 0.08  # the default floor line
    assert pose.arrow is not None and pose.arrow.around == "near.hip"
    with pytest.raises(AttributeError):
        pose.stretching_leg = "far"  # type: ignore[misc]


def test_a_stretch_without_pose_data_still_loads(tmp_path: Path) -> None:
    assert load_routines(write(tmp_path, GOOD)).stretches["a"].pose is None


@pytest.mark.parametrize(
    ("old", "new", "key", "fix"),
    [
        ("knee = [0.47, 0.29], ", "", f"{POSE_KEY}.keyframes.hold.near.knee", "knee = [x, y]"),
        ("head = [0.21, 0.12]", "", f"{POSE_KEY}.keyframes.start.head", "head = [x, y]"),
        (
            "ankle = [0.47, 0.45]",
            "ankle = [0.47, 0.95]",
            f"{POSE_KEY}.keyframes.hold.near.ankle",
            "0 <= y <= 0.75",
        ),
        (
            "neck = [0.26, 0.12]",
            "neck = [-0.1, 0.12]",
            f"{POSE_KEY}.keyframes.start.neck",
            "0 <= x <= 1.0",
        ),
        ("toe = [0.42, 0.45]", "toe = [0.42]", f"{POSE_KEY}.keyframes.hold.near.toe", "[x, y]"),
        ('{ kind = "floor" }', '{ kind = "sofa" }', f"{POSE_KEY}.props[0].kind", "kinds: floor"),
        ('{ kind = "floor" }', "{ y = 0.1 }", f"{POSE_KEY}.props[0].kind", "kinds: floor"),
        ('hands = "near", ', "", f"{POSE_KEY}.props[1].hands", 'hands = "near"'),
        (', foot = "near"', "", f"{POSE_KEY}.props[1].foot", 'foot = "near"'),
        ('foot = "near"', 'foot = "left"', f"{POSE_KEY}.props[1].foot", 'foot = "near"'),
        (
            '{ kind = "floor" }',
            '{ kind = "chair", x = 0.5 }',
            f"{POSE_KEY}.props[0].y",
            "y = a number",
        ),
        (
            '{ kind = "floor" }',
            '{ kind = "bed", x = [0.9, 0.1], y = 0.3 }',
            f"{POSE_KEY}.props[0].x",
            "x = [0.05, 0.95]",
        ),
        (
            '{ kind = "floor" }',
            '{ kind = "wall", x = 0.9, facing = "up" }',
            f"{POSE_KEY}.props[0].facing",
            'facing = "left"',
        ),
        (
            '{ kind = "floor" }',
            '{ kind = "corner", facing = "left" }',
            f"{POSE_KEY}.props[0].x",
            "x = a number from 0 to 1.0",
        ),
        (
            '{ kind = "floor" }',
            '{ kind = "corner", x = 0.6, facing = "down" }',
            f"{POSE_KEY}.props[0].facing",
            'facing = "left"',
        ),
        (
            '{ kind = "floor" }',
            '{ kind = "corner", x = 0.6, y = 0.3 }',
            f"{POSE_KEY}.props[0].y",
            "use only",
        ),
        (
            '{ kind = "floor" }',
            '{ kind = "floor", colour = "red" }',
            f"{POSE_KEY}.props[0].colour",
            "use only",
        ),
        (
            'stretching_leg = "near"',
            'stretching_leg = "left"',
            f"{POSE_KEY}.stretching_leg",
            '"near"',
        ),
        ('stretching_leg = "near"', "", f"{POSE_KEY}.stretching_leg", '"near"'),
        ('joint = "near.ankle"', 'joint = "near.heel"', f"{POSE_KEY}.arrow.joint", "near.<joint>"),
        ('around = "near.hip"', 'around = "near.ankle"', f"{POSE_KEY}.arrow.around", "near.hip"),
        ("arrow = {", 'sound = "ping"\narrow = {', f"{POSE_KEY}.sound", "use only"),
        # A knee moved by a typo: the thigh would be three times as long as in "start".
        (
            "knee = [0.47, 0.29]",
            "knee = [0.47, 0.62]",
            f"{POSE_KEY}.keyframes.hold.near.knee",
            "keeps its length",
        ),
        (
            "elbow = [0.40, 0.11]",
            "wrist = [0.40, 0.11]",
            f"{POSE_KEY}.keyframes.start.near.wrist",
            "use only",
        ),
    ],
    ids=[
        "missing-joint",
        "missing-head",
        "above-the-picture",
        "left-of-the-picture",
        "not-a-pair",
        "unknown-prop",
        "prop-without-kind",
        "towel-without-hands",
        "towel-without-foot",
        "towel-foot-not-a-side",
        "chair-without-height",
        "bed-span-backwards",
        "wall-facing-up",
        "corner-without-x",
        "corner-facing-down",
        "corner-with-a-height",
        "prop-unknown-key",
        "leg-not-a-side",
        "no-stretching-leg",
        "arrow-unknown-joint",
        "arrow-around-itself",
        "unknown-pose-key",
        "limb-changes-length",
        "unknown-joint",
    ],
)
def test_undrawable_pose_is_refused_naming_file_stretch_and_key(
    tmp_path: Path, old: str, new: str, key: str, fix: str
) -> None:
    assert old in POSED
    # Only the first occurrence: the mutation hits one keyframe (or one prop).
    text = POSED.replace(old, new, 1) if "hold" not in key else _in_hold(old, new)
    path = write(tmp_path, text)
    with pytest.raises(RoutinesError) as caught:
        load_routines(path)
    assert caught.value.key == key
    assert fix in caught.value.fix
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def _in_hold(old: str, new: str) -> str:
    head, hold = POSED.split("[stretches.a.pose.keyframes.hold]")
    return head + "[stretches.a.pose.keyframes.hold]" + hold.replace(old, new, 1)


def test_a_single_keyframe_is_refused(tmp_path: Path) -> None:
    text = POSED.split("[stretches.a.pose.keyframes.hold]")[0]
    with pytest.raises(RoutinesError) as caught:
        load_routines(write(tmp_path, text))
    assert caught.value.key == f"{POSE_KEY}.keyframes"


def test_check_routines_reports_an_undrawable_pose(tmp_path: Path) -> None:
    path = write(tmp_path, POSED.replace(', foot = "near"', ""))
    result = run_cli("check-routines", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and "stretches.a.pose.props[1].foot" in lines[0]
    assert "towel needs" in lines[0]


def test_check_routines_says_which_stretches_have_pictures(tmp_path: Path) -> None:
    path = write(tmp_path, POSED)
    result = run_cli("check-routines", str(path))
    assert result.returncode == 0, result.stderr
    assert "picture: near leg, start, hold; floor, towel" in result.stdout


# --- the seed file is faithful to the chiropractor's words, and so are its pictures ---------


def test_steps_follow_the_source() -> None:
    stretches = load_routines(DEFAULT_ROUTINES).stretches
    lying = " ".join(stretches["lying"].steps).lower()
    assert "both knees bent" not in lying
    assert "one leg straight" in lying and "chest" in lying and "ceiling" in lying
    assert lying.index("chest") < lying.index("ceiling")
    towel = " ".join(stretches["towel"].steps).lower()
    assert "ball of" not in towel
    assert "middle of the towel behind the ankle" in towel
    wall = [s.lower() for s in stretches["wall"].steps]
    slide = next(i for i, s in enumerate(wall) if "slide your hips closer to the wall" in s)
    assert "repeat" in wall[slide]
    assert slide > next(i for i, s in enumerate(wall) if "90 degrees" in s)


def test_every_seed_stretch_has_a_pose_matching_its_steps() -> None:
    import math

    stretches = load_routines(DEFAULT_ROUTINES).stretches
    # The raised leg is the near one (drawn in front) except at the wall corner: there the leg on
    # the floor passes the corner in front of the wall along the body, so it is the near one.
    legs = {sid: s.pose.stretching_leg for sid, s in stretches.items() if s.pose is not None}
    assert legs == {"lying": "near", "chair": "near", "wall": "far", "towel": "near"}

    def straight(frame: Keyframe, side: str = "near") -> bool:
        hip, knee, ankle = (frame.joint(f"{side}.{j}") for j in ("hip", "knee", "ankle"))
        return math.dist(hip, ankle) > 0.97 * (math.dist(hip, knee) + math.dist(knee, ankle))

    def flat(frame: Keyframe, side: str = "far") -> bool:  # the other leg straight on the floor
        hip, ankle = frame.joint(f"{side}.hip"), frame.joint(f"{side}.ankle")
        return straight(frame, side) and abs(hip[1] - ankle[1]) < 0.02

    lying = stretches["lying"].pose
    assert lying is not None and [p.kind for p in lying.props] == ["floor"]
    assert all(flat(f) for f in lying.keyframes)
    chest = lying.keyframes[1]  # the knee pulled up to the chest: above the hip, towards the head
    assert chest.near.knee[1] > chest.near.hip[1] + 0.1 and chest.near.knee[0] < chest.near.hip[0]
    hold = lying.hold  # straightened towards the ceiling
    assert straight(hold) and abs(hold.near.ankle[0] - hold.near.hip[0]) < 0.03

    towel = stretches["towel"].pose
    assert towel is not None
    loop = towel.prop("towel")
    assert loop is not None and (loop.hands, loop.foot) == ("near", "near")
    assert straight(towel.hold) and flat(towel.hold) and towel.hold.near.ankle[1] > 0.35

    wall = stretches["wall"].pose
    assert wall is not None
    corner = wall.prop("corner")
    assert isinstance(corner, Prop) and isinstance(corner.x, float) and corner.facing == "left"
    walked_up, closer, held = wall.keyframes
    assert straight(walked_up, "far") and not straight(closer, "far") and straight(held, "far")
    for frame in wall.keyframes:  # the heel on the wall, the other leg on the floor past it
        assert corner.x - 0.03 < frame.far.ankle[0] < corner.x
        assert flat(frame, "near") and frame.near.ankle[0] > corner.x + 0.1
    # Walked up until straight, then down, the hips slid closer, and up again to 90 degrees.
    assert closer.near.hip[0] > walked_up.near.hip[0] + 0.05
    hip, ankle = held.far.hip, held.far.ankle
    assert math.degrees(math.atan2(ankle[1] - hip[1], ankle[0] - hip[0])) > 85

    chair = stretches["chair"].pose
    assert chair is not None
    seat = chair.prop("chair")
    assert seat is not None and seat.y is not None
    sit, lean = chair.keyframes
    assert not straight(sit) and straight(lean)
    assert lean.near.ankle[1] < 0.12  # the heel on the floor
    assert lean.near.toe[1] > lean.near.ankle[1] + 0.03  # toes pointing up
    assert lean.neck[0] - lean.near.hip[0] > sit.neck[0] - sit.near.hip[0] + 0.05  # leaning
    assert not straight(lean, "far")  # the other knee stays bent: the hands rest on it
