"""Upgrades of databases made by earlier releases: what users had keeps working."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import text

from bot.clock import MovableClock
from bot.domain.schedule import next_occurrence
from bot.sandbox.emulator import BotApiEmulator
from bot.store.db import create_engine, upgrade_async
from bot.store.repo import Store
from bot.subscription import Schedule
from tests.harness import Harness, nudges_sent

ANN, BOB = 501, 502  # Ann uses the bot; Bob pressed /stop before the upgrade
CAT = 503  # set /morning under revision 0003 and turned it off: a row for one kind only
CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def _first_release_database(url: str) -> None:
    """A database of the first release (revision 0001): users had a zone and no nudge rows;
    /settings showed them the default times."""
    await upgrade_async(url, "0001")
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for user, active in ((ANN, True), (BOB, False)):
                await conn.execute(
                    text(
                        "INSERT INTO users (id, chat_id, first_name, language_code, active,"
                        " timezone, created_at, updated_at) VALUES (:id, :id, 'U', 'en',"
                        " :active, 'Europe/Berlin', :at, :at)"
                    ),
                    # SQLite stores naive UTC (models.UTCDateTime); PostgreSQL takes it as UTC.
                    {"id": user, "active": active, "at": CREATED.replace(tzinfo=None)},
                )
        await upgrade_async(url, "0003")
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO users (id, chat_id, first_name, active, timezone, created_at,"
                    " updated_at) VALUES (:id, :id, 'C', true, 'Asia/Tokyo', :at, :at)"
                ),
                {"id": CAT, "at": CREATED.replace(tzinfo=None)},
            )
            await conn.execute(
                text(
                    "INSERT INTO nudges (user_id, kind, local_time, enabled)"
                    " VALUES (:id, 'morning', '06:15', false)"
                ),
                {"id": CAT},
            )
    finally:
        await engine.dispose()


async def test_first_release_users_get_the_nudges_settings_shows_after_the_upgrade(
    emu: BotApiEmulator, db_url: str
) -> None:
    await _first_release_database(db_url)
    before = datetime.now(UTC)
    await upgrade_async(db_url)
    after = datetime.now(UTC)
    clock = MovableClock(after, frozen=True)
    bot = Harness(emu, db_url, clock=clock, overrides={"rate_limit": False}, polling=False)
    await bot.start()
    try:
        store = bot.services.store
        ann = await store.get_user(ANN)
        assert ann is not None
        schedule = Schedule(ann, await store.nudges_of(ANN))
        assert set(schedule.nudges) == {"morning", "bedtime", "weekly"}
        morning = schedule.nudges["morning"]
        # What /settings showed before the upgrade is what is scheduled now.
        assert (morning.local_time, schedule.time_of("bedtime")) == ("07:30", "22:00")
        # Due at Ann's next 07:30 in Berlin: never at the hour the upgrade happened to run.
        at = morning.next_nudge_at
        assert at is not None

        def next_after_upgrade(local: time, zone: str) -> set[datetime]:
            return {next_occurrence(local, zone, before), next_occurrence(local, zone, after)}

        assert at in next_after_upgrade(time(7, 30), "Europe/Berlin")
        bob = await store.nudges_of(BOB)
        assert {n.next_nudge_at for n in bob.values()} == {None}  # /stop still holds
        cat = await store.nudges_of(CAT)
        assert (cat["morning"].local_time, cat["morning"].enabled) == ("06:15", False)
        assert cat["morning"].next_nudge_at is None  # her choices are kept
        assert cat["bedtime"].next_nudge_at in next_after_upgrade(time(22), "Asia/Tokyo")

        clock.set(at + timedelta(seconds=1))
        await bot.services.dispatcher.tick()
        assert nudges_sent(emu) == {ANN: 1}
        clock.set(at + timedelta(days=1, seconds=1))
        await bot.services.dispatcher.tick()
        assert nudges_sent(emu) == {ANN: 2}  # and every day after
    finally:
        await bot.stop()


async def test_sessions_live_at_the_upgrade_get_their_active_time_and_pause_limit(
    db_url: str,
) -> None:
    """0014 (issue 23): a session running at the upgrade counts its time so far and goes on
    counting; a paused one gets the 30-minute limit from its last change."""
    await upgrade_async(db_url, "0013_user_place")
    engine = create_engine(db_url)
    started, changed = CREATED, CREATED + timedelta(seconds=70)
    naive = {"started": started.replace(tzinfo=None), "changed": changed.replace(tzinfo=None)}
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO users (id, chat_id, first_name, active, timezone, created_at,"
                    " updated_at) VALUES (:id, :id, 'U', true, 'UTC', :started, :started)"
                ),
                {"id": ANN, **naive},
            )
            for sid, status in ((1, "paused"), (2, "stopped")):
                await conn.execute(
                    text(
                        "INSERT INTO sessions (id, user_id, chat_id, routine_id, status, phase,"
                        " stretch_index, side, holds_done, stretches_done, stretches_skipped,"
                        " shown_version, started_at, version, updated_at) VALUES (:sid, :id,"
                        " :id, 'full', :status, 'hold', 0, 0, 0, 0, 0, 1, :started, 1, :changed)"
                    ),
                    {"sid": sid, "id": ANN, "status": status, **naive},
                )
    finally:
        await engine.dispose()
    await upgrade_async(db_url)
    store = Store(create_engine(db_url))
    try:
        paused = await store.get_session(1)
        assert paused is not None
        assert paused.state.active_seconds == 70 and paused.state.paused_at == changed
        assert paused.state.next_event_at == changed + timedelta(minutes=30)
        ended = await store.get_session(2)
        assert ended is not None and ended.state.active_seconds == 0
    finally:
        await store.close()
