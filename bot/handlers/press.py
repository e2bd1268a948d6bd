"""What every button handler does around a press: refuse a press on a message the bot can no
longer see, and edit the pressed message with the harmless edit errors handled here, once.

A one-shot button (a time zone, a time, a pain score, Delete/Cancel, Start now, a routine) is
claimed by editing its message: Telegram applies edits to one message in order, so of two taps
the first edit wins and the second gets "message is not modified", which here means "a press
before this one already did it" (a double tap), answered briefly and never shown as an error.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot import texts
from bot.context import LimberContext
from bot.keyboards import CallbackData
from bot.services import Services
from bot.store.repo import UserRecord

T = TypeVar("T", bound=CallbackData)

log = logging.getLogger(__name__)

# Edits that fail for reasons that lose nothing: the user deleted the message, or it is too
# old to edit (48 h). The press still takes effect; only the old message stays as it was.
# PTB gives these no type of their own (all BadRequest), so they are told apart by message.
_GONE = ("message to edit not found", "message can't be edited", "message_id_invalid")


async def pressed_message(query: CallbackQuery) -> Message | None:
    """The message whose button was pressed; None (and the press answered) when Telegram no
    longer lets the bot see it (date 0): it cannot be edited, so the press is refused."""
    if isinstance(query.message, Message) and query.message.is_accessible:
        return query.message
    await query.answer(texts.UNKNOWN_BUTTON)
    return None


async def edit(
    query: CallbackQuery, text: str | None = None, markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Edit the pressed message: a new text (and buttons), or only new buttons (None: none).

    False when the message already shows exactly that, i.e. an earlier press did this edit;
    True otherwise, also when the message is gone (see _GONE). Any other error is raised."""
    try:
        if text is None:
            await query.edit_message_reply_markup(markup)
        else:
            await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        reason = exc.message.lower()
        if "message is not modified" in reason:
            return False
        if any(gone in reason for gone in _GONE):
            log.info("pressed message could not be edited: %s", exc.message)
            return True
        raise
    return True


async def claim(
    query: CallbackQuery, text: str | None = None, markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Take a one-shot button: edit its message (by default, remove its buttons) and answer
    the press. False for a repeat press, answered with a short "already done"."""
    if not await edit(query, text, markup):
        await query.answer(texts.ALREADY_DONE)
        return False
    await query.answer()
    return True


async def retire(query: CallbackQuery) -> None:
    """An out-of-date button: its buttons go and the press is told so ("already done" for a
    repeat press, as `claim` says)."""
    if await edit(query, None, None):
        await query.answer(texts.STALE_BUTTON)
    else:
        await query.answer(texts.ALREADY_DONE)


@dataclass(frozen=True, slots=True)
class Press(Generic[T]):
    """A press a handler can act on: its query and message, the user, the parsed data."""

    query: CallbackQuery
    message: Message
    svc: Services
    user: UserRecord
    data: T
    bot: Bot


async def read_press(update: Update, family: type[T]) -> tuple[CallbackQuery, T] | None:
    """A press of a `family` button and what it carries; anything else (forged data, another
    family's) is answered here (None). The handlers that open on their own start here."""
    query = update.callback_query
    if query is None or query.data is None:
        return None
    pressed = family.unpack(query.data)
    if pressed is None:
        await query.answer(texts.UNKNOWN_BUTTON)
        return None
    return query, pressed


async def open_press(update: Update, context: LimberContext, family: type[T]) -> Press[T] | None:
    """The opening every button handler shares: a press of a `family` button on a message the
    bot still sees, from a user the bot knows; anything else is answered here (None)."""
    read = await read_press(update, family)
    if read is None:
        return None
    query, pressed = read
    message = await pressed_message(query)
    if message is None:
        return None
    svc = context.services
    # The row this update read for its language a moment ago (app.py), else read now.
    user = context.update_user
    if user is None or user.id != query.from_user.id:
        user = await svc.subscriptions.subscriber(query.from_user.id)
    if user is None:
        await query.answer(texts.UNKNOWN_BUTTON)
        return None
    return Press(query, message, svc, user, pressed, context.bot)


PtbCallback = Callable[[Update, LimberContext], Coroutine[Any, Any, None]]


def button(
    family: type[T],
) -> Callable[[Callable[[Press[T]], Awaitable[None]]], PtbCallback]:
    """The one way a button handler opens: `@button(XPress)` above `async def x(press)`, with
    XPress the family of the button's data (bot/keyboards/callback.py).

    The handler is called only for a press it can act on (open_press); everything else is
    answered once, here. Five handlers open on their own with read_press, each for a reason it
    states: the session buttons (the hot path reads no user row), a routine picked from
    /routines and the language buttons (both work for someone not yet stored), Delete (the
    user may be gone) and a team break's buttons (anyone in the group may press them).
    """

    def wrap(handler: Callable[[Press[T]], Awaitable[None]]) -> PtbCallback:
        @functools.wraps(handler)
        async def callback(update: Update, context: LimberContext) -> None:
            press = await open_press(update, context, family)
            if press is not None:
                await handler(press)

        return callback

    return wrap
