"""Answers to the pending question (domain/onboarding.py decides which): a zone or time button,
typed text, a shared location; and the effects of the machine's transitions as messages."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler

from bot import i18n, texts
from bot.context import LimberContext
from bot.domain import onboarding as machine
from bot.domain.onboarding import Effect, Pending, Step, Transition
from bot.domain.timeinput import in_the_night, plausible, read_time
from bot.handlers.press import Press, button, claim, retire
from bot.handlers.registry import Chats, Handlers
from bot.handlers.summary import summary
from bot.keyboards import (
    TimePress,
    ZonePress,
    place_keyboard,
    time_check_keyboard,
    time_keyboard,
    zone_keyboard,
)
from bot.places.index import Place, city_index, find_places
from bot.places.labels import place_key, place_label, zone_label
from bot.places.zones import is_utc_offset, zone_by_name, zone_from_location
from bot.services import Services
from bot.store.repo import UserRecord


def pending_of(user: UserRecord) -> Pending | None:
    return machine.decode(user.onboarding)


async def save(svc: Services, user: UserRecord, transition: Transition) -> None:
    """Store the next pending question (only when it changed: one write less per answer)."""
    column = machine.encode(transition.pending)
    if column != user.onboarding:
        await svc.subscriptions.set_onboarding(user.id, column)


async def perform(
    svc: Services, message: Message, user: UserRecord, transition: Transition
) -> None:
    """The transition's effects as messages (greetings and reading are the caller's)."""
    step = transition.pending.step if transition.pending else None
    for effect in transition.effects:
        if effect is Effect.ASK and step is not None:
            await message.reply_text(_question(step), reply_markup=_buttons(step, user))
        elif effect is Effect.REASK and step is not None:
            await message.reply_text(texts.reask(step), reply_markup=_buttons(step, user))
        elif effect is Effect.FREE_TEXT:
            await message.reply_text(texts.FREE_TEXT)
        elif effect is Effect.LOCATION_UNASKED:
            await message.reply_text(texts.LOCATION_UNASKED)
        elif effect in (Effect.SHOW_SUMMARY, Effect.ALL_SET):
            schedule = await svc.subscriptions.schedule(user.id)
            if schedule is not None:
                text = summary(schedule, svc.clock.now())
                await message.reply_text(texts.all_set(text) if effect is Effect.ALL_SET else text)


def _question(step: Step) -> str:
    return texts.ASK_TIMEZONE if step is Step.TIMEZONE else texts.ask_time(step)


def _buttons(step: Step, user: UserRecord) -> InlineKeyboardMarkup:
    return zone_keyboard(user.language_code) if step is Step.TIMEZONE else time_keyboard(step)


async def ask(svc: Services, message: Message, user: UserRecord, step: Step) -> None:
    """/timezone, /morning, /bedtime without an argument, or a /settings button."""
    transition = machine.step(pending_of(user), machine.Asked(step))
    await save(svc, user, transition)
    await perform(svc, message, user, transition)


async def zone_chosen(
    svc: Services,
    message: Message,
    user: UserRecord,
    zone: str,
    label: str,
    place: str | None = None,
) -> None:
    """Set the zone; `place` (labels.place_key) is the place chosen for it, kept so that
    /settings names the city the user chose (Lyon), not the one the zone is named after."""
    transition = machine.step(pending_of(user), machine.ZoneChosen())
    # The step moves on first: nudges are scheduled as soon as the zone is known, even if the
    # user never answers the time questions (the defaults apply).
    await save(svc, user, transition)
    await svc.subscriptions.set_timezone(user.id, zone, place)
    await message.reply_text(texts.zone_set(label, _clock_in(zone, svc.clock.now())))
    await perform(svc, message, user, transition)


async def time_chosen(
    svc: Services, message: Message, user: UserRecord, kind: Step, local: time | None
) -> None:
    if local is None:
        await svc.subscriptions.set_enabled(user.id, kind, False)
        await message.reply_text(texts.nudge_off(kind))
    else:
        await svc.subscriptions.set_time(user.id, kind, local)
        shown = texts.clock(local)
        # After /stop nothing is scheduled: "set for 08:00" would promise a nudge.
        await message.reply_text(
            texts.time_set(kind, shown)
            if user.active
            else texts.time_set_while_stopped(kind, shown)
        )
    transition = machine.step(pending_of(user), machine.TimeChosen(kind))
    await save(svc, user, transition)
    await perform(svc, message, user, transition)


def _clock_in(zone: str, now: datetime) -> str:
    return texts.clock(now.astimezone(ZoneInfo(zone)))


async def zone_text(svc: Services, message: Message, user: UserRecord, text: str) -> None:
    """A typed place: a zone name, a city (asked among several where the name is ambiguous),
    or an offset, which is refused with why."""
    if is_utc_offset(text):
        await message.reply_text(
            texts.OFFSET_ZONE, reply_markup=_reask_buttons(user, Step.TIMEZONE)
        )
        return
    # Places are named in the language the user reads; their app's language (which may be
    # another) only says which countries come first.
    shown_in = i18n.current()
    zone = zone_by_name(text)
    if zone is not None:
        await zone_chosen(svc, message, user, zone, zone_label(zone, shown_in))
        return
    found = find_places(text, user.language_code)
    if found.best is None:
        await message.reply_text(texts.BAD_ZONE, reply_markup=_reask_buttons(user, Step.TIMEZONE))
        return
    if found.ambiguous:
        # The choice buttons answer the zone question: make it the pending one (it already is
        # during set-up; `/timezone Birmingham` asks it now), so that they act (zone_button).
        pending = pending_of(user)
        if pending is None or pending.step is not Step.TIMEZONE:
            await save(svc, user, machine.step(pending, machine.Asked(Step.TIMEZONE)))
        choices = [(place_label(p, shown_in, found.typed), p.zone, p.number) for p in found.places]
        await message.reply_text(
            texts.which_place(found.typed or found.best.name),
            reply_markup=place_keyboard(choices),
        )
        return
    label = place_label(found.best, shown_in, found.typed)
    key = place_key(found.best, found.typed)
    await zone_chosen(svc, message, user, found.best.zone, label, key)


async def time_text(
    svc: Services, message: Message, user: UserRecord, kind: Step, text: str
) -> None:
    reading = read_time(text)
    if reading is None:
        await message.reply_text(texts.BAD_TIME, reply_markup=_reask_buttons(user, kind))
        return
    check = plausible(kind is Step.MORNING, reading)
    if not check.fits:
        # A morning nudge in the evening, a bedtime in the morning: asked, never taken silently.
        await message.reply_text(
            texts.time_check(kind, texts.clock(reading.value), in_the_night(reading.value)),
            reply_markup=time_check_keyboard(kind, reading.value, check.instead),
        )
        return
    await time_chosen(svc, message, user, kind, reading.value)


def _reask_buttons(user: UserRecord, step: Step) -> InlineKeyboardMarkup | None:
    """The question's buttons again under a refusal, while that question is pending (not for
    a refused /timezone CITY typed out of the blue)."""
    pending = pending_of(user)
    return _buttons(step, user) if pending is not None and pending.step is step else None


async def user_of(svc: Services, update: Update) -> UserRecord | None:
    """The user's row; None (and "please /start") for someone the bot does not know."""
    if update.effective_user is None:
        return None
    user = await svc.subscriptions.subscriber(update.effective_user.id)
    if user is None and update.effective_message is not None:
        await update.effective_message.reply_text(texts.NO_USER)
    return user


# Handlers -------------------------------------------------------------------------------------


async def text_answer(update: Update, context: LimberContext) -> None:
    """Free text: an answer to a pending question, else a pointer to /help."""
    svc, message = context.services, update.effective_message
    if message is None or update.effective_user is None:
        return
    user = await svc.subscriptions.subscriber(update.effective_user.id)
    if user is None:
        await message.reply_text(texts.FREE_TEXT)
        return
    text = message.text or ""
    transition = machine.step(pending_of(user), machine.Typed(text))
    if Effect.READ_ZONE in transition.effects:
        await zone_text(svc, message, user, text)
    elif Effect.READ_TIME in transition.effects and transition.pending is not None:
        await time_text(svc, message, user, transition.pending.step, text)
    else:
        await perform(svc, message, user, transition)


async def location_answer(update: Update, context: LimberContext) -> None:
    """A shared location answers the time-zone question (offline lookup). Unasked, it changes
    nothing, as a typed city would not: it could be meant for anything, and taking it would
    also drop a set-up question still pending."""
    svc, message = context.services, update.effective_message
    if message is None or message.location is None:
        return
    user = await user_of(svc, update)
    if user is None:
        return
    transition = machine.step(pending_of(user), machine.Located())
    if Effect.READ_LOCATION not in transition.effects:
        await perform(svc, message, user, transition)
        return
    zone = zone_from_location(message.location.latitude, message.location.longitude)
    if zone is None:
        await message.reply_text(texts.BAD_LOCATION)
        return
    await zone_chosen(svc, message, user, zone, zone_label(zone, i18n.current()))


@button(ZonePress)
async def zone_button(press: Press[ZonePress]) -> None:
    query, message, svc, user = press.query, press.message, press.svc, press.user
    zone = zone_by_name(press.data.zone)
    if zone is None:
        await query.answer(texts.UNKNOWN_BUTTON)  # a zone this machine's tzdata lacks
        return
    pending = pending_of(user)
    if pending is None or pending.step is not Step.TIMEZONE:
        # The zone question this picker asked was answered since (a city typed, a location):
        # an old button must not change the zone hours later. Its buttons go, with a word.
        await retire(query)
        return
    if await claim(query):
        place = _pressed_place(press.data.city, zone)
        label = place_label(place, i18n.current()) if place else zone_label(zone, i18n.current())
        await zone_chosen(
            svc, message, user, zone, label, place_key(place) if place is not None else None
        )


def _pressed_place(city: int | None, zone: str) -> Place | None:
    """The place a choice button named; None for a suggestion button (a zone), or if the
    index changed since the button was sent."""
    place = city_index().city(city) if city is not None else None
    return place if place is not None and place.zone == zone else None


@button(TimePress)
async def time_button(press: Press[TimePress]) -> None:
    query, message, svc, user = press.query, press.message, press.svc, press.user
    pressed = press.data
    if await claim(query):
        await time_chosen(svc, message, user, Step(pressed.kind), pressed.local)


def handlers(chats: Chats) -> Handlers:
    """The set-up buttons; the typed answers and locations are catch-alls (bot/app.py)."""
    del chats
    return [
        CallbackQueryHandler(zone_button, pattern=ZonePress.pattern),
        CallbackQueryHandler(time_button, pattern=TimePress.pattern),
    ]
