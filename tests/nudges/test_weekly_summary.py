"""The weekly summary through the real dispatcher, store and stand-in: exactly once per user
per week (across a restart, and with two dispatchers on one database), on the right local
day across a DST change, with words that match the seeded week."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text, update

from bot import texts
from bot.clock import MovableClock
from bot.domain.nudge_rules import BEDTIME, WEEKLY
from bot.sandbox.emulator import BotApiEmulator
from bot.store.db import create_engine, upgrade_async
from bot.store.models import User
from bot.store.repo import Store
from tests.harness import Harness, next_message, nudges_sent, seed_subscribers
from tests.history import seed_sessions, set_up_user

BERLIN = "Europe/Berlin"
ANN = 4101
# Wednesday 21 Oct 2026; Berlin leaves summer time on Sunday 25 Oct at 03:00.
WEDNESDAY = datetime(2026, 10, 21, 10, 0, tzinfo=UTC)
# Sunday 25 Oct 22:02 CET (UTC+1 since that morning), not 20:02 UTC (22:02 CEST): two
# minutes after the 22:00 bedtime nudge.
SUMMARY_AT = datetime(2026, 10, 25, 21, 2, tzinfo=UTC)

# Per-chat pacing (one message a real second) is not what these tests are about, and a
# frozen clock would make them wait for it in real time (tests/ratelimit/test_flood.py tests it).
NO_PACING = {"rate_limit": False}


def make(emu: BotApiEmulator, url: str, clock: MovableClock) -> Harness:
    return Harness(emu, url, clock=clock, overrides={"rate_limit": False}, polling=False)


def summaries(emu: BotApiEmulator, chat_id: int) -> list[str]:
    return [m.text for m in emu.messages(chat_id) if m.text.startswith(texts.WEEKLY_TITLE)]


async def test_once_a_week_on_sunday_night_across_a_restart_and_the_dst_change(
    emu: BotApiEmulator, db_url: str
) -> None:
    clock = MovableClock(WEDNESDAY, frozen=True)
    bot = make(emu, db_url, clock)
    await bot.start()
    try:
        store = bot.services.store
        await set_up_user(store, bot.services.subscriptions, ANN, BERLIN, WEDNESDAY)
        weekly = (await store.nudges_of(ANN))[WEEKLY]
        assert (weekly.local_time, weekly.enabled) == ("22:02", True)  # after the bedtime nudge
        assert weekly.next_nudge_at == SUMMARY_AT
        # Last week (Sun 18 Oct) one session; this week Monday and Sunday morning, and a
        # session at 00:40 on Monday 26 Oct that belongs to Sunday night's streak day.
        await seed_sessions(
            store,
            ANN,
            [
                datetime(2026, 10, 18, 7, 0, tzinfo=UTC),
                datetime(2026, 10, 19, 6, 0, tzinfo=UTC),
                datetime(2026, 10, 25, 8, 0, tzinfo=UTC),
            ],
            BERLIN,
        )
        await store.record_pain(ANN, datetime(2026, 10, 16).date(), 5, WEDNESDAY)
        await store.record_pain(ANN, datetime(2026, 10, 19).date(), 3, WEDNESDAY)

        clock.set(SUMMARY_AT - timedelta(seconds=1))
        await bot.services.dispatcher.tick()
        assert summaries(emu, ANN) == []  # not a second early (20:00 UTC would be CEST)
        clock.set(SUMMARY_AT + timedelta(seconds=5))
        report = await bot.services.dispatcher.tick()
        (sent,) = summaries(emu, ANN)
        assert "2 sessions, 10 minutes this week (last week: 1, 5 minutes)" in sent
        assert "averaged 3 this week, down from 5" in sent
        assert "More sessions than last week" in sent
        assert report.sent >= 1

        await bot.services.dispatcher.tick()
        await bot.restart()
        await bot.services.dispatcher.tick()
        assert len(summaries(emu, ANN)) == 1  # once, whatever ticks or restarts follow
        weekly = (await bot.services.store.nudges_of(ANN))[WEEKLY]
        assert weekly.next_nudge_at == SUMMARY_AT + timedelta(days=7)

        clock.set(SUMMARY_AT + timedelta(days=7, seconds=5))
        await bot.services.dispatcher.tick()
        later = summaries(emu, ANN)
        assert len(later) == 2
        assert "0 sessions, 0 minutes this week (last week: 2, 10 minutes)" in later[1]
        assert "Keep it up" not in later[1] and "picks the habit back up" in later[1]
    finally:
        await bot.stop()


async def test_bedtime_off_moves_the_summary_to_sunday_evening_and_opting_out_stops_it(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    clock = MovableClock(WEDNESDAY, frozen=True)
    bot = make(emu, sqlite_url, clock)
    await bot.start()
    try:
        subs = bot.services.subscriptions
        await set_up_user(bot.services.store, subs, ANN, BERLIN, WEDNESDAY)
        await subs.set_enabled(ANN, BEDTIME, False)
        weekly = (await bot.services.store.nudges_of(ANN))[WEEKLY]
        assert weekly.local_time == "20:00"
        assert weekly.next_nudge_at == datetime(2026, 10, 25, 19, 0, tzinfo=UTC)
        await subs.set_enabled(ANN, WEEKLY, False)
        assert (await bot.services.store.nudges_of(ANN))[WEEKLY].next_nudge_at is None
        clock.set(datetime(2026, 10, 25, 19, 0, 5, tzinfo=UTC))
        await bot.services.dispatcher.tick()
        assert summaries(emu, ANN) == []
    finally:
        await bot.stop()


async def test_a_summary_is_not_skipped_because_the_user_just_stretched(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    clock = MovableClock(WEDNESDAY, frozen=True)
    bot = make(emu, sqlite_url, clock)
    await bot.start()
    try:
        store = bot.services.store
        await set_up_user(store, bot.services.subscriptions, ANN, BERLIN, WEDNESDAY)
        await seed_sessions(store, ANN, [SUMMARY_AT - timedelta(minutes=20)], BERLIN)
        async with store.writing() as db:
            await db.execute(
                update(User)
                .where(User.id == ANN)
                .values(last_finished_at=SUMMARY_AT - timedelta(minutes=20))
            )
        clock.set(SUMMARY_AT + timedelta(seconds=5))
        await bot.services.dispatcher.tick()
        (sent,) = summaries(emu, ANN)
        assert "1 session, 5 minutes this week" in sent
        assert nudges_sent(emu) == {}  # the bedtime nudge itself is skipped: just stretched
    finally:
        await bot.stop()


@pytest.mark.slow  # 1.4 s here (--durations)
async def test_two_dispatchers_send_each_summary_once(emu: BotApiEmulator, db_url: str) -> None:
    clock = MovableClock(SUMMARY_AT + timedelta(seconds=1), frozen=True)
    await upgrade_async(db_url)
    one, two = make(emu, db_url, clock), make(emu, db_url, clock)
    await one.start()
    await two.start()
    try:
        ids = await seed_subscribers(one.services.store, 300, SUMMARY_AT, kind=WEEKLY)
        a, b = await asyncio.gather(one.services.dispatcher.tick(), two.services.dispatcher.tick())
        assert a.sent + b.sent == 300
        await asyncio.gather(one.services.dispatcher.tick(), two.services.dispatcher.tick())
        for uid in ids:
            assert len(summaries(emu, uid)) == 1
    finally:
        await one.stop()
        await two.stop()


async def test_settings_offers_the_weekly_summary_opt_out(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    clock = MovableClock(WEDNESDAY, frozen=True)
    bot = Harness(emu, sqlite_url, clock=clock, overrides=NO_PACING)
    await bot.start()
    try:
        store = bot.services.store
        await set_up_user(store, bot.services.subscriptions, ANN, BERLIN, WEDNESDAY)
        emu.send_text(ANN, "/settings")
        menu = await next_message(emu, ANN, 0)
        emu.press(ANN, menu.message_id, text=texts.button_weekly(True))
        await emu.wait_for(
            lambda: (
                (texts.button_weekly(False), "st:on:weekly") in emu.buttons(emu.messages(ANN)[0])
            )
        )
        weekly = (await store.nudges_of(ANN))[WEEKLY]
        assert not weekly.enabled and weekly.next_nudge_at is None
        emu.press(ANN, menu.message_id, text=texts.button_weekly(False))
        await emu.wait_for(
            lambda: (
                (texts.button_weekly(True), "st:off:weekly") in emu.buttons(emu.messages(ANN)[0])
            )
        )
        assert (await store.nudges_of(ANN))[WEEKLY].next_nudge_at == SUMMARY_AT
    finally:
        await bot.stop()


async def test_the_upgrade_gives_existing_users_a_weekly_summary_at_their_bedtime(
    db_url: str,
) -> None:
    await upgrade_async(db_url, "0004")
    engine = create_engine(db_url)
    try:
        async with engine.begin() as conn:
            for uid, zone, active in ((ANN, BERLIN, True), (ANN + 1, "UTC", False)):
                await conn.execute(
                    text(
                        "INSERT INTO users (id, chat_id, first_name, active, timezone,"
                        " created_at, updated_at) VALUES (:id, :id, 'A', :on, :zone, :at, :at)"
                    ),
                    {"id": uid, "on": active, "zone": zone, "at": WEDNESDAY.replace(tzinfo=None)},
                )
                await conn.execute(
                    text(
                        "INSERT INTO nudges (user_id, kind, local_time, enabled)"
                        " VALUES (:id, 'bedtime', '23:30', true)"
                    ),
                    {"id": uid},
                )
        await upgrade_async(db_url)
        store = Store(engine)
        ann = (await store.nudges_of(ANN))[WEEKLY]
        assert (ann.local_time, ann.enabled) == ("23:32", True)
        assert ann.next_nudge_at is not None
        local = ann.next_nudge_at.astimezone(ZoneInfo(BERLIN))
        assert (local.weekday(), f"{local:%H:%M}") == (6, "23:32")
        stopped = (await store.nudges_of(ANN + 1))[WEEKLY]
        assert stopped.next_nudge_at is None  # /stop holds
    finally:
        await engine.dispose()


async def test_a_summary_that_cannot_be_written_does_not_stop_the_others(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    clock = MovableClock(SUMMARY_AT + timedelta(seconds=1), frozen=True)
    bot = make(emu, sqlite_url, clock)
    await bot.start()
    try:
        ids = await seed_subscribers(bot.services.store, 3, SUMMARY_AT, kind=WEEKLY)
        dispatcher = bot.services.dispatcher
        written = dispatcher.weekly_text
        assert written is not None

        async def failing_for_one(user_id: int, at: datetime) -> str | None:
            if user_id == ids[0]:
                raise RuntimeError("a broken row")
            return await written(user_id, at)

        dispatcher.weekly_text = failing_for_one
        report = await dispatcher.tick()
        assert (report.sent, report.failed) == (2, 1)
        assert [len(summaries(emu, uid)) for uid in ids] == [0, 1, 1]
    finally:
        await bot.stop()
