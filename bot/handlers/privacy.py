"""/deletedata: erase every row of the user, after an explicit confirmation."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import LimberContext
from bot.handlers.press import claim, edit, pressed_message, read_press
from bot.handlers.registry import Chats, Handlers
from bot.keyboards import DeletePress, delete_keyboard
from bot.sessions.coach import erase_user


async def deletedata_command(update: Update, context: LimberContext) -> None:
    svc, message, user = context.services, update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if await svc.subscriptions.subscriber(user.id) is None:
        await message.reply_text(texts.NOTHING_TO_DELETE)
        return
    await message.reply_text(texts.CONFIRM_DELETE, reply_markup=delete_keyboard(user.id))


async def delete_button(update: Update, context: LimberContext) -> None:
    read = await read_press(update, DeletePress)
    if read is None:
        return
    query, pressed = read
    # A confirmation the bot can no longer see (date 0) cannot be edited: it erases nothing,
    # and /deletedata asks again.
    if await pressed_message(query) is None:
        return
    if pressed.user_id != query.from_user.id:  # someone else's confirmation
        await query.answer(texts.UNKNOWN_BUTTON)
        return
    if not pressed.erase:
        await claim(query, texts.KEPT)
        return
    # The buttons go first: of a double tap, one press erases and the other is told it's done.
    if not await claim(query):
        return
    svc = context.services
    await erase_user(svc.coach, query.from_user.id)
    await edit(query, texts.DELETED)


def handlers(chats: Chats) -> Handlers:
    return [
        CommandHandler("deletedata", deletedata_command, filters=chats.private),
        CallbackQueryHandler(delete_button, pattern=DeletePress.pattern),
    ]
