"""`python -m bot try`: the plain transcript through a pipe, and the terminal chat headless."""

from __future__ import annotations

import io
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
from bot.sandbox.plain import run_plain
from bot.sandbox.runner import USER_ID, Sandbox, SandboxOptions, parse_start

QUICK = Path(__file__).parents[1] / "data" / "quick.toml"
# The clock starts here, not at the real hour: a nudge due within 3 hours after a session is
# skipped on purpose, so with the real clock a jump to the next nudge sent one or not
# depending on when the suite ran. 15:00 UTC is 10:00 in New York (the first zone offered):
# the next nudge is at bedtime, 12 hours after the session.
START = "2026-01-05T15:00"
# 11:00 UTC is 06:00 in New York: the 07:30 morning nudge comes 1.5 hours after the session.
START_BEFORE_MORNING = "2026-01-05T11:00"


def run_try(
    stdin: str, *args: str, start: str = START, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "try", "--start", start, *args],
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


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
def test_plain_transcript_of_start_and_a_whole_session() -> None:
    result = run_try(
        "/start\n/stretch single\n", "--plain", "--speed", "20", "--routines", str(QUICK)
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
            # Hands-free: no tap, and the end of the input waits for the session's end.
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


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
async def test_nudge_jumps_say_why_no_nudge_came() -> None:
    """Before /start nothing is scheduled; a nudge 1.5 hours after a session is skipped on
    purpose, and the jump says so; the next jump brings the bedtime nudge. Paused, turned off
    and unsubscribed each get their reason too. The chat is driven in-process (waiting on the
    chat, not on quiet spells), then `:nudge` through the plain front-end."""
    options = SandboxOptions(routines=QUICK, speed=20.0, start=parse_start(START_BEFORE_MORNING))
    async with Sandbox(options) as box:
        out = io.StringIO()
        await run_plain(box, io.StringIO(":nudge\n"), out)
        assert f"you> :nudge\n   {texts.SANDBOX_NO_NUDGE_YET}\n" in out.getvalue()

        box.say("/start")
        await box.emu.wait_for(lambda: box.latest_with_buttons() is not None, timeout=15)
        zones = box.latest_with_buttons()
        assert zones is not None and "New York" in str(box.emu.buttons(zones)[0])
        box.press(zones, 1)
        await box.emu.wait_for_message(USER_ID, "Time zone set", timeout=15)
        box.say("/stretch single")
        await box.emu.wait_for_message(USER_ID, "Stretch 1 of 1", timeout=15)
        # Hands-free: the hold starts by itself (10 s get-ready and a 20 s hold, 1.5 s at
        # speed 20); pressing Ready here would race the get-ready timer.
        await box.emu.wait_for_message(USER_ID, "Done!", timeout=15)

        out = io.StringIO()
        await run_plain(box, io.StringIO(":nudge\n:nudge\n"), out)

        # A break: the next nudge comes due and is skipped, and the jump says why.
        box.say("/pause 2")
        await box.emu.wait_for_message(USER_ID, "Enjoy your break", timeout=15)
        assert "nudges are paused" in (await box.next_nudge()).note
        # Both nudges and the weekly summary (issue 17) turned off (as /settings does), then
        # unsubscribed: nothing to jump to.
        for kind in ("morning", "bedtime", "weekly"):
            await box.services.subscriptions.set_enabled(USER_ID, kind, False)
        assert (await box.next_nudge()).note == texts.SANDBOX_NUDGES_OFF
        box.say("/stop")
        await box.emu.wait_for_message(USER_ID, texts.STOPPED, timeout=15)
        assert (await box.next_nudge()).note == texts.SANDBOX_UNSUBSCRIBED
    in_order(
        out.getvalue().splitlines(),
        [
            "you> :nudge",
            texts.sandbox_nudge_skipped("2026-01-05 12:30 UTC", "stretched"),
            "you> :nudge",
            texts.sandbox_clock_moved("2026-01-06 03:00 UTC"),
            f"[1] {texts.BUTTON_START_NOW}",
        ],
    )
    assert "you stretched within the last 3 hours" in out.getvalue()
    assert out.getvalue().count(texts.BUTTON_START_NOW) == 1


@pytest.mark.slow  # starts a real process
def test_a_bad_start_time_exits_2_with_one_line() -> None:
    result = run_try("", "--plain", "--routines", str(QUICK), start="tomorrow morning")
    assert result.returncode == 2
    assert result.stderr.strip() == f"limber: {texts.SANDBOX_BAD_START}"


@pytest.mark.slow  # starts a real process
def test_a_bad_routines_file_exits_2_with_its_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[stretches.a]\nname = 1\n", encoding="utf-8")
    result = run_try("", "--plain", "--routines", str(bad))
    assert result.returncode == 2
    assert str(bad) in result.stderr and "stretches.a.name" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
def test_end_of_input_exits_cleanly_and_fast() -> None:
    began = time.monotonic()
    result = run_try("/help\n", "--plain", "--routines", str(QUICK))
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "/stretch" in result.stdout
    # Start-up takes its time; after the last reply, exiting takes well under 2 s.
    assert time.monotonic() - began < 15


@pytest.mark.slow  # starts a real process
def test_sigint_exits_0_within_two_seconds() -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "try", "--plain", "--start", START, "--routines", str(QUICK)],
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


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
@pytest.mark.parametrize("size", [(80, 24)])
async def test_the_terminal_chat_runs_a_session_and_a_nudge(size: tuple[int, int]) -> None:
    app = ChatApp(SandboxOptions(routines=QUICK, speed=20.0, start=parse_start(START)))
    async with app.run_test(size=size) as pilot:
        await pilot.press(*"/start", "enter")
        await _settle(pilot, app, lambda: "doctor" in texts_shown(app) and len(bubbles(app)) >= 2)
        # The time-zone question: click its first button.
        zone_question = bubbles(app)[1]
        await click(pilot, app, f"#b{zone_question.message_id}_1")
        await _settle(pilot, app, lambda: "Time zone set" in texts_shown(app))
        await pilot.press(*"/stretch single", "enter")
        await _settle(pilot, app, lambda: "Stretch 1 of 1" in texts_shown(app))
        # Hands-free: no tap; the card's get-ready (0.5 s at speed 20) starts the hold by
        # itself. (Clicking Ready raced that timer on a busy machine: the button was gone.)
        await _settle(pilot, app, lambda: "Done!" in texts_shown(app))
        await pilot.press("ctrl+n")
        await _settle(
            pilot, app, lambda: texts.BUTTON_START_NOW in str([b.labels for b in bubbles(app)])
        )
        notes = [str(n.render()) for n in app.query(".note")]
        assert notes == [texts.sandbox_clock_moved("2026-01-06 03:00 UTC")]
