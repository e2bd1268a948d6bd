"""/stats (text and picture), /export (a ZIP of CSVs) and the back-pain answer buttons."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import LimberContext
from bot.export import FILENAME, build_export
from bot.handlers.press import Press, button, claim
from bot.handlers.registry import Chats, Handlers
from bot.keyboards import PainPress, pain_keyboard


async def stats_command(update: Update, context: LimberContext) -> None:
    svc, message, user = context.services, update.effective_message, update.effective_user
    if message is None or user is None:
        return
    text, png = await svc.progress.stats(user.id)
    if png is None:
        await message.reply_text(text)
        return
    await message.reply_photo(InputFile(png, filename="limber-stats.png"), caption=text)


async def export_command(update: Update, context: LimberContext) -> None:
    svc, message, user = context.services, update.effective_message, update.effective_user
    if message is None or user is None:
        return
    data = await build_export(svc.store, svc.progress, user.id)
    if data is None:
        await message.reply_text(texts.NO_DATA)
        return
    await message.reply_document(
        InputFile(data, filename=FILENAME), caption=texts.EXPORT_ZIP_CAPTION
    )


@button(PainPress)
async def pain_button(press: Press[PainPress]) -> None:
    query, svc, user = press.query, press.svc, press.user
    day, score = press.data.day, press.data.score
    before = await svc.pain_care.record(user.id, day, score)
    # Recording twice is harmless (one answer per day); a second tap is only told it's done.
    # The buttons stay for the day asked, so the answer can be changed (issue 13).
    if await claim(query, texts.pain_noted_changeable(score), pain_keyboard(day)):
        # A high answer is acted on (advice, a pause offered, a doctor after three).
        await svc.pain_care.answered(user.id, press.message.chat.id, score, before)


def handlers(chats: Chats) -> Handlers:
    return [
        CommandHandler("stats", stats_command, filters=chats.private),
        CommandHandler("export", export_command, filters=chats.private),
        CallbackQueryHandler(pain_button, pattern=PainPress.pattern),
    ]
