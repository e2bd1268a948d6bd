"""build_application: wires settings, store, routines, clock, handlers and jobs. No logic."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import flood, i18n, texts
from bot.budget import shared_budget
from bot.clock import Clock, SystemClock
from bot.config import Settings, version
from bot.context import CONTEXT_TYPES, LimberContext
from bot.groups.desk import TeamDesk
from bot.groups.teams import Teams
from bot.handlers import (
    admin,
    errors,
    fallback,
    language,
    nudge,
    privacy,
    privacy_info,
    reach,
    registry,
    start,
    stats,
    stretch,
    team,
)
from bot.handlers import onboarding as answers
from bot.handlers import settings as prefs
from bot.handlers.admin import watch
from bot.http import AiohttpRequest
from bot.keyboards.session import SessionPress
from bot.logs import Repeats
from bot.metrics import Metrics
from bot.nudges import NudgeDispatcher
from bot.pain_care import PainCare
from bot.pictures import Pictures
from bot.player.address import player_url
from bot.player.menu import set_menu_button
from bot.progress import Progress
from bot.ratelimit import PriorityRateLimiter, chat_pace
from bot.routines import Library, load_routines
from bot.services import KEY, AnyApp, Services
from bot.sessions.aftercare import Aftercare
from bot.sessions.chat import SessionChat
from bot.sessions.coach import Coach
from bot.sessions.settings import CoachSettings
from bot.store.db import create_engine
from bot.store.repo import NO_ROW, Store
from bot.subscription import Subscriptions

# English (the default for every language without its own list); commands_for() gives the rest.
COMMANDS = [BotCommand(name, description) for name, description in texts.commands()]
TICK_JOB = "nudge-tick"
TEAM_TICK_JOB = "team-tick"
TEAM_KEY = "team_desk"
log = logging.getLogger(__name__)

# Only what the handlers use: fewer updates to fetch, and the same list goes to setWebhook.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    library: Library | None = None,
    store: Store | None = None,
) -> AnyApp:
    """The bot, ready for `run_polling` (or `async with app` + `app.start()` in tests)."""
    library = library or load_routines(settings.routines_path)
    store = store or Store(create_engine(settings.database_url))
    clock = clock or SystemClock()
    # The Application's metrics, told of every Bot API request (method and result).
    metrics = Metrics(version())
    requests = (
        AiohttpRequest(
            connection_pool_size=256,
            read_timeout=settings.telegram_read_timeout,
            observe=metrics.telegram_call,
        ),
        AiohttpRequest(connection_pool_size=2, observe=metrics.telegram_call),
    )
    app: AnyApp = _builder(settings, requests).build()
    pain = PainCare(store, clock, app.bot)
    progress = Progress(store, clock, app.bot, pain)
    coach = _coach(app, settings, store, library, clock, progress)
    dispatcher = NudgeDispatcher(
        store,
        app.bot,
        clock,
        grace=timedelta(minutes=settings.nudge_grace_minutes),
        metrics=metrics,
        keep_going=lambda: app.running,
        weekly_text=progress.weekly_text,
    )
    subscriptions = Subscriptions(store, clock)
    app.bot_data[KEY] = Services(
        settings,
        store,
        library,
        clock,
        coach,
        subscriptions,
        dispatcher,
        metrics,
        progress,
        pain,
        Teams(store, clock),
    )
    _add_handlers(app)
    return app


# Updates handled at once. A handler keeps its slot until its messages are sent, at 29 a second
# for the whole bot: a Ready press sends two, so a burst of presses holds slots for seconds.
# With PTB's usual 256, the 300th of 300 presses at once was answered 3.2 s late (10.6 s
# before the limiter served handlers in order); with 4096 all 300 within 0.29 s, and 1,000
# within 1.05 s (the CPU's 1 ms a press), for 8 KiB of memory per update in flight
# (benchmarks/load.py): 32 MiB if every slot is taken. The flood gate keeps any one chat to 16.
UPDATE_SLOTS = 4096


def _builder(
    settings: Settings, requests: tuple[AiohttpRequest, AiohttpRequest]
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """PTB's Application as the bot runs it: its requests, context, concurrency and limiter."""
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .token(settings.require_token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.file_base_url)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        # Every handler, error handler and job gets a LimberContext: context.services, and
        # the row read for the language (bot/context.py).
        .context_types(CONTEXT_TYPES)
        .request(requests[0])
        .get_updates_request(requests[1])
        # One user's slow handler (waiting for the rate limiter) must not hold up the others;
        # session changes are compare-and-set, so concurrent updates are safe.
        .concurrent_updates(UPDATE_SLOTS)
    )
    if settings.rate_limit:
        # About 30 messages/s overall, smooth, people before broadcasts; about one a second
        # per chat, one chat never waiting for another (bot/ratelimit.py).
        builder = builder.rate_limiter(
            PriorityRateLimiter(
                per_second=29,
                max_retries=3,
                per_chat_per_second=chat_pace(settings.chat_pace_per_second),
                # Shared by every worker on one PostgreSQL (bot/budget.py); None on SQLite.
                budget=shared_budget(settings.database_url, settings.require_token()),
            )
        )
    return builder


def _coach(
    app: AnyApp,
    settings: Settings,
    store: Store,
    library: Library,
    clock: Clock,
    progress: Progress,
) -> Coach:
    """Guided sessions: the coach, its chat (with the streak lines and the pain question once
    a session is finished) and its follow-ups on the event loop's timers."""
    aftercare = Aftercare(store, clock, app.bot, progress.ask_pain)
    chat = SessionChat(
        app.bot,
        store,
        clock,
        countdown_step_seconds=settings.countdown_step_seconds,
        finish_lines=progress.finish_lines,
        after_finish=progress.after_session,
        after_hurt=aftercare.after_hurt,
        pictures=Pictures(),
        pause_limit_seconds=settings.pause_limit_seconds,
        # Countdowns thin out when the Telegram budget runs short (bot/ratelimit.py).
        limiter=limiter
        if isinstance(limiter := app.bot.rate_limiter, PriorityRateLimiter)
        else None,
        player_url=player_url(settings.public_url) if settings.public_url else None,
    )
    return Coach(
        store,
        library,
        clock,
        CoachSettings(
            switch_seconds=settings.switch_seconds,
            countdown_step_seconds=settings.countdown_step_seconds,
            resume_ask_after_seconds=settings.resume_ask_after_seconds,
            pause_limit_seconds=settings.pause_limit_seconds,
        ),
        chat=chat,
        queue=app.job_queue,
        aftercare=aftercare,
    )


def _add_handlers(app: AnyApp) -> None:
    # The ONE place an update's language is set, before any handler writes a word (group -3).
    app.add_handler(TypeHandler(Update, _use_language), group=-3)
    # Counted before any feature handler sees the update (group -2 never blocks the others).
    app.add_handler(TypeHandler(Update, _count_update), group=-2)
    # Answers first at the rate limiter; a chat's repeats and floods stop here (bot/flood.py).
    app.add_handler(TypeHandler(Update, flood.front_door), group=-1)
    where = registry.chats(app.bot_data[KEY].settings.admin_id_set)
    # Each feature lists its own handlers beside them (bot/handlers/registry.py).
    for feature in FEATURES:
        app.add_handlers(feature(where))
    watch(app)  # the in-process counters /admin reads
    # The catch-alls, last: a button or command nobody knows, typed answers, locations.
    private = where.private
    app.add_handler(CallbackQueryHandler(fallback.unknown_button))
    app.add_handler(MessageHandler(private & filters.COMMAND, fallback.unknown_command))
    app.add_handler(MessageHandler(private & filters.TEXT, answers.text_answer))
    app.add_handler(MessageHandler(private & filters.LOCATION, answers.location_answer))
    app.add_handler(MessageHandler(private, fallback.free_text))
    app.add_error_handler(errors.on_error)


# The features whose handlers the application collects: group chats first (their /start,
# /help and /privacy are for groups; the private ones carry the private-chat filter).
FEATURES: tuple[Callable[[registry.Chats], registry.Handlers], ...] = (
    team.handlers,
    start.handlers,
    stretch.handlers,
    prefs.handlers,
    privacy.handlers,
    privacy_info.handlers,
    stats.handlers,
    reach.handlers,
    language.handlers,
    admin.handlers,
    nudge.handlers,
    answers.handlers,
)


async def _use_language(update: Update, context: LimberContext) -> None:
    """The user's language for everything this update writes: the one they picked with
    /language, else their Telegram app's (also for someone not yet in the database). PTB runs
    each update in its own task (concurrent_updates), so this is the update's alone. The row
    read stays on the update's context (`context.known_user`) for the handler after this."""
    user = update.effective_user
    if user is None:
        i18n.set_language(i18n.SOURCE)
        return
    if _session_press(update):
        # The hot path: the session's own read brings its owner's choice (Coach.press), one
        # round trip of a press's four; until then, their Telegram app's language.
        i18n.set_language(i18n.effective(None, user.language_code))
        return
    svc = context.services
    chosen: str | None = None
    try:
        stored = await svc.subscriptions.subscriber(user.id)
    except (SQLAlchemyError, OSError) as exc:
        # The reply may still work (or say sorry): in the app's language rather than none.
        log.warning("language of user %s unreadable: %s", user.id, type(exc).__name__)
        stored = None
    else:
        chosen = stored.language if stored is not None else None
        context.known_user = stored if stored is not None else NO_ROW
    i18n.set_language(i18n.effective(chosen, user.language_code))


def _session_press(update: Update) -> bool:
    query = update.callback_query
    data = query.data if query is not None else None
    return data is not None and data.startswith(f"{SessionPress.prefix}:")


async def _count_update(update: Update, context: LimberContext) -> None:
    context.services.metrics.updates.inc()


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    svc: Services = app.bot_data[KEY]
    await _describe_bot(app)
    await set_menu_button(app.bot, svc.settings.public_url)
    await svc.coach.resume_all()
    svc.coach.recovery.start_sweeping()
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _tick,
            interval=svc.settings.nudge_tick_seconds,
            first=0.0,
            name=TICK_JOB,
            job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        )
        # Team breaks in groups (bot/groups/): their own tick, as the nudges'.
        app.bot_data[TEAM_KEY] = TeamDesk(
            svc.store, app.bot, svc.clock, svc.library, keep_going=app_running(app)
        )
        app.job_queue.run_repeating(
            _team_tick,
            # In clock seconds: `try --speed 60` must not skip a break's 15 s stages.
            interval=max(0.05, svc.clock.real_delay(svc.settings.team_tick_seconds)),
            first=0.0,
            name=TEAM_TICK_JOB,
            job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        )


def commands_for(language: str) -> list[BotCommand]:
    with i18n.using(language):
        return [BotCommand(name, description) for name, description in texts.commands()]


async def _describe_bot(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The command menu, description and short description, once per language: English as the
    default (no language_code: every language without its own), the others by their ISO 639-1
    code (pt_BR as "pt", which Telegram's pt-br users fall under). A refusal is logged and
    the start goes on: a menu in the wrong language must not keep the bot from coaching."""
    for lang in i18n.LANGUAGES:
        code = None if lang == i18n.SOURCE else i18n.telegram_code(lang)
        try:
            with i18n.using(lang):
                await app.bot.set_my_commands(commands_for(lang), language_code=code)
                await app.bot.set_my_description(texts.description(), language_code=code)
                await app.bot.set_my_short_description(texts.SHORT_DESCRIPTION, language_code=code)
        except TelegramError as exc:
            log.warning("commands/description for %s not set: %s", lang, exc)


async def _tick(context: LimberContext) -> None:
    try:
        await context.services.dispatcher.tick()
    except Exception as exc:  # a database down or read-only: one line, not one per tick
        _TICK_REPEATS.failed("nudge tick", exc)
    else:
        _TICK_REPEATS.worked("nudge tick")


_TICK_REPEATS = Repeats(log)


async def _team_tick(context: LimberContext) -> None:
    desk: TeamDesk = context.application.bot_data[TEAM_KEY]
    await desk.tick()


def app_running(app: AnyApp) -> Callable[[], bool]:
    return lambda: app.running


def team_desk(app: AnyApp) -> TeamDesk:
    """The app's team desk (tests, the sandbox and the benchmark tick it by hand)."""
    found = app.bot_data[TEAM_KEY]
    assert isinstance(found, TeamDesk)
    return found


async def _post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    svc: Services = app.bot_data[KEY]
    await svc.store.close()


async def start_app(app: AnyApp) -> None:
    """Initialise and start without run_polling/run_webhook (webhook server, tests, `try`).

    PTB calls post_init/post_shutdown only from its run_* methods, so they are called here.
    """
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()


async def stop_app(app: AnyApp) -> None:
    """The reverse of start_app: stop polling if running, drain, shut down."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    # The sessions' timers, as app.stop() ends the JobQueue's jobs (bot/sessions/followups.py).
    await app.bot_data[KEY].coach.follow_ups.close()
    # A picture still uploading alone (bot/uploads.py) is let go before the bot's HTTP
    # client closes under it: its card went as text already.
    await app.bot_data[KEY].coach.chat.uploads.close()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
