"""The player's live channel: 1,000 players open at once on one worker, each following its own
session (issue 28 item 3).

One real `python -m bot` webhook worker with PUBLIC_URL set (so its server also serves the
player, bot/player/), on a fresh PostgreSQL database, against the Bot API stand-in in this
process; the rate limiter is off, as in benchmarks/workers.py, so the worker is measured and
not Telegram's 30/s.

- **live**: --players users each send /stretch (cards that wait 120 s for Ready,
  tests/data/waiting.toml). Then every user's page opens its long-poll at once
  (`/app/api/state?wait=1&session=&version=` with the user's signed initData, one connection
  per page), each waiting on its own session@version. Every user then presses Ready in the
  chat, the presses spread evenly over --spread seconds and POSTed to the webhook as Telegram
  would. "Change to page" runs from the POST of a press until that user's long-poll returns a
  newer version (when the page would re-render); the page then polls again at the new version,
  as bot/player/static/player.js does, and stays open until every page has seen its change.
- **baseline**: once those sessions are over, --players other users do the same with no page
  open, so the two press-to-answer figures (the POST of a press to the stand-in receiving
  answerCallbackQuery) say what open pages cost the chat.

Memory per open page: the worker's VmRSS once the sessions are started, before the polls, and
again with every poll open and the worker quiet; the difference over --players. Since the
worker collects its young generation every 50,000 objects (bot/startup.py) the pages fit in
memory the uncollected garbage already held, and this reads about 0: compare the totals
(VmRSS with the pages open) of two builds instead.

Run: python benchmarks/player_live.py [--players 1000] [--spread 5] [--profile out.txt]
[--bot-root DIR] [--no-baseline] (needs PostgreSQL at 127.0.0.1:5432; --profile runs py-spy
on the worker through the live spread and writes its collapsed stacks there).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cpu import cpu_seconds  # noqa: E402
from benchmarks.workers import (  # noqa: E402
    KEEPALIVE_SECONDS,
    ROUTINES,
    SECRET,
    free_port,
    p99,
)
from bot.sandbox.collector import held as timing  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432/test"
PUBLIC_URL = "https://limber.example"
# Telegram's setWebhook default: the presses come over at most 40 kept-alive connections.
WEBHOOK_CONNECTIONS = 40
# A page's long-poll is answered "nothing new" after 25 s (bot/player/live.py WAIT_SECONDS);
# the client gives it that and a minute more before it calls the poll failed.
POLL_READ_SECONDS = 85.0
# "After a second or two": the worker counts as settled once it used under 5 % of a core over
# half a second (1,000 polls being accepted and parked take a few seconds of CPU on 2 cores).
QUIET_CPU_SHARE = 0.05


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


async def quiet(pid: int, at_least: float = 2.0, at_most: float = 30.0) -> float:
    """Wait `at_least` seconds, then until the process is idle (or `at_most`); seconds waited."""
    began = time.monotonic()
    await asyncio.sleep(at_least)
    while time.monotonic() - began < at_most:
        before = cpu_seconds(pid)
        await asyncio.sleep(0.5)
        if cpu_seconds(pid) - before < 0.5 * QUIET_CPU_SHARE:
            break
    return time.monotonic() - began


async def run(
    players: int,
    spread: float,
    profile: str | None = None,
    bot_root: Path = ROOT,
    baseline: bool = True,
) -> dict[str, Any]:
    import aiohttp
    import asyncpg

    from bot import texts
    from bot.domain.session import LIVE
    from bot.player.initdata import sign_for
    from bot.sandbox.emulator import BotApiEmulator
    from bot.store.db import upgrade_async

    # One socket per page here and in the worker: 1,000 pages need more than the common soft
    # limit of 1,024 files once the database, the stand-in and the webhook posts are counted.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65_536
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    load_start = os.getloadavg()
    name = f"limber_live_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    await upgrade_async(url)
    db = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}")
    live_values = [s.value for s in LIVE]
    proc = None
    spy = None
    result: dict[str, Any] = {"players": players, "spread": spread}
    try:
        # Idle connections are dropped before the worker's own 5 s keep-alive ends: reused just
        # as the worker closed it, a connection failed a POST ("Can not write request body").
        webhook_connector = aiohttp.TCPConnector(
            limit_per_host=WEBHOOK_CONNECTIONS, limit=0, keepalive_timeout=KEEPALIVE_SECONDS
        )
        # One connection per page, as each browser holds its own; aiohttp's default of 100
        # would queue 900 of 1,000 polls inside this client.
        page_connector = aiohttp.TCPConnector(
            limit=players, limit_per_host=players, keepalive_timeout=KEEPALIVE_SECONDS
        )
        async with (
            BotApiEmulator() as emu,
            aiohttp.ClientSession(
                connector=webhook_connector, timeout=aiohttp.ClientTimeout(total=120)
            ) as client,
            aiohttp.ClientSession(
                connector=page_connector,
                timeout=aiohttp.ClientTimeout(total=None, sock_read=POLL_READ_SECONDS),
            ) as pages,
        ):
            port = free_port()
            env = {
                **os.environ,
                "BOT_TOKEN": emu.token,
                "TELEGRAM_API_BASE_URL": emu.base_url,
                "DATABASE_URL": url,
                "ROUTINES_PATH": str(ROUTINES),
                "WEBHOOK_URL": f"{PUBLIC_URL}/telegram",
                "WEBHOOK_SECRET": SECRET,
                "PUBLIC_URL": PUBLIC_URL,
                "PORT": str(port),
                "RATE_LIMIT": "false",
                "LOG_LEVEL": "WARNING",
            }
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=bot_root,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    async with client.get(f"{base}/healthz") as health:
                        if health.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            headers = {
                "X-Telegram-Bot-Api-Secret-Token": SECRET,
                "Content-Type": "application/json",
            }

            async def post(update: dict[str, Any]) -> None:
                async with client.post(
                    f"{base}/telegram", data=json.dumps(update), headers=headers
                ) as response:
                    # A press's answer rides on the response (bot/webhook_reply.py).
                    await emu.webhook_response(await response.read(), response.content_type)

            async def start(ids: list[int]) -> None:
                await asyncio.gather(*(post(emu.send_text(u, "/stretch single")) for u in ids))
                await emu.wait_for(lambda: all(len(emu.messages(u)) >= 2 for u in ids), timeout=300)

            async def press_all(ids: list[int], pressed: dict[int, float]) -> dict[int, str]:
                """Ready for every user, evenly over `spread` seconds; `pressed`: when each was
                POSTed (filled as they go: the pages look at it); returns the callback ids."""
                queries: dict[int, str] = {}
                tasks = []
                t0 = time.monotonic()
                for i, uid in enumerate(ids):
                    await asyncio.sleep(max(0.0, t0 + i * spread / len(ids) - time.monotonic()))
                    intro = emu.messages(uid)[1]
                    update = emu.press(uid, intro.message_id, text=texts.BUTTON_READY)
                    queries[uid] = update["callback_query"]["id"]
                    pressed[uid] = time.monotonic()
                    tasks.append(asyncio.create_task(post(update)))
                await asyncio.gather(*tasks)
                return queries

            def answered_at(queries: dict[int, str]) -> dict[int, float]:
                """When the stand-in got each user's answerCallbackQuery."""
                at = {
                    str(c.params["callback_query_id"]): c.at
                    for c in emu.calls
                    if c.method == "answerCallbackQuery"
                }
                return {u: at[q] for u, q in queries.items() if q in at}

            async def sessions_of(ids: list[int]) -> dict[int, tuple[int, int]]:
                rows = await db.fetch(
                    "SELECT user_id, id, version FROM sessions "
                    "WHERE user_id = ANY($1::bigint[]) AND status = ANY($2::text[])",
                    ids,
                    live_values,
                )
                return {r["user_id"]: (r["id"], r["version"]) for r in rows}

            async def none_live(ids: list[int], timeout: float = 180.0) -> None:
                deadline = time.monotonic() + timeout
                while await sessions_of(ids):
                    if time.monotonic() > deadline:
                        raise TimeoutError("sessions still live")
                    await asyncio.sleep(0.5)

            # Live: N sessions, N pages each long-polling its own, then N chat presses.
            live = list(range(3_000_000, 3_000_000 + players))
            await start(live)
            marks = await sessions_of(live)
            assert len(marks) == players, f"{len(marks)} live sessions of {players}"
            now = datetime.now(UTC)
            auth = {
                u: {"Authorization": f"tma {sign_for(emu.token, u, 'Ann', 'en', now)}"}
                for u in live
            }
            await quiet(proc.pid, at_least=1.0)
            rss_before = rss_kb(proc.pid)
            pressed: dict[int, float] = {}
            seen: dict[int, float] = {}
            early: Counter[str] = Counter()  # a poll that returned a change before its press
            statuses: Counter[int] = Counter()
            failures: Counter[str] = Counter()
            polls = 0
            all_seen = asyncio.Event()

            async def follow(uid: int, session_id: int, version: int) -> None:
                nonlocal polls
                while True:
                    params = {"wait": "1", "session": str(session_id), "version": str(version)}
                    try:
                        async with pages.get(
                            f"{base}/app/api/state", params=params, headers=auth[uid]
                        ) as response:
                            body = await response.read()
                            status = response.status
                    except (aiohttp.ClientError, TimeoutError) as exc:
                        failures[type(exc).__name__] += 1
                        return
                    polls += 1
                    statuses[status] += 1
                    try:
                        session = json.loads(body)["session"] if status == 200 else None
                    except (ValueError, KeyError):
                        failures["not the state"] += 1
                        return
                    if status != 200:
                        return
                    if session is None or (session["id"], session["version"]) == (
                        session_id,
                        version,
                    ):
                        continue  # 25 s with nothing new: the page asks again
                    if uid not in pressed:
                        early["before its press"] += 1
                    elif uid not in seen:
                        seen[uid] = time.monotonic()
                        if len(seen) == players:
                            all_seen.set()
                    session_id, version = session["id"], session["version"]

            followers = [asyncio.create_task(follow(u, *marks[u])) for u in live]
            settled = await quiet(proc.pid)
            rss_open = rss_kb(proc.pid)
            if profile:
                spy = await asyncio.create_subprocess_exec(
                    "py-spy", "record", "--format", "raw", "--rate", "200", "--nonblocking",
                    "--output", profile, "--pid", str(proc.pid),
                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
                )  # fmt: skip
                await asyncio.sleep(1.0)
            with timing():
                cpu_before = cpu_seconds(proc.pid)
                began = time.monotonic()
                queries = await press_all(live, pressed)
                done_waiting = asyncio.create_task(all_seen.wait())
                gone = asyncio.gather(*followers)  # every follower ended early: stop waiting
                await asyncio.wait({done_waiting, gone}, timeout=60, return_when="FIRST_COMPLETED")
                await emu.wait_for(
                    lambda: all(len(emu.messages(u)) >= 3 for u in live), timeout=120
                )
                live_seconds = time.monotonic() - began
                live_cpu = cpu_seconds(proc.pid) - cpu_before
            if spy is not None:
                spy.send_signal(2)
                await spy.wait()
                spy = None
            open_at_end = sum(not f.done() for f in followers)
            for f in followers:
                f.cancel()
            await asyncio.gather(gone, return_exceptions=True)
            done_waiting.cancel()
            closed_at = time.monotonic()
            change = [(seen[u] - pressed[u]) * 1000 for u in seen]
            answered = answered_at(queries)
            result.update(
                rss_before_kb=rss_before,
                rss_open_kb=rss_open,
                settled_s=settled,
                change_ms=change,
                seen=len(seen),
                answer_open_ms=[(t - pressed[u]) * 1000 for u, t in answered.items()],
                # What the live channel adds once the press is saved (its answer goes out
                # after the save): the tick's wait, the version query and the page's read.
                after_answer_ms=[(seen[u] - answered[u]) * 1000 for u in seen if u in answered],
                cpu_open_ms=live_cpu * 1000 / players,
                live_seconds=live_seconds,
                statuses=statuses,
                failures=failures,
                early=sum(early.values()),
                polls=polls,
                open_at_end=open_at_end,
            )

            if baseline:
                # The live sessions' holds end (30 s) and every abandoned poll runs out (25 s)
                # before the baseline starts: neither their countdowns nor the hub's tick may
                # land in it.
                await none_live(live)
                await asyncio.sleep(max(0.0, closed_at + 26.0 - time.monotonic()))
                others = list(range(4_000_000, 4_000_000 + players))
                await start(others)
                await quiet(proc.pid, at_least=1.0)
                got: dict[int, float] = {}
                with timing():
                    cpu_before = cpu_seconds(proc.pid)
                    began = time.monotonic()
                    queries = await press_all(others, got)
                    await emu.wait_for(
                        lambda: all(len(emu.messages(u)) >= 3 for u in others), timeout=120
                    )
                    # CPU over as long a window as the live phase's: the holds the presses
                    # start edit their countdowns every 5 s; both windows hold as many edits.
                    closed_seconds = time.monotonic() - began
                    await asyncio.sleep(max(0.0, began + live_seconds - time.monotonic()))
                    cpu_closed = cpu_seconds(proc.pid) - cpu_before
                    cpu_window = time.monotonic() - began
                answered = answered_at(queries)
                result.update(
                    answer_closed_ms=[(t - got[u]) * 1000 for u, t in answered.items()],
                    cpu_closed_ms=cpu_closed * 1000 / players,
                    closed_seconds=closed_seconds,
                    cpu_window_s=cpu_window,
                )
            result["violations"] = len(emu.violations)
    finally:
        if spy is not None:
            spy.kill()
        if proc is not None and proc.returncode is None:
            proc.terminate()
            await proc.wait()
        await db.close()
        admin = await asyncpg.connect(PG)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    result["load"] = (load_start, os.getloadavg())
    return result


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.0f} / {p99(values):.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--spread", type=float, default=5.0, help="seconds the presses take")
    parser.add_argument("--profile", help="py-spy the worker through the live presses")
    parser.add_argument("--bot-root", type=Path, default=ROOT, help="run the bot from here")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run with no pages")
    args = parser.parse_args()
    r = asyncio.run(
        run(args.players, args.spread, args.profile, args.bot_root, not args.no_baseline)
    )
    change = r["change_ms"]
    bad = sum(n for s, n in r["statuses"].items() if s != 200) + sum(r["failures"].values())
    per_page = (r["rss_open_kb"] - r["rss_before_kb"]) / r["players"]
    load = " / ".join(" ".join(f"{x:.2f}" for x in avg) for avg in r["load"])
    print(
        "| players open | presses | change to page p50 / p99 / max (target p99 <= 500 ms) | "
        "of which after the press's answer p50 / p99 | "
        "press to answer p50 / p99, pages open / none | "
        "worker CPU ms per press, pages open / none | memory per open page | "
        "polls failed or errors (must be 0) | load average at start / end |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {r['players']} | {r['players'] / r['spread']:.0f}/s over {r['spread']:g} s | "
        f"{_ms(change)} / {max(change, default=float('nan')):.0f} ms | "
        f"{_ms(r['after_answer_ms'])} ms | "
        f"{_ms(r['answer_open_ms'])} / {_ms(r.get('answer_closed_ms', []))} ms | "
        f"{r['cpu_open_ms']:.2f} / "
        + (f"{r['cpu_closed_ms']:.2f}" if "cpu_closed_ms" in r else "-")
        + f" | {per_page:.1f} KB | {bad} | {load} |"
    )
    print(
        f"pages that saw their change: {r['seen']} of {r['players']}; "
        f"answers: {len(r['answer_open_ms'])} open, {len(r.get('answer_closed_ms', []))} none; "
        f"poll statuses {dict(r['statuses'])}, failures {dict(r['failures'])}, "
        f"changes seen before their press {r['early']}, polls still open at the end "
        f"{r['open_at_end']} of {r['players']}; "
        f"VmRSS {r['rss_before_kb']} -> {r['rss_open_kb']} KB "
        f"(settled after {r['settled_s']:.1f} s); live phase {r['live_seconds']:.1f} s"
        + (
            f", baseline {r['closed_seconds']:.1f} s (CPU over {r['cpu_window_s']:.1f} s)"
            if "closed_seconds" in r
            else ""
        )
        + f"; spec violations {r['violations']}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
