"""Load: many users in sessions at once plus a nudge wave, through the stand-in, on SQLite.

Measures what issue #5 asks: no "database is locked", no update dropped (every button press is
answered), and the time from a user's button press to the bot's answer (p50/p99): from the
moment the stand-in queues the press to the moment the bot's answerCallbackQuery reaches it.
Prints a Markdown table for docs/benchmarks.md.

By default the bot is `python -m bot` in a process of its own, polling the stand-in in this
process, as it runs in production (Telegram is not in the bot's process, and here the stand-in
is not either). `--in-process` runs the bot's Application in this process and event loop, as
the tests do: the stand-in's own work (serving getUpdates, checking every request against the
spec) is then charged to the bot's latency too.

Sessions run hands-free by default (the get-ready count starts the hold by itself), so the
routine here keeps its first card waiting two minutes (the most routines.toml allows) for
Ready: setting up 200 sessions takes longer than the usual 10 s get-ready, and the burst is of
people pressing Ready, not of timers.

`--bot-root DIR` runs `python -m bot` from another checkout (e.g. a worktree of main), so a
"before" and an "after" are measured by the same benchmark on the same machine.

`--profile FILE` runs py-spy (raw format, 200 Hz) on the bot's process through the burst (and
on this process, the stand-in, into FILE.stand-in). The
bot's CPU over the burst (from the first press until every one of them is answered) is
reported per press, from /proc.

Run: python benchmarks/load.py [--users 200] [--nudges 1000] [--rounds 6] [--in-process]
     [--bot-root DIR] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cpu import cpu_seconds  # noqa: E402
from bot.sandbox.collector import held as timing  # noqa: E402

FIRST_NUDGED = 500_000
PY_SPY = ["py-spy", "record", "--format", "raw", "--rate", "200", "--nonblocking", "-o"]
# tests/data/quick.toml with a get-ready long enough for every card to wait for its Ready.
ROUTINES = """
[stretches.one]
name = "First stretch"
steps = ["Lie down.", "Lift the leg."]
hold_seconds = 10
each_side = true
ready_seconds = 120

[stretches.two]
name = "Second stretch"
steps = ["Sit at the edge of the chair."]
hold_seconds = 20
each_side = false
tip = "Sit tall."

[routines.quick]
title = "Quick test"
stretches = ["one", "two"]
default = true
"""


class Problems(logging.Handler):
    """Counts log records that mean trouble (the in-process bot)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.locked = 0
        self.errors = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage() + (str(record.exc_info[1]) if record.exc_info else "")
        if "database is locked" in text:
            self.locked += 1
        if record.levelno >= logging.ERROR:
            self.errors += 1


class InProcessBot:
    """The Application in this event loop (tests/harness.py), nudges ticked by hand."""

    def __init__(self, emu: Any, url: str, routines: Path) -> None:
        from bot.clock import ScaledClock
        from tests.harness import Harness

        self.problems = Problems()
        self.harness = Harness(emu, url, routines=routines, clock=ScaledClock(1.0))
        self.wave: asyncio.Task[Any] | None = None

    async def start(self) -> None:
        logging.getLogger().addHandler(self.problems)
        await self.harness.start()

    def start_wave(self) -> None:
        self.wave = asyncio.create_task(self.harness.services.dispatcher.tick())

    @property
    def pid(self) -> int:
        return os.getpid()

    def kill(self) -> None:
        """Nothing to do: the bot ends with this process."""

    async def stop(self) -> tuple[int, int]:
        if self.wave is not None:
            await self.wave
        await self.harness.stop()
        logging.getLogger().removeHandler(self.problems)
        return self.problems.locked, self.problems.errors


class BotProcess:
    """`python -m bot` polling the stand-in; its log is read for trouble when it stops."""

    def __init__(self, emu: Any, url: str, routines: Path, log_path: Path, bot_root: Path) -> None:
        self.emu = emu
        self.log_path = log_path
        self.bot_root = bot_root
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))},
            "BOT_TOKEN": emu.token,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "TELEGRAM_FILE_BASE_URL": emu.file_base_url,
            "DATABASE_URL": url,
            "ROUTINES_PATH": str(routines),
            "LOG_LEVEL": "INFO",
            "NUDGE_TICK_SECONDS": "1",
        }
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=self.bot_root,
                env=self.env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )
        await self.emu.wait_for(
            lambda: any(c.method == "getUpdates" for c in self.emu.calls), timeout=60
        )

    def start_wave(self) -> None:
        """Nothing to do: the bot's own tick (every second) claims the seeded nudges."""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()

    async def stop(self) -> tuple[int, int]:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.proc.wait(), timeout=30)
        lines = self.log_path.read_text(errors="replace").splitlines()
        locked = sum("database is locked" in line for line in lines)
        errors = sum(line.split(" ")[2:3] in (["ERROR"], ["CRITICAL"]) for line in lines)
        errors += sum(line.startswith("Traceback") for line in lines)
        if locked or errors or code:
            # The run's directory goes with it: the log is kept where it can be read.
            kept = Path(tempfile.gettempdir()) / "limber-load-bot.log"
            kept.write_text("\n".join(lines))
            print(f"the bot's log, with {errors} errors: {kept}", file=sys.stderr)
        return locked, errors + (code != 0)


def rss_mib(pid: int) -> float:
    """Resident memory of a process in MiB, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as f:
        kib = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return kib / 1024


async def run(
    users: int,
    nudges: int,
    rounds: int,
    in_process: bool,
    bot_root: Path = ROOT,
    profile: str | None = None,
) -> dict[str, Any]:
    from bot import texts
    from bot.sandbox.emulator import BotApiEmulator
    from bot.store.db import create_engine, upgrade_async
    from bot.store.repo import Store
    from tests.harness import seed_subscribers

    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'load.db'}"
        routines = Path(tmp) / "routines.toml"
        routines.write_text(ROUTINES)
        await upgrade_async(url)
        async with BotApiEmulator() as emu:
            bot: InProcessBot | BotProcess = (
                InProcessBot(emu, url, routines)
                if in_process
                else BotProcess(emu, url, routines, Path(tmp) / "log", bot_root)
            )
            try:
                await bot.start()
                pressed: dict[str, float] = {}
                burst: dict[str, int] = {}  # the burst's presses: callback query id -> user

                def press(uid: int, message_id: int, label: str, *, at_once: bool = False) -> None:
                    update = emu.press(uid, message_id, text=label)
                    pressed[update["callback_query"]["id"]] = time.monotonic()
                    if at_once:
                        burst[update["callback_query"]["id"]] = uid

                def nudges_sent() -> int:
                    return sum(
                        c.method == "sendMessage" and int(c.params["chat_id"]) >= FIRST_NUDGED
                        for c in emu.calls
                    )

                ids = list(range(100_000, 100_000 + users))
                for uid in ids:
                    emu.send_text(uid, "/stretch")
                await emu.wait_for(lambda: all(len(emu.messages(u)) >= 2 for u in ids), timeout=120)
                if nudges:  # --nudges 0: the burst alone, as benchmarks/floor_burst.py's
                    seeder = Store(create_engine(url))
                    due = datetime.now(UTC) - timedelta(seconds=1)
                    await seed_subscribers(seeder, nudges, due, first_id=FIRST_NUDGED)
                    await seeder.close()
                    bot.start_wave()
                    await emu.wait_for(lambda: nudges_sent() > 0, timeout=30)
                spies = []
                for out, pid in (
                    ((profile, bot.pid), (f"{profile}.stand-in", os.getpid())) if profile else ()
                ):
                    spies.append(
                        await asyncio.create_subprocess_exec(
                            *PY_SPY,
                            out,
                            "--pid",
                            str(pid),
                            stdout=asyncio.subprocess.DEVNULL,
                            stderr=asyncio.subprocess.DEVNULL,
                        )
                    )
                if spies:
                    await asyncio.sleep(1.0)
                with timing():  # the stand-in stamps every answer: no pause of its own
                    cpu_before = cpu_seconds(bot.pid), time.process_time()
                    rss_before = rss_mib(bot.pid)
                    for uid in ids:  # Ready for everyone, while the wave goes out
                        intro = emu.messages(uid)[1]
                        press(uid, intro.message_id, texts.BUTTON_READY, at_once=True)

                    waiting, looked = set(burst), len(emu.calls)

                    def burst_answered() -> bool:
                        # Only the calls since the last look: this runs on every request, in
                        # the stand-in's event loop, so it must not slow the stand-in down.
                        nonlocal looked
                        calls = emu.calls
                        for c in calls[looked:]:
                            if c.method == "answerCallbackQuery":
                                waiting.discard(str(c.params["callback_query_id"]))
                        looked = len(calls)
                        return not waiting

                    await emu.wait_for(burst_answered, timeout=120)
                    burst_cpu_ms = (cpu_seconds(bot.pid) - cpu_before[0]) * 1000 / len(burst)
                    # Every press answered, most handlers still waiting to send their hold: the
                    # most updates in flight at once.
                    burst_rss_mib = rss_mib(bot.pid) - rss_before
                    stand_in_cpu_ms = (time.process_time() - cpu_before[1]) * 1000 / len(burst)
                for spy in spies:
                    spy.send_signal(signal.SIGINT)
                    await spy.wait()
                await emu.wait_for(lambda: all(len(emu.messages(u)) >= 3 for u in ids), timeout=120)
                # Press to the hold's message in the chat: the Telegram budget (29 a second,
                # two messages a press) bounds the last; the order decides the middle.
                shown = sorted(
                    (emu.messages(u)[2].sent_at - pressed[q]) * 1000 for q, u in burst.items()
                )
                # Then each user pauses or resumes at random moments: presses spread over time,
                # as 200 people in sessions would make them, not all in the same millisecond.
                moments = sorted(
                    (rng.uniform(0, 10.0 * rounds / 3), uid) for uid in ids for _ in range(rounds)
                )
                began = time.monotonic()
                for at, uid in moments:
                    delay = began + at - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    hold = emu.messages(uid)[2]
                    labels = [t for t, _ in emu.buttons(hold)]
                    if texts.BUTTON_PAUSE in labels:
                        press(uid, hold.message_id, texts.BUTTON_PAUSE)
                    elif texts.BUTTON_RESUME in labels:
                        press(uid, hold.message_id, texts.BUTTON_RESUME)
                await emu.wait_for(
                    lambda: (
                        sum(c.method == "answerCallbackQuery" for c in emu.calls) >= len(pressed)
                    ),
                    timeout=120,
                )
                await emu.wait_for(lambda: nudges_sent() >= nudges, timeout=120)
                locked, errors = await bot.stop()
                answers: dict[str, list[float]] = {}
                for c in emu.calls:
                    if c.method == "answerCallbackQuery":
                        answers.setdefault(str(c.params["callback_query_id"]), []).append(c.at)
                latencies = sorted(
                    (answers[q][0] - t) * 1000
                    for q, t in pressed.items()
                    if q in answers and q not in burst
                )
                burst_latencies = sorted(
                    (answers[q][0] - pressed[q]) * 1000 for q in burst if q in answers
                )
                sent = nudges_sent()
            except BaseException:
                bot.kill()  # a failed run must not leave its bot polling
                raise
    return {
        "users": users,
        "presses": len(pressed),
        "answered": len(latencies) + len(burst_latencies),
        "answered_twice": sum(len(a) > 1 for a in answers.values()),
        "burst_p50_ms": statistics.median(burst_latencies),
        "burst_p99_ms": burst_latencies[int(len(burst_latencies) * 0.99) - 1],
        "burst_max_ms": burst_latencies[-1],
        "burst_cpu_ms_per_press": burst_cpu_ms,
        "burst_rss_mib": burst_rss_mib,
        "hold_p50_ms": statistics.median(shown),
        "hold_max_ms": shown[-1],
        "stand_in_cpu_ms_per_press": stand_in_cpu_ms,
        "nudges_sent": sent,
        "locked": locked,
        "errors": errors,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
        "max_ms": latencies[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--nudges", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--in-process", action="store_true", help="the bot in this event loop")
    parser.add_argument("--bot-root", type=Path, default=ROOT, help="run the bot from here")
    parser.add_argument("--profile", help="py-spy the bot's process through the burst")
    args = parser.parse_args()
    r = asyncio.run(
        run(args.users, args.nudges, args.rounds, args.in_process, args.bot_root, args.profile)
    )
    print(r)
    print("| measure | target | result |")
    print("|---|---|---|")
    print(
        f"| button presses answered (answered twice) | all (0) | {r['answered']} of "
        f"{r['presses']} ({r['answered_twice']}) |"
    )
    print(f"| 'database is locked' | 0 | {r['locked']} |")
    print(f"| errors logged | 0 | {r['errors']} |")
    print(f"| nudge wave sent meanwhile | {args.nudges} | {r['nudges_sent']} |")
    print(
        "| press to answer, presses spread over time, p50 / p99 / max | p99 <= 200 ms | "
        f"{r['p50_ms']:.0f} / {r['p99_ms']:.0f} / {r['max_ms']:.0f} ms |"
    )
    print(
        f"| press to answer, all {int(r['users'])} press Ready at once, p50 / p99 / max "
        f"| p99 <= 200 ms | {r['burst_p50_ms']:.0f} / {r['burst_p99_ms']:.0f} / "
        f"{r['burst_max_ms']:.0f} ms |"
    )
    print(
        f"| press to the hold's message in the chat, all {int(r['users'])} at once, p50 / max "
        f"| - | {r['hold_p50_ms']:.0f} / {r['hold_max_ms']:.0f} ms |"
    )
    print(
        "| the bot's memory growth over the burst (all answered, sends still queued) | - | "
        f"{r['burst_rss_mib']:.1f} MiB |"
    )
    print(
        "| the bot's CPU per press over the burst (first press to last answer) | - | "
        f"{r['burst_cpu_ms_per_press']:.2f} ms |"
    )
    print(
        "| this process's CPU (the stand-in, pressing) per press over the burst | - | "
        f"{r['stand_in_cpu_ms_per_press']:.2f} ms |"
    )


if __name__ == "__main__":
    main()
