"""The floor under the 200-presses burst: the same burst as load.py, against a bot that is only
the Telegram plumbing (benchmarks/floor_bot.py --polling), no Limber.

200 users each get a card with a Ready button (/stretch), then all press it at the same
moment; press to answer runs from the stand-in queueing the press to it receiving the
answerCallbackQuery, as in load.py. No nudge wave (load.py sends one meanwhile). What this
bot reaches is the most any bot on PTB 22 with bot/http.py can do here when polling.

`--profile FILE` runs py-spy (raw format, as load.py's) on the floor bot through the burst, so
the two profiles can be read side by side.

Run: python benchmarks/floor_burst.py [--users 200] [--runs 3] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cpu import cpu_seconds  # noqa: E402


async def run(users: int, profile: str | None = None) -> dict[str, float]:
    from benchmarks.load import PY_SPY
    from bot import texts
    from bot.sandbox.collector import held as timing
    from bot.sandbox.emulator import BotApiEmulator

    async with BotApiEmulator() as emu:
        env = {**os.environ, "BOT_TOKEN": emu.token, "TELEGRAM_API_BASE_URL": emu.base_url}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "benchmarks" / "floor_bot.py"), "--polling", env=env
        )
        try:
            ids = list(range(100_000, 100_000 + users))
            for uid in ids:
                emu.send_text(uid, "/stretch")
            await emu.wait_for(lambda: all(len(emu.messages(u)) >= 2 for u in ids), timeout=120)
            spy = None
            if profile:
                spy = await asyncio.create_subprocess_exec(
                    *PY_SPY,
                    profile,
                    "--pid",
                    str(proc.pid),
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                )
            await asyncio.sleep(float(os.environ.get("FLOOR_SETTLE", "1.0")))
            with timing():  # as load.py: the stand-in's collector off while it stamps
                pressed = {}
                cpu = cpu_seconds(proc.pid)
                for uid in ids:
                    card = emu.messages(uid)[1]
                    update = emu.press(uid, card.message_id, text=texts.BUTTON_READY)
                    pressed[update["callback_query"]["id"]] = time.monotonic()

                def answered() -> dict[str, float]:
                    return {
                        str(c.params["callback_query_id"]): c.at
                        for c in emu.calls
                        if c.method == "answerCallbackQuery"
                    }

                await emu.wait_for(lambda: len(answered()) >= users, timeout=120)
                cpu = (cpu_seconds(proc.pid) - cpu) * 1000 / users
                found = answered()
                latencies = sorted((found[q] - t) * 1000 for q, t in pressed.items())
            if spy is not None:
                spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
                await spy.wait()
        finally:
            proc.kill()
            await proc.wait()
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "cpu": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", help="py-spy the floor bot through the burst")
    args = parser.parse_args()
    print("| run | press to answer, all at once, p50 / p99 (ms) | bot CPU per press (ms) |")
    print("|---|---|---|")
    for i in range(args.runs):
        r = asyncio.run(run(args.users, args.profile))
        print(f"| {i + 1} | {r['p50']:.0f} / {r['p99']:.0f} | {r['cpu']:.2f} |")


if __name__ == "__main__":
    main()
