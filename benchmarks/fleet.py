"""Three webhook workers on one PostgreSQL against Telegram's 30/s (issue 16, item 1).

Each worker is a real `python -m bot` process in webhook mode with the production rate limiter;
the Bot API stand-in runs here and enforces Telegram's limits (30/s for the bot; per chat a
burst of 3, then one a second). --nudges subscribers are due at once; the workers' nudge ticks
claim and send them. Measured: 429s, nudges delivered (and any twice), the fleet's send rate.
`--bot-root DIR` runs the workers from another checkout (the code before the shared budget).

Run: python benchmarks/fleet.py [--workers 3] [--nudges 600] [--bot-root DIR]
(needs PostgreSQL at 127.0.0.1:5432)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret"
PG = "postgresql://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run(workers: int, nudges: int, bot_root: Path, timeout: float) -> dict[str, Any]:
    import asyncpg

    from bot.sandbox.emulator import BotApiEmulator
    from bot.store.db import create_engine, upgrade_async
    from bot.store.repo import Store
    from tests.harness import QUICK_ROUTINES, nudge_calls, seed_subscribers

    name = f"limber_fleet_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    await upgrade_async(url)
    store = Store(create_engine(url))
    await seed_subscribers(store, nudges, datetime.now(UTC))
    await store.close()
    procs = []
    try:
        async with BotApiEmulator() as emu:
            emu.enforce_flood()
            for _ in range(workers):
                env = {
                    **os.environ,
                    "PYTHONPATH": str(bot_root),
                    "BOT_TOKEN": emu.token,
                    "TELEGRAM_API_BASE_URL": emu.base_url,
                    "DATABASE_URL": url,
                    "ROUTINES_PATH": str(QUICK_ROUTINES),
                    "WEBHOOK_URL": "https://limber.example/telegram",
                    "WEBHOOK_SECRET": SECRET,
                    "PORT": str(free_port()),
                    "NUDGE_TICK_SECONDS": "1",
                    "LOG_LEVEL": "WARNING",
                }
                procs.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        "bot",
                        cwd=bot_root,
                        env=env,
                        stdout=asyncio.subprocess.DEVNULL,
                        stderr=asyncio.subprocess.DEVNULL,
                    )
                )
            await emu.wait_for(lambda: len(nudge_calls(emu)) > 0, timeout=60)
            first = min(c.at for c in nudge_calls(emu))
            # Nudges refused past their retries are not sent again: wait for all, or for quiet.
            with contextlib.suppress(TimeoutError):
                await emu.wait_for(lambda: len(nudge_calls(emu)) >= nudges, timeout=timeout)
            await emu.settled(quiet=3.0, timeout=timeout)
            calls = nudge_calls(emu)
            last = max(c.at for c in calls)
            per_chat = Counter(int(c.params["chat_id"]) for c in calls)
    finally:
        for p in procs:
            if p.returncode is None:
                p.terminate()
        for p in procs:
            await p.wait()
        admin = await asyncpg.connect(PG)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return {
        "workers": workers,
        "nudges": nudges,
        "delivered": len(per_chat),
        "twice": sum(1 for n in per_chat.values() if n > 1),
        "http_429": emu.flood_429s,
        "per_s": len(calls) / max(last - first, 1e-9),
        "seconds": round(last - first, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--nudges", type=int, default=600)
    parser.add_argument("--bot-root", type=Path, default=ROOT)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    r = asyncio.run(run(args.workers, args.nudges, args.bot_root.resolve(), args.timeout))
    print(json.dumps(r))
    print()
    print("| workers | nudges due | delivered (twice) | 429s | fleet's send rate |")
    print("|---|---|---|---|---|")
    print(
        f"| {r['workers']} | {r['nudges']} | {r['delivered']} ({r['twice']}) | "
        f"{r['http_429']} | {r['per_s']:.1f}/s over {r['seconds']} s |"
    )


if __name__ == "__main__":
    main()
