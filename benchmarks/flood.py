"""One flooding user against another user's latency (issue 18), through the stand-in enforcing
Telegram's limits (30/s for the bot; per chat a burst of 3, then one a second).

User A sends N `/stretch` at once; right after, user B sends /help, and two seconds later
(reading it) /stretch. Measured: B's time from message to answer (the stand-in's clock, from
queueing the update to receiving the bot's message), what A's chat got (session cards, 429s),
all 429s, and how long the bot stayed busy (until no request but getUpdates for 3 s).

The bot is `python -m bot` in a process of its own, polling the stand-in in this process, as in
production. `--bot-root DIR` runs the bot from another checkout (e.g. the code before the fix,
`git worktree add /tmp/before <commit>`), so both sides run the same measurement.

Run: python benchmarks/flood.py [--flood 500] [--bot-root DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLOODER = 71_001
OTHER = 71_002


async def measure(flood: int, bot_root: Path, timeout: float) -> dict[str, Any]:
    from bot import texts
    from bot.sandbox.emulator import BotApiEmulator, BotMessage
    from tests.harness import process_env

    def is_card(message: BotMessage) -> bool:
        return texts.BUTTON_READY in [label for label, _ in BotApiEmulator.buttons(message)]

    async def latency(emu: BotApiEmulator, chat: int, pushed: float, found: Any) -> float:
        await emu.wait_for(lambda: any(found(m) for m in emu.messages(chat)), timeout=timeout)
        return next(m for m in emu.messages(chat) if found(m)).sent_at - pushed

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'flood.db'}"
        async with BotApiEmulator() as emu:
            emu.enforce_flood()
            env = process_env(emu, url, LOG_LEVEL="WARNING")
            env["PYTHONPATH"] = str(bot_root)
            bot = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=bot_root,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            try:
                await emu.wait_for(
                    lambda: any(c.method == "getUpdates" for c in emu.calls), timeout=30
                )
                started = time.monotonic()
                for _ in range(flood):
                    emu.send_text(FLOODER, "/stretch")
                pushed = time.monotonic()
                emu.send_text(OTHER, "/help")
                help_s = await latency(emu, OTHER, pushed, lambda m: "/routines" in m.text)
                await asyncio.sleep(2.0)
                pushed = time.monotonic()
                emu.send_text(OTHER, "/stretch")
                card_s = await latency(emu, OTHER, pushed, is_card)
                await emu.settled(quiet=3.0, timeout=timeout)
                busy_s = max(0.0, emu._last_request - started)
            finally:
                if bot.returncode is None:
                    bot.send_signal(signal.SIGTERM)
                    await bot.wait()
            cards = len([m for m in emu.messages(FLOODER) if is_card(m)])
            return {
                "flood": flood,
                "other_help_ms": round(help_s * 1000),
                "other_card_ms": round(card_s * 1000),
                "flooder_messages": len(emu.messages(FLOODER)),
                "flooder_session_cards": cards,
                "flooder_429s": emu.flood_429s_by_chat.get(FLOODER, 0),
                "all_429s": emu.flood_429s,
                "busy_s": round(busy_s, 1),
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=500)
    parser.add_argument("--bot-root", type=Path, default=ROOT)
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    result = asyncio.run(measure(args.flood, args.bot_root.resolve(), args.timeout))
    print(json.dumps(result))
    print()
    print("| measure | target | result |")
    print("|---|---|---|")
    print(f"| B's /help: message to answer | < 1,000 ms | {result['other_help_ms']:,} ms |")
    print(f"| B's /stretch: message to card | < 1,000 ms | {result['other_card_ms']:,} ms |")
    print(
        f"| A's {result['flood']} /stretch: session cards (messages) | 1 | "
        f"{result['flooder_session_cards']} ({result['flooder_messages']}) |"
    )
    print(
        f"| 429s for A's chat / in all | 0 / 0 | {result['flooder_429s']} / {result['all_429s']} |"
    )
    print(f"| bot busy after the flood | - | {result['busy_s']} s |")


if __name__ == "__main__":
    main()
