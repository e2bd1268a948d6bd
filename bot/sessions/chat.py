"""Shows a session's step in the chat: render, send, edit, close.

Every Telegram error a session meets is mapped to what it means in one place, `delivery_of`;
the coach decides what to do about it (a blocked user ends the session, a failed send is
retried by the next wake). This part also records which version the chat shows
(`Store.mark_shown`), since only it knows whether a message got there.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import texts
from bot.clock import Clock
from bot.domain import session as machine
from bot.domain.session import EndReason, Event, Phase, Status
from bot.keyboards import session_keyboard
from bot.pictures import Pictures, picture_key
from bot.ratelimit import PriorityRateLimiter
from bot.routines import Routine
from bot.sessions.wakes import countdown_step
from bot.store.repo import SessionRecord, Store
from bot.uploads import Pending, PictureUploads

log = logging.getLogger(__name__)

# Extra lines for the finishing message (the streak), by user id.
FinishLines = Callable[[int], Awaitable[list[str]]]
# What to do once the finishing message is shown (the back-pain question), by user and chat.
AfterFinish = Callable[[int, int], Awaitable[object]]
# What to do once "This hurts" has ended a session (offer to pause nudges), by user and chat.
AfterHurt = Callable[[int, int], Awaitable[object]]

# Telegram's limit on a photo's or animation's caption; a longer card goes as the picture
# alone, then the card as a message of its own (which carries the buttons).
CAPTION_LIMIT = 1024
# A card whose picture is being uploaded waits this many real seconds for it, then goes as
# text (the picture follows when the upload is done). A 124 KB GIF uploads in well under a
# second; Telegram in trouble answered after the 5 s read timeout (issue 29).
UPLOAD_WAIT_SECONDS = 2.0


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
        after_hurt: AfterHurt | None = None,
        pictures: Pictures | None = None,
        limiter: PriorityRateLimiter | None = None,
        pause_limit_seconds: int = machine.PAUSE_LIMIT_SECONDS,
        player_url: str | None = None,
    ) -> None:
        self.bot = bot
        self.pause_limit = pause_limit_seconds  # named in the ending of an expired pause
        # The player's address (PUBLIC_URL set): each stretch card carries a button to it.
        self.player_url = player_url
        self.limiter = limiter
        self.store = store
        self.clock = clock
        self.countdown_step_seconds = countdown_step_seconds
        self.finish_lines = finish_lines
        self.after_finish = after_finish
        self.after_hurt = after_hurt
        # None: stretch cards go as text only (no pictures drawn or sent).
        self.pictures = pictures
        self.uploads = PictureUploads(store, clock.now)
        # Session id -> the version a coroutine of this process is sending right now. A
        # timer wake that reads the row between a press's compare-and-set and the end of its
        # send sees the step as unshown; this keeps it from showing the step a second time.
        # A mark, not a lock: a press never waits for another coroutine's send (which may
        # wait its turn at the rate limiter behind a wave of countdown edits).
        self._showing: dict[int, int] = {}
        # Session id -> (version, message id) of a step sent whose recording failed (the
        # database went away just then): the retry records it instead of sending it again.
        self._unrecorded: dict[int, tuple[int, int]] = {}

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
        first = _first(state)
        if state.end_reason is EndReason.OUTDATED:
            text = texts.session_outdated(routine)
        else:
            step = self.step or countdown_step(self.countdown_step_seconds, self.clock.real_delay)
            text = texts.view(
                routine, state, left, step, first=first, pause_limit_seconds=self.pause_limit
            )
        return text, session_keyboard(record.id, state, record.version, self.player_url)

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
        sent = self._unrecorded.get(record.id)
        if sent is not None and sent[0] == record.version:
            return await self._record(record, sent[1])
        self._unrecorded.pop(record.id, None)
        text, markup = self.render(record, routine)
        if interrupted:
            text = texts.interrupted(routine, record.state)
        # The streak and the pain question only for a session that counts (a stretch held on
        # every side, however it ended): nothing held is not celebrated. "This hurts" is
        # recorded too, but its ending is the advice, followed by its own offer.
        hurt = record.state.end_reason is EndReason.HURT
        finished = record.state.counts and not hurt
        if finished and self.finish_lines is not None:
            text = "\n\n".join([text, *await self.finish_lines(record.user_id)])
        if self._has_picture(record, routine) and not interrupted:
            message, delivery = await _send_card(self, record, routine, text, markup)
        else:
            fresh = None if interrupted or finished else self._fresh(record, routine)
            message, delivery = await self._send(record, text, markup, fresh=fresh)
        if message is None:
            return Shown(record, delivery)
        return await self._record(record, message.message_id)

    async def _record(self, record: SessionRecord, message_id: int) -> Shown:
        """Record that the chat shows the step, then what follows an ending."""
        # Recorded at once: a crash between the send and this line repeats the step after a
        # restart, so nothing (like the next message below) may widen that gap.
        try:
            marked = await self.store.mark_shown(record.id, record.version, message_id)
        except Exception:
            self._unrecorded[record.id] = (record.version, message_id)
            raise
        self._unrecorded.pop(record.id, None)
        hurt = record.state.end_reason is EndReason.HURT
        finished = record.state.counts and not hurt  # "This hurts" has its own follow-up
        after = self.after_finish if finished else self.after_hurt if hurt else None
        if after is not None:
            try:
                await after(record.user_id, record.chat_id)
            except TelegramError as exc:
                log.info("session %s: after-ending step failed: %s", record.id, exc)
        if not marked:
            return Shown(record, Delivery.DONE)
        return Shown(_shown(record, message_id), Delivery.DONE)

    async def refresh(self, record: SessionRecord, routine: Routine) -> Shown:
        """Edit the step's message in place (countdown, pause, resume); send it anew if the
        message is gone."""
        if record.message_id is None:
            return await self.show(record, routine)
        text, markup = self.render(record, routine)
        media = self._pictured(record, routine)
        delivery = await self._edit(record, record.message_id, text, markup, media=media)
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
            # A hold left by a press or its timer, or by a /stretch that started over: never
            # left frozen at "Hold: 30 s left".
            (state.status is Status.ACTIVE or state.end_reason is EndReason.REPLACED)
            and state.phase is Phase.HOLD
            and event is not Event.INTERRUPTED
            and machine.fits(state, routine)  # a stretch gone from the routine has no name
        ):
            held = None
            if state.status is Status.ACTIVE and state.phase_seconds is not None:
                left = machine.seconds_left(state, self.clock.now())
                held = int(state.phase_seconds - left)
            text = texts.hold_closed(
                routine, state, completed=event is Event.TIMER, held_seconds=held
            )
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

    def _fresh(self, record: SessionRecord, routine: Routine) -> Callable[[], str] | None:
        """The step's text rendered again, for a countdown (a hold, a switch): the send may
        wait its chat's turn or a 429's pause after it was rendered."""
        if self.limiter is None or not record.state.timed or not record.state.live:
            return None  # no limiter: no wait between rendering and sending
        return lambda: self.render(record, routine)[0]

    async def _send(
        self,
        record: SessionRecord,
        text: str,
        markup: InlineKeyboardMarkup | None,
        *,
        fresh: Callable[[], str] | None = None,
    ) -> tuple[Message | None, Delivery]:
        try:
            message: Message = await self.bot.send_message(
                record.chat_id, text, reply_markup=markup, **_fresh_args("text", fresh)
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

    def _has_picture(self, record: SessionRecord, routine: Routine) -> bool:
        """Whether the step is a stretch card with a picture: an intro whose stretch has pose
        data."""
        state = record.state
        if self.pictures is None or not state.live or state.phase is not Phase.INTRO:
            return False
        if not machine.fits(state, routine):
            return False
        return routine.stretches[state.stretch_index].pose is not None

    def _pictured(self, record: SessionRecord, routine: Routine) -> bool:
        """Whether the step's message is (or was) the picture with the card as its caption
        (edited with editMessageCaption): a card with a picture that fits a caption."""
        state = record.state
        if not self._has_picture(record, routine):
            return False
        return len(texts.intro(routine, state, first=_first(state))) <= CAPTION_LIMIT

    async def _edit(
        self,
        record: SessionRecord,
        message_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None,
        *,
        media: bool = False,
    ) -> Delivery:
        try:
            if media:
                await self.bot.edit_message_caption(
                    chat_id=record.chat_id, message_id=message_id, caption=text, reply_markup=markup
                )
            else:
                await self.bot.edit_message_text(
                    text, chat_id=record.chat_id, message_id=message_id, reply_markup=markup
                )
            return Delivery.DONE
        except TelegramError as exc:
            if isinstance(exc, BadRequest) and _other_kind(exc, media=media):
                # A card that went as text while its picture uploaded (or the other way): the
                # message is what was sent, whatever the card would be now.
                return await self._edit(record, message_id, text, markup, media=not media)
            delivery = delivery_of(exc)
            if delivery is Delivery.REFUSED:
                log.error("session %s: edit refused: %s", record.id, exc)
            elif delivery is Delivery.FAILED:
                log.info("session %s: edit failed: %s", record.id, exc)
            return delivery


async def _send_card(
    self: SessionChat,
    record: SessionRecord,
    routine: Routine,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> tuple[Message | None, Delivery]:
    """The stretch card as an animation with the card as its caption, sent by the
    file_id Telegram returned for the picture (kept in the database). Without one yet the
    picture is uploaded alone, and the card goes as text once it is out, or at once when
    the upload is slow or fails: the card always reaches the person, and a hold never
    starts before it (bot/uploads.py)."""
    assert self.pictures is not None
    pose = routine.stretches[record.state.stretch_index].pose
    assert pose is not None
    key = picture_key(pose, "animation")
    pictures = self.pictures
    fits = len(text) <= CAPTION_LIMIT

    async def draw() -> InputFile:
        # Drawing is CPU work (a few hundred ms): keep the event loop free for others.
        picture = await asyncio.to_thread(pictures.animation, pose)
        return InputFile(picture.data, filename=picture.filename)

    async def send(upload: InputFile | str) -> Message:
        return await self.bot.send_animation(
            record.chat_id,
            upload,
            caption=text if fits else None,
            reply_markup=markup if fits else None,
        )

    async def alone(upload: InputFile | str) -> Message:
        return await self.bot.send_animation(record.chat_id, upload)

    known = await self.uploads.file_id(self.bot.id, key)
    if known is not None:
        try:
            message = await send(known)
        except BadRequest as exc:
            if delivery_of(exc) is not Delivery.REFUSED:
                return _card_failed(record, exc)
            # A file_id Telegram refuses: dropped, and the picture uploaded afresh.
            await self.uploads.refused(self.bot.id, key, known, exc)
            known = None
        except TelegramError as exc:
            return _card_failed(record, exc)
        else:
            return (message, Delivery.DONE) if fits else await self._send(record, text, markup)
    upload = self.uploads.upload_alone(self.bot.id, key, draw, alone)
    known = await _uploaded(self, record, upload)
    if known is None or upload.mine:  # the picture is out (or follows): the card as text
        return await self._send(record, text, markup)
    try:
        message = await send(known)
    except TelegramError as exc:
        return _card_failed(record, exc)
    return (message, Delivery.DONE) if fits else await self._send(record, text, markup)


def _card_failed(record: SessionRecord, exc: TelegramError) -> tuple[Message | None, Delivery]:
    """A card sent by file_id that did not go: a later wake tries again (as a text
    message's would be)."""
    delivery = delivery_of(exc)
    if delivery is not Delivery.BLOCKED:
        log.warning("session %s: picture send failed: %s", record.id, exc)
    return None, Delivery.FAILED if delivery is Delivery.DONE else delivery


def _upload_wait(self: SessionChat, record: SessionRecord) -> float:
    """Real seconds a card waits for its picture's upload: UPLOAD_WAIT_SECONDS, and never
    past half the time to its step's own timer (a hands-free get-ready count)."""
    due = record.state.next_event_at
    if not record.state.timed or due is None:
        return UPLOAD_WAIT_SECONDS
    left = max(0.0, (due - self.clock.now()).total_seconds())
    return min(UPLOAD_WAIT_SECONDS, self.clock.real_delay(left) / 2)


async def _uploaded(self: SessionChat, record: SessionRecord, upload: Pending) -> str | None:
    """The upload's file_id if it is back in time for the card, else None."""
    await upload.drawn.wait()  # drawing is ours: the wait below is for Telegram
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(_upload_wait(self, record)):
            return await asyncio.shield(upload.done)
    return None


def _other_kind(exc: BadRequest, *, media: bool) -> bool:
    """Whether an edit was refused for being of the other kind (text for a caption)."""
    lowered = exc.message.lower()
    return (
        ("no caption in the message" in lowered) if media else ("no text in the message" in lowered)
    )


def _fresh_args(key: str, fresh: Callable[[], str] | None) -> dict[str, Any]:
    """The rate limiter's hook that renders `key` again as the request's turn comes
    (bot/ratelimit.py): what the person reads is the time left when it is sent."""
    if fresh is None:
        return {}

    def refresh(data: dict[str, Any]) -> None:
        if key in data:
            data[key] = fresh()

    return {"rate_limit_args": {"fresh": refresh}}


def _shown(record: SessionRecord, message_id: int) -> SessionRecord:
    return dataclasses.replace(record, message_id=message_id, shown_version=record.version)


def _first(state: machine.SessionState) -> bool:
    """Whether the step is the session's very first card (it carries the routine's title)."""
    return state.stretch_index == 0 and state.holds_done == 0 and state.stretches_skipped == 0
