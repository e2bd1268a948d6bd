"""The built wheel, installed into a fresh venv, works from a directory outside the checkout.

This is what an operator does (`pip install .`, then `limber ...` from anywhere), so it tests
what the wheel carries: the migrations and the default routines as package data, found
without the source tree. To stay offline and quick, the venv gets the wheel alone
(`--no-deps`) and sees the test environment's site-packages for the dependencies through a
.pth line; a plain path line does not run that directory's own .pth files, so the
checkout's editable install stays invisible (asserted below).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.sandbox.emulator import BotApiEmulator
from tests.harness import process_env
from tests.sandbox.test_try import in_order

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Installed:
    bin: Path
    workdir: Path  # outside the checkout

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """`base` (default: this environment, less any Limber settings) without the checkout
        or the test venv on the path and without ROUTINES_PATH: the packaged default."""
        env = (
            dict(base)
            if base is not None
            else {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BOT_TOKEN")}
        )
        for name in ("PYTHONPATH", "VIRTUAL_ENV", "ROUTINES_PATH"):
            env.pop(name, None)
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        return env

    def run(
        self, *args: str, stdin: str = "", timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / "limber"), *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.workdir,
            env=self.env(),
            timeout=timeout,
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("package")
    wheels, venv, workdir = root / "wheels", root / "venv", root / "work"
    workdir.mkdir()
    assert not workdir.resolve().is_relative_to(PROJECT_ROOT)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), "."],
        cwd=PROJECT_ROOT,
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("limber-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "limber-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=300,
    )
    where = subprocess.run(
        [str(python), "-c", "import bot; print(bot.__file__)"],
        capture_output=True,
        text=True,
        cwd=workdir,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), f"bot imported from {where}, not the wheel"
    yield Installed(venv / "bin", workdir)


def test_migrate_creates_the_database_in_the_working_directory(installed: Installed) -> None:
    result = installed.run("migrate")
    assert result.returncode == 0, result.stderr
    assert "created the database" in result.stdout  # it did not exist before (issue 27)
    assert (installed.workdir / "limber.db").stat().st_size > 0
    again = installed.run("migrate")
    assert again.returncode == 0 and "is up to date" in again.stdout


def test_check_routines_finds_the_packaged_default(installed: Installed) -> None:
    result = installed.run("check-routines")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert "_packaged/routines.toml" in first and "routines" in first
    assert "desk" in result.stdout


def test_try_plain_runs_a_session_with_the_packaged_routines(installed: Installed) -> None:
    result = installed.run("try", "--plain", "--speed", "30", stdin="/start\n/stretch desk\n1\n")
    assert result.returncode == 0, result.stderr
    in_order(
        result.stdout.splitlines(),
        ["you> /start", "bot> Hi You, I'm Limber!", "you> /stretch desk", "Desk break", "Hold:"],
    )


async def test_the_installed_bot_answers_start(installed: Installed, emu: BotApiEmulator) -> None:
    db = installed.workdir / "run.db"
    env = installed.env(process_env(emu, f"sqlite+aiosqlite:///{db}"))
    assert "ROUTINES_PATH" not in env  # the packaged default, nothing from the checkout
    proc = await asyncio.create_subprocess_exec(
        str(installed.bin / "limber"),
        cwd=installed.workdir,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        emu.send_text(7001, "/start")
        await emu.wait_for_message(7001, "I'm Limber", timeout=60)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, err.decode()
    assert db.stat().st_size > 0  # it migrated its own database at start


def test_constraints_pin_every_dependency_inside_its_bounds() -> None:
    """constraints.txt (what CI, the image and requirements.txt install through) pins each
    dependency of pyproject.toml, at a version its bounds accept; each bound has a ceiling."""
    import tomllib

    from packaging.requirements import Requirement

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins: dict[str, str] = {}
    for line in (root / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for r in project["optional-dependencies"]["test"]]
    problems = []
    for req in wanted:
        pinned = pins.get(req.name.lower().replace("_", "-"))
        if pinned is None:
            problems.append(f"{req.name}: not in constraints.txt")
        elif not req.specifier.contains(pinned, prereleases=True):
            problems.append(f"{req.name}: {pinned} is outside {req.specifier}")
    runtime = [Requirement(r) for r in project["dependencies"]]
    problems += [
        f"{r.name}: no ceiling"
        for r in runtime
        if r.name != "tzdata"
        and not any(s.operator in ("<", "<=", "==", "~=") for s in r.specifier)
    ]
    assert problems == []
    assert (root / "requirements.txt").read_text(encoding="utf-8").splitlines()[-2:] == [
        "-c constraints.txt",
        ".",
    ]
