"""Shows a session's step in the chat: render, send, edit, close.

Every Telegram error a session meets is mapped to what it means in one place, `delivery_of`;
the coach decides what to do about it (a blocked user ends the session, a failed send is
retried by the next wake). This part also records which version the chat shows
(`Store.mark_shown`), since only it knows whether a message got there.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import texts
from bot.clock import Clock
from bot.domain import session as machine
from bot.domain.session import EndReason, Event, Phase, Status
from bot.keyboards import session_keyboard
from bot.ratelimit import PriorityRateLimiter
from bot.routines import Routine
from bot.sessions.wakes import countdown_step
from bot.store.repo import SessionRecord, Store

log = logging.getLogger(__name__)

# Extra lines for the finishing message (the streak), by user id.
FinishLines = Callable[[int], Awaitable[list[str]]]
# What to do once the finishing message is shown (the back-pain question), by user and chat.
AfterFinish = Callable[[int, int], Awaitable[object]]


class Delivery(Enum):
    """What a request to Telegram came to, as far as a session is concerned."""

    DONE = "done"  # the chat shows it (or already did: "message is not modified")
    FAILED = "failed"  # not now (network, 429, 5xx): a later wake tries again
    GONE = "gone"  # the message to edit is no longer there (the user deleted it)
    BLOCKED = "blocked"  # the user blocked the bot
    REFUSED = "refused"  # Telegram refused the request itself (a 400 of another kind)


def delivery_of(exc: TelegramError) -> Delivery:
    """The one place Telegram's errors are read: by type where PTB gives one, and for a 400
    by its description (Telegram gives no code to tell these apart)."""
    if isinstance(exc, Forbidden):
        return Delivery.BLOCKED
    if isinstance(exc, BadRequest):  # before NetworkError: PTB derives BadRequest from it
        lowered = exc.message.lower()
        if "not modified" in lowered:  # "message is not modified": nothing to change
            return Delivery.DONE
        if "not found" in lowered:  # "message to edit not found"
            return Delivery.GONE
        return Delivery.REFUSED
    if isinstance(exc, NetworkError | RetryAfter):  # NetworkError includes TimedOut
        return Delivery.FAILED
    return Delivery.REFUSED


@dataclass(frozen=True, slots=True)
class Shown:
    """The session as recorded after a show, and how the show went."""

    record: SessionRecord
    delivery: Delivery


class SessionChat:
    """The chat side of sessions for one bot."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        clock: Clock,
        *,
        countdown_step_seconds: int,
        finish_lines: FinishLines | None = None,
        after_finish: AfterFinish | None = None,
        limiter: PriorityRateLimiter | None = None,
    ) -> None:
        self.bot = bot
        self.limiter = limiter
        self.store = store
        self.clock = clock
        self.countdown_step_seconds = countdown_step_seconds
        self.finish_lines = finish_lines
        self.after_finish = after_finish
        # Session id -> the version a coroutine of this process is sending right now. A
        # timer wake that reads the row between a press's compare-and-set and the end of its
        # send sees the step as unshown; this keeps it from showing the step a second time.
        # A mark, not a lock: a press never waits for another coroutine's send (which may
        # wait its turn at the rate limiter behind a wave of countdown edits).
        self._showing: dict[int, int] = {}

    @property
    def step(self) -> int | None:
        """The countdown's cadence in clock seconds: the setting with the Telegram budget
        free, longer as it fills, None (only the hold's start and end) when sends wait. Edits
        are the first thing to give way, before any answer, step or nudge waits for them."""
        base = self.countdown_step_seconds
        if self.limiter is not None:
            suggested = self.limiter.suggested_countdown_step(base)
            if suggested is None:
                return None
            base = suggested
        return countdown_step(base, self.clock.real_delay)

    def render(
        self, record: SessionRecord, routine: Routine
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        state = record.state
        left = machine.seconds_left(state, self.clock.now())
        first = state.stretch_index == 0 and state.holds_done == 0 and state.stretches_skipped == 0
        if state.end_reason is EndReason.OUTDATED:
            text = texts.session_outdated(routine)
        else:
            step = self.step or countdown_step(self.countdown_step_seconds, self.clock.real_delay)
            text = texts.view(routine, state, left, step, first=first)
        return text, session_keyboard(record.id, state, record.version)

    async def show(
        self, record: SessionRecord, routine: Routine, *, interrupted: bool = False
    ) -> Shown:
        """Send the step as a new message and record it as shown."""
        if self._showing.get(record.id) == record.version:
            # Being sent by another coroutine; its wake schedule follows.
            return Shown(record, Delivery.DONE)
        self._showing[record.id] = record.version
        try:
            return await self._show(record, routine, interrupted=interrupted)
        finally:
            if self._showing.get(record.id) == record.version:
                del self._showing[record.id]

    async def _show(self, record: SessionRecord, routine: Routine, *, interrupted: bool) -> Shown:
        text, markup = self.render(record, routine)
        if interrupted:
            text = texts.interrupted(routine, record.state)
        finished = record.state.status is Status.DONE
        if finished and self.finish_lines is not None:
            text = "\n\n".join([text, *await self.finish_lines(record.user_id)])
        message, delivery = await self._send(record, text, markup)
        if message is None:
            return Shown(record, delivery)
        # Recorded at once: a crash between the send and this line repeats the step after a
        # restart, so nothing (like the next message below) may widen that gap.
        marked = await self.store.mark_shown(record.id, record.version, message.message_id)
        if finished and self.after_finish is not None:
            try:
                await self.after_finish(record.user_id, record.chat_id)
            except TelegramError as exc:
                log.info("session %s: after-finish step failed: %s", record.id, exc)
        if not marked:
            return Shown(record, Delivery.DONE)
        return Shown(_shown(record, message.message_id), Delivery.DONE)

    async def refresh(self, record: SessionRecord, routine: Routine) -> Shown:
        """Edit the step's message in place (countdown, pause, resume); send it anew if the
        message is gone."""
        if record.message_id is None:
            return await self.show(record, routine)
        text, markup = self.render(record, routine)
        delivery = await self._edit(record, record.message_id, text, markup)
        if delivery is Delivery.GONE:  # deleted by the user: show the step anew
            return await self.show(record, routine)
        if (
            delivery is Delivery.DONE
            and record.shown_version != record.version
            and await self.store.mark_shown(record.id, record.version, record.message_id)
        ):
            return Shown(_shown(record, record.message_id), delivery)
        return Shown(record, delivery)

    async def close(self, previous: SessionRecord, routine: Routine, event: Event) -> Delivery:
        """Take the buttons off the message that showed `previous`, saying how it ended."""
        assert previous.message_id is not None
        state = previous.state
        if (
            state.status is Status.ACTIVE
            and state.phase is Phase.HOLD
            and event is not Event.INTERRUPTED
            and machine.fits(state, routine)  # a stretch gone from the routine has no name
        ):
            text = texts.hold_closed(routine, state, completed=event is Event.TIMER)
            return await self._edit(previous, previous.message_id, text, None)
        try:
            await self.bot.edit_message_reply_markup(
                chat_id=previous.chat_id, message_id=previous.message_id, reply_markup=None
            )
        except TelegramError as exc:
            delivery = delivery_of(exc)
            # A 400 here means already without buttons, or deleted: nothing to close.
            if delivery not in (Delivery.DONE, Delivery.GONE, Delivery.REFUSED):
                log.info("session %s: could not close message: %s", previous.id, exc)
        return Delivery.DONE

    async def _send(
        self, record: SessionRecord, text: str, markup: InlineKeyboardMarkup | None
    ) -> tuple[Message | None, Delivery]:
        try:
            message: Message = await self.bot.send_message(
                record.chat_id, text, reply_markup=markup
            )
            return message, Delivery.DONE
        except TelegramError as exc:
            delivery = delivery_of(exc)
            if delivery is Delivery.FAILED:
                # The row says the step is not shown yet; a wake retries.
                log.warning("session %s: send failed, will retry: %s", record.id, exc)
            elif delivery is not Delivery.BLOCKED:
                log.error("session %s: send refused: %s", record.id, exc)
        # Nothing was sent: a "done" from a 400 cannot mean shown here.
        return None, Delivery.FAILED if delivery is Delivery.DONE else delivery

    async def _edit(
        self,
        record: SessionRecord,
        message_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None,
    ) -> Delivery:
        try:
            await self.bot.edit_message_text(
                text, chat_id=record.chat_id, message_id=message_id, reply_markup=markup
            )
            return Delivery.DONE
        except TelegramError as exc:
            delivery = delivery_of(exc)
            if delivery is Delivery.REFUSED:
                log.error("session %s: edit refused: %s", record.id, exc)
            elif delivery is Delivery.FAILED:
                log.info("session %s: edit failed: %s", record.id, exc)
            return delivery


def _shown(record: SessionRecord, message_id: int) -> SessionRecord:
    return dataclasses.replace(record, message_id=message_id, shown_version=record.version)
