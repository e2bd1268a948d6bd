"""The nudge's buttons: Start now, Snooze 15/30/60 min, Skip today."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.domain.nudge_rules import MORNING
from bot.keyboards import parse_nudge_data
from bot.services import services


async def nudge_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    if not isinstance(query.message, Message) or not query.message.is_accessible:
        # A message Telegram no longer lets the bot see (date 0): it cannot be edited, so the
        # press is refused, but still answered.
        await query.answer(texts.UNKNOWN_BUTTON)
        return
    svc = services(context)
    pressed = parse_nudge_data(query.data)
    user = await svc.store.get_user(query.from_user.id)
    if pressed is None or user is None:
        await query.answer(texts.UNKNOWN_BUTTON)
        return
    if pressed.action == "go":
        await query.answer()
        await query.edit_message_text(
            f"{query.message.text or ''}\n\n{texts.nudge_started(pressed.kind)}", reply_markup=None
        )
        routine = svc.library.default if pressed.kind == MORNING else svc.library.bedtime()
        await svc.coach.begin(user.id, query.message.chat.id, routine)
    elif pressed.action == "snooze":
        at = await svc.subscriptions.snooze(user.id, pressed.kind, pressed.minutes)
        if at is None:
            await query.answer(texts.UNKNOWN_BUTTON)
            return
        await query.answer()
        local = f"{at.astimezone(ZoneInfo(user.timezone)):%H:%M}"
        await query.edit_message_text(
            f"{query.message.text or ''}\n\n{texts.snoozed(local)}", reply_markup=None
        )
    else:
        await svc.subscriptions.skip_today(user.id, pressed.kind)
        await query.answer()
        await query.edit_message_text(
            f"{query.message.text or ''}\n\n{texts.nudge_skipped(pressed.kind)}", reply_markup=None
        )
