"""/stretch, /routines and the session buttons: parse, hand to the coach, answer. Also the
"carry on or start over?" question of a /stretch mid-session and the pause offered after
"This hurts"."""

from __future__ import annotations

import time

from telegram import Bot, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import i18n, texts
from bot.context import LimberContext
from bot.domain.pain_care import is_high
from bot.domain.session import PACES
from bot.handlers.press import Press, button, claim, pressed_message, read_press
from bot.handlers.registry import Chats, Handlers
from bot.handlers.summary import local_text
from bot.keyboards import (
    HurtPausePress,
    PainCheckPress,
    RestartPress,
    RoutinePress,
    SessionPress,
    hurt_pause_keyboard,
    restart_keyboard,
    routines_keyboard,
)
from bot.routines import Routine
from bot.services import Services
from bot.store.repo import NoRow, SessionRecord, UserRecord


async def stretch(update: Update, context: LimberContext) -> None:
    """Start a session: the default routine, or the one named."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    svc = context.services
    routine = svc.library.default
    if context.args:
        name = " ".join(context.args)
        found = svc.library.get(name)
        if found is None:
            await message.reply_text(texts.unknown_routine(name, svc.library))
            return
        routine = found
    # Read at the start of this update (group -3), milliseconds ago: fresh enough to reuse.
    known = context.known_user
    await _begin(
        svc,
        context.bot,
        user.id,
        message.chat_id,
        user.first_name,
        user.language_code,
        routine,
        known,
    )


async def routines(update: Update, context: LimberContext) -> None:
    """A button per routine."""
    user, message = update.effective_user, update.effective_message
    if message is None:
        return
    svc = context.services
    # Durations at the person's own hold length and pace (/settings), as their sessions run.
    known = context.update_user  # read at the start of this update (group -3)
    if known is None and user is not None:
        known = await svc.subscriptions.subscriber(user.id)
    hold = known.hold_seconds if known else None
    pace = PACES.get(known.pace, 100) if known else 100
    await message.reply_text(
        texts.routines_menu(svc.library, hold_seconds=hold, pace=pace),
        reply_markup=routines_keyboard(svc.library, hold_seconds=hold, pace=pace),
    )


async def routine_button(update: Update, context: LimberContext) -> None:
    """A routine was picked from /routines."""
    read = await read_press(update, RoutinePress)
    if read is None:
        return
    query, pressed = read
    message = await pressed_message(query)
    if message is None:
        return
    svc = context.services
    routine = svc.library.get(pressed.routine_id)
    if routine is None:
        await query.answer(texts.UNKNOWN_BUTTON)  # the routines file changed since
        return
    # The menu's buttons go before the session starts: a double tap starts one session, the
    # second tap is told it's done. /routines shows the menu again.
    if not await claim(query):
        return
    user = query.from_user
    await _begin(
        svc, context.bot, user.id, message.chat.id, user.first_name, user.language_code, routine
    )


async def session_button(update: Update, context: LimberContext) -> None:
    """Ready / Pause / Resume / Skip / Stop / This hurts."""
    read = await read_press(update, SessionPress)
    if read is None:
        return
    query, pressed = read
    answered = False
    svc = context.services
    began = time.monotonic()

    async def acknowledge() -> None:
        nonlocal answered
        answered = True
        await query.answer()
        svc.metrics.press_answer_seconds.observe(time.monotonic() - began)

    def use_language(chosen: str | None) -> None:
        # The update's language, from the owner's choice read with the session (app.py's
        # group -3 reads no row for a session press).
        i18n.set_language(i18n.effective(chosen, query.from_user.language_code))

    message_id = query.message.message_id if query.message is not None else None
    outcome = await svc.coach.press(
        pressed.session_id,
        pressed.event,
        pressed.version,
        query.from_user.id,
        acknowledge,
        message_id,
        use_language,
    )
    if not answered:
        await query.answer(outcome.answer)
        svc.metrics.press_answer_seconds.observe(time.monotonic() - began)


async def _begin(
    svc: Services,
    bot: Bot,
    user_id: int,
    chat_id: int,
    first_name: str,
    language_code: str | None,
    routine: Routine,
    known: UserRecord | NoRow | None = None,
) -> None:
    """Start `routine` (`known`: the user's row, or NO_ROW for none, only if read with nothing
    awaited since: a row read before a claim's edit may miss a /stop or a setting changed
    meanwhile)."""
    user, created = await svc.subscriptions.join(user_id, chat_id, first_name, language_code, known)
    if created:
        # Someone who skipped /start still hears the medical note before the first stretch.
        # Their row was inserted just now, so no session or pain answer references it: the
        # two reads for those are skipped, a third of a first /stretch's round trips.
        await bot.send_message(chat_id, texts.MEDICAL_NOTE)
    elif (live := await svc.coach.live_session(user_id)) is not None:
        await ask_over_running(svc, bot, chat_id, live, routine)
        return
    await start_session(svc, user_id, chat_id, routine, user, newcomer=created)


async def start_session(
    svc: Services,
    user_id: int,
    chat_id: int,
    routine: Routine,
    known: UserRecord | None = None,
    *,
    newcomer: bool = False,
) -> None:
    """Start `routine`, unless the back hurt lately (a 7+ answer or "This hurts" within a
    day): then ask how it is right now first (bot/domain/pain_care.py). Every way into a
    session comes through here: /stretch, /routines, a nudge's Start now, Start over.
    `newcomer`: the user's row was inserted by this update, so no pain was answered yet."""
    if not newcomer and await svc.pain_care.check_first(user_id):
        await svc.pain_care.ask_first(chat_id, routine)
        return
    await svc.coach.begin(user_id, chat_id, routine, known)


@button(PainCheckPress)
async def pain_check_button(press: Press[PainCheckPress]) -> None:
    """The answer to "how is your back right now?" asked before a session: below 7 or Start
    anyway starts it; 7 or more advises rest (and offers a pause); Not now starts nothing."""
    svc, user, pressed, chat_id = press.svc, press.user, press.data, press.message.chat.id
    # The routines file may have changed since the question: then the default routine.
    routine = svc.library.get(pressed.routine_id) or svc.library.default
    if not pressed.start:
        await claim(press.query, texts.PAIN_CHECK_NOT_NOW)
        return
    if pressed.score is None:
        if await claim(press.query, texts.PAIN_CHECK_ANYWAY):
            await _begin_checked(svc, press.bot, user.id, chat_id, routine)
        return
    score = pressed.score
    high = is_high(score)
    said = texts.pain_check_high(score) if high else texts.pain_check_ok(score)
    if not await claim(press.query, said, hurt_pause_keyboard() if high else None):
        return  # a double tap: answered once
    day = svc.pain_care.today(user.timezone)
    await svc.pain_care.record(user.id, day, score)
    if high:
        # The advice is the edited question itself: only a doctor after three 7+ answers.
        await svc.pain_care.answered(user.id, chat_id, score, before=score)
    else:
        await _begin_checked(svc, press.bot, user.id, chat_id, routine)


async def _begin_checked(
    svc: Services, bot: Bot, user_id: int, chat_id: int, routine: Routine
) -> None:
    """Start after the pain check was answered (a session may have been started meanwhile)."""
    live = await svc.coach.live_session(user_id)
    if live is not None:
        await ask_over_running(svc, bot, chat_id, live, routine)
        return
    await svc.coach.begin(user_id, chat_id, routine)


async def ask_over_running(
    svc: Services, bot: Bot, chat_id: int, live: SessionRecord, routine: Routine
) -> None:
    """Carry on or start over `routine`? Asked by whatever would start a session while one
    runs (/stretch, /routines, a nudge's Start now): never replaced silently, it may be a
    stray tap."""
    running = svc.library.get(live.routine_id)
    await bot.send_message(
        chat_id,
        texts.session_running(running.title if running else routine.title),
        reply_markup=restart_keyboard(live.id, routine.id),
    )


@button(RestartPress)
async def restart_button(press: Press[RestartPress]) -> None:
    """Carry on / Start over, asked by a /stretch during a session."""
    query, message, svc, pressed = press.query, press.message, press.svc, press.data
    routine = svc.library.get(pressed.routine_id) if pressed.routine_id is not None else None
    if pressed.start_over and routine is None:
        await query.answer(texts.UNKNOWN_BUTTON)  # the routines file changed since
        return
    if not pressed.start_over:
        await claim(query, texts.CARRYING_ON)
        return
    if not await claim(query, texts.STARTING_OVER):
        return  # a double tap starts one session
    assert routine is not None
    # The running session is replaced; its hold message is closed with what was held.
    await start_session(svc, press.user.id, message.chat.id, routine)


@button(HurtPausePress)
async def hurt_pause_button(press: Press[HurtPausePress]) -> None:
    """Pause 3 days / 7 days / No thanks, offered after "This hurts"."""
    query, svc, user, days = press.query, press.svc, press.user, press.data.days
    if days == 0:
        await claim(query, texts.HURT_NO_PAUSE)
        return
    until = await svc.subscriptions.pause(user.id, days)
    await claim(query, texts.hurt_paused(local_text(until, user.timezone)))


def handlers(chats: Chats) -> Handlers:
    return [
        CommandHandler("stretch", stretch, filters=chats.private),
        CommandHandler("routines", routines, filters=chats.private),
        CallbackQueryHandler(session_button, pattern=SessionPress.pattern),
        CallbackQueryHandler(routine_button, pattern=RoutinePress.pattern),
        CallbackQueryHandler(pain_check_button, pattern=PainCheckPress.pattern),
        CallbackQueryHandler(restart_button, pattern=RestartPress.pattern),
        CallbackQueryHandler(hurt_pause_button, pattern=HurtPausePress.pattern),
    ]
