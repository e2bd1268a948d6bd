"""Load: many users in sessions at once plus a nudge wave, through the stand-in, on SQLite.

Measures what issue #5 asks: no "database is locked", no update dropped (every button press is
answered), and the time from a user's button press to the bot's answer (p50/p99). Prints a
Markdown table for docs/benchmarks.md.

Run: python benchmarks/load.py [--users 200] [--nudges 1000] [--rounds 6]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class Problems(logging.Handler):
    """Counts log records that mean trouble."""

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


async def run(users: int, nudges: int, rounds: int) -> dict[str, float]:
    from bot import texts
    from bot.clock import ScaledClock
    from bot.sandbox.emulator import BotApiEmulator
    from tests.harness import QUICK_ROUTINES, Harness, seed_subscribers

    problems = Problems()
    logging.getLogger().addHandler(problems)
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'load.db'}"
        async with BotApiEmulator() as emu:
            bot = Harness(emu, url, routines=QUICK_ROUTINES, clock=ScaledClock(1.0))
            await bot.start()
            pressed: dict[str, float] = {}
            burst: set[str] = set()

            def press(uid: int, message_id: int, label: str, *, at_once: bool = False) -> None:
                update = emu.press(uid, message_id, text=label)
                pressed[update["callback_query"]["id"]] = time.monotonic()
                if at_once:
                    burst.add(update["callback_query"]["id"])

            ids = list(range(100_000, 100_000 + users))
            for uid in ids:
                emu.send_text(uid, "/stretch")
            await emu.wait_for(lambda: all(len(emu.messages(u)) >= 2 for u in ids), timeout=120)
            store = bot.services.store
            due = bot.clock.now() - timedelta(seconds=1)
            await seed_subscribers(store, nudges, due, first_id=500_000)
            wave = asyncio.create_task(bot.services.dispatcher.tick())
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
            report = await wave
            await emu.wait_for(
                lambda: sum(c.method == "answerCallbackQuery" for c in emu.calls) >= len(pressed),
                timeout=120,
            )
            answered = {
                str(c.params["callback_query_id"]): c.at
                for c in emu.calls
                if c.method == "answerCallbackQuery"
            }
            latencies = sorted(
                (answered[q] - t) * 1000
                for q, t in pressed.items()
                if q in answered and q not in burst
            )
            burst_latencies = sorted(
                (answered[q] - pressed[q]) * 1000 for q in burst if q in answered
            )
            await bot.stop()
    return {
        "users": users,
        "presses": len(pressed),
        "answered": len(latencies) + len(burst_latencies),
        "burst_p50_ms": statistics.median(burst_latencies),
        "burst_p99_ms": burst_latencies[int(len(burst_latencies) * 0.99) - 1],
        "nudges_sent": report.sent,
        "locked": problems.locked,
        "errors": problems.errors,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
        "max_ms": latencies[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--nudges", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    r = asyncio.run(run(args.users, args.nudges, args.rounds))
    print(r)
    print("| measure | target | result |")
    print("|---|---|---|")
    print(f"| button presses answered | all | {r['answered']} of {r['presses']} |")
    print(f"| 'database is locked' | 0 | {r['locked']} |")
    print(f"| errors logged | 0 | {r['errors']} |")
    print(f"| nudge wave sent meanwhile | {args.nudges} | {r['nudges_sent']} |")
    print(
        "| press to answer, presses spread over time, p50 / p99 / max | p99 <= 200 ms | "
        f"{r['p50_ms']:.0f} / {r['p99_ms']:.0f} / {r['max_ms']:.0f} ms |"
    )
    print(
        f"| press to answer, all {int(r['users'])} press Ready at once, p50 / p99 | - | "
        f"{r['burst_p50_ms']:.0f} / {r['burst_p99_ms']:.0f} ms |"
    )


if __name__ == "__main__":
    main()
