"""/start and /help: subscribe, greet, give the medical note."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.handlers import settings
from bot.services import services


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Create or reactivate the user; running it again only greets again."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    svc = services(context)
    record, created = await svc.store.upsert_user(
        user.id, message.chat_id, user.first_name, user.language_code, svc.clock.now()
    )
    await message.reply_text(texts.welcome(user.first_name, returning=not created))
    await svc.subscriptions.ensure_nudges(user.id)
    if created:
        await settings.begin_onboarding(svc, message, record)
    elif record.onboarding and record.onboarding.startswith("ob:"):
        await settings.continue_onboarding(svc, message, record)
    else:
        schedule = await svc.subscriptions.schedule(user.id)
        if schedule is not None:
            await message.reply_text(settings.summary(schedule, svc.clock.now()))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.help_text(services(context).library))
