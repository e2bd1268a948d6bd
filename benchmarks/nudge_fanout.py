"""Nudge fan-out benchmark: 1,000,000 subscribers in SQLite, or in PostgreSQL (--db postgres).

Measures what issue #3 asks for and prints a Markdown table for docs/benchmarks.md:
  * an idle tick (nothing due) on the full table,
  * bot start-up time and RSS with the full table,
  * claim-and-advance alone (no sending), nudges/s,
  * 10,000 users due at one instant sent over real HTTP to the stand-in with the rate limiter
    off (nudges/s, lateness p50/p99),
  * with the limiter on and the stand-in enforcing Telegram's 30/s: 429s seen and nudges/s
    (over a subset, --limited N, since 10,000 at 30/s is five and a half minutes).

Run: python benchmarks/nudge_fanout.py [--users 1000000] [--due 10000] [--limited 600]
     python benchmarks/nudge_fanout.py --db postgres [--claimers 3]
Each measured phase runs in a fresh subprocess so RSS and start-up are the bot's own.

On PostgreSQL (127.0.0.1:5432, a database of its own, dropped after) it measures the idle tick,
start-up and the claim: --claimers N processes (N workers) claim the same due rows at once,
and every nudge must be claimed exactly once. The sending phases are the SQLite ones.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Where real users live, roughly (weights), and the times they pick.
ZONES = [
    ("America/New_York", 14),
    ("America/Chicago", 6),
    ("America/Los_Angeles", 8),
    ("America/Sao_Paulo", 6),
    ("Europe/London", 8),
    ("Europe/Berlin", 10),
    ("Europe/Moscow", 5),
    ("Asia/Kolkata", 12),
    ("Asia/Shanghai", 6),
    ("Asia/Tokyo", 5),
    ("Australia/Sydney", 3),
    ("Africa/Lagos", 3),
    ("Asia/Jakarta", 4),
    ("Europe/Madrid", 4),
    ("UTC", 2),
    ("Australia/Lord_Howe", 1),
    ("Pacific/Chatham", 1),
    ("Asia/Kathmandu", 1),
]
MORNING = ["06:00", "06:30", "07:00", "07:15", "07:30", "07:30", "07:30", "08:00", "08:30", "09:00"]
BEDTIME = ["21:00", "21:30", "22:00", "22:00", "22:00", "22:30", "23:00", "23:30"]
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


# Issue 17's kinds: every user has a weekly summary row (Sunday, just after bedtime); one in
# five has the desk break on (workdays); one in four has no morning nudge on Sundays. In the
# due waves each due user has one row due (as in life: kinds of one chat never share an
# instant): every tenth a weekly summary, those with a desk break that, the rest a morning.
DESK_TIMES = ["10:00", "11:00", "14:00", "15:00", "15:00", "16:00"]
NO_SUNDAY = 0b0111111
WORKDAYS = 0b0011111
WEEKLY_DUE_EVERY = 10
DESK_EVERY = 5


def seed(path: Path, users: int, due_now: int) -> None:
    """Fill a migrated SQLite file fast with raw sqlite3 (the ORM is not what is measured)."""
    from bot.domain.nudge_rules import next_weekly, parse_hhmm
    from bot.domain.schedule import next_occurrence_on

    rng = random.Random(7)
    zones = [z for z, w in ZONES for _ in range(w)]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    stamp = _stamp(NOW)
    cache: dict[tuple[str, str, int], str] = {}

    def next_at(local: str, zone: str, days: int = 127) -> str:
        key = (local, zone, days)
        if key not in cache:
            if days == 0:  # the weekly summary
                at = next_weekly(parse_hhmm(local), zone, NOW)
            else:
                at = next_occurrence_on(parse_hhmm(local), zone, NOW, days)
            cache[key] = _stamp(at)
        return cache[key]

    batch_users, batch_nudges = [], []
    due_stamp = _stamp(NOW - timedelta(seconds=1))
    for uid in range(1, users + 1):
        zone = rng.choice(zones)
        batch_users.append((uid, uid, f"U{uid}", "en", 1, zone, stamp, stamp))
        morning, bedtime = rng.choice(MORNING), rng.choice(BEDTIME)
        due = _due_kind(uid) if uid <= due_now else None
        m_days = NO_SUNDAY if uid % 4 == 0 else 127
        m_at = due_stamp if due == "morning" else next_at(morning, zone, m_days)
        batch_nudges.append((uid, "morning", morning, 1, m_at, m_days))
        batch_nudges.append((uid, "bedtime", bedtime, 1, next_at(bedtime, zone), 127))
        w_at = due_stamp if due == "weekly" else next_at(bedtime, zone, 0)
        batch_nudges.append((uid, "weekly", bedtime, 1, w_at, 127))
        if uid % DESK_EVERY == 1:
            desk = rng.choice(DESK_TIMES)
            d_at = due_stamp if due == "desk" else next_at(desk, zone, WORKDAYS)
            batch_nudges.append((uid, "desk", desk, 1, d_at, WORKDAYS))
        if len(batch_users) >= 50_000:
            _flush(conn, batch_users, batch_nudges)
    _flush(conn, batch_users, batch_nudges)
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()


def _due_kind(uid: int) -> str:
    if uid % WEEKLY_DUE_EVERY == 0:
        return "weekly"
    return "desk" if uid % DESK_EVERY == 1 else "morning"
async def seed_pg(dsn: str, users: int, due_now: int) -> None:
    """Fill a migrated PostgreSQL database fast with COPY (the ORM is not what is measured)."""
    import asyncpg

    from bot.domain.nudge_rules import parse_hhmm
    from bot.domain.schedule import next_occurrence

    rng = random.Random(7)
    zones = [z for z, w in ZONES for _ in range(w)]
    cache: dict[tuple[str, str], datetime] = {}

    def next_at(local: str, zone: str) -> datetime:
        key = (local, zone)
        if key not in cache:
            cache[key] = next_occurrence(parse_hhmm(local), zone, NOW)
        return cache[key]

    due_at = NOW - timedelta(seconds=1)
    conn = await asyncpg.connect(dsn)
    try:
        batch_users: list[Any] = []
        batch_nudges: list[Any] = []

        async def flush() -> None:
            await conn.copy_records_to_table(
                "users",
                records=batch_users,
                columns=[
                    "id", "chat_id", "first_name", "language_code", "active", "timezone",
                    "created_at", "updated_at",
                ],
            )  # fmt: skip
            await conn.copy_records_to_table(
                "nudges",
                records=batch_nudges,
                columns=["user_id", "kind", "local_time", "enabled", "next_nudge_at"],
            )
            batch_users.clear()
            batch_nudges.clear()

        for uid in range(1, users + 1):
            zone = rng.choice(zones)
            batch_users.append((uid, uid, f"U{uid}", "en", True, zone, NOW, NOW))
            morning, bedtime = rng.choice(MORNING), rng.choice(BEDTIME)
            m_at = due_at if uid <= due_now else next_at(morning, zone)
            batch_nudges.append((uid, "morning", morning, True, m_at))
            batch_nudges.append((uid, "bedtime", bedtime, True, next_at(bedtime, zone)))
            if len(batch_users) >= 50_000:
                await flush()
        await flush()
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def _stamp(instant: datetime) -> str:
    """UTC as SQLAlchemy's SQLite dialect stores it (with microseconds): the claim compares
    stored values, so the seed must write exactly what the bot writes."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _flush(conn: sqlite3.Connection, users: list[Any], nudges: list[Any]) -> None:
    conn.executemany(
        "INSERT INTO users (id, chat_id, first_name, language_code, active, timezone, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        users,
    )
    conn.executemany(
        "INSERT INTO nudges (user_id, kind, local_time, enabled, next_nudge_at, days) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        nudges,
    )
    conn.commit()
    users.clear()
    nudges.clear()


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def phase_startup(url: str) -> dict[str, Any]:
    """Start the bot on the full database against the stand-in; idle ticks; RSS."""
    from bot.app import build_application, start_app, stop_app
    from bot.clock import MovableClock
    from bot.config import Settings
    from bot.sandbox.emulator import BotApiEmulator
    from bot.services import KEY, Services
    from bot.store.db import upgrade

    async with BotApiEmulator() as emu:
        begin = time.perf_counter()
        await asyncio.to_thread(upgrade, url)
        settings = Settings(
            bot_token=emu.token,
            database_url=url,
            telegram_api_base_url=emu.base_url,
            nudge_tick_seconds=3600,
        )
        # Just before the seeded wave: nothing is due, as on most ticks of a real day.
        clock = MovableClock(NOW - timedelta(seconds=2), frozen=True)
        app = build_application(settings, clock=clock)
        await start_app(app)
        svc: Services = app.bot_data[KEY]
        await svc.dispatcher.tick()
        startup = time.perf_counter() - begin
        idle = []
        for _ in range(50):
            t = time.perf_counter()
            report = await svc.dispatcher.tick()
            idle.append((time.perf_counter() - t) * 1000)
            assert report.claimed == 0, report
        rss = rss_mb()
        await stop_app(app)
    return {
        "startup_s": startup,
        "idle_tick_ms_p50": statistics.median(idle),
        "idle_tick_ms_max": max(idle),
        "rss_mb": rss,
    }


async def phase_claim(url: str, due: int, start_at: float = 0.0) -> dict[str, Any]:
    """Claim-and-advance alone: the store's claim with the real advance, no sending.

    `start_at` (a wall-clock time) lines several claimers up to start together, connected."""
    from bot.store.db import create_engine
    from bot.store.repo import Store

    store = Store(create_engine(url))
    await store.ping()  # connected before the start
    now = NOW
    claimed: list[str] = []
    await asyncio.sleep(max(0.0, start_at - time.time()))
    begin = time.perf_counter()
    started = time.time()
    while True:
        batch = await store.claim_due(now, 1000)
        claimed += [f"{n.user_id}:{n.kind}" for n in batch]
        if not batch:
            break
    elapsed = time.perf_counter() - begin
    await store.close()
    return {
        "claimed": len(claimed),
        "claim_per_s": len(claimed) / elapsed,
        "claim_s": elapsed,
        "started": started,
        "ended": started + elapsed,
        "keys": claimed if start_at else [],
    }


def run_claimers(url: str, due: int, claimers: int) -> dict[str, Any]:
    """`claimers` processes claim at once; every due nudge must be claimed exactly once."""
    from concurrent.futures import ThreadPoolExecutor

    start_at = time.time() + 6.0  # after every process has imported and connected
    args = ["--due", str(due), "--start-at", str(start_at)]
    with ThreadPoolExecutor(claimers) as pool:
        parts = list(pool.map(lambda _: run_phase("claim", url, *args), range(claimers)))
    keys = [k for p in parts for k in p["keys"]]
    elapsed = max(p["ended"] for p in parts) - min(p["started"] for p in parts)
    return {
        "claimers": claimers,
        "claimed": len(keys),
        "distinct": len(set(keys)),
        "each": [p["claimed"] for p in parts],
        "claim_per_s": len(keys) / elapsed,
        "claim_s": elapsed,
    }


async def phase_send(url: str, limited: int, rate_limit: bool) -> dict[str, Any]:
    """A wave of due users sent over HTTP to the stand-in, which runs in its own process
    (as Telegram would: the bot's CPU is the bot's own)."""
    import httpx

    from bot.app import build_application, start_app, stop_app
    from bot.clock import MovableClock
    from bot.config import Settings
    from bot.sandbox.emulator import DEFAULT_TEST_TOKEN
    from bot.services import KEY, Services

    args = [sys.executable, "-m", "bot.sandbox.emulator", "0"] + (["--flood"] if rate_limit else [])
    # Started before anything is timed, so a blocking start is fine here.
    standin = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=ROOT)  # noqa: ASYNC220
    try:
        assert standin.stdout is not None
        port = int(standin.stdout.readline())
        base = f"http://127.0.0.1:{port}"
        settings = Settings(
            bot_token=DEFAULT_TEST_TOKEN,
            database_url=url,
            telegram_api_base_url=f"{base}/bot",
            nudge_tick_seconds=3600,
            rate_limit=rate_limit,
        )
        # The seeded schedule lives around NOW; the clock starts there and runs in real time.
        app = build_application(settings, clock=MovableClock(NOW + timedelta(seconds=1)))
        await start_app(app)
        svc: Services = app.bot_data[KEY]
        if limited:
            svc.dispatcher.batch_size = limited
            svc.dispatcher.max_batches_per_tick = 1
        begin = time.perf_counter()
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        report = await svc.dispatcher.tick()
        elapsed = time.perf_counter() - begin
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        bot_cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (
            cpu_before.ru_utime + cpu_before.ru_stime
        )
        lateness = sorted(report.lateness)
        await stop_app(app)
        async with httpx.AsyncClient() as client:
            counts = (await client.get(f"{base}/_standin/stats")).json()
    finally:
        standin.terminate()
        standin.wait(10)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "bot_cpu_s": bot_cpu,
        "standin_cpu_s_total": children.ru_utime + children.ru_stime,
        "sent": report.sent,
        "per_s": report.sent / elapsed,
        "seconds": elapsed,
        "http_429": counts["flood_429s"],
        "violations": counts["violations"],
        "lateness_p50_s": lateness[len(lateness) // 2] if lateness else None,
        "lateness_p99_s": lateness[int(len(lateness) * 0.99) - 1] if lateness else None,
    }


def run_phase(name: str, url: str, *args: str) -> dict[str, Any]:
    began = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--url", url, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=900,
    )
    if out.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{out.stderr}")
    result = dict(json.loads(out.stdout.strip().splitlines()[-1]))
    # The whole process: interpreter, imports, start-up, the measured work, shutdown.
    result["process_wall_s"] = time.perf_counter() - began
    return result


def set_due(path: Path, first: int, count: int, at: datetime) -> None:
    conn = sqlite3.connect(path)
    stamp = _stamp(at)
    conn.executemany(
        "UPDATE nudges SET next_nudge_at = ? WHERE user_id = ? AND kind = ?",
        [(stamp, uid, _due_kind(uid)) for uid in range(first, first + count)],
    )
    conn.commit()
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--limited", type=int, default=600)
    parser.add_argument("--phase")
    parser.add_argument("--url")
    parser.add_argument("--rate-limit", action="store_true")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--claimers", type=int, default=3, help="PostgreSQL: claiming at once")
    parser.add_argument("--start-at", type=float, default=0.0)
    args = parser.parse_args()
    if args.phase:
        coro: Any
        if args.phase == "startup":
            coro = phase_startup(args.url)
        elif args.phase == "claim":
            coro = phase_claim(args.url, args.due, args.start_at)
        else:
            coro = phase_send(args.url, args.limited, args.rate_limit)
        print(json.dumps(asyncio.run(coro)))
        return

    from bot.store.db import upgrade

    if args.db == "postgres":
        results = asyncio.run(postgres(args.users, args.due, args.claimers))
        print(json.dumps(results, indent=2))
        print(markdown_pg(results))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        url = f"sqlite+aiosqlite:///{path}"
        upgrade(url)
        t = time.perf_counter()
        seed(path, args.users, args.due)
        print(f"seeded {args.users} users in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        results: dict[str, Any] = {"users": args.users}
        print("phase: startup", file=sys.stderr)
        results["startup"] = run_phase("startup", url)
        print("phase: claim", file=sys.stderr)
        results["claim"] = run_phase("claim", url, "--due", str(args.due))
        set_due(path, 1, args.due, NOW)
        print("phase: send, limiter off", file=sys.stderr)
        results["send_unlimited"] = run_phase("send", url, "--limited", "0")
        results["send_limited"] = None  # --limited 0: the limited phase is skipped
        if args.limited > 0:
            set_due(path, args.due + 1, args.limited, NOW)
            print("phase: send, limiter on", file=sys.stderr)
            results["send_limited"] = run_phase(
                "send", url, "--limited", str(args.limited), "--rate-limit"
            )
    print(json.dumps(results, indent=2))
    print(markdown(results))


def markdown(r: dict[str, Any]) -> str:
    s, c, u, lim = r["startup"], r["claim"], r["send_unlimited"], r["send_limited"]
    rows = [
        (
            "idle tick (nothing due), p50 / max",
            "<= 10 ms",
            f"{s['idle_tick_ms_p50']:.2f} / {s['idle_tick_ms_max']:.2f} ms",
        ),
        (
            "bot start-up (migrate, init, first tick) / whole process incl. imports",
            "<= 3 s",
            f"{s['startup_s']:.2f} s / {s['process_wall_s']:.2f} s",
        ),
        ("bot RSS after start-up", "<= 150 MB", f"{s['rss_mb']:.0f} MB"),
        (
            "claim-and-advance alone",
            ">= 10,000/s",
            f"{c['claim_per_s']:,.0f}/s ({c['claimed']} claimed)",
        ),
        (
            "10,000 due (1 in 10 a weekly summary, 1 in 5 a desk break), limiter off",
            ">= 1,000/s",
            f"{u['per_s']:,.0f}/s ({u['sent']} sent)",
        ),
        ("lateness (limiter off), p50 / p99", "-", _lateness(u)),
    ]
    if lim is None:
        rows.append(("limiter on", "-", "skipped (--limited 0)"))
    else:
        rows += [
            ("limiter on, stand-in enforcing 30/s: 429s", "0", str(lim["http_429"])),
            ("limiter on: throughput", ">= 28/s", f"{lim['per_s']:.1f}/s ({lim['sent']} sent)"),
            ("lateness (limiter on), p50 / p99", "-", _lateness(lim)),
        ]
    lines = [f"Users: {r['users']:,}", "", "| measure | target | result |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {v} |" for a, b, v in rows]
    return "\n".join(lines)


async def postgres(users: int, due: int, claimers: int) -> dict[str, Any]:
    import uuid

    import asyncpg

    from bot.store.db import upgrade_async

    name = f"limber_fanout_{uuid.uuid4().hex[:8]}"
    admin_dsn = "postgresql://postgres@127.0.0.1:5432/postgres"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    try:
        await upgrade_async(url)
        t = time.perf_counter()
        await seed_pg(f"postgresql://postgres@127.0.0.1:5432/{name}", users, due)
        print(f"seeded {users} users in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        results: dict[str, Any] = {"users": users, "due": due}
        print("phase: startup", file=sys.stderr)
        results["startup"] = await asyncio.to_thread(run_phase, "startup", url)
        print("phase: claim, one claimer", file=sys.stderr)
        results["claim"] = await asyncio.to_thread(run_phase, "claim", url, "--due", str(due))
        await _set_due_pg(name, due)
        print(f"phase: claim, {claimers} claimers", file=sys.stderr)
        results["claimers"] = await asyncio.to_thread(run_claimers, url, due, claimers)
    finally:
        admin = await asyncpg.connect(admin_dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return results


async def _set_due_pg(name: str, due: int) -> None:
    import asyncpg

    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}")
    try:
        await conn.execute(
            "UPDATE nudges SET next_nudge_at = $1 WHERE kind = 'morning' AND user_id <= $2",
            NOW - timedelta(seconds=1),
            due,
        )
        await conn.execute("ANALYZE nudges")
    finally:
        await conn.close()


def markdown_pg(r: dict[str, Any]) -> str:
    s, c, m = r["startup"], r["claim"], r["claimers"]
    once = "yes" if m["claimed"] == m["distinct"] == r["due"] else "NO"
    rows = [
        (
            "idle tick (nothing due), p50 / max",
            "<= 10 ms",
            f"{s['idle_tick_ms_p50']:.2f} / {s['idle_tick_ms_max']:.2f} ms",
        ),
        (
            "bot start-up (migrate, init, first tick) / whole process incl. imports",
            "<= 3 s",
            f"{s['startup_s']:.2f} s / {s['process_wall_s']:.2f} s",
        ),
        ("bot RSS after start-up", "<= 150 MB", f"{s['rss_mb']:.0f} MB"),
        (
            "claim-and-advance, one claimer",
            ">= 10,000/s",
            f"{c['claim_per_s']:,.0f}/s ({c['claimed']} claimed)",
        ),
        (
            f"claim-and-advance, {m['claimers']} claimers at once",
            ">= 10,000/s",
            f"{m['claim_per_s']:,.0f}/s ({m['claimed']} claimed: "
            + " + ".join(str(e) for e in m["each"])
            + ")",
        ),
        ("each nudge claimed exactly once", "yes", once),
    ]
    lines = [
        f"PostgreSQL, users: {r['users']:,}, due: {r['due']:,}",
        "",
        "| measure | target | result |",
        "|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {v} |" for a, b, v in rows]
    return "\n".join(lines)


def _lateness(phase: dict[str, Any]) -> str:
    """p50 / p99 lateness, or "-" when the phase sent nothing (none measured)."""
    p50, p99 = phase["lateness_p50_s"], phase["lateness_p99_s"]
    if p50 is None or p99 is None:
        return "- (nothing sent)"
    return f"{p50:.2f} / {p99:.2f} s"


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    main()
