"""/start and /help: subscribe, greet, give the medical note, carry on with the set-up."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.context import LimberContext
from bot.domain import onboarding as machine
from bot.domain.onboarding import Effect
from bot.handlers import onboarding
from bot.handlers.registry import Chats, Handlers


async def start(update: Update, context: LimberContext) -> None:
    """Create or reactivate the user; running it again greets again and asks what is pending."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    svc = context.services
    record, created = await svc.subscriptions.join(
        user.id, message.chat_id, user.first_name, user.language_code, context.known_user
    )
    transition = machine.step(onboarding.pending_of(record), machine.Started(created))
    returning = Effect.GREET_RETURNING in transition.effects
    await message.reply_text(texts.welcome(user.first_name, returning=returning))
    await onboarding.save(svc, record, transition)
    await svc.subscriptions.ensure_nudges(user.id)
    await onboarding.perform(svc, message, record, transition)


async def help_command(update: Update, context: LimberContext) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.help_text(context.services.library))


def handlers(chats: Chats) -> Handlers:
    return [
        CommandHandler("start", start, filters=chats.private),
        CommandHandler("help", help_command, filters=chats.private),
    ]
