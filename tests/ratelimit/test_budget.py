"""One Telegram budget for all workers of a bot, through their PostgreSQL (issue 16 item 1),
and countdown steps that bend under load (item 2), through the stand-in enforcing Telegram's
limits."""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from telegram.ext import ExtBot

from bot import budget as budget_module
from bot import texts
from bot.budget import SharedBudget, share, shared_budget
from bot.nudges import PACED_SENDERS
from bot.ratelimit import PriorityRateLimiter
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from bot.store.db import create_engine, upgrade_async
from bot.store.repo import Store
from tests.harness import (
    DATA,
    nudge_calls,
    nudges_sent,
    post_update,
    process_env,
    seed_subscribers,
    spawn_bot,
)

BOT_ID = 123456789
TOTAL = 29.0


def dsn(pg_url: str) -> str:
    found = shared_budget(pg_url, f"{BOT_ID}:token")
    assert found is not None
    return found._dsn


async def worker(pg_url: str) -> tuple[PriorityRateLimiter, SharedBudget]:
    budget = SharedBudget(dsn(pg_url), BOT_ID, TOTAL)
    limiter = PriorityRateLimiter(per_second=TOTAL, max_retries=3, budget=budget)
    await limiter.initialize()
    return limiter, budget


async def wait_until(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "not within the time allowed"
        await asyncio.sleep(0.05)


def test_sqlite_keeps_the_local_limiter() -> None:
    assert shared_budget("sqlite+aiosqlite:///x.db", f"{BOT_ID}:t") is None


@pytest.mark.postgres
@pytest.mark.slow  # waits real time (--durations ~1 s)
async def test_workers_split_the_budget_a_dead_one_gives_its_share_back_a_new_one_joins(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(budget_module, "REFRESH_SECONDS", 0.2)
    workers = [await worker(pg_url) for _ in range(3)]
    try:
        await wait_until(lambda: all(lim.per_second == share(TOTAL, 3) for lim, _ in workers))
        assert len({b.slot for _, b in workers}) == 3

        # A worker dies (its connection drops without a goodbye): the others take its share.
        _, dead = workers.pop()
        assert dead._task is not None
        dead._task.cancel()
        dead._conn.terminate()
        await wait_until(lambda: all(lim.per_second == share(TOTAL, 2) for lim, _ in workers))

        # A new worker joins; the running ones shrink to a third without any restart.
        workers.append(await worker(pg_url))
        await wait_until(lambda: all(lim.per_second == share(TOTAL, 3) for lim, _ in workers))
    finally:
        for limiter, _ in workers:
            await limiter.shutdown()


@pytest.mark.postgres
@pytest.mark.slow  # waits real time (about 1.5 s)
async def test_a_dead_workers_share_is_taken_only_once_its_last_second_has_passed(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram counts a bot's messages over a second, the dead worker's last ones too: the
    survivors taking its share at once could send 2 x 13 on top of its last 8 (34 > 30)."""
    monkeypatch.setattr(budget_module, "REFRESH_SECONDS", 0.1)
    workers = [await worker(pg_url) for _ in range(3)]
    try:
        await wait_until(lambda: all(lim.per_second == share(TOTAL, 3) for lim, _ in workers))
        _, dead = workers.pop()
        assert dead._task is not None
        dead._task.cancel()
        dead._conn.terminate()
        died = time.monotonic()
        took: dict[int, float] = {}  # survivor -> seconds after the death it took the share
        while time.monotonic() - died < 3.0 and len(took) < len(workers):
            for i, (limiter, _) in enumerate(workers):
                if limiter.per_second == share(TOTAL, 2) and i not in took:
                    took[i] = time.monotonic() - died
            await asyncio.sleep(0.02)
        assert len(took) == len(workers)  # each took the larger share, within 3 s
        # ... and none before a second had passed (at once, 0.1-0.2 s after the death).
        assert min(took.values()) >= 1.0, took  # Telegram counts over a second
    finally:
        for limiter, _ in workers:
            await limiter.shutdown()


async def send_wave(
    emu: BotApiEmulator, limiters: list[PriorityRateLimiter], each: int
) -> list[Any]:
    """Every worker sends `each` nudges to chats of its own, all at once."""
    bots: list[ExtBot[Any]] = [
        ExtBot(emu.token, base_url=emu.base_url, rate_limiter=limiter) for limiter in limiters
    ]
    for bot in bots:
        await bot.initialize()
    try:
        return await asyncio.gather(
            *(
                bot.send_message(10_000 * (w + 1) + i, "nudge", rate_limit_args={"low": True})
                for w, bot in enumerate(bots)
                for i in range(each)
            ),
            return_exceptions=True,
        )
    finally:
        for bot in bots:
            await bot.shutdown()


@pytest.mark.postgres
@pytest.mark.slow  # 11.5 s here (--durations)
async def test_three_workers_together_stay_within_telegrams_30_a_second(
    emu: BotApiEmulator, pg_url: str
) -> None:
    emu.enforce_flood()
    # Without the shared budget each worker paces itself at 29/s: 87/s together.
    await send_wave(emu, [PriorityRateLimiter(per_second=TOTAL) for _ in range(3)], each=40)
    assert emu.flood_429s > 0

    await asyncio.sleep(1.1)  # the stand-in's second passes
    emu.flood_429s = 0
    first_call = len(emu.calls)
    started = time.monotonic()
    budgets = [SharedBudget(dsn(pg_url), BOT_ID, TOTAL) for _ in range(3)]
    limiters = [PriorityRateLimiter(per_second=TOTAL, budget=b) for b in budgets]
    for limiter in limiters:
        await limiter.initialize()  # joining; the bots' own initialize then finds them running
    await wait_until(lambda: all(lim.per_second == share(TOTAL, 3) for lim in limiters))
    results = await send_wave(emu, limiters, each=40)
    assert not [r for r in results if isinstance(r, Exception)]
    assert emu.flood_429s == 0
    sent = [c for c in emu.calls[first_call:] if c.method == "sendMessage"]
    assert len(sent) == 120 and all(c.status == 200 for c in sent)
    assert time.monotonic() - started >= 120 / TOTAL - 0.5  # the fleet's pace: at most 29/s


@pytest.mark.slow  # 7.5 s here (--durations)
async def test_countdown_steps_thin_out_under_load_and_come_back(emu: BotApiEmulator) -> None:
    limiter = PriorityRateLimiter(per_second=10)
    assert limiter.suggested_countdown_step(5) == 5  # idle
    bot: ExtBot[Any] = ExtBot(emu.token, base_url=emu.base_url, rate_limiter=limiter)
    await bot.initialize()
    try:
        wave = asyncio.gather(
            *(bot.send_message(500 + i, "nudge", rate_limit_args={"low": True}) for i in range(30))
        )
        await asyncio.sleep(0.3)
        # Thirty waiting at 10/s: only the start and the end of a hold are shown.
        assert limiter.suggested_countdown_step(5) is None
        await wave
        steps = []
        for _ in range(60):  # back one level at a time once the load is gone
            await asyncio.sleep(0.25)
            steps.append(limiter.suggested_countdown_step(5))
            if steps[-1] == 5:
                break
        assert steps[-1] == 5
        assert [s for s in steps if s is not None] == sorted(
            (s for s in steps if s is not None), reverse=True
        )
    finally:
        await bot.shutdown()


NUDGES = 600
PEOPLE = 50
SECRET = "budget-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_healthy(client: httpx.AsyncClient, url: str) -> None:
    for _ in range(150):
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get(f"{url}/healthz")).status_code == 200:
                return
        await asyncio.sleep(0.2)
    raise AssertionError(f"worker at {url} never became healthy")


@pytest.mark.postgres
@pytest.mark.slow  # about 35 s here
async def test_three_webhook_workers_share_the_budget_through_a_wave_and_a_killed_worker(
    emu: BotApiEmulator, pg_url: str
) -> None:
    """Issue 16's fleet test: three real workers, 50 people in sessions, a 600-nudge wave, one
    worker SIGKILLed mid-wave and the people pressing Ready meanwhile: no 429, every press
    answered, every nudge at most once and only the dead worker's in-flight ones lost, and
    the others carry on within 5 s."""
    emu.enforce_flood()
    await upgrade_async(pg_url)
    store = Store(create_engine(pg_url))
    procs, urls = [], []
    try:
        for _ in range(3):
            port = free_port()
            env = process_env(
                emu,
                pg_url,
                WEBHOOK_URL="https://limber.example/telegram",
                WEBHOOK_SECRET=SECRET,
                PORT=str(port),
                NUDGE_TICK_SECONDS="0.5",
                LOG_LEVEL="WARNING",
                ROUTINES_PATH=str(DATA / "waiting.toml"),
            )
            procs.append(
                await spawn_bot(env, stderr=asyncio.subprocess.DEVNULL, behind_standin=True)
            )
            urls.append(f"http://127.0.0.1:{port}")
        async with httpx.AsyncClient(timeout=30) as client:

            async def post(i: int, update: dict[str, Any]) -> None:
                await post_update(client, emu, f"{urls[i]}/telegram", update, SECRET)

            for url in urls:
                await wait_healthy(client, url)
            await asyncio.sleep(1.5)  # each worker has counted the others
            people = list(range(700_000, 700_000 + PEOPLE))
            for i, uid in enumerate(people):
                await post(i % 3, emu.send_text(uid, "/stretch"))
            await emu.wait_for(
                lambda: all(any(is_card(m) for m in emu.messages(u)) for u in people),
                timeout=60,
            )
            ids = await seed_subscribers(
                store, NUDGES, datetime.now(UTC) - timedelta(seconds=2), first_id=800_000
            )
            await emu.wait_for(lambda: len(nudge_calls(emu)) >= NUDGES // 5, timeout=60)
            procs[2].kill()
            await procs[2].wait()
            killed_at = time.monotonic()
            presses = []
            for i, uid in enumerate(people):  # through the two that are left
                card = next(m for m in emu.messages(uid) if is_card(m))
                presses.append(emu.press(uid, card.message_id, text=texts.BUTTON_READY))
                await post(i % 2, presses[-1])
            # At most the paced senders' claims of the killed worker are lost.
            await emu.wait_for(lambda: len(nudges_sent(emu)) >= NUDGES - PACED_SENDERS, 90)
            await emu.settled(quiet=2.0, timeout=30)
        counts = nudges_sent(emu)
        assert set(counts.values()) == {1} and set(counts) <= set(ids)
        assert emu.flood_429s == 0, (emu.flood_429s_by_chat, emu.flood_windows)
        answered = {
            c.params["callback_query_id"] for c in emu.calls if c.method == "answerCallbackQuery"
        }
        assert {p["callback_query"]["id"] for p in presses} <= answered
        after = sorted(c.at for c in nudge_calls(emu) if c.at > killed_at)
        gaps = [b - a for a, b in zip([killed_at, *after], after, strict=False)]
        assert max(gaps) < 5.0  # the others carried on
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.terminate()
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), timeout=15)
            except TimeoutError:
                proc.kill()
        await store.close()


def is_card(message: BotMessage) -> bool:
    return texts.BUTTON_READY in [label for label, _ in BotApiEmulator.buttons(message)]


@pytest.mark.parametrize(
    ("workers", "each"), [(1, 29.0), (2, 13.0), (3, 8.0), (4, 6.0), (29, 0.5), (58, 0.25)]
)
def test_a_workers_share_keeps_the_fleets_worst_second_within_the_limit(
    workers: int, each: float
) -> None:
    assert share(TOTAL, workers) == each
    # Each worker may land one more than its rate in a second (phase, a late arrival).
    assert workers == 1 or workers * (math.ceil(each) + 1) <= TOTAL or each < 1


class BrokenAfterRestart:
    """The budget's real connection, answering as asyncpg did after a PostgreSQL restart
    (issue 29): an error that is neither a PostgresError nor an InterfaceError."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetchval(self, *args: Any, **kwargs: Any) -> Any:
        from asyncpg.exceptions._base import InternalClientError

        raise InternalClientError("cannot switch to state 12; another operation is in progress")

    def is_closed(self) -> bool:
        return bool(self._conn.is_closed())

    async def close(self, **kwargs: Any) -> None:
        await self._conn.close(**kwargs)

    def terminate(self) -> None:
        self._conn.terminate()


@pytest.mark.postgres
@pytest.mark.slow  # waits real time (~3 s)
async def test_any_error_on_the_budgets_connection_is_a_loss_that_rejoins_on_a_safe_share(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(budget_module, "REFRESH_SECONDS", 0.2)
    monkeypatch.setattr(budget_module, "REJOIN_SETTLE_SECONDS", 0.5)
    workers = [await worker(pg_url) for _ in range(3)]
    try:
        await wait_until(lambda: all(lim.per_second == share(TOTAL, 3) for lim, _ in workers))
        limiter, broken = workers[0]
        good_dsn = broken._dsn
        # The database is unreachable for this worker, and its connection errs as after a
        # PostgreSQL restart: a loss, logged once, paced at a trickle, rejoining every turn.
        broken._dsn = "postgresql://postgres@127.0.0.1:1/none"
        caplog.set_level("WARNING", logger="bot.budget")
        broken._conn = BrokenAfterRestart(broken._conn)
        await wait_until(lambda: limiter.per_second == budget_module.JOIN_TRICKLE)
        await asyncio.sleep(1.0)  # several failed rejoins
        assert broken._task is not None and not broken._task.done()
        lost = [r.getMessage() for r in caplog.records if "lost the database" in r.getMessage()]
        assert lost == [
            "shared Telegram budget: lost the database (InternalClientError: cannot switch to "
            "state 12; another operation is in progress)"
        ]
        assert not [r for r in caplog.records if r.exc_info]
        # Back: it rejoins, and the three share again.
        broken._dsn = good_dsn
        await wait_until(lambda: broken.slot is not None)
        await wait_until(lambda: all(lim.per_second == share(TOTAL, 3) for lim, _ in workers))
    finally:
        for limiter, _ in workers:
            await limiter.shutdown()  # clean, whatever state the watcher is in


@pytest.mark.postgres
async def test_shutdown_is_clean_when_the_budgets_watcher_has_died(pg_url: str) -> None:
    limiter, budget = await worker(pg_url)
    assert budget._task is not None
    budget._task.cancel()

    async def died() -> None:
        raise RuntimeError("the watcher died")

    budget._task = asyncio.create_task(died())
    await asyncio.sleep(0)
    await limiter.shutdown()  # raised the watcher's error before: exit 1, unclosed sessions
    assert budget._conn is None and budget._task is None
