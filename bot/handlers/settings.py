"""/settings and its menu, /timezone, /morning, /bedtime, /pause, /resume, /stop.

Questions these ask are answered through handlers/onboarding.py (the pending question is kept
in the user's row, see domain/onboarding.py).
"""

from __future__ import annotations

from datetime import time

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import LimberContext
from bot.domain.nudge_rules import DESK
from bot.domain.onboarding import Pending, Step
from bot.handlers import onboarding
from bot.handlers.press import Press, button, edit
from bot.handlers.registry import Chats, Handlers
from bot.handlers.summary import enabled, local_text, settings_text, summary
from bot.keyboards import (
    DaysPress,
    DeskPress,
    MenuPress,
    SessionSettingPress,
    days_keyboard,
    desk_time_keyboard,
    session_settings_rows,
    settings_keyboard,
    zone_keyboard,
)
from bot.services import Services
from bot.sessions.coach import stop_live
from bot.store.repo import UserRecord
from bot.subscription import Schedule


async def timezone_command(update: Update, context: LimberContext) -> None:
    svc, message = context.services, update.effective_message
    user = await onboarding.user_of(svc, update)
    if user is None or message is None:
        return
    if context.args:
        await onboarding.zone_text(svc, message, user, " ".join(context.args))
    else:
        await onboarding.ask(svc, message, user, Step.TIMEZONE)


async def morning_command(update: Update, context: LimberContext) -> None:
    await _time_command(update, context, Step.MORNING)


async def bedtime_command(update: Update, context: LimberContext) -> None:
    await _time_command(update, context, Step.BEDTIME)


async def _time_command(update: Update, context: LimberContext, kind: Step) -> None:
    svc, message = context.services, update.effective_message
    user = await onboarding.user_of(svc, update)
    if user is None or message is None:
        return
    if context.args:
        await onboarding.time_text(svc, message, user, kind, " ".join(context.args))
    else:
        await onboarding.ask(svc, message, user, kind)


async def settings_command(update: Update, context: LimberContext) -> None:
    svc, message = context.services, update.effective_message
    user = await onboarding.user_of(svc, update)
    if user is None or message is None:
        return
    if onboarding.pending_of(user) == Pending(Step.TIMEZONE, True):
        # No zone yet, so no nudge is scheduled: showing "UTC" would look like a choice made.
        await message.reply_text(texts.ZONE_NOT_SET, reply_markup=zone_keyboard(user.language_code))
        return
    schedule = await svc.subscriptions.schedule(user.id)
    assert schedule is not None
    text, markup = _settings_view(svc, schedule, user)
    await message.reply_text(text, reply_markup=markup)


def _settings_view(
    svc: Services, schedule: Schedule, user: UserRecord
) -> tuple[str, InlineKeyboardMarkup]:
    """The /settings message: the nudges, then how sessions run, with their buttons."""
    text = "\n\n".join(
        [
            settings_text(schedule, svc.clock.now()),
            texts.session_settings_line(user.hands_free, user.hold_seconds, user.pace),
        ]
    )
    rows = [
        *settings_keyboard(enabled(schedule)).inline_keyboard,
        *session_settings_rows(user.hands_free, user.hold_seconds, user.pace),
    ]
    return text, InlineKeyboardMarkup(rows)


@button(SessionSettingPress)
async def session_setting_button(press: Press[SessionSettingPress]) -> None:
    """/settings: hold length, pace of the pauses, hands-free or tap-through (edits the menu)."""
    query, svc, user, pressed = press.query, press.svc, press.user, press.data
    if pressed.what == "hold":
        saved = await svc.subscriptions.set_session_prefs(user.id, hold_seconds=int(pressed.value))
    elif pressed.what == "pace":
        saved = await svc.subscriptions.set_session_prefs(user.id, pace=pressed.value)
    else:
        saved = await svc.subscriptions.set_session_prefs(
            user.id, hands_free=pressed.value == "free"
        )
    schedule = await svc.subscriptions.schedule(query.from_user.id)
    if saved is None or schedule is None:
        await query.answer(texts.UNKNOWN_BUTTON)
        return
    text, markup = _settings_view(svc, schedule, saved)
    changed = await edit(query, text, markup)
    await query.answer(texts.SETTINGS_SAVED if changed else texts.ALREADY_DONE)


async def pause_command(update: Update, context: LimberContext) -> None:
    svc, message = context.services, update.effective_message
    user = await onboarding.user_of(svc, update)
    if user is None or message is None:
        return
    if not user.active:
        await message.reply_text(texts.NUDGES_STOPPED)  # nothing to pause
        return
    days = 7
    if context.args:
        arg = context.args[0]
        # isdecimal, not isdigit: int() reads "٣" but refuses "²", which isdigit lets through.
        if len(context.args) != 1 or not arg.isdecimal() or not 1 <= int(arg) <= 60:
            await message.reply_text(texts.BAD_PAUSE)
            return
        days = int(arg)
    until = await svc.subscriptions.pause(user.id, days)
    await message.reply_text(texts.paused_until_text(local_text(until, user.timezone)))


async def resume_command(update: Update, context: LimberContext) -> None:
    svc, message = context.services, update.effective_message
    user = await onboarding.user_of(svc, update)
    if user is None or message is None:
        return
    if not user.active:
        # "Nudges are on again" would be untrue: only /start brings them back.
        await message.reply_text(texts.NUDGES_STOPPED)
        return
    if user.paused_until is None or user.paused_until <= svc.clock.now():
        await message.reply_text(texts.NOT_PAUSED)
        return
    schedule = await svc.subscriptions.resume(user.id)
    assert schedule is not None
    await message.reply_text(f"{texts.RESUMED}\n\n{summary(schedule, svc.clock.now())}")


async def stop_command(update: Update, context: LimberContext) -> None:
    svc, message = context.services, update.effective_message
    user = await onboarding.user_of(svc, update)
    if user is None or message is None:
        return
    # /stop ends a live session too, as its Stop button would (issue 23), before the nudges.
    await stop_live(svc.coach, user.id)
    await svc.subscriptions.unsubscribe(user.id)
    await message.reply_text(texts.STOPPED)


@button(MenuPress)
async def menu_button(press: Press[MenuPress]) -> None:
    """The /settings menu: change the zone or a time (asks), turn a nudge on or off (edits)."""
    query, message, svc, user, pressed = (
        press.query,
        press.message,
        press.svc,
        press.user,
        press.data,
    )
    if pressed.action == "tz":
        await query.answer()
        await onboarding.ask(svc, message, user, Step.TIMEZONE)
    elif pressed.action == "time" and pressed.kind is not None:
        await query.answer()
        await onboarding.ask(svc, message, user, Step(pressed.kind))
    elif pressed.kind is not None:
        schedule = await svc.subscriptions.set_enabled(
            user.id, pressed.kind, pressed.action == "on"
        )
        assert schedule is not None
        text, markup = _settings_view(svc, schedule, user)
        changed = await edit(query, text, markup)
        await query.answer(None if changed else texts.ALREADY_DONE)


async def _back_to_settings(query: CallbackQuery, svc: Services, user: UserRecord) -> None:
    schedule = await svc.subscriptions.schedule(user.id)
    assert schedule is not None
    text, markup = _settings_view(svc, schedule, user)
    changed = await edit(query, text, markup)
    await query.answer(None if changed else texts.ALREADY_DONE)


@button(DaysPress)
async def days_button(press: Press[DaysPress]) -> None:
    """The weekday picker: show a reminder's days, set them (the button carries the mask)."""
    query, svc, user, pressed = press.query, press.svc, press.user, press.data
    if pressed.kind is None:
        await _back_to_settings(query, svc, user)
        return
    if pressed.days == 0:
        await query.answer(texts.KEEP_ONE_DAY, show_alert=True)  # nothing changes
        return
    if pressed.days is None:
        schedule = await svc.subscriptions.schedule(user.id)
    else:
        schedule = await svc.subscriptions.set_days(user.id, pressed.kind, pressed.days)
    assert schedule is not None
    days = schedule.days_of(pressed.kind)
    changed = await edit(
        query, texts.ask_days(pressed.kind, days), days_keyboard(pressed.kind, days)
    )
    await query.answer(None if changed else texts.ALREADY_DONE)


@button(DeskPress)
async def desk_button(press: Press[DeskPress]) -> None:
    """The desk-break time: show the choices, or set one (which turns the nudge on)."""
    query, svc, user, choice = press.query, press.svc, press.user, press.data.choice
    if choice == "ask":
        changed = await edit(query, texts.ASK_DESK_TIME, desk_time_keyboard())
        await query.answer(None if changed else texts.ALREADY_DONE)
        return
    if isinstance(choice, time):  # a time, or "back"
        await svc.subscriptions.set_reminder_time(user.id, DESK, choice)
    await _back_to_settings(query, svc, user)


def handlers(chats: Chats) -> Handlers:
    private = chats.private
    return [
        CommandHandler("timezone", timezone_command, filters=private),
        CommandHandler("morning", morning_command, filters=private),
        CommandHandler("bedtime", bedtime_command, filters=private),
        CommandHandler("settings", settings_command, filters=private),
        CommandHandler("pause", pause_command, filters=private),
        CommandHandler("resume", resume_command, filters=private),
        CommandHandler("stop", stop_command, filters=private),
        CallbackQueryHandler(menu_button, pattern=MenuPress.pattern),
        CallbackQueryHandler(days_button, pattern=DaysPress.pattern),
        CallbackQueryHandler(desk_button, pattern=DeskPress.pattern),
        CallbackQueryHandler(session_setting_button, pattern=SessionSettingPress.pattern),
    ]
