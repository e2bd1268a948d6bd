"""Decides what happens to a guided session: begin, press, wake, resume after a restart.

The database row is the truth. Every change goes: read the row, let domain.session decide,
compare-and-set the row (re-reading and deciding again if another press, wake or worker won),
and only then ask the chat part to show it and the follow-up part to arm the next wake. A wake
re-reads the row when it fires, so a cancelled, replaced or duplicated follow-up (another
worker, a restart) can never act on stale state. If a message could not be shown (network
down, a crash between commit and send), `shown_version` lags behind `version` and the next
wake shows the step again.

One owner per step (issue 29): every worker that handles a press, sweeps an overdue session or
resumes sessions at start arms a follow-up of its own, and two followers both sent the step.
So a step is claimed before it is shown, on the row, by compare-and-set: the worker whose
compare-and-set made the version claims its step in the same statement, and a wake that finds
a step unshown claims it first (`Store.claim_show`). A follow-up armed for a version the row
has moved past, a timer whose compare-and-set was lost, and a wake that meets another
worker's live claim all drop out: the owner's follow-up carries the session on. A claim runs
out after a minute, so a dead owner's step is shown by another worker then (claims.py).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from telegram.error import TelegramError
from telegram.ext import JobQueue

from bot import i18n, texts
from bot.clock import Clock
from bot.domain import session as machine
from bot.domain.session import EndReason, Event, InvalidEvent, Phase, Render, SessionState, Status
from bot.ratelimit import Priority, sending_as
from bot.routines import Library, Routine
from bot.sessions.aftercare import Aftercare
from bot.sessions.answers import AnswersFirst, Waiting
from bot.sessions.chat import SessionChat
from bot.sessions.claims import StepClaims
from bot.sessions.followups import FollowUps
from bot.sessions.recovery import ENDING_RESHOW_WINDOW, SWEEP_GRACE, Recovery
from bot.sessions.screen import Screen
from bot.sessions.settings import CoachSettings
from bot.sessions.wakes import next_wake_in
from bot.store.errors import storage_error
from bot.store.repo import SessionRecord, Store, UserRecord

log = logging.getLogger(__name__)

# A timer job may wake a hair early (float rounding); this counts as on time.
TIMER_SLACK = timedelta(milliseconds=1)
# A compare-and-set lost this many times in a row gives up (each loss means someone else
# changed the session, so the press is stale by then anyway).
CAS_ATTEMPTS = 5
OnCommitted = Callable[[], Awaitable[object]]
# Given the session owner's chosen language (None: none chosen), sets the update's language.
UseLanguage = Callable[[str | None], None]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to a button press; `answer` is the short text for answerCallbackQuery."""

    ok: bool
    answer: str | None = None


class Coach:
    """Guided sessions: the decisions, with the chat and the follow-ups as helpers."""

    def __init__(
        self,
        store: Store,
        library: Library,
        clock: Clock,
        settings: CoachSettings,
        *,
        chat: SessionChat,
        queue: JobQueue[Any] | None,
        aftercare: Aftercare | None = None,
    ) -> None:
        self.aftercare = aftercare
        self.store = store
        self.library = library
        self.clock = clock
        self.settings = settings
        self.chat = chat
        self.follow_ups = FollowUps(queue, partial(wake_in_language, self))
        # Showing a step, and ending the session of a user who blocked the bot (screen.py).
        self.screen = Screen(chat, store, library, clock, settings, self.follow_ups)
        self.answers = AnswersFirst()
        self.claims = StepClaims(store, clock, self.follow_ups, SWEEP_GRACE)
        # Sessions told "I can't save right now; your session waits" in this outage.
        self.told_waiting: set[int] = set()
        self.recovery = Recovery(
            store,
            clock,
            self.follow_ups,
            ask_after=timedelta(seconds=settings.resume_ask_after_seconds),
            wake=partial(wake_in_language, self),
            interrupt=lambda session_id: self._apply(session_id, Event.INTERRUPTED),
            aftercare=aftercare,
        )

    async def begin(
        self, user_id: int, chat_id: int, routine: Routine, user: UserRecord | None = None
    ) -> SessionRecord:
        """Start `routine`, replacing a live session (`user`: the row if just read)."""
        now = self.clock.now()
        if user is None or user.id != user_id:
            user = await self.store.get_user(user_id)
        state = _first_state(routine, now, user, self.settings.ready_seconds)
        record, replaced = await self.store.start_session(
            user_id, chat_id, routine.id, state, now, self.claims.claim()
        )
        if replaced is not None:
            self.follow_ups.cancel(replaced.id)
            old_routine = self.library.get(replaced.routine_id)
            if old_routine is not None and replaced.message_id is not None:
                await self.screen.close(replaced, old_routine, Event.STOP)
        record = await self.screen.show(record, routine)
        self._schedule(record)
        return record

    async def press(
        self,
        session_id: int,
        event: Event,
        version: int,
        user_id: int,
        on_committed: OnCommitted | None = None,
        message_id: int | None = None,
        use_language: UseLanguage | None = None,
    ) -> Outcome:
        """A session button was pressed. `on_committed` runs once the change is saved, before
        the chat is updated: the spinner stops at once, and the step waits for the answers of
        other presses (bot/sessions/answers.py) and its turn at the rate limiter.
        `use_language` is given the owner's chosen language, read with the session, before
        anything is written: the press's update does not read its user for it."""
        waiting = self.answers.pressed()
        try:
            return await self._apply(
                session_id,
                event,
                user_id=user_id,
                version=version,
                on_committed=on_committed,
                message_id=message_id,
                waiting=waiting,
                use_language=use_language,
            )
        finally:
            waiting.answered()  # a refused press is answered by the handler

    async def wake(
        self, session_id: int, version: int | None = None, read: SessionRecord | None = None
    ) -> None:
        """A follow-up is due for the session: re-show, fire the timer, or tick the countdown.
        `version`: the one the follow-up was armed for (None: adopt the session as it is).
        `read`: the row as read a moment ago, for its language (None: read here)."""
        record = read if read is not None else await self.store.get_session(session_id)
        if record is None or (version is not None and record.version != version):
            # Another worker changed the session since: its follow-up owns the next step.
            return
        if not self.claims.mine(record):
            return
        routine = self.library.get(record.routine_id)
        if not record.state.live:
            if routine is not None and _ending_unshown(record, self.clock.now()):
                claimed = await self.claims.claim_show(record)
                if claimed is not None:
                    self._schedule(await self.screen.show(claimed, routine))
            return
        if routine is None:
            await self._apply(record.id, Event.STOP)
            return
        if not machine.fits(record.state, routine):
            await self._apply(record.id, Event.ROUTINE_CHANGED)
            return
        if record.shown_version != record.version:
            claimed = await self.claims.claim_show(record)
            if claimed is None:
                return  # another worker claimed it a moment ago, or moved the session on
            record = await self.screen.show(claimed, routine)
            if _card_unseen(record):  # its get-ready count must not start the hold unseen
                return self._schedule(record)
        state = record.state
        if (
            (state.timed or state.status is Status.PAUSED)  # a paused one: its limit's end
            and state.next_event_at is not None
            and self.clock.now() + TIMER_SLACK >= state.next_event_at
        ):
            await self._apply(record.id, Event.TIMER)
            return
        if (
            state.timed
            and state.phase is Phase.HOLD
            and record.shown_version == record.version
            and self.chat.step is not None  # None: countdowns are off while the budget is short
        ):
            # A countdown edit: the first thing to wait when the budget is short. Only the
            # edit is marked; a job armed inside the block would inherit the priority.
            with sending_as(Priority.COUNTDOWN):
                record = await self.screen.refresh(record, routine)
        self._schedule(record)

    # At start and while running (recovery.py); tests call these on the coach.
    async def resume_all(self) -> int:
        return await self.recovery.resume_all()

    async def sweep(self) -> int:
        return await self.recovery.sweep()

    async def live_session(self, user_id: int) -> SessionRecord | None:
        return await self.store.live_session_of(user_id)

    def cancel(self, session_id: int) -> None:
        """Drop the session's pending follow-up (e.g. before its data is erased)."""
        self.follow_ups.cancel(session_id)

    # Transitions ----------------------------------------------------------------------------

    async def _apply(
        self,
        session_id: int,
        event: Event,
        *,
        user_id: int | None = None,
        version: int | None = None,
        on_committed: OnCommitted | None = None,
        message_id: int | None = None,
        waiting: Waiting | None = None,
        use_language: UseLanguage | None = None,
    ) -> Outcome:
        for _ in range(CAS_ATTEMPTS):
            record = await self.store.get_session(session_id)
            if use_language is not None and record is not None and record.user_id == user_id:
                use_language(record.language)
            refusal = _refusal(record, event, user_id=user_id, version=version)
            if refusal is not None or record is None:
                return Outcome(False, refusal)
            routine, event, now = self._routine_and_now(record, event)
            try:
                transition = machine.apply(
                    record.state,
                    event,
                    routine,
                    now,
                    switch_seconds=self.settings.switch_seconds,
                    ready_seconds=self.settings.ready_seconds,
                    pause_limit_seconds=self.settings.pause_limit_seconds,
                )
            except InvalidEvent as exc:
                log.debug("session %s: %s ignored (%s)", session_id, event, exc)
                return Outcome(False, texts.STALE_BUTTON)
            updated = await self.store.transition(
                record, transition.state, now, routine, self.claims.claim()
            )
            if updated is None:
                if event is Event.TIMER:
                    # Another worker's timer or a press moved the step on first: it owns the
                    # next one (read again, this timer would fire on the new step too).
                    return Outcome(False)
                continue  # lost a race: read again and answer from the new state
            self.follow_ups.cancel(record.id)
            if message_id is not None and version == record.version:
                # The press came from the message that shows this step: act on that one, even
                # if its id is not recorded yet (the press beat the bookkeeping of the send).
                record = dataclasses.replace(record, message_id=message_id)
                updated = dataclasses.replace(updated, message_id=message_id)
            await _answer(session_id, on_committed)
            if waiting is not None:
                waiting.answered()
                await self.answers.turn()
            await self._present(record, updated, routine, event, transition.render)
            return Outcome(True)
        return Outcome(False, texts.STALE_BUTTON)

    def _routine_and_now(
        self, record: SessionRecord, event: Event
    ) -> tuple[Routine, Event, datetime]:
        """The session's routine (the default, and a stop, if it was removed from
        routines.toml meanwhile) and the change's time (a timer's never before it was due)."""
        routine = self.library.get(record.routine_id)
        if routine is None:
            event, routine = Event.STOP, self.library.default
        now = self.clock.now()
        if event is Event.TIMER and record.state.next_event_at is not None:
            now = max(now, record.state.next_event_at)
        return routine, event, now

    async def _present(
        self,
        previous: SessionRecord,
        updated: SessionRecord,
        routine: Routine,
        event: Event,
        render: Render,
    ) -> None:
        """Show a committed transition in the chat and arm the next wake."""
        if render is Render.SEND:
            if previous.message_id is not None:
                await self.screen.close(previous, routine, event)
            # "Interrupted, carry on?" only if it did pause (it ends if the routine changed).
            interrupted = event is Event.INTERRUPTED and updated.state.live
            updated = await self.screen.show(updated, routine, interrupted=interrupted)
        else:
            updated = await self.screen.refresh(updated, routine)
        self._schedule(updated)

    # Follow-ups -------------------------------------------------------------------------------

    def _schedule(self, record: SessionRecord) -> None:
        """Arm the session's next wake (timer end, countdown tick, or a retry of a show)."""
        self.follow_ups.cancel(record.id)
        delay = next_wake_in(
            record.state,
            shown=record.shown_version == record.version,
            now=self.clock.now(),
            step=self.chat.step,
            real_delay=self.clock.real_delay,
        )
        if delay is not None:
            self.follow_ups.arm(record.id, self.clock.real_delay(delay), version=record.version)


def _first_state(
    routine: Routine, now: datetime, user: UserRecord | None, ready_seconds: int
) -> SessionState:
    """A new session, run the way the user's /settings say (fixed for the whole session)."""
    return machine.begin(
        routine,
        now,
        hands_free=user.hands_free if user else True,
        hold_seconds=user.hold_seconds if user else None,
        pace_percent=machine.PACES.get(user.pace if user else "normal", 100),
        ready_seconds=ready_seconds,
    )


def _card_unseen(record: SessionRecord) -> bool:
    """A stretch card not delivered (issue 29: 5 of 5 people went from no card at all
    straight into "Hold")."""
    return record.shown_version != record.version and record.state.phase is Phase.INTRO


def _ending_unshown(record: SessionRecord, now: datetime) -> bool:
    """Whether a finished session's ending still needs showing (it is recent enough)."""
    ended = record.state.ended_at
    return (
        record.shown_version != record.version
        # A replaced session's message was closed by the /stretch that replaced it.
        and record.state.end_reason is not EndReason.REPLACED
        and ended is not None
        and now - ended <= ENDING_RESHOW_WINDOW
    )


def _refusal(
    record: SessionRecord | None, event: Event, *, user_id: int | None, version: int | None
) -> str | None:
    """Why an event does not apply to the session at all (None: let the machine decide)."""
    if record is None:
        return texts.SESSION_ENDED
    if user_id is not None and record.user_id != user_id:
        return texts.NOT_YOURS
    if not record.state.live:
        return texts.SESSION_ENDED
    # Stop and "this hurts" must work from any of the session's messages.
    if version is not None and version != record.version and event not in (Event.STOP, Event.HURT):
        return texts.STALE_BUTTON
    return None


async def _answer(session_id: int, on_committed: OnCommitted | None) -> None:
    """Stop the pressed button's spinner; a failure here changes nothing about the session."""
    if on_committed is None:
        return
    try:
        await on_committed()
    except TelegramError as exc:
        log.info("session %s: could not answer the press: %s", session_id, exc)


async def stop_live(coach: Coach, user_id: int) -> bool:
    """/stop: end the user's live session, if any, as its Stop button would (Stop acts from
    any version; the record counts what was held). Returns whether one was ended."""
    record = await coach.live_session(user_id)
    if record is None:
        return False
    return (await coach.press(record.id, Event.STOP, record.version, user_id)).ok


async def erase_user(coach: Coach, user_id: int) -> None:
    """/deletedata: everything of the user's goes, their live session's follow-up first (a
    wake for a session whose row is gone would find nothing, but need not be left armed)."""
    live = await coach.live_session(user_id)
    if live is not None:
        coach.cancel(live.id)
    await coach.store.delete_user(user_id)


async def wake_in_language(coach: Coach, session_id: int, version: int | None = None) -> None:
    """A wake from a job (a follow-up, the sweep, a restart): no update set the language, so
    the session's user's is set here, for this wake alone (bot/i18n.py). The row is read once,
    with its owner's languages, and handed to the wake (it was a read for the language and
    another for the session: two round trips on PostgreSQL every countdown tick)."""
    record = await coach.store.get_session(session_id)
    if record is None:
        return  # erased since (/deletedata): nothing to wake
    with i18n.using(i18n.effective(record.language, record.language_code)):
        try:
            await coach.wake(session_id, version, record)
        except Exception as exc:
            if storage_error(exc):
                await _tell_waiting(coach, session_id)
            raise
        if version is None or version == record.version:
            # It acted on the session as it is: the outage it was told of is over. A stale
            # follow-up (armed for a version the row has moved past) returns having done
            # nothing, and must not let the next failure say "your session waits" again.
            coach.told_waiting.discard(session_id)


async def _tell_waiting(coach: Coach, session_id: int) -> None:
    """The session cannot move on (the database refuses its step): say so, once, rather
    than leave the person at "Hold: 0 s" wondering (issue 29: nothing was said, or that
    the progress was saved). The follow-ups carry on trying; the step follows when it can."""
    if session_id in coach.told_waiting:
        return
    try:
        record = await coach.store.get_session(session_id)
        if record is None or not record.state.live:
            return
        await coach.chat.bot.send_message(record.chat_id, texts.SESSION_WAITS)
    except Exception as exc:  # the database down for reads too, or Telegram: next time
        log.info("session %s: could not say it waits (%s)", session_id, type(exc).__name__)
        return
    coach.told_waiting.add(session_id)
