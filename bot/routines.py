"""Load and validate routines.toml into frozen dataclasses.

The stretches are data so that a chiropractor or a user can change them without touching
code. That makes the file an interface: every mistake in it must be reported with the file,
the key and how to fix it, and must stop the bot before it coaches anyone with half a routine.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

HOLD_MIN_SECONDS = 5
HOLD_MAX_SECONDS = 600

_STRETCH_KEYS = {
    "name",
    "steps",
    "hold_seconds",
    "each_side",
    "tip",
    "pose",
    "ready_seconds",
    "switch_seconds",
}
# The get-ready and switch-sides pauses a stretch may set (hands-free sessions).
PAUSE_MAX_SECONDS = 120
_ROUTINE_KEYS = {"title", "stretches", "default", "description"}


class RoutinesError(Exception):
    """A routines file the bot must refuse. str(error) is the one line shown to the user."""

    def __init__(self, path: Path, key: str, problem: str, fix: str) -> None:
        self.path = path
        self.key = key
        self.problem = problem
        self.fix = fix
        self.problems: tuple[RoutinesError, ...] = (self,)
        super().__init__(f"{path}: {key}: {problem}. Fix: {fix}")

    @classmethod
    def several(cls, path: Path, found: list[RoutinesError]) -> RoutinesError:
        """Every problem found, in one error (and one line): an operator fixes them all in one
        go instead of one per restart."""
        if len(found) == 1:
            return found[0]
        first = found[0]
        error = cls(first.path, first.key, first.problem, first.fix)
        error.problems = tuple(found)
        listed = "; ".join(
            f"({n}) {e.key}: {e.problem}. Fix: {e.fix}" for n, e in enumerate(found, 1)
        )
        error.args = (f"{path}: {len(found)} problems: {listed}",)
        return error


@dataclass(frozen=True, slots=True)
class StretchText:
    """A stretch's words as shown in one language (translated, or the English fallback)."""

    name: str
    steps: tuple[str, ...]
    tip: str | None


@dataclass(frozen=True, slots=True)
class RoutineText:
    """A routine's words as shown in one language."""

    title: str
    description: str | None


@dataclass(frozen=True, slots=True)
class Stretch:
    """One stretch, held `hold_seconds` (per side when `each_side`)."""

    id: str
    name: str
    steps: tuple[str, ...]
    hold_seconds: int
    each_side: bool = True
    tip: str | None = None
    # The routines file it came from: its words are translated by the catalogs beside it and
    # the shipped ones (bot/routine_catalog.py).
    source: Path | None = None

    pose: Pose | None = None  # None: no picture for this stretch
    # Hands-free pauses: the get-ready count before the first hold and the switch-sides pause
    # between the two holds. None: get-ready from the pose data (domain.session
    # base_ready_seconds: reading the card and the move into position), the switch the bot's
    # default (10 s).
    ready_seconds: int | None = None
    switch_seconds: int | None = None

    @property
    def sides(self) -> int:
        """How many holds this stretch takes."""
        return 2 if self.each_side else 1


@dataclass(frozen=True, slots=True)
class Routine:
    """An ordered list of stretches, run as one guided session."""

    id: str
    title: str
    stretches: tuple[Stretch, ...]
    default: bool = False
    description: str | None = None
    source: Path | None = None  # as Stretch.source

    @property
    def total_holds(self) -> int:
        """How many holds a complete session has."""
        return sum(s.sides for s in self.stretches)

    @property
    def hold_seconds_total(self) -> int:
        """Time spent holding in a complete session (without switches and reading)."""
        return sum(s.hold_seconds * s.sides for s in self.stretches)


@dataclass(frozen=True, slots=True)
class Library:
    """Everything routines.toml holds."""

    path: Path
    stretches: dict[str, Stretch]
    routines: dict[str, Routine]
    # [... .i18n.<lang>] tables found in the file: no longer read (translations live in
    # catalogs, bot/routine_catalog.py); check-routines and the start-up log say how to move them.
    ignored_tables: tuple[str, ...] = ()

    @property
    def default(self) -> Routine:
        """The routine /stretch runs without an argument (validated: exactly one)."""
        return next(r for r in self.routines.values() if r.default)

    def get(self, routine_id: str) -> Routine | None:
        """A routine by id, case-insensitively, or None."""
        return self.routines.get(routine_id.strip().lower())

    def bedtime(self) -> Routine:
        """The routine offered at bedtime: `bedtime` if there is one, else the default."""
        return self.routines.get("bedtime") or self.default


def load_routines(path: Path) -> Library:
    """Read and validate `path`; raise RoutinesError naming the file, the key and the fix."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RoutinesError(
            path, "(file)", f"cannot be read ({exc.strerror or exc})", "check ROUTINES_PATH"
        ) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RoutinesError(path, "(file)", "is not UTF-8 text", "save it as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RoutinesError(
            path, "(syntax)", f"is not valid TOML ({exc})", "correct the TOML syntax there"
        ) from exc
    return parse_routines(data, path)


def parse_routines(data: dict[str, Any], path: Path) -> Library:
    """Validate already-parsed TOML data."""
    data, ignored = _take_translations(data)
    unknown = set(data) - {"stretches", "routines"}
    if unknown:
        key = sorted(unknown)[0]
        raise RoutinesError(
            path, key, "is not a known section", "use [stretches.<id>] or [routines.<id>]"
        )
    raw_stretches = _table(
        data.get("stretches"), path, "stretches", "add at least one [stretches.<id>]"
    )
    found: list[RoutinesError] = []
    stretches: dict[str, Stretch] = {}
    for sid, body in raw_stretches.items():
        try:
            stretches[sid] = _stretch(sid, body, path)
        except RoutinesError as exc:
            found.append(exc)
    try:
        raw_routines = _table(
            data.get("routines"), path, "routines", "add at least one [routines.<id>]"
        )
    except RoutinesError as exc:
        raise RoutinesError.several(path, [*found, exc]) from None
    # A routine naming a stretch that is itself wrong is not wrong for that: the stretch's
    # own problem is listed once.
    broken = frozenset(raw_stretches) - set(stretches)
    routines: dict[str, Routine] = {}
    for rid, body in raw_routines.items():
        try:
            routines[rid] = _routine(rid, body, stretches, path, broken=broken)
        except RoutinesError as exc:
            found.append(exc)
    if found:
        raise RoutinesError.several(path, found)
    defaults = [r.id for r in routines.values() if r.default]
    if not defaults:
        raise RoutinesError(
            path,
            "routines",
            "no routine is the default",
            "set default = true on exactly one routine",
        )
    if len(defaults) > 1:
        raise RoutinesError(
            path,
            f"routines.{defaults[1]}.default",
            f"two routines are the default ({', '.join(defaults)})",
            "keep default = true on exactly one routine",
        )
    return _sourced(
        Library(path=path, stretches=stretches, routines=routines, ignored_tables=ignored)
    )


def _table(value: Any, path: Path, key: str, fix: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise RoutinesError(path, key, "is missing or empty", fix)
    for ident in value:
        if not _valid_id(ident):
            raise RoutinesError(
                path,
                f"{key}.{ident}",
                "is not a usable id",
                "use lower-case letters, digits, '-' or '_' (at most 20 characters)",
            )
    return value


def _valid_id(ident: str) -> bool:
    # Ids travel in commands ("/stretch desk") and in 64-byte callback data.
    return 0 < len(ident) <= 20 and all(
        c.isascii() and (c.islower() or c.isdigit() or c in "-_") for c in ident
    )


def _stretch(sid: str, body: Any, path: Path) -> Stretch:
    key = f"stretches.{sid}"
    if not isinstance(body, dict):
        raise RoutinesError(
            path, key, "is not a table", f"write it as [{key}] with name, steps, hold_seconds"
        )
    _no_unknown_keys(body, _STRETCH_KEYS, key, path)
    name = _text(body, "name", key, path)
    steps = body.get("steps")
    if (
        not isinstance(steps, list)
        or not steps
        or not all(isinstance(s, str) and s.strip() for s in steps)
    ):
        raise RoutinesError(
            path,
            f"{key}.steps",
            "must be a list of at least one non-empty text",
            'write steps = ["First ...", "Then ..."]',
        )
    hold = _hold_seconds(body, key, path)
    each_side = body.get("each_side", True)
    if not isinstance(each_side, bool):
        raise RoutinesError(
            path, f"{key}.each_side", "must be true or false", "write each_side = true"
        )
    tip = body.get("tip")
    if tip is not None and (not isinstance(tip, str) or not tip.strip()):
        raise RoutinesError(
            path, f"{key}.tip", "must be a non-empty text", 'write tip = "..." or remove it'
        )
    raw_pose = body.get("pose")
    ready = _pause_seconds(body, "ready_seconds", key, path, minimum=1)
    switch = _pause_seconds(body, "switch_seconds", key, path, minimum=0)
    return Stretch(
        id=sid,
        name=name,
        steps=tuple(s.strip() for s in steps),
        hold_seconds=hold,
        each_side=each_side,
        tip=tip.strip() if isinstance(tip, str) else None,
        pose=None if raw_pose is None else _pose(raw_pose, f"{key}.pose", path),
        ready_seconds=ready,
        switch_seconds=switch,
    )


def _hold_seconds(body: dict[str, Any], key: str, path: Path) -> int:
    hold = body.get("hold_seconds")
    if hold is None:
        raise RoutinesError(
            path, f"{key}.hold_seconds", "is missing", "write e.g. hold_seconds = 30"
        )
    if isinstance(hold, bool) or not isinstance(hold, int):
        raise RoutinesError(
            path,
            f"{key}.hold_seconds",
            "must be a whole number of seconds",
            "write e.g. hold_seconds = 30",
        )
    if not HOLD_MIN_SECONDS <= hold <= HOLD_MAX_SECONDS:
        raise RoutinesError(
            path,
            f"{key}.hold_seconds",
            f"is {hold}, outside {HOLD_MIN_SECONDS}..{HOLD_MAX_SECONDS}",
            f"choose {HOLD_MIN_SECONDS} to {HOLD_MAX_SECONDS} seconds (30 is usual)",
        )
    return hold


def _pause_seconds(
    body: dict[str, Any], name: str, key: str, path: Path, *, minimum: int
) -> int | None:
    """An optional pause length in whole seconds (ready_seconds, switch_seconds)."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RoutinesError(
            path, f"{key}.{name}", "must be a whole number of seconds", f"write e.g. {name} = 15"
        )
    if not minimum <= value <= PAUSE_MAX_SECONDS:
        raise RoutinesError(
            path,
            f"{key}.{name}",
            f"is {value}, outside {minimum}..{PAUSE_MAX_SECONDS}",
            f"choose {minimum} to {PAUSE_MAX_SECONDS} seconds (10 is usual)",
        )
    return value


def _routine(
    rid: str,
    body: Any,
    stretches: dict[str, Stretch],
    path: Path,
    *,
    broken: frozenset[str] = frozenset(),
) -> Routine:
    """One routine; `broken` names stretches whose own problems are already reported."""
    key = f"routines.{rid}"
    if not isinstance(body, dict):
        raise RoutinesError(
            path, key, "is not a table", f"write it as [{key}] with title and stretches"
        )
    _no_unknown_keys(body, _ROUTINE_KEYS, key, path)
    title = _text(body, "title", key, path)
    ids = body.get("stretches")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise RoutinesError(
            path,
            f"{key}.stretches",
            "must be a list of at least one stretch id",
            'write stretches = ["lying", "towel"]',
        )
    for sid in ids:
        if sid not in stretches and sid not in broken:
            known = ", ".join(sorted(set(stretches) | broken))
            raise RoutinesError(
                path, f"{key}.stretches", f"names unknown stretch '{sid}'", f"use one of: {known}"
            )
    default = body.get("default", False)
    if not isinstance(default, bool):
        raise RoutinesError(
            path, f"{key}.default", "must be true or false", "write default = true or remove it"
        )
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise RoutinesError(
            path, f"{key}.description", "must be a text", 'write description = "..."'
        )
    return Routine(
        id=rid,
        title=title,
        stretches=tuple(stretches[i] for i in ids if i in stretches),
        default=default,
        description=description,
    )


def _text(body: dict[str, Any], name: str, key: str, path: Path) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise RoutinesError(path, f"{key}.{name}", "is missing or empty", f'write {name} = "..."')
    return value.strip()


def _no_unknown_keys(body: dict[str, Any], allowed: set[str], key: str, path: Path) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise RoutinesError(
            path,
            f"{key}.{unknown[0]}",
            "is not a known key",
            f"use only {', '.join(sorted(allowed))}",
        )


def describe(library: Library) -> str:
    """What `python -m bot check-routines` prints: a readable summary of the file."""
    lines = [
        f"{library.path}: {len(library.stretches)} stretches, {len(library.routines)} routines"
    ]
    for s in library.stretches.values():
        sides = "each side" if s.each_side else "once"
        if s.pose is None:
            picture = "no picture"
        else:
            frames = ", ".join(f.name for f in s.pose.keyframes)
            props = ", ".join(p.kind for p in s.pose.props) or "no props"
            picture = f"picture: {s.pose.stretching_leg} leg, {frames}; {props}"
        lines.append(
            f"  stretch {s.id}: {s.name} — {len(s.steps)} steps, hold {s.hold_seconds} s {sides}"
            f"; {picture}"
        )
    for r in library.routines.values():
        mark = " (default)" if r.default else ""
        names = ", ".join(s.id for s in r.stretches)
        minutes = r.hold_seconds_total / 60
        lines.append(
            f"  routine {r.id}{mark}: {r.title} — {names}; "
            f"{r.total_holds} holds, {minutes:.1f} min holding"
        )
    return "\n".join(lines)


# -- words: English here; translations in catalogs (bot/routine_catalog.py) ------------------
# An [stretches.<id>.i18n.<lang>] table (how translations were kept before) is taken out before
# the rest is validated, and only named: a file that has them still loads, in English.


def _take_translations(data: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The data without its i18n tables, and those tables' keys."""
    found: list[str] = []
    cleaned = dict(data)
    for section in ("stretches", "routines"):
        tables = data.get(section)
        if not isinstance(tables, dict):
            continue
        cleaned[section] = {}
        for ident, body in tables.items():
            if isinstance(body, dict) and "i18n" in body:
                body = dict(body)
                languages = body.pop("i18n")
                names = sorted(languages) if isinstance(languages, dict) else ["?"]
                found += [f"{section}.{ident}.i18n.{language}" for language in names]
            cleaned[section][ident] = body
    return cleaned, tuple(found)


def _sourced(library: Library) -> Library:
    """Every stretch and routine knows its file (where its translations are looked for)."""
    stretches = {sid: replace(s, source=library.path) for sid, s in library.stretches.items()}
    routines = {
        rid: replace(r, source=library.path, stretches=tuple(stretches[s.id] for s in r.stretches))
        for rid, r in library.routines.items()
    }
    return replace(library, stretches=stretches, routines=routines)


# --- pose data: what bot/pictures/ draws a stretch from -------------------------------------
#
# Side view, in a unit box: x from 0 (left) to POSE_X_MAX, y from 0 (bottom) to POSE_Y_MAX (the
# box has the 4:3 shape of the 480x360 pictures, so a unit is the picture's width). "near" is
# the side facing the viewer, drawn in front; "far" is drawn behind it.

POSE_X_MAX = 1.0
POSE_Y_MAX = 0.75
SIDES = ("near", "far")
SIDE_JOINTS = ("shoulder", "elbow", "hand", "hip", "knee", "ankle", "toe")
JOINTS = ("head", "neck", *(f"{side}.{j}" for side in SIDES for j in SIDE_JOINTS))
PROP_KINDS = ("floor", "bed", "chair", "wall", "corner", "doorway", "towel")
FLOOR_Y = 0.08  # where the floor is when a floor prop does not say
# The limbs whose length a body keeps from one keyframe to the next. A side view shortens a
# limb that turns towards the viewer, so some change is allowed; a typo (a swapped x and y,
# a knee given for an ankle) changes a length by far more than this.
_SIDE_LIMBS = (("shoulder", "elbow"), ("elbow", "hand"), ("hip", "knee"), ("knee", "ankle"))
LIMBS = (
    *((f"{side}.{a}", f"{side}.{b}") for side in SIDES for a, b in _SIDE_LIMBS),
    ("near.hip", "neck"),
    ("neck", "head"),
)
LIMB_LENGTH_TOLERANCE = 0.4

_POSE_KEYS = {"stretching_leg", "keyframes", "props", "arrow"}
_KEYFRAME_KEYS = {"head", "neck", *SIDES}
_PROP_KEYS: dict[str, set[str]] = {
    "floor": {"kind", "y"},
    "bed": {"kind", "x", "y"},
    "chair": {"kind", "x", "y", "facing"},
    "wall": {"kind", "x", "facing"},
    "corner": {"kind", "x", "facing"},
    "doorway": {"kind", "x", "facing"},
    "towel": {"kind", "hands", "foot"},
}

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Side:
    """One side of the body (near or far), each joint an (x, y) point."""

    shoulder: Point
    elbow: Point
    hand: Point
    hip: Point
    knee: Point
    ankle: Point
    toe: Point


@dataclass(frozen=True, slots=True)
class Keyframe:
    """The body at one moment of the movement."""

    name: str
    head: Point
    neck: Point
    near: Side
    far: Side

    def joint(self, ref: str) -> Point:
        """A joint by its name in JOINTS: "head", "neck", "near.knee", "far.toe"..."""
        if "." not in ref:
            return self.head if ref == "head" else self.neck
        side, name = ref.split(".", 1)
        point: Point = getattr(self.near if side == "near" else self.far, name)
        return point


@dataclass(frozen=True, slots=True)
class Prop:
    """Something the body lies on, sits on, leans on or holds. Only the fields of its kind are
    set: floor y; bed x (its span) and y (the mattress top); chair x (front edge of the seat),
    y (seat height) and facing; wall, corner and doorway x and facing; towel hands and foot
    (sides)."""

    kind: str
    x: Point | float | None = None
    y: float | None = None
    facing: str | None = None
    hands: str | None = None
    foot: str | None = None


@dataclass(frozen=True, slots=True)
class Arrow:
    """Show the movement of `joint` into the hold as an arc around `around`."""

    joint: str
    around: str


@dataclass(frozen=True, slots=True)
class Pose:
    """How to draw a stretch: keyframes in order (the last is the pose held), the stretching
    leg, the props and an optional arrow."""

    stretching_leg: str
    keyframes: tuple[Keyframe, ...]
    props: tuple[Prop, ...] = ()
    arrow: Arrow | None = None

    @property
    def hold(self) -> Keyframe:
        """The pose held: the still shows it."""
        return self.keyframes[-1]

    def prop(self, kind: str) -> Prop | None:
        """The first prop of a kind, or None."""
        return next((p for p in self.props if p.kind == kind), None)


def _pose(body: Any, key: str, path: Path) -> Pose:
    if not isinstance(body, dict):
        raise RoutinesError(
            path, key, "is not a table", f"write it as [{key}] with stretching_leg and keyframes"
        )
    _no_unknown_keys(body, _POSE_KEYS, key, path)
    leg = body.get("stretching_leg")
    if leg not in SIDES:
        raise RoutinesError(
            path,
            f"{key}.stretching_leg",
            f"is {leg!r}, not near or far" if leg is not None else "is missing",
            'write stretching_leg = "near" (the leg facing the viewer) or "far"',
        )
    raw_frames = body.get("keyframes")
    if not isinstance(raw_frames, dict) or len(raw_frames) < 2:
        raise RoutinesError(
            path,
            f"{key}.keyframes",
            "must hold at least two keyframes (the start and the pose held)",
            f"add [{key}.keyframes.start] and [{key}.keyframes.hold]",
        )
    frames = tuple(
        _keyframe(name, raw, f"{key}.keyframes.{name}", path) for name, raw in raw_frames.items()
    )
    _check_limb_lengths(frames, f"{key}.keyframes", path)
    raw_props = body.get("props", [])
    if not isinstance(raw_props, list):
        raise RoutinesError(
            path, f"{key}.props", "must be a list of tables", 'write props = [{ kind = "floor" }]'
        )
    props = tuple(_prop(raw, f"{key}.props[{i}]", path) for i, raw in enumerate(raw_props))
    raw_arrow = body.get("arrow")
    arrow = None if raw_arrow is None else _arrow(raw_arrow, f"{key}.arrow", path)
    return Pose(stretching_leg=leg, keyframes=frames, props=props, arrow=arrow)


def _keyframe(name: str, body: Any, key: str, path: Path) -> Keyframe:
    if not isinstance(body, dict):
        raise RoutinesError(
            path, key, "is not a table", f"write it as [{key}] with head, neck, near and far"
        )
    _no_unknown_keys(body, _KEYFRAME_KEYS, key, path)
    sides: dict[str, Side] = {}
    for side in SIDES:
        raw = body.get(side)
        if not isinstance(raw, dict):
            raise RoutinesError(
                path,
                f"{key}.{side}",
                "is missing" if raw is None else "is not a table",
                f"write {side} = {{ {', '.join(f'{j} = [x, y]' for j in SIDE_JOINTS[:2])}, ... }}"
                f" with all of {', '.join(SIDE_JOINTS)}",
            )
        _no_unknown_keys(raw, set(SIDE_JOINTS), f"{key}.{side}", path)
        points = {j: _point(raw.get(j), f"{key}.{side}.{j}", path) for j in SIDE_JOINTS}
        sides[side] = Side(**points)
    return Keyframe(
        name=name,
        head=_point(body.get("head"), f"{key}.head", path),
        neck=_point(body.get("neck"), f"{key}.neck", path),
        near=sides["near"],
        far=sides["far"],
    )


def _point(value: Any, key: str, path: Path) -> Point:
    name = key.rsplit(".", 1)[-1]
    fix = f"write {name} = [x, y] with 0 <= x <= {POSE_X_MAX}, 0 <= y <= {POSE_Y_MAX}"
    if value is None:
        raise RoutinesError(path, key, "is missing (a joint every keyframe needs)", fix)
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise RoutinesError(path, key, "is not an [x, y] pair of numbers", fix)
    x, y = float(value[0]), float(value[1])
    if not (0 <= x <= POSE_X_MAX and 0 <= y <= POSE_Y_MAX):
        raise RoutinesError(path, key, f"is [{x:g}, {y:g}], outside the picture", fix)
    return (x, y)


def _check_limb_lengths(frames: tuple[Keyframe, ...], key: str, path: Path) -> None:
    first = frames[0]
    for a, b in LIMBS:
        base = math.dist(first.joint(a), first.joint(b))
        for frame in frames[1:]:
            length = math.dist(frame.joint(a), frame.joint(b))
            if abs(length - base) > LIMB_LENGTH_TOLERANCE * max(base, length):
                raise RoutinesError(
                    path,
                    f"{key}.{frame.name}.{b}",
                    f"makes {a}-{b} {length:.3f} long, {base:.3f} in {first.name}",
                    "check this joint's numbers: a limb keeps its length between keyframes",
                )


def _prop(body: Any, key: str, path: Path) -> Prop:
    kinds = ", ".join(PROP_KINDS)
    if not isinstance(body, dict) or body.get("kind") not in PROP_KINDS:
        kind = body.get("kind") if isinstance(body, dict) else None
        raise RoutinesError(
            path,
            f"{key}.kind" if isinstance(body, dict) else key,
            f"is an unknown prop {kind!r}" if kind is not None else "has no kind",
            f'write {{ kind = "floor" }}; kinds: {kinds}',
        )
    kind = body["kind"]
    _no_unknown_keys(body, _PROP_KEYS[kind], key, path)
    if kind == "towel":
        hands, foot = body.get("hands"), body.get("foot")
        for name, value in (("hands", hands), ("foot", foot)):
            if value not in SIDES:
                raise RoutinesError(
                    path,
                    f"{key}.{name}",
                    "is missing: a towel needs the hands holding it and the foot it goes behind"
                    if value is None
                    else f"is {value!r}, not near or far",
                    'write { kind = "towel", hands = "near", foot = "near" }',
                )
        return Prop(kind=kind, hands=hands, foot=foot)
    facing = body.get("facing")
    if facing is not None and facing not in ("left", "right"):
        raise RoutinesError(
            path, f"{key}.facing", f"is {facing!r}, not left or right", 'write facing = "left"'
        )
    y = _coordinate(body, "y", POSE_Y_MAX, key, path, required=kind in ("bed", "chair"))
    x: Point | float | None
    if kind == "bed":
        span = body.get("x")
        if (
            not isinstance(span, list)
            or len(span) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in span)
            or not 0 <= span[0] < span[1] <= POSE_X_MAX
        ):
            raise RoutinesError(
                path,
                f"{key}.x",
                "must be the bed's span [left, right] inside the picture",
                f"write x = [0.05, 0.95] (0 to {POSE_X_MAX})",
            )
        x = (float(span[0]), float(span[1]))
    else:
        x = _coordinate(body, "x", POSE_X_MAX, key, path, required=kind != "floor")
    if kind == "floor" and y is None:
        y = FLOOR_Y
    return Prop(kind=kind, x=x, y=y, facing=facing)


def _coordinate(
    body: dict[str, Any], name: str, top: float, key: str, path: Path, *, required: bool
) -> float | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= top:
        raise RoutinesError(
            path,
            f"{key}.{name}",
            "is missing" if value is None else f"is {value!r}, outside 0..{top}",
            f"write {name} = a number from 0 to {top}",
        )
    return float(value)


def _arrow(body: Any, key: str, path: Path) -> Arrow:
    fix = 'write arrow = { joint = "near.ankle", around = "near.hip" }'
    if not isinstance(body, dict):
        raise RoutinesError(path, key, "is not a table", fix)
    _no_unknown_keys(body, {"joint", "around"}, key, path)
    for name in ("joint", "around"):
        if body.get(name) not in JOINTS:
            raise RoutinesError(
                path,
                f"{key}.{name}",
                f"is {body.get(name)!r}, not a joint",
                f"{fix}; joints: head, neck, near.<joint>, far.<joint> "
                f"with <joint> one of {', '.join(SIDE_JOINTS)}",
            )
    if body["joint"] == body["around"]:
        raise RoutinesError(path, f"{key}.around", "is the joint itself", fix)
    return Arrow(joint=body["joint"], around=body["around"])
