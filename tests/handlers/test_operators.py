"""/privacy, the full /export, and /admin for an operator and for anyone else."""

from __future__ import annotations

import csv
import io
import logging
import time
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from bot import texts
from bot.clock import MovableClock
from bot.operator_counts import DAY, SAMPLE_EVERY, NudgeWindow, error_counter
from bot.sandbox.emulator import BotApiEmulator
from bot.store.models import Base, GuidedSession
from tests.handlers.test_privacy import rows_of
from tests.harness import Harness, next_message, seed_subscribers

ANN, BOB, OPS = 8001, 8002, 8003
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def csv_rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))


async def test_privacy_answers_everyone_and_stores_nothing(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.send_text(ANN, "/privacy")
    reply = await next_message(emu, ANN, 0)
    assert reply.text == texts.PRIVACY
    for promise in ("/export", "/deletedata", "/stop", "health data", "How long"):
        assert promise in reply.text
    assert await bot.services.store.get_user(ANN) is None  # reading it made no record


@pytest.mark.slow  # 2.6 s here (--durations)
async def test_export_holds_the_profile_and_every_table_with_the_users_rows(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.send_text(ANN, "/export")
    assert (await next_message(emu, ANN, 0)).text == texts.NO_DATA

    emu.send_text(ANN, "/start", first_name="Ann")
    await next_message(emu, ANN, 2)
    emu.send_text(ANN, "/timezone Europe/Berlin")
    await emu.wait_for(lambda: any("Time zone set: Berlin" in m.text for m in emu.messages(ANN)))
    emu.send_text(ANN, "/morning 07:15")
    await emu.wait_for(lambda: any("07:15" in m.text for m in emu.messages(ANN)))
    emu.send_text(ANN, "/bedtime 22:30")
    await emu.wait_for(lambda: any("22:30" in m.text for m in emu.messages(ANN)))
    emu.send_text(ANN, "/stretch single")
    intro = await emu.wait_for_message(ANN, "Tap Ready")
    emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
    await emu.wait_for_message(ANN, "🎉 Done!", timeout=15)
    # The back-pain question follows the ending (at the chat's pace): wait for it, so the
    # next message counted is the export.
    await emu.wait_for_message(ANN, "How's your back", timeout=10)
    await bot.services.store.record_pain(ANN, date(2026, 11, 24), 3, datetime.now(UTC))
    emu.send_text(BOB, "/start", first_name="Bob")  # someone else's rows stay out
    await next_message(emu, BOB, 1)

    count = len(emu.messages(ANN))
    emu.send_text(ANN, "/export")
    reply = await next_message(emu, ANN, count, timeout=10)
    in_db = await rows_of(bot, ANN)
    assert reply.document is not None and reply.filename == "limber-export.zip"
    assert reply.text == texts.EXPORT_ZIP_CAPTION
    archive = zipfile.ZipFile(io.BytesIO(reply.document))
    profile = {r["field"]: r["value"] for r in csv_rows(archive, "profile.csv")}
    assert profile["first_name"] == "Ann" and profile["language"] == "en"
    assert profile["time_zone"] == "Europe/Berlin"
    assert profile["morning_nudge_time"] == "07:15" and profile["bedtime_nudge_time"] == "22:30"
    assert profile["telegram_user_id"] == str(ANN)

    history = csv_rows(archive, "history.csv")
    assert [r["record"] for r in history].count("session") == 1
    assert [r["pain_0_to_10"] for r in history if r["record"] == "pain"] == ["3"]

    # Every table that holds a user's data is there, each with exactly the user's rows.
    user_tables = {
        t.name for t in Base.metadata.sorted_tables if "user_id" in t.c or t.name == "users"
    }
    assert set(in_db) == user_tables
    # This scenario fills these, so the row-for-row check below means something; a table
    # added later is still checked row for row, whether this scenario fills it or not.
    for table in ("users", "nudges", "sessions", "session_log", "pain_reports"):
        assert in_db[table] >= 1, in_db
    for table, n in in_db.items():
        rows = csv_rows(archive, f"tables/{table}.csv")
        assert len(rows) == n, table
        owner = "id" if table == "users" else "user_id"
        # A subset: a table this scenario leaves empty (reach_checks) has no owner to show.
        assert {r[owner] for r in rows} <= {str(ANN)}
    sessions = csv_rows(archive, "tables/sessions.csv")
    assert sessions[0]["routine_id"] == "single" and sessions[0]["started_at"].startswith("20")


@pytest.fixture
async def ops_bot(emu: BotApiEmulator, sqlite_url: str) -> AsyncIterator[Harness]:
    """A bot with operators (ADMIN_IDS), on a frozen clock; the file's other tests use the
    shared one (tests/conftest.py)."""
    clock = MovableClock(NOW, frozen=True)
    async with Harness(emu, sqlite_url, clock=clock, overrides={"admin_ids": f"{OPS}, 999"}) as bot:
        yield bot


async def add_session(bot: Harness, user_id: int, started: datetime) -> None:
    async with bot.services.store.writing() as db:
        await db.execute(
            insert(GuidedSession).values(
                user_id=user_id,
                chat_id=user_id,
                routine_id="quick",
                status="done",
                phase="intro",
                started_at=started,
                ended_at=started + timedelta(minutes=5),
                end_reason="finished",
                updated_at=started,
            )
        )


def figure(report: str, label: str) -> str:
    line = next(line for line in report.splitlines() if line.startswith(label))
    return line.split(": ", 1)[1]


async def test_admin_shows_an_operator_the_numbers(emu: BotApiEmulator, ops_bot: Harness) -> None:
    store = ops_bot.services.store
    ticked = await seed_subscribers(store, 3, NOW - timedelta(minutes=30), first_id=20_000)
    assert (await ops_bot.services.dispatcher.tick()).sent == 3
    waiting = await seed_subscribers(store, 2, NOW - timedelta(minutes=20), first_id=30_000)
    await store.set_active(waiting[1], False, NOW)  # /stop: no longer a subscriber
    await add_session(ops_bot, ticked[0], NOW - timedelta(hours=1))  # today
    await add_session(ops_bot, ticked[0], NOW - timedelta(days=2))  # this week, same user
    await add_session(ops_bot, ticked[1], NOW - timedelta(days=3))  # this week
    await add_session(ops_bot, ticked[2], NOW - timedelta(days=10))  # not this week

    emu.send_text(OPS, "/admin")
    report = (await next_message(emu, OPS, 0)).text
    assert report.startswith("🛠 Limber, for operators")
    assert figure(report, "Subscribers") == "4"
    assert figure(report, "Active this week") == "2"
    assert figure(report, "Sessions today") == "1"
    assert figure(report, "Nudges in the last day") == "3 sent, 0 failed (blocked included)"
    assert figure(report, "Oldest unsent due nudge") == "due 20 min ago"
    errors = int(figure(report, "Errors in the last hour"))

    logging.getLogger("limber.test").error("something broke")
    emu.send_text(OPS, "/admin")
    again = (await next_message(emu, OPS, 1)).text
    assert int(figure(again, "Errors in the last hour")) == errors + 1


async def test_admin_is_an_unknown_command_for_anyone_else(
    emu: BotApiEmulator, ops_bot: Harness
) -> None:
    unknown = texts.unknown_command("/admin")
    emu.send_text(BOB, "/admin")
    assert (await next_message(emu, BOB, 0)).text == unknown
    # A forged update: Bob's message placed in the operator's private chat.
    emu.send_text(BOB, "/admin", chat_id=OPS, chat_type="private")
    assert (await next_message(emu, OPS, 0)).text == unknown
    # The operator in a group: the report is for a private chat only.
    emu.send_text(OPS, "/admin", chat_id=-4242, chat_type="group")
    await emu.settled(quiet=0.3)
    assert all("for operators" not in m.text for m in emu.messages(-4242))
    assert all("for operators" not in m.text for c in (BOB, OPS) for m in emu.messages(c))


async def test_without_admin_ids_nobody_is_an_operator(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(OPS, "/admin")
    assert (await next_message(emu, OPS, 0)).text == texts.unknown_command("/admin")


def test_the_nudge_window_counts_the_last_day_from_samples() -> None:
    start = NOW
    window = NudgeWindow(start)
    sent = 0
    for step in range(1, 6 * 30 + 1):  # 30 hours of samples, one nudge sent every 10 min
        sent += 1
        window.sample(start + step * SAMPLE_EVERY, sent, 0, 0)
    now = start + 180 * SAMPLE_EVERY
    counts = window.last_day(now, sent, 2, 1)
    assert counts.full_day and counts.since == now - DAY
    assert (counts.sent, counts.failed, counts.blocked) == (144, 2, 1)
    young = NudgeWindow(start).last_day(start + timedelta(hours=2), 7, 1, 0)
    assert not young.full_day and (young.sent, young.since) == (7, start)


def test_errors_are_counted_whatever_the_logging_set_up_does_with_handlers() -> None:
    counter = error_counter()
    root = logging.getLogger()
    saved = list(root.handlers)
    try:
        root.handlers[:] = [logging.NullHandler()]  # what a logging set-up does (bot/logs.py)
        before = counter.last_hour()
        logging.getLogger("limber.test.elsewhere").error("one")
        logging.getLogger("limber.test.elsewhere").warning("not an error")
        logging.makeLogRecord({"msg": "a record rebuilt from a dict"})
        assert counter.last_hour() == before + 1
        assert counter.last_hour(now=time.time() + 3700) == 0  # an hour later: gone
    finally:
        root.handlers[:] = saved
