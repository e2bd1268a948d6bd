"""/reach, the mobility check: the pictures, one question per side, and its answer buttons
(also the after-session offer's "check now")."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import LimberContext
from bot.domain.mobility import LEFT, RIGHT, answer_in_time
from bot.domain.streaks import local_day
from bot.handlers import onboarding
from bot.handlers.press import Press, button, claim, edit
from bot.handlers.registry import Chats, Handlers
from bot.keyboards import ReachPress, reach_keyboard


async def reach_command(update: Update, context: LimberContext) -> None:
    svc, message = context.services, update.effective_message
    user = await onboarding.user_of(svc, update)
    if user is None or message is None:
        return
    await svc.progress.ask_reach(user.id, message.chat_id)


@button(ReachPress)
async def reach_button(press: Press[ReachPress]) -> None:
    query, message, svc, user = press.query, press.message, press.svc, press.user
    pressed = press.data
    if pressed.day is None or pressed.side is None or pressed.degrees is None:
        # The offer (ReachPress.valid: an answer has all three): take its button, then ask.
        if await claim(query, f"{message.text or ''}\n\n{texts.BUTTON_REACH_NOW}"):
            await svc.progress.ask_reach(user.id, message.chat_id)
        return
    today = local_day(svc.clock.now(), user.timezone)
    if not answer_in_time(pressed.day, today):
        await query.answer(texts.REACH_STALE, show_alert=True)  # nothing recorded
        return
    following, answers = await svc.progress.record_reach(
        user.id, pressed.day, pressed.side, pressed.degrees
    )
    if following is not None:
        changed = await edit(
            query, texts.reach_question(following), reach_keyboard(pressed.day, following)
        )
    else:
        changed = await edit(query, texts.reach_done(answers.get(LEFT), answers.get(RIGHT)))
    await query.answer(None if changed else texts.ALREADY_DONE)


def handlers(chats: Chats) -> Handlers:
    return [
        CommandHandler("reach", reach_command, filters=chats.private),
        CallbackQueryHandler(reach_button, pattern=ReachPress.pattern),
    ]
