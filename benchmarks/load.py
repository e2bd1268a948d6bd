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

Run: python benchmarks/load.py [--users 200] [--nudges 1000] [--rounds 6] [--in-process]
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

FIRST_NUDGED = 500_000


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

    def __init__(self, emu: Any, url: str) -> None:
        from bot.clock import ScaledClock
        from tests.harness import QUICK_ROUTINES, Harness

        self.problems = Problems()
        self.harness = Harness(emu, url, routines=QUICK_ROUTINES, clock=ScaledClock(1.0))
        self.wave: asyncio.Task[Any] | None = None

    async def start(self) -> None:
        logging.getLogger().addHandler(self.problems)
        await self.harness.start()

    def start_wave(self) -> None:
        self.wave = asyncio.create_task(self.harness.services.dispatcher.tick())

    async def stop(self) -> tuple[int, int]:
        if self.wave is not None:
            await self.wave
        await self.harness.stop()
        logging.getLogger().removeHandler(self.problems)
        return self.problems.locked, self.problems.errors


class BotProcess:
    """`python -m bot` polling the stand-in; its log is read for trouble when it stops."""

    def __init__(self, emu: Any, url: str, log_path: Path) -> None:
        from tests.harness import QUICK_ROUTINES

        self.emu = emu
        self.log_path = log_path
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))},
            "BOT_TOKEN": emu.token,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "TELEGRAM_FILE_BASE_URL": emu.file_base_url,
            "DATABASE_URL": url,
            "ROUTINES_PATH": str(QUICK_ROUTINES),
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
                cwd=ROOT,
                env=self.env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )
        await self.emu.wait_for(
            lambda: any(c.method == "getUpdates" for c in self.emu.calls), timeout=60
        )

    def start_wave(self) -> None:
        """Nothing to do: the bot's own tick (every second) claims the seeded nudges."""

    async def stop(self) -> tuple[int, int]:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.proc.wait(), timeout=30)
        lines = self.log_path.read_text(errors="replace").splitlines()
        locked = sum("database is locked" in line for line in lines)
        errors = sum(line.split(" ")[2:3] in (["ERROR"], ["CRITICAL"]) for line in lines)
        errors += sum(line.startswith("Traceback") for line in lines)
        return locked, errors + (code != 0)


async def run(users: int, nudges: int, rounds: int, in_process: bool) -> dict[str, Any]:
    from bot import texts
    from bot.sandbox.emulator import BotApiEmulator
    from bot.store.db import create_engine, upgrade_async
    from bot.store.repo import Store
    from tests.harness import seed_subscribers

    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'load.db'}"
        await upgrade_async(url)
        async with BotApiEmulator() as emu:
            bot: InProcessBot | BotProcess = (
                InProcessBot(emu, url) if in_process else BotProcess(emu, url, Path(tmp) / "log")
            )
            await bot.start()
            pressed: dict[str, float] = {}
            burst: set[str] = set()

            def press(uid: int, message_id: int, label: str, *, at_once: bool = False) -> None:
                update = emu.press(uid, message_id, text=label)
                pressed[update["callback_query"]["id"]] = time.monotonic()
                if at_once:
                    burst.add(update["callback_query"]["id"])

            def nudges_sent() -> int:
                return sum(
                    c.method == "sendMessage" and int(c.params["chat_id"]) >= FIRST_NUDGED
                    for c in emu.calls
                )

            ids = list(range(100_000, 100_000 + users))
            for uid in ids:
                emu.send_text(uid, "/stretch")
            await emu.wait_for(lambda: all(len(emu.messages(u)) >= 2 for u in ids), timeout=120)
            seeder = Store(create_engine(url))
            due = datetime.now(UTC) - timedelta(seconds=1)
            await seed_subscribers(seeder, nudges, due, first_id=FIRST_NUDGED)
            await seeder.close()
            bot.start_wave()
            await emu.wait_for(lambda: nudges_sent() > 0, timeout=30)
            for uid in ids:  # Ready for everyone, while the wave goes out
                intro = emu.messages(uid)[1]
                press(uid, intro.message_id, texts.BUTTON_READY, at_once=True)
            await emu.wait_for(lambda: all(len(emu.messages(u)) >= 3 for u in ids), timeout=120)
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
                lambda: sum(c.method == "answerCallbackQuery" for c in emu.calls) >= len(pressed),
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
    return {
        "users": users,
        "presses": len(pressed),
        "answered": len(latencies) + len(burst_latencies),
        "answered_twice": sum(len(a) > 1 for a in answers.values()),
        "burst_p50_ms": statistics.median(burst_latencies),
        "burst_p99_ms": burst_latencies[int(len(burst_latencies) * 0.99) - 1],
        "burst_max_ms": burst_latencies[-1],
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
    args = parser.parse_args()
    r = asyncio.run(run(args.users, args.nudges, args.rounds, args.in_process))
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


if __name__ == "__main__":
    main()
