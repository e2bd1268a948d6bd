"""routines.toml: the seed file is faithful, and every kind of bad file is refused clearly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_ROUTINES, PROJECT_ROOT
from bot.routines import RoutinesError, load_routines

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
