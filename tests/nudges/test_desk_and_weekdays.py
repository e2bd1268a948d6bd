"""The desk-break nudge and weekday choices, through /settings, the dispatcher and the
stand-in: off by default, on at the chosen time on the chosen days, once per occurrence, and
its Start now starts the desk routine."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot import texts
from bot.clock import MovableClock
from bot.config import PROJECT_ROOT
from bot.domain.nudge_rules import DESK, MORNING
from bot.domain.schedule import EVERY_DAY, WORKDAYS, day_bit
from bot.keyboards import DaysPress, DeskPress, NudgePress, days_keyboard
from bot.sandbox.emulator import BotApiEmulator
from bot.store.db import upgrade_async
from bot.store.models import Nudge
from tests.harness import Harness, next_message, nudges_sent, seed_subscribers
from tests.history import set_up_user

BERLIN = "Europe/Berlin"
BEA = 4201
THURSDAY = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
FRIDAY_15 = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # 15:00 in Berlin
MONDAY_15 = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


@pytest.fixture
def bot_options() -> dict[str, Any]:
    """How this file's bot differs from the shared one (tests/conftest.py)."""
    clock = MovableClock(THURSDAY, frozen=True)
    return dict(
        clock=clock, routines=PROJECT_ROOT / "routines.toml", overrides={"rate_limit": False}
    )


@pytest.fixture
async def bot(bot: Harness) -> Harness:
    """The shared bot, with this file's user set up (pytest passes the conftest one in)."""
    await set_up_user(bot.services.store, bot.services.subscriptions, BEA, BERLIN, THURSDAY)
    return bot


def button(emu: BotApiEmulator, chat: int, index: int, label: str) -> str:
    found = [d for t, d in emu.buttons(emu.messages(chat)[index]) if t == label]
    assert found, (label, emu.buttons(emu.messages(chat)[index]))
    return found[0]


async def test_the_desk_break_is_off_until_turned_on_then_comes_on_workdays(
    emu: BotApiEmulator, bot: Harness
) -> None:
    store, clock = bot.services.store, bot.services.clock
    assert isinstance(clock, MovableClock)
    assert DESK not in await store.nudges_of(BEA)  # off by default: no row, nothing due
    emu.send_text(BEA, "/settings")
    menu = await next_message(emu, BEA, 0)
    assert "Desk break: off" in menu.text
    emu.press(BEA, menu.message_id, text=texts.BUTTON_DESK_TIME)
    await emu.wait_for(lambda: emu.messages(BEA)[0].text == texts.ASK_DESK_TIME)
    emu.press(BEA, menu.message_id, text="15:00")
    await emu.wait_for(lambda: "Desk break: 15:00, Mon–Fri" in emu.messages(BEA)[0].text)
    desk = (await store.nudges_of(BEA))[DESK]
    assert (desk.enabled, desk.days, desk.next_nudge_at) == (
        True,
        WORKDAYS,
        FRIDAY_15 - timedelta(days=1),
    )

    # Thursday's and Friday's come; Saturday and Sunday are skipped; Monday's comes.
    for due in (FRIDAY_15 - timedelta(days=1), FRIDAY_15):
        clock.set(due + timedelta(seconds=2))
        await bot.services.dispatcher.tick()
        await bot.services.dispatcher.tick()
    assert (await store.nudges_of(BEA))[DESK].next_nudge_at == MONDAY_15
    desk_nudges = [m for m in emu.messages(BEA) if "n:go:desk" in str(m.reply_markup)]
    assert len(desk_nudges) == 2
    assert nudges_sent(emu) == {BEA: 2}

    # Start now starts the desk routine (the chair stretch).
    last = desk_nudges[-1]
    emu.press(BEA, last.message_id, text=texts.BUTTON_START_NOW)
    await emu.wait_for(
        lambda: any(
            "Desk break" in m.text and "Stretch 1 of 1" in m.text for m in emu.messages(BEA)
        )
    )
    live = await store.live_session_of(BEA)
    assert live is not None and live.routine_id == "desk"


async def test_weekdays_for_a_nudge_no_morning_nudge_on_sundays(
    emu: BotApiEmulator, bot: Harness
) -> None:
    store, clock = bot.services.store, bot.services.clock
    assert isinstance(clock, MovableClock)
    emu.send_text(BEA, "/settings")
    menu = await next_message(emu, BEA, 0)
    emu.press(BEA, menu.message_id, text=texts.BUTTON_DAYS)
    await emu.wait_for(lambda: emu.messages(BEA)[0].text == texts.ask_days(MORNING, EVERY_DAY))
    emu.press(BEA, menu.message_id, text=texts.day_button(6, True))  # Sunday off
    no_sunday = EVERY_DAY ^ day_bit(6)
    await emu.wait_for(lambda: emu.messages(BEA)[0].text == texts.ask_days(MORNING, no_sunday))
    morning = (await store.nudges_of(BEA))[MORNING]
    assert morning.days == no_sunday
    # Saturday 07:30 Berlin comes; the next is Monday, not Sunday.
    saturday = datetime(2026, 11, 28, 6, 30, tzinfo=UTC)
    for due in (saturday - timedelta(days=1), saturday):  # Friday's, then Saturday's
        clock.set(due + timedelta(seconds=2))
        await bot.services.dispatcher.tick()
    assert nudges_sent(emu) == {BEA: 2}
    assert (await store.nudges_of(BEA))[MORNING].next_nudge_at == saturday + timedelta(days=2)
    emu.press(BEA, menu.message_id, text=texts.BUTTON_BACK)
    await emu.wait_for(
        lambda: "Morning nudge only on: Mon, Tue, Wed, Thu, Fri, Sat" in emu.messages(BEA)[0].text
    )


async def test_the_last_day_cannot_be_switched_off(emu: BotApiEmulator, bot: Harness) -> None:
    store = bot.services.store
    await bot.services.subscriptions.set_days(BEA, MORNING, day_bit(2))
    emu.send_text(BEA, "/settings")
    menu = await next_message(emu, BEA, 0)
    emu.press(BEA, menu.message_id, data="wd:morning:0")
    await emu.wait_for(
        lambda: any(
            c.method == "answerCallbackQuery" and c.params.get("text") == texts.KEEP_ONE_DAY
            for c in emu.calls
        )
    )
    assert (await store.nudges_of(BEA))[MORNING].days == day_bit(2)


CODEC_CASES = [
    ("wd:morning", ("morning", None)),
    ("wd:desk:31", ("desk", 31)),
    ("wd:back", (None, None)),
    ("wd:weekly:3", None),  # the summary's day is not the user's to choose
    ("wd:morning:128", None),
    ("wd:morning:-1", None),
    ("wd:morning:²", None),
    ("wd:noon", None),
]


@pytest.mark.parametrize(("data", "expected"), CODEC_CASES)
def test_the_days_codec(data: str, expected: tuple[str | None, int | None] | None) -> None:
    got = DaysPress.unpack(data)
    assert (None if got is None else (got.kind, got.days)) == expected


def test_every_day_button_fits_and_sets_one_day_only() -> None:
    markup = days_keyboard(DESK, WORKDAYS)
    for row in markup.inline_keyboard:
        for b in row:
            assert isinstance(b.callback_data, str) and len(b.callback_data.encode()) <= 64
            parsed = DaysPress.unpack(b.callback_data)
            assert parsed is not None
            if parsed.days is not None and b.text not in (
                texts.BUTTON_WORKDAYS,
                texts.BUTTON_EVERY_DAY,
            ):
                assert bin(parsed.days ^ WORKDAYS).count("1") == 1


def test_the_desk_and_nudge_codecs() -> None:
    assert DeskPress.unpack("dk:1500") is not None and DeskPress.unpack("dk:2561") is None
    assert DeskPress.unpack("dk:ask") == DeskPress("ask") and DeskPress.unpack("dk:15:00") is None
    pressed = NudgePress.unpack("n:go:desk")
    assert pressed is not None and pressed.kind == DESK
    assert NudgePress.unpack("n:go:weekly") is None


async def test_two_dispatchers_send_each_desk_break_once_and_skip_the_weekend(
    emu: BotApiEmulator, db_url: str
) -> None:
    clock = MovableClock(FRIDAY_15 + timedelta(seconds=1), frozen=True)
    await upgrade_async(db_url)
    one, two = (
        Harness(emu, db_url, clock=clock, overrides={"rate_limit": False}, polling=False)
        for _ in range(2)
    )
    await one.start()
    await two.start()
    try:
        store = one.services.store
        ids = await seed_subscribers(store, 200, FRIDAY_15, zone=BERLIN, kind=DESK)
        async with store.writing() as db:
            await db.execute(update(Nudge).values(days=WORKDAYS))
        a, b = await asyncio.gather(one.services.dispatcher.tick(), two.services.dispatcher.tick())
        assert a.sent + b.sent == 200
        await asyncio.gather(one.services.dispatcher.tick(), two.services.dispatcher.tick())
        assert nudges_sent(emu) == dict.fromkeys(ids, 1)
        for uid in ids[:5]:
            assert (await store.nudges_of(uid))[DESK].next_nudge_at == MONDAY_15
    finally:
        await one.stop()
        await two.stop()
