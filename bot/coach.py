"""Runs guided sessions: applies transitions, shows them in the chat, schedules follow-ups.

The database row is the truth. Every change goes: read the row, let domain.session decide,
compare-and-set the row, and only then talk to Telegram. Follow-ups are JobQueue run_once jobs
named after the session; a job re-reads the row when it wakes, so a cancelled, replaced or
duplicated job (another worker, a restart) can never act on stale state. If a message could
not be shown (network down, a crash between commit and send), `shown_version` lags behind
`version` and the next wake shows the step again.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, CallbackContext, Job

from bot import i18n, texts
from bot.clock import Clock
from bot.domain import session as machine
from bot.domain.session import (
    EndReason,
    Event,
    InvalidEvent,
    Phase,
    Render,
    SessionState,
    Status,
)
from bot.keyboards import session_keyboard
from bot.routines import Library, Routine
from bot.store.repo import SessionRecord, Store

log = logging.getLogger(__name__)

AnyApp = Application[Any, Any, Any, Any, Any, Any]
AnyContext = CallbackContext[Any, Any, Any, Any]

# A show that failed (network) is retried this often until it works.
RESHOW_RETRY_SECONDS = 5.0
# The last countdown edit comes at least this long (real seconds) before the hold's end.
LAST_EDIT_GAP_SECONDS = 1.2
# After a restart, a session's ending not yet shown is shown if it is at most this old.
ENDING_RESHOW_WINDOW = timedelta(hours=1)
# A timer job may wake a hair early (float rounding); this counts as on time.
TIMER_SLACK = timedelta(milliseconds=1)


@dataclass(frozen=True, slots=True)
class CoachSettings:
    switch_seconds: int = 5
    countdown_step_seconds: int = 5
    resume_ask_after_seconds: int = 300


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to a button press; `answer` is the short text for answerCallbackQuery."""

    ok: bool
    answer: str | None = None


class Coach:
    """Guided sessions, wired to one Application."""

    def __init__(
        self,
        app: AnyApp,
        store: Store,
        library: Library,
        clock: Clock,
        settings: CoachSettings,
    ) -> None:
        self.app = app
        self.store = store
        self.library = library
        self.clock = clock
        self.settings = settings
        # Set by the app: extra lines for the finishing message (the streak), and what to do
        # once it is shown (the back-pain question). Kept as hooks so sessions stay ignorant
        # of streaks.
        self.finish_lines: Callable[[int], Awaitable[list[str]]] | None = None
        self.after_finish: Callable[[int, int], Awaitable[object]] | None = None
        # Session id -> the version a coroutine of this process is sending right now. A
        # timer wake that reads the row between a press's compare-and-set and the end of its
        # send sees the step as unshown; this keeps it from showing the step a second time.
        # A mark, not a lock: a press never waits for another coroutine's send (which may
        # wait its turn at the rate limiter behind a wave of countdown edits).
        self._showing: dict[int, int] = {}

    # Entry points ---------------------------------------------------------------------------

    async def begin(self, user_id: int, chat_id: int, routine: Routine) -> SessionRecord:
        """Start `routine` for the user, replacing a live session if there is one."""
        now = self.clock.now()
        record, replaced = await self.store.start_session(
            user_id, chat_id, routine.id, machine.begin(routine, now), now
        )
        if replaced is not None:
            self._cancel(replaced.id)
            old_routine = self.library.get(replaced.routine_id)
            if old_routine is not None and replaced.message_id is not None:
                await self._close(replaced, old_routine, Event.STOP)
        record = await self._send_view(record, routine)
        self._schedule(record)
        return record

    async def press(
        self,
        session_id: int,
        event: Event,
        version: int,
        user_id: int,
        on_committed: Callable[[], Awaitable[object]] | None = None,
        message_id: int | None = None,
    ) -> Outcome:
        """A session button was pressed. `on_committed` runs as soon as the change is saved,
        before the chat is updated, so the button's spinner stops at once (answerCallbackQuery
        is not rate-limited; the messages that follow may wait their turn)."""
        return await self._apply(
            session_id,
            event,
            user_id=user_id,
            version=version,
            on_committed=on_committed,
            message_id=message_id,
        )

    async def resume_all(self) -> int:
        """After a start: re-arm every live session; ask first where a follow-up is long overdue."""
        records = await self.store.live_sessions()
        now = self.clock.now()
        ask_after = timedelta(seconds=self.settings.resume_ask_after_seconds)
        for record in records:
            state = record.state
            if (
                state.timed
                and state.next_event_at is not None
                and now - state.next_event_at > ask_after
            ):
                with i18n.using(await self.store.session_language(record.id)):
                    await self._apply(record.id, Event.INTERRUPTED)
                continue
            with i18n.using(await self.store.session_language(record.id)):
                await self.wake(record.id)
        # Endings a crash or an outage kept from the chat: the finishing message carries the
        # streak, so it is shown late rather than never (but not hours late).
        for record in await self.store.unshown_endings(now - ENDING_RESHOW_WINDOW):
            with i18n.using(await self.store.session_language(record.id)):
                await self.wake(record.id)
        if records:
            log.info("resumed %d live session(s)", len(records))
        return len(records)

    async def wake(self, session_id: int) -> None:
        """A follow-up is due for the session: re-show, fire the timer, or tick the countdown."""
        record = await self.store.get_session(session_id)
        if record is None:
            return
        routine = self._routine_of(record)
        if not record.state.live:
            ended = record.state.ended_at
            if (
                record.shown_version != record.version
                and routine is not None
                # A replaced session's message was closed by the /stretch that replaced it.
                and record.state.end_reason is not EndReason.REPLACED
                and ended is not None
                and self.clock.now() - ended <= ENDING_RESHOW_WINDOW
            ):
                self._schedule(await self._send_view(record, routine))
            return
        if routine is None:
            await self._apply(record.id, Event.STOP)
            return
        if record.shown_version != record.version:
            record = await self._send_view(record, routine)
        state = record.state
        now = self.clock.now()
        if (
            state.timed
            and state.next_event_at is not None
            and now + TIMER_SLACK >= state.next_event_at
        ):
            await self._apply(record.id, Event.TIMER)
            return
        if state.timed and state.phase is Phase.HOLD and record.shown_version == record.version:
            await self._edit_view(record, routine)
        self._schedule(record)

    # Transitions ----------------------------------------------------------------------------

    async def _apply(
        self,
        session_id: int,
        event: Event,
        *,
        user_id: int | None = None,
        version: int | None = None,
        on_committed: Callable[[], Awaitable[object]] | None = None,
        message_id: int | None = None,
    ) -> Outcome:
        for _ in range(5):
            record = await self.store.get_session(session_id)
            if record is None:
                return Outcome(False, texts.SESSION_ENDED)
            if user_id is not None and record.user_id != user_id:
                return Outcome(False, texts.NOT_YOURS)
            if not record.state.live:
                return Outcome(False, texts.SESSION_ENDED)
            # Stop and "this hurts" must work from any of the session's messages.
            if (
                version is not None
                and version != record.version
                and event not in (Event.STOP, Event.HURT)
            ):
                return Outcome(False, texts.STALE_BUTTON)
            routine = self._routine_of(record)
            if routine is None:
                event = Event.STOP  # the routine was removed from routines.toml meanwhile
                routine = self.library.default
            now = self.clock.now()
            if event is Event.TIMER and record.state.next_event_at is not None:
                now = max(now, record.state.next_event_at)
            try:
                transition = machine.apply(
                    record.state, event, routine, now, switch_seconds=self.settings.switch_seconds
                )
            except InvalidEvent as exc:
                log.debug("session %s: %s ignored (%s)", session_id, event, exc)
                return Outcome(False, texts.STALE_BUTTON)
            timezone = await self._timezone_for(record, transition.state)
            updated = await self.store.transition(record, transition.state, now, routine, timezone)
            if updated is None:
                continue  # lost a race: read again and answer from the new state
            self._cancel(record.id)
            if message_id is not None and version == record.version:
                # The press came from the message that shows this step: act on that one, even
                # if its id is not recorded yet (the press beat the bookkeeping of the send).
                record = dataclasses.replace(record, message_id=message_id)
                updated = dataclasses.replace(updated, message_id=message_id)
            if on_committed is not None:
                try:
                    await on_committed()
                except TelegramError as exc:
                    log.info("session %s: could not answer the press: %s", session_id, exc)
            if transition.render is Render.SEND:
                if record.message_id is not None:
                    await self._close(record, routine, event)
                updated = await self._send_view(
                    updated, routine, interrupted=event is Event.INTERRUPTED
                )
            else:
                updated = await self._edit_view(updated, routine)
            self._schedule(updated)
            return Outcome(True)
        return Outcome(False, texts.STALE_BUTTON)

    async def _timezone_for(self, record: SessionRecord, state: SessionState) -> str:
        if state.status is not Status.DONE:
            return "UTC"
        user = await self.store.get_user(record.user_id)
        return user.timezone if user else "UTC"

    def _routine_of(self, record: SessionRecord) -> Routine | None:
        return self.library.get(record.routine_id)

    # Showing ----------------------------------------------------------------------------------

    def _render(
        self, record: SessionRecord, routine: Routine
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        state = record.state
        left = machine.seconds_left(state, self.clock.now())
        first = state.stretch_index == 0 and state.holds_done == 0 and state.stretches_skipped == 0
        text = texts.view(routine, state, left, self._countdown_step(), first=first)
        return text, session_keyboard(record.id, state, record.version)

    async def _send_view(
        self, record: SessionRecord, routine: Routine, *, interrupted: bool = False
    ) -> SessionRecord:
        if self._showing.get(record.id) == record.version:
            return record  # being sent by another coroutine; its wake schedule follows
        self._showing[record.id] = record.version
        try:
            return await self._show(record, routine, interrupted=interrupted)
        finally:
            if self._showing.get(record.id) == record.version:
                del self._showing[record.id]

    async def _show(
        self, record: SessionRecord, routine: Routine, *, interrupted: bool
    ) -> SessionRecord:
        text, markup = self._render(record, routine)
        if interrupted:
            text = texts.interrupted(routine, record.state)
        finished = record.state.status is Status.DONE
        if finished and self.finish_lines is not None:
            text = "\n\n".join([text, *await self.finish_lines(record.user_id)])
        message = await self._send(record, text, markup)
        if message is None:
            return record
        # Recorded at once: a crash between the send and this line repeats the step after a
        # restart, so nothing (like the next message below) may widen that gap.
        shown = await self.store.mark_shown(record.id, record.version, message.message_id)
        if finished and self.after_finish is not None:
            try:
                await self.after_finish(record.user_id, record.chat_id)
            except TelegramError as exc:
                log.info("session %s: after-finish step failed: %s", record.id, exc)
        return _shown(record, message.message_id) if shown else record

    async def _edit_view(self, record: SessionRecord, routine: Routine) -> SessionRecord:
        if record.message_id is None:
            return await self._send_view(record, routine)
        text, markup = self._render(record, routine)
        ok = await self._edit(record, record.message_id, text, markup)
        if ok is None:  # the message is gone (deleted by the user): show the step anew
            return await self._send_view(record, routine)
        if (
            ok
            and record.shown_version != record.version
            and await self.store.mark_shown(record.id, record.version, record.message_id)
        ):
            return _shown(record, record.message_id)
        return record

    async def _close(self, previous: SessionRecord, routine: Routine, event: Event) -> None:
        """Take the buttons off the message that showed `previous`, saying how it ended."""
        assert previous.message_id is not None
        state = previous.state
        if (
            state.status is Status.ACTIVE
            and state.phase is Phase.HOLD
            and event is not Event.INTERRUPTED
        ):
            text = texts.hold_closed(routine, state, completed=event is Event.TIMER)
            await self._edit(previous, previous.message_id, text, None)
            return
        try:
            await self.app.bot.edit_message_reply_markup(
                chat_id=previous.chat_id, message_id=previous.message_id, reply_markup=None
            )
        except BadRequest:
            pass  # already without buttons, or deleted: nothing to close
        except TelegramError as exc:
            log.info("session %s: could not close message: %s", previous.id, exc)

    async def _send(
        self, record: SessionRecord, text: str, markup: InlineKeyboardMarkup | None
    ) -> Message | None:
        try:
            message: Message = await self.app.bot.send_message(
                record.chat_id, text, reply_markup=markup
            )
            return message
        except Forbidden:
            await self._blocked(record)
        except (NetworkError, RetryAfter) as exc:
            # Includes TimedOut. The row says the step is not shown yet; a wake retries.
            log.warning("session %s: send failed, will retry: %s", record.id, exc)
        except TelegramError as exc:
            log.error("session %s: send refused: %s", record.id, exc)
        return None

    async def _edit(
        self,
        record: SessionRecord,
        message_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None,
    ) -> bool | None:
        """Edit a message; True if done, False if it failed, None if the message is gone."""
        try:
            await self.app.bot.edit_message_text(
                text, chat_id=record.chat_id, message_id=message_id, reply_markup=markup
            )
            return True
        except BadRequest as exc:
            lowered = str(exc).lower()
            if "not modified" in lowered:
                return True
            if "not found" in lowered:
                return None
            log.error("session %s: edit refused: %s", record.id, exc)
            return False
        except Forbidden:
            await self._blocked(record)
            return False
        except TelegramError as exc:
            log.info("session %s: edit failed: %s", record.id, exc)
            return False

    async def _blocked(self, record: SessionRecord) -> None:
        """The user blocked the bot: stop the session quietly and stop writing to them."""
        log.info("user %s blocked the bot; ending session %s", record.user_id, record.id)
        await self.store.set_active(record.user_id, False, self.clock.now())
        self._cancel(record.id)
        current = await self.store.get_session(record.id)
        if current is not None and not current.state.live:
            # An ending they will never see: stop trying to show it.
            await self.store.mark_shown(current.id, current.version, None)
        elif current is not None:
            routine = self._routine_of(current) or self.library.default
            state = machine.apply(
                current.state,
                Event.STOP,
                routine,
                self.clock.now(),
                switch_seconds=self.settings.switch_seconds,
            ).state
            updated = await self.store.transition(current, state, self.clock.now(), routine, "UTC")
            if updated is not None:
                await self.store.mark_shown(updated.id, updated.version, None)

    # Jobs -----------------------------------------------------------------------------------

    def _job_name(self, session_id: int) -> str:
        return f"session:{session_id}"

    def cancel(self, session_id: int) -> None:
        """Drop the session's pending follow-up (e.g. before its data is erased)."""
        self._cancel(session_id)

    def _cancel(self, session_id: int) -> None:
        queue = self.app.job_queue
        if queue is None:
            return
        for job in queue.get_jobs_by_name(self._job_name(session_id)):
            job.schedule_removal()

    def _schedule(self, record: SessionRecord) -> None:
        """Arm the session's next wake (timer end, countdown tick, or a retry of a show)."""
        self._cancel(record.id)
        if not record.state.live and record.shown_version == record.version:
            return
        delay = self._next_wake_in(record, self.clock.now())
        if delay is None:
            return
        queue = self.app.job_queue
        assert queue is not None, "the job-queue extra is required"
        queue.run_once(
            _wake_job,
            when=self.clock.real_delay(delay),
            data=record.id,
            name=self._job_name(record.id),
        )

    def _countdown_step(self) -> int:
        # Never more than one edit per real second per chat, even on a fast clock.
        return max(self.settings.countdown_step_seconds, _min_clock_step(self.clock))

    def _next_wake_in(self, record: SessionRecord, now: datetime) -> float | None:
        state = record.state
        if record.shown_version != record.version:
            if state.timed and state.next_event_at is not None:
                return min(
                    RESHOW_RETRY_SECONDS, max(0.0, (state.next_event_at - now).total_seconds())
                )
            return RESHOW_RETRY_SECONDS
        if not state.timed or state.next_event_at is None:
            return None
        left = max(0.0, (state.next_event_at - now).total_seconds())
        if state.phase is not Phase.HOLD:
            return left
        step = self._countdown_step()
        # Wake when the shown (rounded-up) number changes; at least `step` apart, so a chat
        # never gets more than one edit per second.
        target = (math.ceil(left / step) - 1) * step if left > 0 else 0
        # The message was just shown or edited: the next edit waits at least a real second.
        while target > 0 and self.clock.real_delay(left - target) < 1.0:
            target -= step
        # The hold's end edits the message too: no countdown edit in the last real second+.
        if target <= 0 or self.clock.real_delay(target) < LAST_EDIT_GAP_SECONDS:
            return left
        return left - target


def _min_clock_step(clock: Clock) -> int:
    """Clock seconds that pass in one real second (1 normally, N at --speed N)."""
    per_real_second = clock.real_delay(1.0)
    return max(1, math.ceil(1.0 / per_real_second)) if per_real_second > 0 else 1


def _shown(record: SessionRecord, message_id: int) -> SessionRecord:
    return SessionRecord(
        id=record.id,
        user_id=record.user_id,
        chat_id=record.chat_id,
        routine_id=record.routine_id,
        state=record.state,
        message_id=message_id,
        shown_version=record.version,
        version=record.version,
    )


async def _wake_job(context: AnyContext) -> None:
    job: Job[Any] | None = context.job
    if job is None or not isinstance(job.data, int):
        return
    coach: Coach = context.application.bot_data["coach"]
    # A job has no update: the session's user's language is set here, for this job's task.
    with i18n.using(await coach.store.session_language(job.data)):
        await coach.wake(job.data)
