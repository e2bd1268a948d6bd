"""The team desk break's tick: announce the breaks that are due, then edit each running break's
one message to the stage of the moment.

Both are claimed in the store by compare-and-set before anything is sent (bot/store/teams.py),
so with several workers each announcement and each edit is made by one of them. Claims go in
small batches, each sent before the next is claimed: 300 groups at the same minute are 300
announcements at the shared budget's ~29 a second, and an edit claimed long before its turn
would show a stale countdown. Announcements go at broadcast priority, stage edits as session
steps, mid-hold countdowns as countdowns (bot/ratelimit.py), so people's answers come first.

What Telegram answers decides the rest, never in a loop: 403 (the bot was removed, the group
deleted) stops the group's schedule; a group that became a supergroup moves to its new id;
no right to send, or the message deleted, cancels that break only (the next one tries again).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import InputFile, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import i18n, routine_catalog, texts
from bot.clock import Clock
from bot.domain import team
from bot.domain.schedule import next_occurrence_on
from bot.domain.timeinput import parse_time_of_day
from bot.keyboards.team import team_keyboard
from bot.pictures import Pictures
from bot.pictures.media import picture_key
from bot.ratelimit import Priority, sending_as
from bot.routines import Library, Stretch
from bot.store.repo import Store
from bot.store.teams import ClaimedBreak, ClaimedFrame, GroupRecord
from bot.uploads import PictureUploads

log = logging.getLogger(__name__)
# About a second of the budget per batch: claimed, then sent, before the next claim.
BATCH = 30
MAX_BATCHES = 100
NOT_MODIFIED = "message is not modified"


@dataclass
class TeamReport:
    announced: int = 0
    skipped: int = 0
    edits: int = 0
    failed: int = 0
    gone: int = 0
    # Seconds from each break's time to its start edit reaching Telegram (the benchmark's).
    start_lateness: list[float] | None = None


def team_stretch(library: Library) -> Stretch:
    """The chair stretch: the desk routine's, else the stretch called "chair", else the
    default routine's first (a routines file of one's own may have no chair)."""
    desk = library.routines.get("desk")
    if desk is not None:
        return desk.stretches[0]
    chair = library.stretches.get("chair")
    return chair if chair is not None else library.default.stretches[0]


def timing_of(stretch: Stretch) -> team.Timing:
    return team.Timing(
        ready=stretch.ready_seconds or 15,
        hold=stretch.hold_seconds,
        switch=stretch.switch_seconds if stretch.switch_seconds is not None else 10,
    )


def next_break(group: GroupRecord, after: datetime) -> datetime:
    """The group's next break after `after`, in its zone, on its weekdays."""
    assert group.local_time is not None
    at = parse_time_of_day(group.local_time)
    assert at is not None
    return next_occurrence_on(at, group.timezone or "UTC", after, group.days)


class TeamDesk:
    def __init__(
        self,
        store: Store,
        bot: ExtBot[Any],
        clock: Clock,
        library: Library,
        *,
        keep_going: Callable[[], bool] = lambda: True,
    ) -> None:
        self.store = store
        self.bot = bot
        self.clock = clock
        self.stretch = team_stretch(library)
        self.timing = timing_of(self.stretch)
        self.pictures = Pictures()
        self.uploads = PictureUploads(store, clock.now)
        self.keep_going = keep_going
        self.totals = TeamReport(start_lateness=[])

    async def tick(self) -> TeamReport:
        report = TeamReport(start_lateness=[])
        now = self.clock.now()
        due = await self.store.next_team_event()
        if due is None or due > now:
            return report
        for _ in range(MAX_BATCHES):
            if not self.keep_going():
                break
            now = self.clock.now()
            claimed = await self.store.claim_due_breaks(
                now, BATCH, next_break, now - team.START_GRACE
            )
            await asyncio.gather(*(self._announce(c, report) for c in claimed))
            if len(claimed) < BATCH:
                break
        for _ in range(MAX_BATCHES):
            if not self.keep_going():
                break
            now = self.clock.now()
            frames = await self.store.claim_due_frames(now, BATCH, self._plan(now))
            await asyncio.gather(*(self._show(f, now, report) for f in frames))
            if len(frames) < BATCH:
                break
        self._add(report)
        return report

    def _plan(self, now: datetime) -> Callable[[datetime], tuple[str, datetime | None]]:
        def plan(break_at: datetime) -> tuple[str, datetime | None]:
            elapsed = (now - break_at).total_seconds()
            after = team.next_edit_after(self.timing, elapsed)
            stage = team.frame_at(self.timing, elapsed).stage
            return stage.value, None if after is None else break_at + timedelta(seconds=after)

        return plan

    # Announcing ----------------------------------------------------------------------------------

    async def _announce(self, claimed: ClaimedBreak, report: TeamReport) -> None:
        if claimed.break_id is None:
            report.skipped += 1  # the bot was down at the time: skipped, not started late
            return
        group = claimed.group
        with i18n.using(group.language):
            caption = self._caption(team.Frame(team.Stage.ANNOUNCE, 120), claimed, [])
            markup = team_keyboard(claimed.break_id)
        try:
            with sending_as(Priority.NUDGE):
                message = await self._send_picture(group.chat_id, caption, markup)
        except TelegramError as exc:
            await self._refused(group.chat_id, claimed.break_id, exc, report)
            return
        report.announced += 1
        # The first edit: the start, unless the announcement itself came late.
        await self.store.break_announced(claimed.break_id, message.message_id, claimed.break_at)

    async def _send_picture(self, chat_id: int, caption: str, markup: Any) -> Message:
        pose = self.stretch.pose
        if pose is None:
            return await self.bot.send_message(chat_id, caption, reply_markup=markup)
        pictures = self.pictures

        async def draw() -> InputFile:
            picture = await asyncio.to_thread(pictures.animation, pose)
            return InputFile(picture.data, filename=picture.filename)

        async def send(upload: InputFile | str) -> Message:
            return await self.bot.send_animation(
                chat_id, upload, caption=caption, reply_markup=markup
            )

        return await self.uploads.send(self.bot.id, picture_key(pose, "animation"), draw, send)

    # Editing -------------------------------------------------------------------------------------

    async def _show(self, frame: ClaimedFrame, now: datetime, report: TeamReport) -> None:
        shown = team.frame_at(self.timing, (now - frame.break_at).total_seconds())
        with i18n.using(frame.group.language):
            text = self._frame_text(shown, frame)
            markup = None if shown.stage is team.Stage.DONE else team_keyboard(frame.break_id)
        # The end is what people wait for: tried again after a network error; a countdown
        # missed is only replaced by the next one.
        attempts = 3 if shown.stage is team.Stage.DONE else 1
        priority = Priority.COUNTDOWN if _mid_hold(shown, self.timing) else Priority.STEP
        for attempt in range(attempts):
            try:
                with sending_as(priority):
                    await self._edit(frame, text, markup)
                break
            except BadRequest as exc:
                if NOT_MODIFIED in exc.message:
                    break
                await self._refused(frame.chat_id, frame.break_id, exc, report)
                return
            except (Forbidden, ChatMigrated) as exc:
                await self._refused(frame.chat_id, frame.break_id, exc, report)
                return
            except (RetryAfter, TelegramError) as exc:
                log.info("team break %s: edit failed (%s)", frame.break_id, exc)
                if attempt + 1 == attempts:
                    report.failed += 1
                    return
                await asyncio.sleep(self.clock.real_delay(2.0))
        report.edits += 1
        if shown.stage is team.Stage.READY and report.start_lateness is not None:
            report.start_lateness.append((self.clock.now() - frame.break_at).total_seconds())

    async def _edit(self, frame: ClaimedFrame, text: str, markup: Any) -> None:
        if self.stretch.pose is None:
            await self.bot.edit_message_text(
                text, chat_id=frame.chat_id, message_id=frame.message_id, reply_markup=markup
            )
        else:
            await self.bot.edit_message_caption(
                chat_id=frame.chat_id,
                message_id=frame.message_id,
                caption=text,
                reply_markup=markup,
            )

    def _frame_text(self, shown: team.Frame, frame: ClaimedFrame) -> str:
        names, more = team.shown_names(frame.names)
        stage = shown.stage
        if stage is team.Stage.DONE:
            streak = team.team_streak(frame.people_by_day, frame.local_day, frame.group.days)
            return texts.team_end(names, more, streak)
        if stage is team.Stage.ANNOUNCE:
            return self._caption(shown, frame, frame.names)
        if stage is team.Stage.READY:
            body = texts.team_ready(shown.seconds_left)
        elif stage is team.Stage.SWITCH:
            body = texts.team_switch(shown.seconds_left)
        else:
            body = texts.team_hold(stage is team.Stage.LEFT, shown.seconds_left)
        return f"{body}\n\n{texts.team_roster(names, more)}"

    def _caption(
        self, shown: team.Frame, at: ClaimedBreak | ClaimedFrame, joined: list[str]
    ) -> str:
        group = at.group
        local = at.break_at.astimezone(_zone(group.timezone))
        words = routine_catalog.stretch_text(self.stretch, i18n.current())
        announce = texts.team_announce(texts.clock(local), list(words.steps), self.timing.hold)
        names, more = team.shown_names(joined)
        return f"{announce}\n\n{texts.team_roster(names, more)}"

    # Telegram's refusals -------------------------------------------------------------------------

    async def _refused(
        self, chat_id: int, break_id: int, exc: TelegramError, report: TeamReport
    ) -> None:
        now = self.clock.now()
        if isinstance(exc, Forbidden):
            # Removed, or the group deleted: the schedule stops here, once.
            log.info("group %s: the bot is not there any more (%s)", chat_id, exc.message)
            await self.store.group_gone(chat_id, now)
            report.gone += 1
            return
        report.failed += 1
        if isinstance(exc, ChatMigrated):
            # Now a supergroup: the break follows; this one's message stays in the old chat.
            await self.store.move_group(chat_id, exc.new_chat_id, now)
            return
        # No right to send, the message deleted, or the picture refused: this break only.
        log.warning("group %s: team break %s cancelled: %s", chat_id, break_id, exc)
        await self.store.cancel_break(break_id, now)

    def _add(self, report: TeamReport) -> None:
        t = self.totals
        t.announced += report.announced
        t.skipped += report.skipped
        t.edits += report.edits
        t.failed += report.failed
        t.gone += report.gone
        if t.start_lateness is not None and report.start_lateness:
            t.start_lateness.extend(report.start_lateness)


def _mid_hold(shown: team.Frame, timing: team.Timing) -> bool:
    return shown.stage in (team.Stage.LEFT, team.Stage.RIGHT) and shown.seconds_left < timing.hold


def _zone(name: str | None) -> Any:
    from bot.domain.schedule import zone_info

    return zone_info(name or "UTC")
