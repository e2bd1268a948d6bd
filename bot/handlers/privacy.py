"""/deletedata: erase every row of the user, after an explicit confirmation."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.services import services

PREFIX = "del"


async def deletedata_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc, message, user = services(context), update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if await svc.store.get_user(user.id) is None:
        await message.reply_text(texts.NOTHING_TO_DELETE)
        return
    # The user id in the data lets the press be checked against who presses it.
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.BUTTON_DELETE, callback_data=f"{PREFIX}:yes:{user.id}")],
            [InlineKeyboardButton(texts.BUTTON_KEEP, callback_data=f"{PREFIX}:no:{user.id}")],
        ]
    )
    await message.reply_text(texts.CONFIRM_DELETE, reply_markup=keyboard)


async def delete_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    if not isinstance(query.message, Message) or not query.message.is_accessible:
        # A confirmation the bot can no longer see (date 0) cannot be edited: it erases
        # nothing, and /deletedata asks again.
        await query.answer(texts.UNKNOWN_BUTTON)
        return
    parts = query.data.split(":")
    if len(parts) != 3 or parts[1] not in ("yes", "no") or parts[2] != str(query.from_user.id):
        await query.answer(texts.UNKNOWN_BUTTON)
        return
    svc = services(context)
    await query.answer()
    if parts[1] == "no":
        await query.edit_message_text(texts.KEPT)
        return
    live = await svc.store.live_session_of(query.from_user.id)
    if live is not None:
        svc.coach.cancel(live.id)
    await svc.store.delete_user(query.from_user.id)
    await query.edit_message_text(texts.DELETED)
