"""The nudge dispatcher with a movable clock, a real database and the Bot API stand-in."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import pytest

from bot import texts
from bot.clock import MovableClock
from bot.domain.nudge_rules import SkipReason
from bot.ratelimit import PriorityRateLimiter
from bot.sandbox.emulator import BotApiEmulator
from tests.harness import Harness, next_message, nudges_sent, seed_subscribers

DUE = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


class Launch(Protocol):
    def __call__(
        self,
        after_due: timedelta = ...,
        *,
        clock: MovableClock | None = ...,
        url: str | None = ...,
        polling: bool = ...,
        **overrides: Any,
    ) -> Awaitable[Harness]: ...


@pytest.fixture
async def launch(emu: BotApiEmulator, sqlite_url: str) -> AsyncIterator[Launch]:
    """Starts a bot whose tests tick the dispatcher by hand: the clock frozen `after_due` past
    DUE (or the `clock` given), no rate limit unless asked, no polling unless a test presses
    buttons. Every bot started is stopped at the end, last first."""
    async with AsyncExitStack() as stack:

        async def start(
            after_due: timedelta = timedelta(seconds=1),
            *,
            clock: MovableClock | None = None,
            url: str | None = None,
            polling: bool = False,
            **overrides: Any,
        ) -> Harness:
            bot = Harness(
                emu,
                url or sqlite_url,
                clock=clock or MovableClock(DUE + after_due, frozen=True),
                overrides={"rate_limit": False, **overrides},
                polling=polling,
            )
            await bot.start()
            stack.push_async_callback(bot.stop)
            return bot

        yield start


@pytest.mark.slow  # waits real time (--durations ~1 s)
async def test_a_thousand_due_users_are_each_nudged_exactly_once(
    emu: BotApiEmulator, launch: Launch
) -> None:
    bot = await launch()
    ids = await seed_subscribers(bot.services.store, 1000, DUE)
    report = await bot.services.dispatcher.tick()
    assert report.sent == 1000
    again = await bot.services.dispatcher.tick()
    assert again.claimed == 0
    sent = nudges_sent(emu)
    assert set(sent) == set(ids) and set(sent.values()) == {1}
    nudges = await bot.services.store.nudges_of(ids[0])
    assert nudges["morning"].next_nudge_at == DUE + timedelta(days=1)


async def _two_workers(emu: BotApiEmulator, launch: Launch, url: str) -> None:
    one, two = await launch(url=url), await launch(url=url)
    ids = await seed_subscribers(one.services.store, 1000, DUE)
    a, b = await asyncio.gather(one.services.dispatcher.tick(), two.services.dispatcher.tick())
    assert a.sent + b.sent == 1000
    sent = nudges_sent(emu)
    assert set(sent) == set(ids) and set(sent.values()) == {1}


@pytest.mark.slow  # waits real time (--durations ~1 s)
async def test_two_bots_on_one_sqlite_file_never_send_the_same_nudge(
    emu: BotApiEmulator, launch: Launch, sqlite_url: str
) -> None:
    await _two_workers(emu, launch, sqlite_url)


@pytest.mark.postgres
@pytest.mark.slow  # 1.2 s here (--durations)
async def test_two_bots_on_one_postgresql_never_send_the_same_nudge(
    emu: BotApiEmulator, launch: Launch, pg_url: str
) -> None:
    await _two_workers(emu, launch, pg_url)


async def test_after_downtime_an_overdue_nudge_is_skipped_not_sent_late(
    emu: BotApiEmulator, launch: Launch
) -> None:
    bot = await launch(timedelta(minutes=61))
    (uid,) = await seed_subscribers(bot.services.store, 1, DUE)
    report = await bot.services.dispatcher.tick()
    assert report.sent == 0 and report.skipped == {SkipReason.LATE: 1}
    assert not nudges_sent(emu)
    nudge = (await bot.services.store.nudges_of(uid))["morning"]
    assert nudge.next_nudge_at == DUE + timedelta(days=1)


async def test_rate_limited_ticks_skip_the_late_and_send_the_due_once(
    emu: BotApiEmulator, launch: Launch
) -> None:
    """The paced path (a slot per nudge): late ones are skipped without spending a slot's
    send, due ones go out once each, and the late ones move to tomorrow."""
    bot = await launch(timedelta(minutes=90), rate_limit=True)
    late = await seed_subscribers(bot.services.store, 5, DUE, first_id=1_000)
    due = await seed_subscribers(bot.services.store, 5, DUE + timedelta(minutes=89), first_id=2_000)
    report = await bot.services.dispatcher.tick()
    assert report.sent == 5 and report.skipped == {SkipReason.LATE: 5}
    assert nudges_sent(emu) == dict.fromkeys(due, 1)
    assert (await bot.services.dispatcher.tick()).claimed == 0
    for uid in late:
        nudge = (await bot.services.store.nudges_of(uid))["morning"]
        assert nudge.next_nudge_at == DUE + timedelta(days=1)


async def test_a_nudge_inside_the_grace_window_still_goes_out(launch: Launch) -> None:
    bot = await launch(timedelta(minutes=59))
    await seed_subscribers(bot.services.store, 1, DUE)
    assert (await bot.services.dispatcher.tick()).sent == 1


async def test_someone_who_already_stretched_is_not_nudged(
    emu: BotApiEmulator, launch: Launch
) -> None:
    from sqlalchemy import update

    from bot.store.models import User

    bot = await launch(timedelta(seconds=5))
    early, late = await seed_subscribers(bot.services.store, 2, DUE)
    async with bot.services.store.writing() as db:
        await db.execute(
            update(User).where(User.id == early).values(last_finished_at=DUE - timedelta(hours=1))
        )
        await db.execute(
            update(User).where(User.id == late).values(last_finished_at=DUE - timedelta(hours=5))
        )
    report = await bot.services.dispatcher.tick()
    assert report.skipped == {SkipReason.STRETCHED: 1}
    assert set(nudges_sent(emu)) == {late}


async def test_the_nudge_has_start_snooze_and_skip_and_words_that_vary(
    emu: BotApiEmulator, launch: Launch
) -> None:
    clock = MovableClock(DUE + timedelta(seconds=1), frozen=True)
    bot = await launch(clock=clock)
    (uid,) = await seed_subscribers(bot.services.store, 1, DUE)
    await bot.services.dispatcher.tick()
    first = await next_message(emu, uid, 0)
    labels = [t for t, _ in emu.buttons(first)]
    assert labels == [
        texts.BUTTON_START_NOW,
        "💤 15 min",
        "💤 30 min",
        "💤 1 h",
        texts.BUTTON_SKIP_TODAY,
    ]
    clock.advance(timedelta(days=1))
    await bot.services.dispatcher.tick()
    second = await next_message(emu, uid, 1)
    assert second.text != first.text


async def test_snooze_brings_the_nudge_back_once(emu: BotApiEmulator, launch: Launch) -> None:
    clock = MovableClock(DUE + timedelta(seconds=1), frozen=True)
    bot = await launch(clock=clock, polling=True)
    (uid,) = await seed_subscribers(bot.services.store, 1, DUE)
    await bot.services.dispatcher.tick()
    nudge = await next_message(emu, uid, 0)
    emu.press(uid, nudge.message_id, text="💤 15 min")
    await emu.wait_for(lambda: "Snoozed" in emu.messages(uid)[0].text)
    assert "07:45" in emu.messages(uid)[0].text
    assert emu.buttons(emu.messages(uid)[0]) == []
    clock.advance(timedelta(minutes=14))
    assert (await bot.services.dispatcher.tick()).claimed == 0
    clock.advance(timedelta(minutes=1, seconds=1))
    assert (await bot.services.dispatcher.tick()).sent == 1
    clock.advance(timedelta(minutes=30))
    assert (await bot.services.dispatcher.tick()).claimed == 0
    row = (await bot.services.store.nudges_of(uid))["morning"]
    assert row.next_nudge_at == DUE + timedelta(days=1)


async def test_a_user_who_blocked_the_bot_gets_no_more_nudges_until_start(
    emu: BotApiEmulator, launch: Launch
) -> None:
    clock = MovableClock(DUE + timedelta(seconds=1), frozen=True)
    bot = await launch(clock=clock, polling=True)
    (uid,) = await seed_subscribers(bot.services.store, 1, DUE)
    emu.block(uid)
    report = await bot.services.dispatcher.tick()
    assert report.blocked == 1
    user = await bot.services.store.get_user(uid)
    assert user is not None and not user.active
    assert (await bot.services.store.nudges_of(uid))["morning"].next_nudge_at is None
    clock.advance(timedelta(days=1))
    assert (await bot.services.dispatcher.tick()).claimed == 0
    emu.unblock(uid)
    emu.send_text(uid, "/start", first_name="Back")
    await next_message(emu, uid, 0)  # welcome back
    summary = await next_message(emu, uid, 1)  # and the schedule, with the next nudge
    assert "Next nudge: bedtime, 22:00" in summary.text
    user = await bot.services.store.get_user(uid)
    assert user is not None and user.active
    morning = (await bot.services.store.nudges_of(uid))["morning"]
    assert morning.next_nudge_at == DUE + timedelta(days=2)


@pytest.mark.slow  # waits real time (--durations ~1 s)
async def test_a_429_is_honoured_before_the_retry(emu: BotApiEmulator, launch: Launch) -> None:
    bot = await launch(rate_limit=True)
    await seed_subscribers(bot.services.store, 1, DUE)
    emu.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 1",
        retry_after=1,
    )
    report = await bot.services.dispatcher.tick()
    assert report.sent == 1
    attempts = [c for c in emu.calls if c.method == "sendMessage"]
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0


class QuickBackoffClock(MovableClock):
    """Frozen, but the dispatcher's retry back-off (1 s, then 2 s, ...) passes 20 times faster
    in real time: the rule (retry inside the grace window) is the same, without the wait."""

    def real_delay(self, seconds: float) -> float:
        return max(0.0, seconds / 20)


@pytest.mark.parametrize("code", [500, 502])
async def test_a_server_error_on_a_nudge_is_retried(
    emu: BotApiEmulator, launch: Launch, code: int
) -> None:
    bot = await launch(clock=QuickBackoffClock(DUE + timedelta(seconds=1), frozen=True))
    (uid,) = await seed_subscribers(bot.services.store, 1, DUE)
    emu.fail_next("sendMessage", error_code=code, description="Bad Gateway")
    report = await bot.services.dispatcher.tick()
    assert report.sent == 1 and report.failed == 0
    assert [c.status for c in emu.calls if c.method == "sendMessage"] == [code, 200]
    assert nudges_sent(emu) == {uid: 1}


class InstantBackoffClock(MovableClock):
    """Frozen, with the dispatcher's retry back-off (1 s) passing in 10 ms of real time."""

    def real_delay(self, seconds: float) -> float:
        return max(0.0, seconds / 100)


@pytest.mark.slow  # waits real time (about 1 s: four sends a quarter of a second apart)
async def test_a_nudge_retried_after_a_server_error_waits_for_a_send_slot_of_its_own(
    emu: BotApiEmulator, launch: Launch
) -> None:
    """The first try used the slot the sender held; the retry takes a new one. Sent on the
    first try's slot, it went out beside the next nudge, over the bot's pace: a wave of retries
    after a Telegram hiccup would have earned the whole bot a 429."""
    bot = await launch(
        clock=InstantBackoffClock(DUE + timedelta(seconds=1), frozen=True), rate_limit=True
    )
    limiter = bot.app.bot.rate_limiter
    assert isinstance(limiter, PriorityRateLimiter)
    limiter.set_rate(4)  # a slot every 250 ms: far wider than any machine's jitter
    ids = await seed_subscribers(bot.services.store, 3, DUE)
    emu.fail_next("sendMessage", error_code=502, description="Bad Gateway")
    report = await bot.services.dispatcher.tick()
    assert report.sent == 3 and report.failed == 0
    assert nudges_sent(emu) == {uid: 1 for uid in ids}
    sends = [c.at for c in emu.calls if c.method == "sendMessage"]
    assert len(sends) == 4
    gaps = [later - earlier for earlier, later in itertools.pairwise(sends)]
    assert min(gaps) >= 0.125, f"two sends {min(gaps) * 1000:.0f} ms apart at 4 a second"


# The bot's read timeout in the next test: production waits 5 s; the rule is the same at any
# length, and the loopback stand-in answers a normal request in milliseconds.
READ_TIMEOUT = 0.5


@pytest.mark.slow  # waits real time (--durations ~1 s)
async def test_a_nudge_whose_answer_times_out_is_not_sent_again(
    emu: BotApiEmulator, launch: Launch
) -> None:
    """Telegram was slow and answered after the bot gave up (the read timeout): it may have
    delivered the nudge, so the bot does not send it again. At most once, never twice."""
    bot = await launch(telegram_read_timeout=READ_TIMEOUT)
    (uid,) = await seed_subscribers(bot.services.store, 1, DUE)
    emu.delay("sendMessage", READ_TIMEOUT + 0.5, times=1)
    report = await bot.services.dispatcher.tick()
    assert report.sent == 0 and report.failed == 1
    await emu.wait_for(lambda: nudges_sent(emu) == {uid: 1}, timeout=5)  # it did arrive
    await asyncio.sleep(0.5)
    assert nudges_sent(emu) == {uid: 1}
    assert len([c for c in emu.calls if c.method == "sendMessage"]) == 1
    assert (await bot.services.dispatcher.tick()).claimed == 0  # and it is not due again
