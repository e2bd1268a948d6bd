"""/stats (text and picture), /export (a ZIP of CSVs) and the back-pain answer buttons."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.export import FILENAME, build_export
from bot.handlers.press import claim, pressed_message
from bot.keyboards import pain_keyboard, parse_pain_data
from bot.services import services


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc, message, user = services(context), update.effective_message, update.effective_user
    if message is None or user is None:
        return
    text, png = await svc.progress.stats(user.id)
    if png is None:
        await message.reply_text(text)
        return
    await message.reply_photo(InputFile(png, filename="limber-stats.png"), caption=text)


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc, message, user = services(context), update.effective_message, update.effective_user
    if message is None or user is None:
        return
    data = await build_export(svc.store, svc.progress, user.id)
    if data is None:
        await message.reply_text(texts.NO_DATA)
        return
    await message.reply_document(
        InputFile(data, filename=FILENAME), caption=texts.EXPORT_ZIP_CAPTION
    )


async def pain_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    if await pressed_message(query) is None:
        return
    svc = services(context)
    parsed = parse_pain_data(query.data)
    if parsed is None or await svc.store.get_user(query.from_user.id) is None:
        await query.answer(texts.UNKNOWN_BUTTON)
        return
    day, score = parsed
    before = await svc.store.record_pain(query.from_user.id, day, score, svc.clock.now())
    # Recording twice is harmless (one answer per day); a second tap is only told it's done.
    # The buttons stay for the day asked, so the answer can be changed (issue 13).
    if await claim(query, texts.pain_noted_changeable(score), pain_keyboard(day)):
        # A high answer is acted on (advice, a pause offered, a doctor after three).
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        await svc.pain_care.answered(query.from_user.id, chat_id, score, before)
