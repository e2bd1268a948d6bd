"""Load and validate routines.toml into frozen dataclasses.

The stretches are data so that a chiropractor or a user can change them without touching
code. That makes the file an interface: every mistake in it must be reported with the file,
the key and how to fix it, and must stop the bot before it coaches anyone with half a routine.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOLD_MIN_SECONDS = 5
HOLD_MAX_SECONDS = 600

_STRETCH_KEYS = {"name", "steps", "hold_seconds", "each_side", "tip"}
_ROUTINE_KEYS = {"title", "stretches", "default", "description"}


class RoutinesError(Exception):
    """A routines file the bot must refuse. str(error) is the one line shown to the user."""

    def __init__(self, path: Path, key: str, problem: str, fix: str) -> None:
        self.path = path
        self.key = key
        self.problem = problem
        self.fix = fix
        super().__init__(f"{path}: {key}: {problem}. Fix: {fix}")


@dataclass(frozen=True, slots=True)
class Stretch:
    """One stretch, held `hold_seconds` (per side when `each_side`)."""

    id: str
    name: str
    steps: tuple[str, ...]
    hold_seconds: int
    each_side: bool = True
    tip: str | None = None

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
    unknown = set(data) - {"stretches", "routines"}
    if unknown:
        key = sorted(unknown)[0]
        raise RoutinesError(
            path, key, "is not a known section", "use [stretches.<id>] or [routines.<id>]"
        )
    raw_stretches = _table(
        data.get("stretches"), path, "stretches", "add at least one [stretches.<id>]"
    )
    # Stretches first: an error inside one is more useful than "routines is missing".
    stretches = {sid: _stretch(sid, body, path) for sid, body in raw_stretches.items()}
    raw_routines = _table(
        data.get("routines"), path, "routines", "add at least one [routines.<id>]"
    )
    routines = {rid: _routine(rid, body, stretches, path) for rid, body in raw_routines.items()}
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
    return Library(path=path, stretches=stretches, routines=routines)


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
    hold = body.get("hold_seconds")
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
    return Stretch(
        id=sid,
        name=name,
        steps=tuple(s.strip() for s in steps),
        hold_seconds=hold,
        each_side=each_side,
        tip=tip.strip() if isinstance(tip, str) else None,
    )


def _routine(rid: str, body: Any, stretches: dict[str, Stretch], path: Path) -> Routine:
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
        if sid not in stretches:
            known = ", ".join(sorted(stretches))
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
        stretches=tuple(stretches[i] for i in ids),
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
        lines.append(
            f"  stretch {s.id}: {s.name} — {len(s.steps)} steps, hold {s.hold_seconds} s {sides}"
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
