"""The session hot path on PostgreSQL without SQLAlchemy's pre-ping (issue 16 item 3): its
connections are pinged only after a second idle, so a press right after PostgreSQL dropped
every connection (a restart, a failover) must still work, once retried on a fresh one, and
the compare-and-set must still refuse a stale version."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.domain.session import Event, apply, begin
from bot.routines import load_routines
from bot.store.db import create_engine, upgrade_async
from bot.store.repo import Store
from tests.conftest import PG_ADMIN_DSN

T0 = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


async def drop_connections(url: str) -> None:
    """What a PostgreSQL restart does to the bot's pooled connections."""
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
    finally:
        await admin.close()


@pytest.mark.postgres
async def test_a_press_right_after_postgresql_dropped_every_connection_still_lands(
    pg_url: str,
) -> None:
    routine = load_routines(Path(__file__).parents[1] / "data" / "quick.toml").routines["single"]
    await upgrade_async(pg_url)
    store = Store(create_engine(pg_url))
    try:
        await store.upsert_user(1, 1, "A", None, T0)
        record, _ = await store.start_session(1, 1, routine.id, begin(routine, T0), T0)
        assert await store.get_session(record.id) == record  # the pools hold live connections

        await drop_connections(pg_url)
        # Within the second: no ping at checkout; the dead connection fails and is retried.
        assert await store.get_session(record.id) == record
        ready = apply(record.state, Event.READY, routine, T0, switch_seconds=5).state
        await drop_connections(pg_url)
        moved = await store.transition(record, ready, T0, routine)
        assert moved is not None and moved.version == 2
        await drop_connections(pg_url)
        assert await store.mark_shown(record.id, 2, 77)
        # Still a compare-and-set: the same change from the old version is refused.
        assert await store.transition(record, ready, T0, routine) is None
        stored = await store.get_session(record.id)
        assert stored is not None and stored.version == 2 and stored.message_id == 77
        await drop_connections(pg_url)
        await store.ping()  # the health check retries too
        # A session start (a transaction on a held connection) after a restart: its BEGIN
        # meets the dead connection and is tried again on a fresh one.
        await drop_connections(pg_url)
        replacing, replaced = await store.start_session(1, 1, routine.id, begin(routine, T0), T0)
        assert replaced is not None and replaced.id == record.id
        assert replacing.version == 1
    finally:
        await store.close()


@pytest.mark.postgres
async def test_a_cancelled_hot_transaction_stays_cancelled_and_the_next_one_works(
    pg_url: str,
) -> None:
    """A coroutine cancelled mid-transaction (a worker stopping, a client gone) ends cancelled,
    not with a rollback error in its place, and its connection is not handed on in a state
    nobody knows: the next hot statement works."""
    await upgrade_async(pg_url)
    store = Store(create_engine(pg_url))
    try:
        await store.upsert_user(1, 1, "A", None, T0)
        slow = store._hot_write(lambda conn: conn.exec_driver_sql("SELECT pg_sleep(5)"))
        task = asyncio.ensure_future(slow)
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(6):  # more than the held connections: each one works
            user = await store.get_user(1)
            assert user is not None and user.first_name == "A"
    finally:
        await store.close()


@pytest.mark.postgres
async def test_a_burst_of_presses_shares_statements_and_each_press_gets_its_own_answer(
    pg_url: str,
) -> None:
    """Issue 28: the reads and the "shown" marks of many presses at once go as a few
    statements (bot/store/coalesce.py). Each press must still see its own session, a stale
    mark must still lose, and a forged session id must not spoil the others' answers."""
    routine = load_routines(Path(__file__).parents[1] / "data" / "quick.toml").routines["single"]
    await upgrade_async(pg_url)
    store = Store(create_engine(pg_url))
    try:
        records = []
        for user_id in range(1, 41):
            await store.upsert_user(user_id, user_id, f"U{user_id}", None, T0)
            record, _ = await store.start_session(
                user_id, user_id, routine.id, begin(routine, T0), T0
            )
            records.append(record)
        pg = store._pg
        assert pg is not None
        reads_before, marks_before = pg.session.batches, pg.mark_shown.batches
        changes_before = pg.cas.batches
        ready = apply(records[0].state, Event.READY, routine, T0, switch_seconds=5).state
        # Twenty presses at once, five of them tapped twice: each session moves on once.
        moved = await asyncio.gather(
            *(store.transition(r, ready, T0, routine) for r in records[:20]),
            *(store.transition(r, ready, T0, routine) for r in records[:5]),
        )
        assert all(m is not None and m.version == 2 for m in moved[5:20])
        twice = zip(moved[:5], moved[20:], strict=True)
        assert [(a is None) != (b is None) for a, b in twice] == [True] * 5
        assert pg.cas.batches - changes_before <= 3

        ids = [r.id for r in records]
        read = await asyncio.gather(*(store.get_session(i) for i in [*ids, 10**6, 2**40]))
        assert [r.version if r else None for r in read] == [2] * 20 + [1] * 20 + [None, None]
        assert [r.user_id if r else None for r in read[:40]] == list(range(1, 41))

        marks = [
            *(store.mark_shown(r.id, 2, 1000 + r.id) for r in records[:20]),  # current
            *(store.mark_shown(r.id, 5, 9) for r in records[20:]),  # a version never made
            store.mark_shown(records[0].id, 1, 7),  # stale: the step moved on since
        ]
        assert await asyncio.gather(*marks) == [True] * 20 + [False] * 21
        assert pg.session.batches - reads_before <= 3
        assert pg.mark_shown.batches - marks_before <= 4

        after = await asyncio.gather(*(store.get_session(i) for i in ids))
        assert [(r.shown_version, r.message_id) for r in after if r][:20] == [
            (2, 1000 + r.id) for r in records[:20]
        ]
        assert all(r is not None and r.shown_version != 5 for r in after[20:])
        # A mark without a message id keeps the one recorded.
        assert await store.mark_shown(records[1].id, 2, None)
        kept = await store.get_session(records[1].id)
        assert kept is not None and kept.message_id == 1000 + records[1].id
    finally:
        await store.close()


@pytest.mark.postgres
async def test_a_burst_of_newcomers_each_gets_one_row_and_a_double_first_message_is_new_once(
    pg_url: str,
) -> None:
    """Issue 28: newcomers' rows go in shared statements. Each must be told it is new
    exactly once (that is who hears the medical note), with its own name and language."""
    await upgrade_async(pg_url)
    store = Store(create_engine(pg_url))
    try:
        pg = store._pg
        assert pg is not None
        before = pg.insert_user.batches
        joined = await asyncio.gather(
            *(store.upsert_user(u, u, f"N{u}", "de", T0) for u in range(1, 31)),
            *(store.upsert_user(u, u, f"N{u}", "de", T0) for u in range(1, 4)),  # tapped twice
        )
        assert [(user.id, user.first_name, user.language_code) for user, _ in joined[:30]] == [
            (u, f"N{u}", "de") for u in range(1, 31)
        ]
        new_once = [joined[i][1] + joined[30 + i][1] for i in range(3)]
        # A strange client's over-long language code spoils nobody's row, its own included.
        odd = await asyncio.gather(
            *(store.upsert_user(u, u, f"N{u}", "x" * 40 if u == 40 else "en", T0) for u in (39, 40))
        )
        assert [(user.id, new) for user, new in odd] == [(39, True), (40, True)]
        assert new_once == [1, 1, 1]
        assert all(new for _, new in joined[3:30])
        # 33 calls: each first reads (the first read goes alone, the rest share one), so the
        # inserts go as the first alone, the next to arrive alone, the rest, the second taps.
        assert pg.insert_user.batches - before <= 5
        assert (await store.upsert_user(5, 5, "N5", "de", T0))[1] is False
    finally:
        await store.close()


@pytest.mark.postgres
async def test_a_burst_of_starts_shares_statements_and_each_replaces_only_its_own_session(
    pg_url: str,
) -> None:
    """Issue 28: the session starts of a burst of /stretch go as a few statements. Each
    must get its own new session and close only its own user's old one; a user's double tap
    replaces its own first start, as it would one after the other."""
    routine = load_routines(Path(__file__).parents[1] / "data" / "quick.toml").routines["single"]
    await upgrade_async(pg_url)
    store = Store(create_engine(pg_url))
    try:
        for user_id in range(1, 31):
            await store.upsert_user(user_id, user_id, f"U{user_id}", None, T0)
        earlier = {}
        for user_id in range(1, 11):  # a third already have a session going
            record, _ = await store.start_session(
                user_id, user_id, routine.id, begin(routine, T0), T0
            )
            earlier[user_id] = record.id
        pg = store._pg
        assert pg is not None
        before = pg.start.batches
        started = await asyncio.gather(
            *(
                store.start_session(u, u, routine.id, begin(routine, T0), T0)
                for u in [*range(1, 31), 29, 30]  # the last two tapped twice
            )
        )
        assert [new.user_id for new, _ in started] == [*range(1, 31), 29, 30]
        assert all(new.version == 1 and new.state == begin(routine, T0) for new, _ in started)
        replaced = [(old.user_id, old.id) if old else None for _, old in started]
        assert replaced[:10] == [(u, earlier[u]) for u in range(1, 11)]
        assert replaced[10:30] == [None] * 20
        # The double taps: the second start of 29 and of 30 replaces the first.
        assert replaced[30:] == [(29, started[28][0].id), (30, started[29][0].id)]
        assert all(old is None or old.state.status.value == "stopped" for _, old in started)
        live = {s.user_id: s.id for s in await store.live_sessions()}
        assert live == {new.user_id: new.id for new, _ in started[:28] + started[30:]}
        # The first start goes alone, the rest of the burst together, the second taps after.
        assert pg.start.batches - before <= 4
    finally:
        await store.close()


@pytest.mark.postgres
async def test_two_workers_starting_the_same_users_at_once_leave_one_live_session_each(
    pg_url: str,
) -> None:
    """Two workers' shared starts that meet at the one-live-session index: the batch that
    loses goes on start by start behind each user's lock. Every /stretch gets a session,
    every user keeps exactly one live, and each session ended is closed by one caller."""
    routine = load_routines(Path(__file__).parents[1] / "data" / "quick.toml").routines["single"]
    await upgrade_async(pg_url)
    stores = [Store(create_engine(pg_url)), Store(create_engine(pg_url))]
    try:
        users = range(1, 21)
        for user_id in users:
            await stores[0].upsert_user(user_id, user_id, f"U{user_id}", None, T0)
        made: list[int] = []
        closed: list[int] = []
        for _ in range(3):
            started = await asyncio.gather(
                *(
                    store.start_session(u, u, routine.id, begin(routine, T0), T0)
                    for store in stores
                    for u in users
                )
            )
            made += [new.id for new, _ in started]
            closed += [old.id for _, old in started if old is not None]
            live = [s for s in await stores[0].live_sessions() if s.user_id in users]
            assert sorted(s.user_id for s in live) == list(users)
        assert len(closed) == len(set(closed))
        assert sorted(closed + [s.id for s in live]) == sorted(made)
    finally:
        for store in stores:
            await store.close()
