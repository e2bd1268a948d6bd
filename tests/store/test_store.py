"""The store on SQLite and PostgreSQL: users, sessions by compare-and-set, the log, migrations."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from bot.domain.session import Event, Status, apply, begin
from bot.routines import Routine, load_routines
from bot.store.errors import DatabaseProblem
from bot.store.models import Base, GuidedSession, SessionLog, User
from bot.store.records import StepClaim
from bot.store.repo import Store

T0 = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


@pytest.fixture
def routine() -> Routine:
    return load_routines(Path(__file__).parents[1] / "data" / "quick.toml").routines["single"]


async def test_upsert_creates_once_and_reactivates(store: Store) -> None:
    user, created = await store.upsert_user(42, 42, "Ann", "en", T0)
    assert created and user.active and user.first_name == "Ann"
    await store.set_active(42, False, T0)
    again, created = await store.upsert_user(42, 42, "Annie", None, T0 + timedelta(days=1))
    assert not created and again.active and again.first_name == "Annie"
    assert again.language_code == "en"  # an absent code keeps the known one
    assert again.created_at == T0
    assert await store.count(User) == 1


async def test_transition_is_compare_and_set(store: Store, routine: Routine) -> None:
    await store.upsert_user(1, 1, "A", None, T0)
    record, replaced = await store.start_session(1, 1, routine.id, begin(routine, T0), T0)
    assert replaced is None and record.version == 1
    ready = apply(record.state, Event.READY, routine, T0, switch_seconds=5).state
    stop = apply(record.state, Event.STOP, routine, T0, switch_seconds=5).state
    results = await asyncio.gather(
        store.transition(record, ready, T0, routine),
        store.transition(record, stop, T0, routine),
    )
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    stored = await store.get_session(record.id)
    assert stored is not None and stored.version == 2
    assert stored.state == winners[0].state


async def test_a_started_session_keeps_everything_it_was_started_with(
    store: Store, routine: Routine
) -> None:
    """Issue 28: on PostgreSQL a start goes in a statement shared with a burst's other
    starts, its row as arrays of columns; each column must land as given, the claim on
    showing its first step included (lost, a second worker would show that step too)."""
    await store.upsert_user(1, 77, "A", None, T0)
    state = begin(routine, T0)
    claim = StepClaim(by="worker-a", until=T0 + timedelta(seconds=30))
    record, _ = await store.start_session(1, 77, routine.id, state, T0, claim)
    stored = await store.get_session(record.id)
    assert stored is not None
    for seen in (record, stored):
        assert (seen.user_id, seen.chat_id, seen.routine_id) == (1, 77, routine.id)
        assert (seen.version, seen.shown_version, seen.message_id) == (1, 0, None)
        assert (seen.claimed_by, seen.claimed_until) == ("worker-a", T0 + timedelta(seconds=30))
        assert seen.state == state


async def test_a_new_session_replaces_the_live_one(store: Store, routine: Routine) -> None:
    await store.upsert_user(1, 1, "A", None, T0)
    first, _ = await store.start_session(1, 1, routine.id, begin(routine, T0), T0)
    second, replaced = await store.start_session(1, 1, routine.id, begin(routine, T0), T0)
    assert replaced is not None and replaced.id == first.id
    old = await store.get_session(first.id)
    assert old is not None and old.state.status is Status.STOPPED
    live = await store.live_session_of(1)
    assert live is not None and live.id == second.id


async def test_at_most_one_live_session_per_user_even_under_races(
    store: Store, routine: Routine
) -> None:
    await store.upsert_user(1, 1, "A", None, T0)
    # Several rounds: on PostgreSQL a start that meets another at the index is run again
    # behind the user's lock, and one round in three once deadlocked there.
    for _ in range(4):
        await asyncio.gather(
            *(store.start_session(1, 1, routine.id, begin(routine, T0), T0) for _ in range(5))
        )
        assert len([s for s in await store.live_sessions() if s.user_id == 1]) == 1


async def test_finishing_logs_the_session_in_the_same_change(
    store: Store, routine: Routine
) -> None:
    await store.upsert_user(1, 1, "A", None, T0)
    record, _ = await store.start_session(1, 1, routine.id, begin(routine, T0), T0)
    state = apply(record.state, Event.READY, routine, T0, switch_seconds=5).state
    rec = await store.transition(record, state, T0, routine)
    assert rec is not None
    end = T0 + timedelta(seconds=20)
    done = apply(rec.state, Event.TIMER, routine, end, switch_seconds=5).state
    # The log counts days in the user's zone as the finishing change sees it.
    await store.update_user(1, T0, timezone="Europe/Berlin")
    assert await store.transition(rec, done, end, routine) is not None
    (entry,) = await store.session_log(1)
    assert (entry.routine_id, entry.holds_done, entry.holds_total) == ("single", 1, 1)
    assert entry.started_at == T0 and entry.finished_at == end
    assert entry.duration_seconds == 20 and entry.timezone == "Europe/Berlin"


async def test_mark_shown_never_overwrites_a_newer_step(store: Store, routine: Routine) -> None:
    await store.upsert_user(1, 1, "A", None, T0)
    record, _ = await store.start_session(1, 1, routine.id, begin(routine, T0), T0)
    state = apply(record.state, Event.READY, routine, T0, switch_seconds=5).state
    assert await store.transition(record, state, T0, routine) is not None
    assert not await store.mark_shown(record.id, record.version, 99)
    current = await store.get_session(record.id)
    assert current is not None and current.message_id is None and current.shown_version == 0


async def test_deleting_a_user_cascades(store: Store, routine: Routine) -> None:
    await store.upsert_user(1, 1, "A", None, T0)
    await store.start_session(1, 1, routine.id, begin(routine, T0), T0)
    async with store.writing() as db:
        await db.execute(text("DELETE FROM users WHERE id = 1"))
    assert await store.count(GuidedSession) == 0
    assert await store.count(SessionLog) == 0


async def test_models_and_migrations_agree(store: Store) -> None:
    def diff(sync_conn: object) -> list[object]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": True})  # type: ignore[arg-type]
        return list(compare_metadata(context, Base.metadata))

    async with store.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == []


async def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_url: str) -> None:
    from bot.store.db import create_engine, upgrade_async

    await upgrade_async(sqlite_url)
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
            assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() == 10_000
    finally:
        await engine.dispose()


async def test_ping_turns_bad_when_the_sqlite_folder_is_deleted(tmp_path: Path) -> None:
    """The running process keeps writing into the deleted file (its descriptors still work),
    so SELECT 1 alone would stay happy while every write is lost at the next restart."""
    from bot.store.db import create_engine, upgrade_async

    folder = tmp_path / "data"
    folder.mkdir()  # a missing folder is refused, not created (issue 27)
    url = f"sqlite+aiosqlite:///{folder / 'limber.db'}"
    await upgrade_async(url)
    store = Store(create_engine(url))
    try:
        await store.upsert_user(1, 1, "A", None, T0)
        await store.ping()
        shutil.rmtree(folder)
        await store.upsert_user(2, 2, "B", None, T0)  # "succeeds", into a file nobody can find
        with pytest.raises(DatabaseProblem, match="is gone"):
            await store.ping()
    finally:
        await store.close()


@pytest.mark.postgres
async def test_ping_turns_bad_when_postgresql_loses_the_database() -> None:
    import asyncpg

    from bot.store.db import create_engine, upgrade_async
    from tests.conftest import PG_ADMIN_DSN, fresh_pg_database

    async with fresh_pg_database() as url:
        await upgrade_async(url)
        store = Store(create_engine(url))
        try:
            await store.ping()
            admin = await asyncpg.connect(PG_ADMIN_DSN)
            try:
                name = url.rsplit("/", 1)[1]
                await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            finally:
                await admin.close()
            with pytest.raises(Exception, match="does not exist"):
                await store.ping()
        finally:
            await store.close()


async def test_a_session_is_read_with_its_owners_chosen_language(
    store: Store, routine: Routine
) -> None:
    await store.upsert_user(1, 1, "A", "en", T0)
    record, _ = await store.start_session(1, 1, routine.id, begin(routine, T0), T0)
    read = await store.get_session(record.id)
    assert read is not None and read.language is None  # none chosen: the app's, at use
    async with store.writing() as db:
        await db.execute(text("UPDATE users SET language = 'de' WHERE id = 1"))
    read = await store.get_session(record.id)
    assert read is not None and read.language == "de"


async def test_a_failing_press_write_on_sqlite_is_the_stores_error_not_the_drivers(
    sqlite_url: str, routine: Routine
) -> None:
    """The press statements run on sqlite3 itself (bot/store/sqlite_hot.py); a failure must
    still reach the bot as SQLAlchemy's error, which it catches to tell the person the step
    waits ("disk I/O error" from a full or failing disk). A bare sqlite3 error went past those
    handlers: the person was never told, and the session's restore after a restart stalled."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.db import create_engine, upgrade_async

    await upgrade_async(sqlite_url)
    store = Store(create_engine(sqlite_url))
    try:
        await store.upsert_user(1, 1, "A", None, T0)
        record, _ = await store.start_session(1, 1, routine.id, begin(routine, T0), T0)
        async with store.writing() as db:
            await db.execute(
                text(
                    "CREATE TRIGGER broken BEFORE UPDATE ON sessions "
                    "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
                )
            )
        ready = apply(record.state, Event.READY, routine, T0, switch_seconds=5).state
        with pytest.raises(SQLAlchemyError, match="disk I/O error") as failed:
            await store.transition(record, ready, T0, routine)
        assert "[SQL parameters" not in str(failed.value)  # no values of a row in a log line
        with pytest.raises(SQLAlchemyError, match="disk I/O error"):
            await store.mark_shown(record.id, record.version, 7)
    finally:
        await store.close()
