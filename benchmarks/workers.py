"""Webhook workers on PostgreSQL: updates/s and press-to-answer latency, 1 worker vs 3.

Each worker is a real `python -m bot` process in webhook mode; the Bot API stand-in runs in the
benchmark's process, and the updates are POSTed to the workers round-robin, as a load balancer
would. The rate limiter is off (as for a bot with paid
broadcasts), so what is measured is the workers, not Telegram's 30/s.

Two phases per run:
- **burst** (updates/s): --users users each send /stretch, all at once; once every card is
  out, all of them press Ready at once. updates/s = 2 x users / the time until every press's
  step message is out.
- **spread** (press to answer): --users other users start sessions, then press Ready spread
  evenly over one second. "Press to answer" runs from the POST of the press to the stand-in
  receiving the bot's answerCallbackQuery.

Run: python benchmarks/workers.py [--users 300] [--workers 1 3] [--profile out.txt]
[--spread-profile out.txt]
(needs PostgreSQL at 127.0.0.1:5432; --profile runs py-spy on the first worker through the
burst phase and writes its collapsed stacks there, --spread-profile the same through the
spread).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cpu import cpu_seconds, named  # noqa: E402
from bot.sandbox.collector import held as timing  # noqa: E402

SECRET = "bench-secret"
# Cards that wait 120 s for Ready: the burst's presses find them however slow the /stretch half.
ROUTINES = ROOT / "tests" / "data" / "waiting.toml"
WEBHOOK_CONNECTIONS = 40
# Below the worker's keep-alive (bot/webhook.py server_config: 5 s).
KEEPALIVE_SECONDS = 4.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)]


async def run(
    workers: int,
    users: int,
    profile: str | None = None,
    bot_root: Path = ROOT,
    floor: bool = False,
    profile_rate: int = 200,
    spread_profile: str | None = None,
) -> dict[str, Any]:
    import aiohttp
    import asyncpg

    from bot import texts
    from bot.sandbox.emulator import BotApiEmulator
    from bot.store.db import upgrade_async

    name = f"limber_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    await upgrade_async(url)
    procs = []
    spy = None
    try:
        # The load client posts as Telegram does: at most WEBHOOK_CONNECTIONS connections per
        # worker (setWebhook's max_connections, 40 by default), kept alive. (httpx used to be
        # the client: its pool bookkeeping alone cost 1.5 ms of CPU per update at 600 posts.)
        # Idle connections are dropped before the worker's own 5 s keep-alive ends (a reused
        # one the worker had just closed failed a POST in player_live.py).
        connector = aiohttp.TCPConnector(
            limit_per_host=WEBHOOK_CONNECTIONS, limit=0, keepalive_timeout=KEEPALIVE_SECONDS
        )
        async with (
            BotApiEmulator() as emu,
            aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=60)
            ) as client,
        ):
            urls = []
            for _ in range(workers):
                port = free_port()
                env = {
                    **os.environ,
                    "BOT_TOKEN": emu.token,
                    "TELEGRAM_API_BASE_URL": emu.base_url,
                    "DATABASE_URL": url,
                    "ROUTINES_PATH": str(ROUTINES),
                    "WEBHOOK_URL": "https://limber.example/telegram",
                    "WEBHOOK_SECRET": SECRET,
                    "PORT": str(port),
                    "RATE_LIMIT": "false",
                    "LOG_LEVEL": "WARNING",
                }
                command = [str(ROOT / "benchmarks" / "floor_bot.py")] if floor else ["-m", "bot"]
                procs.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        *command,
                        cwd=bot_root,
                        env=env,
                        stdout=asyncio.subprocess.DEVNULL,
                        stderr=asyncio.subprocess.DEVNULL,
                    )
                )
                urls.append(f"http://127.0.0.1:{port}")
            for u in urls:
                for _ in range(300):
                    try:
                        async with client.get(f"{u}/healthz") as health:
                            if health.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
            headers = {
                "X-Telegram-Bot-Api-Secret-Token": SECRET,
                "Content-Type": "application/json",
            }

            async def post(i: int, update: dict[str, Any]) -> None:
                async with client.post(
                    f"{urls[i % workers]}/telegram",
                    data=json.dumps(update),
                    headers=headers,
                ) as response:
                    # A press's answer rides on the response (bot/webhook_reply.py).
                    await emu.webhook_response(await response.read(), response.content_type)

            async def start(ids: list[int]) -> None:
                await asyncio.gather(
                    *(post(i, emu.send_text(u, "/stretch single")) for i, u in enumerate(ids))
                )
                await emu.wait_for(lambda: all(len(emu.messages(u)) >= 2 for u in ids), timeout=300)

            def press(uid: int) -> dict[str, Any]:
                intro = emu.messages(uid)[1]
                return emu.press(uid, intro.message_id, text=texts.BUTTON_READY)

            # Burst: /stretch x users at once, then Ready x users at once.
            burst = list(range(1_000_000, 1_000_000 + users))

            async def spy_on(path: str) -> asyncio.subprocess.Process:
                started = await asyncio.create_subprocess_exec(
                    "py-spy", "record", "--format", "raw", "--nonblocking",
                    "--rate", str(profile_rate),
                    "--output", path, "--pid", str(procs[0].pid),
                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
                )  # fmt: skip
                await asyncio.sleep(1.0)
                return started

            if profile:
                spy = await spy_on(profile)
            # The stand-in's collector off while it stamps, as in load.py (collector.py): one
            # of its full collections (up to 220 ms, gc.callbacks, 2026-12-08) inside a burst
            # held up the floor's run and Limber's alike, in some runs and not in others.
            with timing():
                pids = [p.pid for p in procs]
                cpu_before = (
                    cpu_seconds(*pids),
                    cpu_seconds(*named("postgres")),
                    time.process_time(),
                )
                calls_before = len(emu.calls)
                began = time.perf_counter()
                await start(burst)
                await asyncio.gather(*(post(i, press(u)) for i, u in enumerate(burst)))
                await emu.wait_for(
                    lambda: all(len(emu.messages(u)) >= 3 for u in burst), timeout=300
                )
                elapsed = time.perf_counter() - began
                burst_calls = Counter(c.method for c in emu.calls[calls_before:])
                cpu = [
                    (after - before) * 1000 / (2 * users)
                    for after, before in zip(
                        (cpu_seconds(*pids), cpu_seconds(*named("postgres")), time.process_time()),
                        cpu_before,
                        strict=True,
                    )
                ]
                if spy is not None:
                    spy.send_signal(2)
                    await spy.wait()
                    spy = None

                # Spread: other users' presses evenly over one second.
                spread = list(range(2_000_000, 2_000_000 + users))
                await start(spread)
                await asyncio.sleep(1.0)
                if spread_profile:
                    spy = await spy_on(spread_profile)
                pressed: dict[str, float] = {}
                tasks = []
                spread_from = len(emu.calls)
                spread_cpu_before = cpu_seconds(*pids)
                t0 = time.monotonic()
                for i, uid in enumerate(spread):
                    await asyncio.sleep(max(0.0, t0 + i / users - time.monotonic()))
                    update = press(uid)
                    pressed[update["callback_query"]["id"]] = time.monotonic()
                    tasks.append(asyncio.create_task(post(i, update)))
                await asyncio.gather(*tasks)
                await emu.wait_for(
                    lambda: all(len(emu.messages(u)) >= 3 for u in spread), timeout=300
                )
                # The workers' CPU over the spread: near a core a second, presses queue.
                spread_cpu = (cpu_seconds(*pids) - spread_cpu_before) * 1000 / users
                if spy is not None:
                    spy.send_signal(2)
                    await spy.wait()
                    spy = None
                spread_calls = Counter(c.method for c in emu.calls[spread_from:])
                answered = {
                    str(c.params["callback_query_id"]): c.at
                    for c in emu.calls
                    if c.method == "answerCallbackQuery"
                }
                latencies = [(answered[q] - t) * 1000 for q, t in pressed.items() if q in answered]
    finally:
        if spy is not None:
            spy.kill()
        for p in procs:
            if p.returncode is None:
                p.terminate()
        for p in procs:
            await p.wait()
        admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return {
        "workers": f"{workers} (floor)" if floor else workers,
        "updates": 2 * users,
        "updates_per_s": 2 * users / elapsed,
        "cpu_ms": cpu,
        "answered": len(latencies),
        "uploads": len(emu.files),
        "calls": burst_calls,
        "spread_calls": spread_calls,
        "spread_cpu_ms": spread_cpu,
        "p50_ms": statistics.median(latencies),
        "p99_ms": p99(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 3])
    parser.add_argument(
        "--profile", help="py-spy the first worker through the burst (the floor's: FILE.floor)"
    )
    # 200 a second gave 560 samples of a 1,000-user burst; 1,000 a second, 5,000 of 1,500.
    parser.add_argument(
        "--spread-profile", help="py-spy the first worker through the spread (FILE.floor too)"
    )
    parser.add_argument("--profile-rate", type=int, default=200, help="py-spy samples a second")
    parser.add_argument("--bot-root", type=Path, default=ROOT, help="run the bot from here")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also run benchmarks/floor_bot.py (the same stack without Limber) as the workers",
    )
    args = parser.parse_args()
    rows = []
    for n in args.workers:
        if args.floor:
            floor_profile = f"{args.profile}.floor" if args.profile else None
            floor_spread = f"{args.spread_profile}.floor" if args.spread_profile else None
            floor_run = run(
                n,
                args.users,
                floor_profile,
                floor=True,
                profile_rate=args.profile_rate,
                spread_profile=floor_spread,
            )
            rows.append(asyncio.run(floor_run))
        limber = run(
            n,
            args.users,
            args.profile,
            args.bot_root,
            profile_rate=args.profile_rate,
            spread_profile=args.spread_profile,
        )
        rows.append(asyncio.run(limber))
    print(
        "| workers | burst: updates/s (target >= 600) | spread: presses answered | "
        "spread: press to answer p50 / p99 (target p99 <= 200 ms) | "
        "spread: workers' CPU ms per press | "
        "burst: CPU ms per update, workers / PostgreSQL / stand-in and client |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(r["workers"], "Bot API calls in the burst:", dict(r["calls"]), file=sys.stderr)
        print(r["workers"], "... in the spread:", dict(r["spread_calls"]), file=sys.stderr)
        print(
            f"| {r['workers']} | {r['updates_per_s']:.0f} ({r['updates']} updates) | "
            f"{r['answered']} ({r['uploads']} uploads) | "
            f"{r['p50_ms']:.0f} / {r['p99_ms']:.0f} ms | "
            f"{r['spread_cpu_ms']:.2f} | " + " / ".join(f"{c:.2f}" for c in r["cpu_ms"]) + " |"
        )


if __name__ == "__main__":
    main()
