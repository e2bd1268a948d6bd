"""Subscriptions: every change of zone, time, on/off, pause or unsubscribe shows in the next
nudge's instant. A real SQLite file behind the Store, a frozen clock.

Berlin is UTC+1 in January and New York UTC-5, so 07:30 and 22:00 local are easy to check.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.clock import MovableClock
from bot.store.repo import Store
from bot.subscription import Schedule, Subscriptions

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # a Monday, 13:00 in Berlin
ANN = 42
BERLIN_BEDTIME = datetime(2026, 1, 5, 21, 0, tzinfo=UTC)  # 22:00 in Berlin tonight
BERLIN_MORNING = datetime(2026, 1, 6, 6, 30, tzinfo=UTC)  # 07:30 in Berlin tomorrow


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """The shared store (tests/conftest.py), on SQLite alone (the store's own tests run on
    both databases)."""
    return sqlite_url


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOW, frozen=True)


@pytest.fixture
async def newcomer(store: Store, clock: MovableClock) -> Subscriptions:
    """Ann has just sent /start: she is asked for her zone."""
    subs = Subscriptions(store, clock)
    await store.upsert_user(ANN, ANN, "Ann", "de", NOW)
    await subs.ensure_nudges(ANN)
    return subs


@pytest.fixture
async def subs(newcomer: Subscriptions, store: Store) -> Subscriptions:
    """Ann has chosen Berlin and is past onboarding (no step pending)."""
    await store.update_user(ANN, NOW, onboarding=None)
    await newcomer.set_timezone(ANN, "Europe/Berlin")
    return newcomer


async def schedule_of(subs: Subscriptions) -> Schedule:
    found = await subs.schedule(ANN)
    assert found is not None
    return found


def next_at(schedule: Schedule, kind: str) -> datetime | None:
    return schedule.nudges[kind].next_nudge_at


async def test_no_nudge_is_scheduled_while_the_zone_is_still_unknown(
    newcomer: Subscriptions,
) -> None:
    """07:30 UTC is nobody's morning: nothing is due until the zone question is answered."""
    schedule = await schedule_of(newcomer)
    assert set(schedule.nudges) == {"morning", "bedtime", "weekly"}  # weekly: issue 17
    assert schedule.next_nudge() is None
    assert {n.next_nudge_at for n in schedule.nudges.values()} == {None}


async def test_a_subscriber_gets_both_nudges_at_the_default_local_times(
    subs: Subscriptions,
) -> None:
    schedule = await schedule_of(subs)
    assert (schedule.time_of("morning"), schedule.time_of("bedtime")) == ("07:30", "22:00")
    assert schedule.enabled("morning") and schedule.enabled("bedtime")
    assert next_at(schedule, "morning") == BERLIN_MORNING
    assert next_at(schedule, "bedtime") == BERLIN_BEDTIME
    assert schedule.next_nudge() == ("bedtime", BERLIN_BEDTIME)


async def test_a_new_zone_takes_effect_for_the_next_nudge(subs: Subscriptions) -> None:
    schedule = await subs.set_timezone(ANN, "America/New_York")
    assert schedule is not None
    assert next_at(schedule, "morning") == datetime(2026, 1, 5, 12, 30, tzinfo=UTC)  # 07:30 NY
    assert next_at(schedule, "bedtime") == datetime(2026, 1, 6, 3, 0, tzinfo=UTC)  # 22:00 NY
    assert schedule.next_nudge() == ("morning", datetime(2026, 1, 5, 12, 30, tzinfo=UTC))


async def test_a_new_time_takes_effect_and_is_kept_when_nudges_are_renewed(
    subs: Subscriptions,
) -> None:
    schedule = await subs.set_time(ANN, "morning", time(6, 45))
    assert schedule is not None
    assert schedule.time_of("morning") == "06:45"
    assert next_at(schedule, "morning") == datetime(2026, 1, 6, 5, 45, tzinfo=UTC)
    await subs.ensure_nudges(ANN)  # what /start does for a returning subscriber
    assert (await schedule_of(subs)).time_of("morning") == "06:45"


async def test_a_nudge_turned_off_never_comes_and_turned_on_comes_again(
    subs: Subscriptions,
) -> None:
    schedule = await subs.set_enabled(ANN, "bedtime", False)
    assert schedule is not None
    assert not schedule.enabled("bedtime") and next_at(schedule, "bedtime") is None
    assert schedule.next_nudge() == ("morning", BERLIN_MORNING)
    schedule = await subs.set_enabled(ANN, "morning", False)
    assert schedule is not None and schedule.next_nudge() is None
    schedule = await subs.set_enabled(ANN, "bedtime", True)
    assert schedule is not None
    assert schedule.time_of("bedtime") == "22:00"
    assert schedule.next_nudge() == ("bedtime", BERLIN_BEDTIME)


async def test_unsubscribing_stops_every_nudge_and_start_brings_them_back(
    subs: Subscriptions, store: Store, clock: MovableClock
) -> None:
    await subs.set_time(ANN, "bedtime", time(21, 30))
    await subs.unsubscribe(ANN)
    schedule = await schedule_of(subs)
    assert not schedule.user.active
    assert schedule.next_nudge() is None
    clock.advance(timedelta(days=3))
    # /start: the user is active again, with the times chosen before.
    await store.upsert_user(ANN, ANN, "Ann", "de", clock.now())
    await subs.ensure_nudges(ANN)
    schedule = await schedule_of(subs)
    assert schedule.user.active
    assert schedule.time_of("bedtime") == "21:30"
    assert next_at(schedule, "bedtime") == datetime(2026, 1, 8, 20, 30, tzinfo=UTC)
    assert next_at(schedule, "morning") == datetime(2026, 1, 9, 6, 30, tzinfo=UTC)


async def test_a_pause_lasts_its_days_and_resume_ends_it(
    subs: Subscriptions, clock: MovableClock
) -> None:
    until = await subs.pause(ANN, 7)
    assert until == NOW + timedelta(days=7)
    assert (await schedule_of(subs)).user.paused_until == until
    clock.advance(timedelta(days=2))
    schedule = await subs.resume(ANN)
    assert schedule is not None and schedule.user.paused_until is None
    assert next_at(schedule, "bedtime") == BERLIN_BEDTIME + timedelta(days=2)


async def test_a_snooze_moves_the_nudge_and_skip_today_puts_it_back(
    subs: Subscriptions, clock: MovableClock
) -> None:
    clock.set(BERLIN_BEDTIME + timedelta(seconds=1))  # the bedtime nudge has just come
    assert next_at(await schedule_of(subs), "bedtime") == BERLIN_BEDTIME  # not yet claimed
    at = await subs.snooze(ANN, "bedtime", 15)
    assert at == clock.now() + timedelta(minutes=15)
    assert next_at(await schedule_of(subs), "bedtime") == at
    await subs.skip_today(ANN, "bedtime")
    assert next_at(await schedule_of(subs), "bedtime") == BERLIN_BEDTIME + timedelta(days=1)


async def test_a_nudge_that_is_off_cannot_be_snoozed(subs: Subscriptions) -> None:
    await subs.set_enabled(ANN, "morning", False)
    assert await subs.snooze(ANN, "morning", 15) is None
    assert next_at(await schedule_of(subs), "morning") is None


async def test_someone_who_never_subscribed_has_no_schedule(subs: Subscriptions) -> None:
    assert await subs.schedule(999) is None
    assert await subs.reschedule(999) is None
