"""`python -m bot try`: the plain transcript through a pipe, and the terminal chat headless."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot import texts
from bot.config import PROJECT_ROOT
from bot.sandbox.console import Bubble, ChatApp
from bot.sandbox.runner import SandboxOptions

QUICK = Path(__file__).parent / "data" / "quick.toml"


def run_try(stdin: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "try", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=timeout,
    )


def in_order(lines: list[str], expected: list[str]) -> None:
    """Each expected fragment appears on a line after the previous one."""
    position = 0
    for fragment in expected:
        for i in range(position, len(lines)):
            if fragment in lines[i]:
                position = i + 1
                break
        else:
            raise AssertionError(
                f"{fragment!r} not found after line {position}:\n" + "\n".join(lines)
            )


def test_plain_transcript_of_start_and_a_whole_session() -> None:
    result = run_try(
        "/start\n/stretch single\n1\n", "--plain", "--speed", "20", "--routines", str(QUICK)
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    in_order(
        lines,
        [
            "you> /start",
            "bot> Hi You, I'm Limber!",
            "talk to your doctor",
            "bot> 🌍 Which time zone are you in?",
            "[1] ",
            "you> /stretch single",
            "bot> 🧘 Single: 1 stretch",
            "Stretch 1 of 1: Second stretch",
            f"[1] {texts.BUTTON_READY}",
            "you> 1",
            "bot> ⏱ Second stretch",
            "Hold: 20 s left",
            "bot (edited)> ✓ Second stretch: 20 s held",
            "bot> 🎉 Done! Single: 1 stretch",
            "Day 1",
            f"bot> {texts.PAIN_QUESTION}",
        ],
    )
    assert "violation" not in result.stdout
    assert "Traceback" not in result.stderr


def test_a_bad_routines_file_exits_2_with_its_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[stretches.a]\nname = 1\n", encoding="utf-8")
    result = run_try("", "--plain", "--routines", str(bad))
    assert result.returncode == 2
    assert str(bad) in result.stderr and "stretches.a.name" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_end_of_input_exits_cleanly_and_fast() -> None:
    began = time.monotonic()
    result = run_try("/help\n", "--plain", "--routines", str(QUICK))
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "/stretch" in result.stdout
    # Start-up takes its time; after the last reply, exiting takes well under 2 s.
    assert time.monotonic() - began < 15


def test_sigint_exits_0_within_two_seconds() -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "try", "--plain", "--routines", str(QUICK)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert proc.stdout is not None
    assert "Limber sandbox" in proc.stdout.readline()  # up and waiting for input
    proc.send_signal(signal.SIGINT)
    began = time.monotonic()
    try:
        code = proc.wait(timeout=5)
    finally:
        proc.kill()
    assert time.monotonic() - began < 2.0
    assert code == 0
    assert proc.stderr is not None and "Traceback" not in proc.stderr.read()


async def _settle(pilot: object, app: ChatApp, predicate: object, timeout: float = 8.0) -> None:
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        await app.refresh_chat()
        if predicate():  # type: ignore[operator]
            return
        await pilot.pause(0.1)  # type: ignore[attr-defined]
    raise AssertionError(f"the chat did not show what was expected:\n{texts_shown(app)[-400:]}")


async def click(pilot: object, app: ChatApp, selector: str) -> None:
    """Click a button the way a person would: scroll it into view, then click it."""
    app.query_one(selector).scroll_visible(animate=False)
    await pilot.pause(0.1)  # type: ignore[attr-defined]
    assert await pilot.click(selector)  # type: ignore[attr-defined]


def bubbles(app: ChatApp) -> list[Bubble]:
    return list(app.query(Bubble))


def texts_shown(app: ChatApp) -> str:
    return "\n".join(str(b.text.render()) for b in bubbles(app))


@pytest.mark.parametrize("size", [(80, 24)])
async def test_the_terminal_chat_runs_a_session_and_a_nudge(size: tuple[int, int]) -> None:
    app = ChatApp(SandboxOptions(routines=QUICK, speed=20.0))
    async with app.run_test(size=size) as pilot:
        await pilot.press(*"/start", "enter")
        await _settle(pilot, app, lambda: "doctor" in texts_shown(app) and len(bubbles(app)) >= 2)
        # The time-zone question: click its first button.
        zone_question = bubbles(app)[1]
        await click(pilot, app, f"#b{zone_question.message_id}_1")
        await _settle(pilot, app, lambda: "Time zone set" in texts_shown(app))
        await pilot.press(*"/stretch single", "enter")
        await _settle(pilot, app, lambda: "Stretch 1 of 1" in texts_shown(app))
        intro = next(b for b in bubbles(app) if "Stretch 1 of 1" in str(b.text.render()))
        await click(pilot, app, f"#b{intro.message_id}_1")  # Ready
        await _settle(pilot, app, lambda: "Done!" in texts_shown(app))
        await pilot.press("ctrl+n")
        await _settle(
            pilot, app, lambda: texts.BUTTON_START_NOW in str([b.labels for b in bubbles(app)])
        )
