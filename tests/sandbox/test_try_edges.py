"""Issue 23, item 5: `limber try` as a newcomer expects it. `:quit` quits at once, a location
and a sticker can be sent, `:nudge` stops at every scheduled message, `--help` lists the
console commands. Driven in-process through the plain front-end."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot import texts
from bot.__main__ import main
from bot.sandbox.plain import run_plain
from bot.sandbox.runner import USER_ID, Sandbox, SandboxOptions, parse_start

QUICK = Path(__file__).parents[1] / "data" / "quick.toml"
START = "2026-01-05T15:00"  # 10:00 in New York, the first zone offered


async def test_quit_quits_at_once_during_a_session() -> None:
    # The real clock's speed: the session's get-ready and 20 s hold would take half a minute.
    options = SandboxOptions(routines=QUICK, speed=1.0, start=parse_start(START))
    async with Sandbox(options) as box:
        out = io.StringIO()
        lines = io.StringIO("/start\n1\n/stretch single\n:quit\n")
        began = time.monotonic()
        await asyncio.wait_for(run_plain(box, lines, out), timeout=12)
        assert "Stretch 1 of 1" in out.getvalue()
        assert out.getvalue().rstrip().endswith("you> :quit")
        assert time.monotonic() - began < 12
        assert await box.services.store.live_sessions()  # left running, not waited for


async def test_a_location_and_a_sticker_from_the_plain_transcript() -> None:
    options = SandboxOptions(routines=QUICK, speed=20.0, start=parse_start(START))
    async with Sandbox(options) as box:
        out = io.StringIO()
        await run_plain(box, io.StringIO("/start\n:location 0 -160\n:sticker\n:location x\n"), out)
        said = out.getvalue()
        # 15:00 UTC is 04:00 at UTC−11, a zone at sea.
        assert "Time zone set: UTC−11" in said and "04:00" in said, said
        assert texts.BAD_ZONE not in said
        after_sticker = said.split("you> :sticker", 1)[1].split("you> :location x", 1)[0]
        assert "bot> " in after_sticker  # the bot answered the sticker
        assert "(:location LATITUDE LONGITUDE" in said


async def test_nudge_stops_at_the_pain_check() -> None:
    options = SandboxOptions(routines=QUICK, speed=20.0, start=parse_start(START))
    async with Sandbox(options) as box:
        out = io.StringIO()
        await run_plain(box, io.StringIO("/start\n1\n"), out)
        store, clock = box.services.store, box.services.clock
        due = await store.next_nudge_at()
        assert due is not None
        check = due - timedelta(hours=1)  # as "This hurts" schedules it: before the next nudge
        await store.schedule_pain_check(USER_ID, check)
        out = io.StringIO()
        await run_plain(box, io.StringIO(":nudge\n"), out)
        assert texts.sandbox_clock_moved(f"{check:%Y-%m-%d %H:%M} UTC") in out.getvalue()
        assert texts.PAIN_QUESTION in out.getvalue()
        assert texts.BUTTON_START_NOW not in out.getvalue()  # the nudge is the next stop
        assert clock.now() < due


def test_try_help_lists_the_console_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["try", "--help"])
    shown = capsys.readouterr().out
    for fragment in (":nudge", ":location LAT LON", ":sticker", ":quit", "presses that button"):
        assert fragment in shown, fragment
