"""Team desk breaks in group chats (issue 25): the rules table-tested, then whole breaks driven
through the emulator over HTTP with the clock injected (frozen, moved by hand; the team tick
is called by hand, so nothing waits for real minutes and any hour of the day works)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import team_desk
from bot.clock import MovableClock
from bot.config import DEFAULT_ROUTINES
from bot.domain import team
from bot.domain.schedule import EVERY_DAY, WORKDAYS
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from tests.harness import Harness, next_message

BERLIN = ZoneInfo("Europe/Berlin")
GROUP = -4001
ANA, BEN, CY, DEE, EVE = 701, 702, 703, 704, 705
TEAM = {ANA: "Ana", BEN: "Ben", CY: "Cy", DEE: "Dee", EVE: "Eve"}
# Monday 7 December 2026, 14:50 in Berlin.
MONDAY = datetime(2026, 12, 7, 14, 50, tzinfo=BERLIN).astimezone(UTC)


def plain(text: str) -> str:
    """Without the isolation marks around people's names (texts._echo)."""
    return text.replace("\u2068", "").replace("\u2069", "")


# The rules ---------------------------------------------------------------------------------------

TIMING = team.Timing(ready=15, hold=30, switch=10)


@pytest.mark.parametrize(
    ("elapsed", "stage", "left"),
    [
        (-120, team.Stage.ANNOUNCE, 120),
        (-0.5, team.Stage.ANNOUNCE, 1),
        (0, team.Stage.READY, 15),
        (14.9, team.Stage.READY, 1),
        (15, team.Stage.LEFT, 30),
        (30, team.Stage.LEFT, 15),
        (38, team.Stage.LEFT, 15),  # a late edit shows whole countdown steps
        (45, team.Stage.SWITCH, 10),
        (55, team.Stage.RIGHT, 30),
        (70, team.Stage.RIGHT, 15),
        (84.9, team.Stage.RIGHT, 15),
        (85, team.Stage.DONE, 0),
        (4000, team.Stage.DONE, 0),
    ],
)
def test_the_break_shows_the_stage_of_the_moment(
    elapsed: float, stage: team.Stage, left: int
) -> None:
    assert team.frame_at(TIMING, elapsed) == team.Frame(stage, left)


def test_edits_stay_far_inside_telegrams_group_limit() -> None:
    offsets = team.edit_offsets(TIMING)
    assert offsets == (0, 15, 30, 45, 55, 70, 85)
    # The announcement two minutes before, plus every edit: never 12 in any 60 s.
    announced = [-team.ANNOUNCE_AHEAD.total_seconds(), *offsets]
    assert team.most_in_a_minute(announced) <= team.BREAK_MESSAGES_PER_MINUTE
    assert team.BREAK_MESSAGES_PER_MINUTE < team.GROUP_MESSAGES_PER_MINUTE
    # Longer holds (a routines file of one's own) stay inside too.
    slow = team.Timing(ready=10, hold=60, switch=15)
    assert team.most_in_a_minute(team.edit_offsets(slow)) <= team.BREAK_MESSAGES_PER_MINUTE


@pytest.mark.parametrize(
    ("elapsed", "after"),
    [(-30, 0.0), (0, 15.0), (16, 30.0), (44.9, 45.0), (84, 85.0), (85, None), (300, None)],
)
def test_a_late_edit_skips_what_it_missed(elapsed: float, after: float | None) -> None:
    assert team.next_edit_after(TIMING, elapsed) == after


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], team.DeskbreakRequest(team.Ask.SHOW)),
        (["off"], team.DeskbreakRequest(team.Ask.OFF)),
        (["15:00"], team.DeskbreakRequest(team.Ask.SET, time(15, 0))),
        (["15:00", "Berlin"], team.DeskbreakRequest(team.Ask.SET, time(15, 0), None, "Berlin")),
        (
            ["3pm", "mon-fri", "New", "York"],
            team.DeskbreakRequest(team.Ask.SET, time(15, 0), WORKDAYS, "New York"),
        ),
        (["9:30", "mon,wed,fri"], team.DeskbreakRequest(team.Ask.SET, time(9, 30), 0b10101)),
        (["10", "30", "daily"], team.DeskbreakRequest(team.Ask.SET, time(10, 30), EVERY_DAY)),
        (["soon"], team.DeskbreakRequest(team.Ask.BAD)),
    ],
)
def test_deskbreak_is_read_as_people_type_it(
    args: list[str], expected: team.DeskbreakRequest
) -> None:
    assert team.parse_deskbreak(args) == expected


@pytest.mark.parametrize(
    ("word", "days"),
    [("fri-mon", None), ("sat-sun", 0b1100000), ("weekdays", WORKDAYS), ("berlin", None)],
)
def test_weekdays_words(word: str, days: int | None) -> None:
    assert team.parse_days(word) == days


MON = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("people", "today", "days", "streak"),
    [
        ({}, MON, WORKDAYS, 0),
        ({MON: 2}, MON, WORKDAYS, 1),
        ({MON: 1}, MON, WORKDAYS, 0),
        # Friday and Monday in a row: the weekend neither adds nor breaks.
        ({MON: 3, MON - timedelta(days=3): 2}, MON, WORKDAYS, 2),
        # Every day: the weekend with nobody breaks it.
        ({MON: 3, MON - timedelta(days=3): 2}, MON, EVERY_DAY, 1),
        # Today not yet two: the run up to yesterday still stands.
        ({MON + timedelta(days=1): 1, MON: 2}, MON + timedelta(days=1), WORKDAYS, 1),
        # A day with one person ends it.
        ({MON: 2, MON - timedelta(days=3): 1, MON - timedelta(days=4): 5}, MON, WORKDAYS, 1),
    ],
)
def test_the_team_streak_counts_workdays_with_two_or_more(
    people: dict[date, int], today: date, days: int, streak: int
) -> None:
    assert team.team_streak(people, today, days) == streak


# Through the emulator ----------------------------------------------------------------------------


@pytest.fixture
async def office(
    emu: BotApiEmulator, sqlite_url: str
) -> AsyncIterator[tuple[Harness, MovableClock]]:
    clock = MovableClock(MONDAY, frozen=True)
    bot = Harness(
        emu,
        sqlite_url,
        routines=DEFAULT_ROUTINES,
        clock=clock,
        overrides={"team_tick_seconds": 3600.0},
    )
    await bot.start()
    try:
        yield bot, clock
    finally:
        await bot.stop()


async def _answers(emu: BotApiEmulator, n: int) -> None:
    await emu.wait_for(lambda: sum(c.method == "answerCallbackQuery" for c in emu.calls) >= n)


async def _set_up(emu: BotApiEmulator, bot: Harness, private_users: tuple[int, ...]) -> BotMessage:
    """Three colleagues use Limber privately; the group adds the bot; Ana (the admin) sets
    the break at 15:00 Berlin time. Returns the bot's answer to /deskbreak."""
    for uid in private_users:
        emu.send_text(uid, "/start", first_name=TEAM[uid])
        await next_message(emu, uid, 1)
    emu.add_group(GROUP, TEAM, admins={ANA}, added_by=ANA)
    intro = await next_message(emu, GROUP, 0)
    assert "talk to your doctor first" in intro.text.lower()
    emu.say_in_group(GROUP, ANA, "/deskbreak 15:00 Berlin")
    return await next_message(emu, GROUP, 1)


async def _run_to(bot: Harness, clock: MovableClock, until: datetime, step: float = 5.0) -> None:
    """Moves the clock `step` seconds at a time, ticking, and straight on to the next event
    when nothing is due sooner (a day of nothing is one jump, not 17,280 ticks)."""
    store = bot.services.store
    while clock.now() < until:
        target = clock.now() + timedelta(seconds=step)
        due = await store.next_team_event()
        if due is None or due > target:
            target = max(target, due) if due is not None else until
        clock.set(min(target, until))
        await team_desk(bot.app).tick()  # type: ignore[arg-type]


async def test_three_of_five_join_and_each_gets_it_in_their_own_stats(
    emu: BotApiEmulator, office: tuple[Harness, MovableClock]
) -> None:
    bot, clock = office
    store = bot.services.store
    answer = await _set_up(emu, bot, (ANA, BEN, CY))
    assert "15:00" in answer.text and "Berlin" in answer.text
    private_before = {uid: len(emu.messages(uid)) for uid in TEAM}
    desk = team_desk(bot.app)  # type: ignore[arg-type]

    clock.set(MONDAY + timedelta(minutes=8))  # 14:58: two minutes before
    await desk.tick()
    card = emu.messages(GROUP)[-1]
    assert card.animation is not None and "Team desk break at 15:00" in card.text
    assert "stop if it hurts" in card.text
    in_, out = (d for _, d in emu.buttons(card))
    emu.press(ANA, card.message_id, data=in_, chat_id=GROUP, first_name="Ana")
    emu.press(BEN, card.message_id, data=in_, chat_id=GROUP, first_name="Ben")
    emu.press(BEN, card.message_id, data=in_, chat_id=GROUP, first_name="Ben")  # twice
    emu.press(DEE, card.message_id, data=out, chat_id=GROUP, first_name="Dee")
    await _answers(emu, 4)
    clock.advance(timedelta(seconds=15))
    await desk.tick()
    assert "In: Ana, Ben" in plain(card.text)  # the names show before the start

    await _run_to(bot, clock, MONDAY + timedelta(minutes=10, seconds=5))  # 15:00:05
    assert "left leg starts" in card.text
    emu.press(CY, card.message_id, data=in_, chat_id=GROUP, first_name="Cy")  # after the start
    await _answers(emu, 5)
    await _run_to(bot, clock, MONDAY + timedelta(minutes=11, seconds=30))

    ending = plain(card.text)
    assert "3 of you stretched: Ana, Ben, Cy." in ending, ending
    assert "Team streak: 1 workday" in ending
    assert emu.buttons(card) == []
    stages = [text for _, text in card.edits]
    assert any("Left leg" in t for t in stages) and any("Switch sides" in t for t in stages)
    assert any("Right leg" in t for t in stages)
    # Telegram's group limit: never more than 12 of the bot's messages and edits in a minute.
    stamps = [card.sent_at, *(at for at, _ in card.edits)]
    assert team.most_in_a_minute(stamps) <= team.BREAK_MESSAGES_PER_MINUTE

    for uid in (ANA, BEN, CY):
        log = await store.session_log(uid)
        assert [entry.routine_id for entry in log] == ["desk"], uid
    assert await store.session_log(DEE) == [] and await store.session_log(EVE) == []
    # Nobody got a private message they did not ask for.
    assert {uid: len(emu.messages(uid)) for uid in TEAM} == private_before
    emu.send_text(BEN, "/stats", first_name="Ben")
    stats = await emu.wait_for_message(BEN, "1")
    assert stats is not None
    emu.assert_no_violations()


async def test_a_non_admin_cannot_change_the_break(
    emu: BotApiEmulator, office: tuple[Harness, MovableClock]
) -> None:
    bot, _ = office
    emu.add_group(GROUP, TEAM, admins={ANA}, added_by=ANA)
    await next_message(emu, GROUP, 0)
    emu.say_in_group(GROUP, BEN, "/deskbreak 15:00 Berlin")
    refused = await next_message(emu, GROUP, 1)
    assert "Only the group's admins" in refused.text
    group = await bot.services.store.group_of(GROUP)
    assert group is not None and group.local_time is None
    emu.say_in_group(GROUP, BEN, "/deskbreak")  # anyone can see it
    shown = await next_message(emu, GROUP, 2)
    assert "No team desk break is set" in shown.text
    emu.say_in_group(GROUP, ANA, "/deskbreak 15:00 Berlin")
    await next_message(emu, GROUP, 3)
    emu.say_in_group(GROUP, CY, "/deskbreak off")
    refused = await next_message(emu, GROUP, 4)
    assert "Only the group's admins" in refused.text
    group = await bot.services.store.group_of(GROUP)
    assert group is not None and group.local_time == "15:00"


async def test_the_bot_removed_during_a_break_stops_everything_quietly(
    emu: BotApiEmulator, office: tuple[Harness, MovableClock]
) -> None:
    bot, clock = office
    await _set_up(emu, bot, ())
    desk = team_desk(bot.app)  # type: ignore[arg-type]
    await _run_to(bot, clock, MONDAY + timedelta(minutes=10, seconds=20))  # in the left hold
    card = emu.messages(GROUP)[-1]
    assert card.edits
    emu.remove_bot(GROUP, ANA)
    store = bot.services.store

    async def gone() -> bool:
        group = await store.group_of(GROUP)
        return group is not None and not group.present

    await _until(gone)
    calls = len(emu.calls)
    await _run_to(bot, clock, MONDAY + timedelta(days=1, minutes=12))  # all of Tuesday's too
    assert [c for c in emu.calls[calls:] if c.params.get("chat_id") == GROUP] == []
    assert desk.totals.failed == 0


async def test_a_deleted_group_answers_403_once_and_the_schedule_stops(
    emu: BotApiEmulator, office: tuple[Harness, MovableClock]
) -> None:
    bot, clock = office
    await _set_up(emu, bot, ())
    await _run_to(bot, clock, MONDAY + timedelta(minutes=10, seconds=5))
    emu.delete_group(GROUP)
    await _run_to(bot, clock, MONDAY + timedelta(days=2, minutes=12), step=15.0)
    refused = [c for c in emu.calls if c.params.get("chat_id") == GROUP and c.status == 403]
    assert len(refused) == 1  # no error loop
    group = await bot.services.store.group_of(GROUP)
    assert group is not None and not group.present and group.next_break_at is None


async def test_a_group_upgraded_between_two_breaks_keeps_its_break(
    emu: BotApiEmulator, office: tuple[Harness, MovableClock]
) -> None:
    bot, clock = office
    await _set_up(emu, bot, (ANA, BEN))
    await _run_to(bot, clock, MONDAY + timedelta(minutes=8, seconds=5))
    card = emu.messages(GROUP)[-1]
    in_ = emu.buttons(card)[0][1]
    emu.press(ANA, card.message_id, data=in_, chat_id=GROUP, first_name="Ana")
    emu.press(BEN, card.message_id, data=in_, chat_id=GROUP, first_name="Ben")
    await _answers(emu, 2)
    await _run_to(bot, clock, MONDAY + timedelta(minutes=11, seconds=30))
    assert "2 of you stretched" in card.text

    new_id = -1009_000_000_001
    emu.upgrade_group(GROUP, new_id)
    store = bot.services.store

    async def moved() -> bool:
        return await store.group_of(new_id) is not None

    await _until(moved)
    tuesday = MONDAY + timedelta(days=1)
    await _run_to(bot, clock, tuesday + timedelta(minutes=8, seconds=5), step=600.0)
    await _run_to(bot, clock, tuesday + timedelta(minutes=8, seconds=10))
    card2 = emu.messages(new_id)[-1]
    assert card2.animation is not None and "Team desk break at 15:00" in card2.text
    in_ = emu.buttons(card2)[0][1]
    emu.press(ANA, card2.message_id, data=in_, chat_id=new_id, first_name="Ana")
    emu.press(BEN, card2.message_id, data=in_, chat_id=new_id, first_name="Ben")
    await _answers(emu, 4)
    await _run_to(bot, clock, tuesday + timedelta(minutes=11, seconds=30))
    assert "Team streak: 2 workdays in a row" in card2.text, card2.text
    # Nothing more went to the old id after the upgrade.
    assert len(emu.messages(GROUP)) == 3  # the introduction, the answer, Monday's break


async def _until(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Until the store shows what an update's handler did (handlers run in their own tasks)."""
    for _ in range(int(timeout / 0.02)):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("not within the timeout")


async def test_without_the_right_to_send_that_break_is_dropped_and_the_next_one_comes(
    emu: BotApiEmulator, office: tuple[Harness, MovableClock]
) -> None:
    bot, clock = office
    await _set_up(emu, bot, ())
    emu.forbid_sending(GROUP)
    await _run_to(bot, clock, MONDAY + timedelta(minutes=12))
    refused = [c for c in emu.calls if c.params.get("chat_id") == GROUP and c.status == 400]
    assert len(refused) == 1  # the announcement, once; nothing retried
    assert await bot.services.store.live_team_breaks() == 0
    emu.groups[GROUP].can_send = True  # an admin gives the right back
    await _run_to(bot, clock, MONDAY + timedelta(days=1, minutes=8, seconds=5), step=600.0)
    assert "Team desk break at 15:00" in emu.messages(GROUP)[-1].text


async def test_many_groups_at_one_minute_are_announced_once_across_workers(db_url: str) -> None:
    """Two workers' stores claim the same due minute at once: every break once, by one."""
    from bot.groups.desk import next_break
    from bot.store.db import create_engine, upgrade_async
    from bot.store.repo import Store

    await upgrade_async(db_url)
    stores = [Store(create_engine(db_url)) for _ in range(2)]
    try:
        at = MONDAY + timedelta(minutes=10)
        for n in range(60):
            await stores[0].set_team_break(
                -(5000 + n),
                local_time="14:00",
                days=WORKDAYS,
                timezone="UTC",
                language="en",
                set_by=1,
                next_break_at=at,
                announce_at=at - team.ANNOUNCE_AHEAD,
                now=MONDAY,
            )
        now = at - team.ANNOUNCE_AHEAD + timedelta(seconds=1)

        async def worker(store: Store) -> list[int]:
            got: list[int] = []
            for _ in range(10):
                claimed = await store.claim_due_breaks(now, 7, next_break, now - team.START_GRACE)
                got += [c.group.chat_id for c in claimed if c.break_id is not None]
            return got

        first, second = await asyncio.gather(*(worker(s) for s in stores))
        assert sorted(first + second) == sorted(-(5000 + n) for n in range(60))
        assert await stores[0].claim_due_breaks(now, 100, next_break, now) == []
    finally:
        for store in stores:
            await store.close()


async def test_privacy_and_deletedata_in_a_group_and_a_member_who_leaves(
    emu: BotApiEmulator, office: tuple[Harness, MovableClock]
) -> None:
    bot, clock = office
    store = bot.services.store
    await _set_up(emu, bot, (ANA,))
    await _run_to(bot, clock, MONDAY + timedelta(minutes=8, seconds=5))
    card = emu.messages(GROUP)[-1]
    in_ = emu.buttons(card)[0][1]
    emu.press(ANA, card.message_id, data=in_, chat_id=GROUP, first_name="Ana")
    emu.press(EVE, card.message_id, data=in_, chat_id=GROUP, first_name="Eve")
    await _answers(emu, 2)
    emu.member_leaves(GROUP, EVE)  # she was in: what she did stays done
    await _run_to(bot, clock, MONDAY + timedelta(minutes=11, seconds=30))
    assert "2 of you stretched: Ana, Eve." in plain(card.text)

    emu.say_in_group(GROUP, BEN, "/privacy")
    kept = await emu.wait_for_message(GROUP, "What Limber keeps for this group")
    assert "1 breaks and 2 people" in kept.text
    emu.say_in_group(GROUP, BEN, "/deletedata")  # not an admin
    await emu.wait_for(lambda: "Only the group's admins" in emu.messages(GROUP)[-1].text)
    assert await store.group_counts(GROUP) == (1, 2)
    emu.say_in_group(GROUP, ANA, "/deletedata")
    await emu.wait_for_message(GROUP, "Erased")
    assert await store.group_counts(GROUP) == (0, 0)
    assert await store.group_of(GROUP) is None
    # Ana's own history keeps her desk break: it is hers, erased by her own /deletedata.
    assert [e.routine_id for e in await store.session_log(ANA)] == ["desk"]


async def test_the_group_reads_the_language_of_the_admin_who_set_the_break(
    emu: BotApiEmulator, office: tuple[Harness, MovableClock]
) -> None:
    bot, clock = office
    emu.set_user_language(ANA, "de")
    emu.add_group(GROUP, TEAM, admins={ANA}, added_by=ANA)
    intro = await next_message(emu, GROUP, 0)
    assert "Ich leite die Dehnung" in intro.text
    emu.say_in_group(GROUP, ANA, "/deskbreak 15:00 mon,wed,fri Berlin")
    answer = await next_message(emu, GROUP, 1)
    assert "Team-Pause: 15:00" in answer.text
    await _run_to(bot, clock, MONDAY + timedelta(minutes=8, seconds=5))
    card = emu.messages(GROUP)[-1]
    assert "Team-Pause um 15:00" in card.text and "Stuhl" in card.text  # the steps too
    emu.press(BEN, card.message_id, data=emu.buttons(card)[0][1], chat_id=GROUP)
    await _answers(emu, 1)
    answered = [c for c in emu.calls if c.method == "answerCallbackQuery"][-1]
    assert answered.params.get("text") == "You're in! 💪"  # Ben reads English
