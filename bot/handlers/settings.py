"""Time zone and nudge times: onboarding after /start, /timezone, /morning, /bedtime,
/settings, /pause, /resume, /stop, and typed answers or a shared location.

What the user is expected to type next is kept in the user's row (`onboarding`): "ob:<step>"
while the first set-up runs step by step, "set:<what>" for a single change from /settings.
Kept in the database rather than in memory, so a restart or another worker continues it.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.domain.nudge_rules import BEDTIME, MORNING
from bot.domain.schedule import describe_delay
from bot.domain.timeinput import parse_time_of_day
from bot.domain.timezones import is_utc_offset, resolve_zone, suggest_zones, zone_from_location
from bot.services import Services, services
from bot.store.repo import UserRecord
from bot.subscription import Schedule

ZONE_PREFIX = "tz"
TIME_PREFIX = "tm"
MENU_PREFIX = "st"
TIME_CHOICES = {
    MORNING: ("06:30", "07:00", "07:30", "08:00", "08:30", "09:00"),
    BEDTIME: ("21:00", "21:30", "22:00", "22:30", "23:00", "23:30"),
}


# Keyboards ------------------------------------------------------------------------------------


def zone_keyboard(language_code: str | None) -> InlineKeyboardMarkup:
    matches = suggest_zones(language_code, limit=4)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(m.label, callback_data=f"{ZONE_PREFIX}:{m.zone}")] for m in matches]
    )


def time_keyboard(kind: str) -> InlineKeyboardMarkup:
    choices = TIME_CHOICES[kind]
    rows = [
        [
            InlineKeyboardButton(t, callback_data=f"{TIME_PREFIX}:{kind}:{t.replace(':', '')}")
            for t in choices[i : i + 3]
        ]
        for i in range(0, len(choices), 3)
    ]
    rows.append([InlineKeyboardButton(texts.BUTTON_OFF, callback_data=f"{TIME_PREFIX}:{kind}:off")])
    return InlineKeyboardMarkup(rows)


def settings_keyboard(schedule: Schedule) -> InlineKeyboardMarkup:
    def toggle(kind: str) -> InlineKeyboardButton:
        on = schedule.enabled(kind)
        label = ("☀️ Morning" if kind == MORNING else "🌙 Bedtime") + (
            ": turn off" if on else ": turn on"
        )
        return InlineKeyboardButton(
            label, callback_data=f"{MENU_PREFIX}:{'off' if on else 'on'}:{kind}"
        )

    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("🌍 Change time zone", callback_data=f"{MENU_PREFIX}:tz")],
            [
                InlineKeyboardButton(
                    "☀️ Morning time", callback_data=f"{MENU_PREFIX}:time:{MORNING}"
                ),
                InlineKeyboardButton(
                    "🌙 Bedtime time", callback_data=f"{MENU_PREFIX}:time:{BEDTIME}"
                ),
            ],
            [toggle(MORNING), toggle(BEDTIME)],
        ]
    )


# Rendering ------------------------------------------------------------------------------------


def summary(schedule: Schedule, now: datetime) -> str:
    zone = schedule.user.timezone
    morning = schedule.time_of(MORNING) if schedule.enabled(MORNING) else None
    bedtime = schedule.time_of(BEDTIME) if schedule.enabled(BEDTIME) else None
    next_line = None
    upcoming = schedule.next_nudge()
    if upcoming is not None:
        kind, at = upcoming
        paused = schedule.user.paused_until
        if paused is None or paused <= at:
            local = at.astimezone(ZoneInfo(zone))
            next_line = texts.next_nudge_line(kind, f"{local:%H:%M}", describe_delay(at - now))
    paused_until = None
    if schedule.user.paused_until and schedule.user.paused_until > now:
        paused_until = _local_text(schedule.user.paused_until, zone)
    return texts.schedule_summary(zone, morning, bedtime, next_line, paused_until)


def _local_text(instant: datetime, zone: str) -> str:
    return f"{instant.astimezone(ZoneInfo(zone)):%a %d %b, %H:%M}"


# Steps ----------------------------------------------------------------------------------------


async def begin_onboarding(svc: Services, message: Message, user: UserRecord) -> None:
    """After /start for someone not set up yet: ask the time zone first."""
    await svc.store.update_user(user.id, svc.clock.now(), onboarding="ob:timezone")
    await message.reply_text(texts.ASK_TIMEZONE, reply_markup=zone_keyboard(user.language_code))


async def continue_onboarding(svc: Services, message: Message, user: UserRecord) -> None:
    """/start again in the middle of the set-up: ask the pending question again."""
    step = (user.onboarding or "").removeprefix("ob:")
    if step in (MORNING, BEDTIME):
        await message.reply_text(texts.ask_time(step), reply_markup=time_keyboard(step))
    else:
        await begin_onboarding(svc, message, user)


async def _after_zone(
    svc: Services, message: Message, user: UserRecord, zone: str, label: str
) -> None:
    onboarding = user.onboarding == "ob:timezone"
    # The step moves on first: nudges are scheduled as soon as the zone is known, even if the
    # user never answers the time questions (the defaults apply).
    next_step = "ob:morning" if onboarding else None
    await svc.store.update_user(user.id, svc.clock.now(), onboarding=next_step)
    await svc.subscriptions.set_timezone(user.id, zone)
    await message.reply_text(texts.zone_set(label))
    if onboarding:
        await message.reply_text(texts.ask_time(MORNING), reply_markup=time_keyboard(MORNING))
    else:
        await _show_summary(svc, message, user.id)


async def _after_time(
    svc: Services, message: Message, user: UserRecord, kind: str, local: time | None
) -> None:
    if local is None:
        await svc.subscriptions.set_enabled(user.id, kind, False)
        await message.reply_text(texts.nudge_off(kind))
    else:
        await svc.subscriptions.set_time(user.id, kind, local)
        await message.reply_text(texts.time_set(kind, f"{local:%H:%M}"))
    if user.onboarding == "ob:morning" and kind == MORNING:
        await svc.store.update_user(user.id, svc.clock.now(), onboarding="ob:bedtime")
        await message.reply_text(texts.ask_time(BEDTIME), reply_markup=time_keyboard(BEDTIME))
        return
    finishing = user.onboarding == "ob:bedtime"
    await svc.store.update_user(user.id, svc.clock.now(), onboarding=None)
    schedule = await svc.subscriptions.schedule(user.id)
    if schedule is not None:
        text = summary(schedule, svc.clock.now())
        await message.reply_text(texts.all_set(text) if finishing else text)


async def _show_summary(svc: Services, message: Message, user_id: int) -> None:
    schedule = await svc.subscriptions.schedule(user_id)
    if schedule is not None:
        await message.reply_text(summary(schedule, svc.clock.now()))


async def _user(svc: Services, update: Update) -> UserRecord | None:
    if update.effective_user is None:
        return None
    user = await svc.store.get_user(update.effective_user.id)
    if user is None and update.effective_message is not None:
        await update.effective_message.reply_text(texts.NO_USER)
    return user


async def _zone_text(svc: Services, message: Message, user: UserRecord, text: str) -> None:
    if is_utc_offset(text):
        await message.reply_text(texts.OFFSET_ZONE)
        return
    match = resolve_zone(text)
    if match is None:
        await message.reply_text(texts.BAD_ZONE)
        return
    await _after_zone(svc, message, user, match.zone, match.label)


async def _time_text(
    svc: Services, message: Message, user: UserRecord, kind: str, text: str
) -> None:
    local = parse_time_of_day(text)
    if local is None:
        await message.reply_text(texts.BAD_TIME)
        return
    await _after_time(svc, message, user, kind, local)


# Handlers -------------------------------------------------------------------------------------


async def timezone_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc, message = services(context), update.effective_message
    user = await _user(svc, update)
    if user is None or message is None:
        return
    if context.args:
        await _zone_text(svc, message, user, " ".join(context.args))
        return
    await svc.store.update_user(user.id, svc.clock.now(), onboarding="set:timezone")
    await message.reply_text(texts.ASK_TIMEZONE, reply_markup=zone_keyboard(user.language_code))


async def morning_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _time_command(update, context, MORNING)


async def bedtime_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _time_command(update, context, BEDTIME)


async def _time_command(update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str) -> None:
    svc, message = services(context), update.effective_message
    user = await _user(svc, update)
    if user is None or message is None:
        return
    if context.args:
        await _time_text(svc, message, user, kind, " ".join(context.args))
        return
    await svc.store.update_user(user.id, svc.clock.now(), onboarding=f"set:{kind}")
    await message.reply_text(texts.ask_time(kind), reply_markup=time_keyboard(kind))


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc, message = services(context), update.effective_message
    user = await _user(svc, update)
    if user is None or message is None:
        return
    schedule = await svc.subscriptions.schedule(user.id)
    assert schedule is not None
    await message.reply_text(
        f"{texts.SETTINGS_TITLE}\n\n{summary(schedule, svc.clock.now())}",
        reply_markup=settings_keyboard(schedule),
    )


async def pause_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc, message = services(context), update.effective_message
    user = await _user(svc, update)
    if user is None or message is None:
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
    await message.reply_text(texts.paused_until_text(_local_text(until, user.timezone)))


async def resume_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc, message = services(context), update.effective_message
    user = await _user(svc, update)
    if user is None or message is None:
        return
    if user.paused_until is None or user.paused_until <= svc.clock.now():
        await message.reply_text(texts.NOT_PAUSED)
        return
    schedule = await svc.subscriptions.resume(user.id)
    assert schedule is not None
    await message.reply_text(f"{texts.RESUMED}\n\n{summary(schedule, svc.clock.now())}")


async def stop_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc, message = services(context), update.effective_message
    user = await _user(svc, update)
    if user is None or message is None:
        return
    await svc.subscriptions.unsubscribe(user.id)
    await message.reply_text(texts.STOPPED)


async def text_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text: an answer to a pending question, else a pointer to /help."""
    svc, message = services(context), update.effective_message
    if message is None or update.effective_user is None:
        return
    user = await svc.store.get_user(update.effective_user.id)
    awaiting = (user.onboarding or "").split(":")[-1] if user else ""
    if user is None or not awaiting:
        await message.reply_text(texts.FREE_TEXT)
        return
    text = message.text or ""
    if awaiting == "timezone":
        await _zone_text(svc, message, user, text)
    elif awaiting in (MORNING, BEDTIME):
        await _time_text(svc, message, user, awaiting, text)
    else:
        await message.reply_text(texts.FREE_TEXT)


async def location_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location answers the time-zone question (offline lookup). Unasked, it changes
    nothing, as a typed city would not: it could be meant for anything, and taking it would
    also drop a set-up question still pending."""
    svc, message = services(context), update.effective_message
    if message is None or message.location is None:
        return
    user = await _user(svc, update)
    if user is None:
        return
    if (user.onboarding or "").split(":")[-1] != "timezone":
        await message.reply_text(texts.LOCATION_UNASKED)
        return
    zone = zone_from_location(message.location.latitude, message.location.longitude)
    if zone is None:
        await message.reply_text(texts.BAD_LOCATION)
        return
    match = resolve_zone(zone)
    await _after_zone(svc, message, user, zone, match.label if match else zone)


async def zone_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    if not isinstance(query.message, Message) or not query.message.is_accessible:
        # A message Telegram no longer lets the bot see (date 0): it cannot be edited, so the
        # press is refused, but still answered.
        await query.answer(texts.UNKNOWN_BUTTON)
        return
    svc = services(context)
    match = resolve_zone(query.data.removeprefix(f"{ZONE_PREFIX}:"))
    user = await svc.store.get_user(query.from_user.id)
    if match is None or user is None:
        await query.answer(texts.UNKNOWN_BUTTON)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _after_zone(svc, query.message, user, match.zone, match.label)


async def time_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    if not isinstance(query.message, Message) or not query.message.is_accessible:
        # A message Telegram no longer lets the bot see (date 0): it cannot be edited, so the
        # press is refused, but still answered.
        await query.answer(texts.UNKNOWN_BUTTON)
        return
    svc = services(context)
    parts = query.data.split(":")
    user = await svc.store.get_user(query.from_user.id)
    valid = len(parts) == 3 and parts[1] in (MORNING, BEDTIME)
    local: time | None = None
    if valid and parts[2] != "off":
        local = parse_time_of_day(f"{parts[2][:2]}:{parts[2][2:]}") if len(parts[2]) == 4 else None
        valid = local is not None
    if not valid or user is None:
        await query.answer(texts.UNKNOWN_BUTTON)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _after_time(svc, query.message, user, parts[1], local)


async def menu_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    if not isinstance(query.message, Message) or not query.message.is_accessible:
        # A message Telegram no longer lets the bot see (date 0): it cannot be edited, so the
        # press is refused, but still answered.
        await query.answer(texts.UNKNOWN_BUTTON)
        return
    svc = services(context)
    user = await svc.store.get_user(query.from_user.id)
    parts = query.data.split(":")
    if user is None or len(parts) < 2:
        await query.answer(texts.UNKNOWN_BUTTON)
        return
    now = svc.clock.now()
    if parts[1] == "tz" and len(parts) == 2:
        await query.answer()
        await svc.store.update_user(user.id, now, onboarding="set:timezone")
        await query.message.reply_text(
            texts.ASK_TIMEZONE, reply_markup=zone_keyboard(user.language_code)
        )
    elif parts[1] == "time" and len(parts) == 3 and parts[2] in (MORNING, BEDTIME):
        await query.answer()
        await svc.store.update_user(user.id, now, onboarding=f"set:{parts[2]}")
        await query.message.reply_text(
            texts.ask_time(parts[2]), reply_markup=time_keyboard(parts[2])
        )
    elif parts[1] in ("on", "off") and len(parts) == 3 and parts[2] in (MORNING, BEDTIME):
        schedule = await svc.subscriptions.set_enabled(user.id, parts[2], parts[1] == "on")
        assert schedule is not None
        await query.answer()
        await query.edit_message_text(
            f"{texts.SETTINGS_TITLE}\n\n{summary(schedule, now)}",
            reply_markup=settings_keyboard(schedule),
        )
    else:
        await query.answer(texts.UNKNOWN_BUTTON)
