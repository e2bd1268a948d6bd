"""Webhook workers on PostgreSQL: updates/s and press-to-answer latency, 1 worker vs 3.

Each worker is a real `python -m bot` process in webhook mode; the Bot API stand-in runs here
and the updates are POSTed to the workers round-robin, as a load balancer would. Each of
--users users sends /stretch and then presses Ready. The rate limiter is off (as for a bot with
paid broadcasts), so what is measured is the workers, not Telegram's 30/s.

Run: python benchmarks/workers.py [--users 300]   (needs PostgreSQL at 127.0.0.1:5432)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run(workers: int, users: int) -> dict[str, Any]:
    import asyncpg
    import httpx

    from bot import texts
    from bot.sandbox.emulator import BotApiEmulator
    from bot.store.db import upgrade_async
    from tests.harness import QUICK_ROUTINES

    name = f"limber_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    await upgrade_async(url)
    procs = []
    try:
        async with BotApiEmulator() as emu, httpx.AsyncClient(timeout=60) as client:
            urls = []
            for _ in range(workers):
                port = free_port()
                env = {
                    **os.environ,
                    "BOT_TOKEN": emu.token,
                    "TELEGRAM_API_BASE_URL": emu.base_url,
                    "DATABASE_URL": url,
                    "ROUTINES_PATH": str(QUICK_ROUTINES),
                    "WEBHOOK_URL": "https://limber.example/telegram",
                    "WEBHOOK_SECRET": SECRET,
                    "PORT": str(port),
                    "RATE_LIMIT": "false",
                    "LOG_LEVEL": "WARNING",
                }
                procs.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        "bot",
                        cwd=ROOT,
                        env=env,
                        stdout=asyncio.subprocess.DEVNULL,
                        stderr=asyncio.subprocess.DEVNULL,
                    )
                )
                urls.append(f"http://127.0.0.1:{port}")
            for u in urls:
                for _ in range(200):
                    try:
                        if (await client.get(f"{u}/healthz")).status_code in (200, 503):
                            break
                    except httpx.HTTPError:
                        await asyncio.sleep(0.1)
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            ids = list(range(1_000_000, 1_000_000 + users))
            began = time.perf_counter()
            posts = [
                client.post(
                    f"{urls[i % workers]}/telegram",
                    json=emu.send_text(uid, "/stretch single"),
                    headers=headers,
                )
                for i, uid in enumerate(ids)
            ]
            await asyncio.gather(*posts)
            await emu.wait_for(lambda: all(len(emu.messages(u)) >= 2 for u in ids), timeout=300)
            pressed: dict[str, float] = {}
            presses = []
            for i, uid in enumerate(ids):
                intro = emu.messages(uid)[1]
                update = emu.press(uid, intro.message_id, text=texts.BUTTON_READY)
                pressed[update["callback_query"]["id"]] = time.monotonic()
                presses.append(
                    client.post(f"{urls[i % workers]}/telegram", json=update, headers=headers)
                )
            await asyncio.gather(*presses)
            await emu.wait_for(lambda: all(len(emu.messages(u)) >= 3 for u in ids), timeout=300)
            elapsed = time.perf_counter() - began
            answered = {
                str(c.params["callback_query_id"]): c.at
                for c in emu.calls
                if c.method == "answerCallbackQuery"
            }
            latencies = sorted(
                (answered[q] - t) * 1000 for q, t in pressed.items() if q in answered
            )
    finally:
        for p in procs:
            if p.returncode is None:
                p.terminate()
        for p in procs:
            await p.wait()
        admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return {
        "workers": workers,
        "updates": 2 * users,
        "updates_per_s": 2 * users / elapsed,
        "answered": len(latencies),
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=300)
    args = parser.parse_args()
    rows = [asyncio.run(run(n, args.users)) for n in (1, 3)]
    print("| workers | updates | updates/s | presses answered | press to answer p50 / p99 |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['workers']} | {r['updates']} | {r['updates_per_s']:.0f} | {r['answered']} | "
            f"{r['p50_ms']:.0f} / {r['p99_ms']:.0f} ms |"
        )


if __name__ == "__main__":
    main()
