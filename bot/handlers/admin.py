"""/admin: a few numbers for the people who run the bot (ADMIN_IDS), and nobody else.

Who may see it is decided by `Chats.operators` (bot/handlers/registry.py), a filters.User on the
sender (effective_user.id) of a new private message, given to the CommandHandler: for anyone
else the command does not match, and the update falls through to the unknown-command answer, so
/admin does not even reveal that it exists. A forged update that puts an admin's chat id on
someone else's message is still someone else's message. The handler checks again, so a
registration without the filter would fail closed. """

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.context import LimberContext
from bot.handlers.registry import Chats, Handlers
from bot.operator_counts import SAMPLE_EVERY, ErrorCounter, NudgeWindow, error_counter
from bot.services import KEY, AnyApp, Services

WATCH_KEY = "operator_watch"
SAMPLE_JOB = "operator-sample"


@dataclass
class OperatorWatch:
    errors: ErrorCounter
    nudges: NudgeWindow


def watch(app: AnyApp) -> None:
    """Start the in-process counters /admin reads (bot/operator_counts.py)."""
    svc: Services = app.bot_data[KEY]
    app.bot_data[WATCH_KEY] = OperatorWatch(error_counter(), NudgeWindow(svc.clock.now()))
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _sample,
            interval=SAMPLE_EVERY.total_seconds(),
            first=SAMPLE_EVERY.total_seconds(),
            name=SAMPLE_JOB,
            job_kwargs={"coalesce": True, "misfire_grace_time": None},
        )


async def _sample(context: LimberContext) -> None:
    svc = context.services  # a job's context is a LimberContext too
    found: OperatorWatch = context.application.bot_data[WATCH_KEY]
    t = svc.dispatcher.totals
    found.nudges.sample(svc.clock.now(), t.sent, t.failed, t.blocked)


async def admin_command(update: Update, context: LimberContext) -> None:
    svc, message, user = context.services, update.effective_message, update.effective_user
    if message is None or user is None or user.id not in svc.settings.admin_id_set:
        return
    found: OperatorWatch = context.application.bot_data[WATCH_KEY]
    now = svc.clock.now()
    subscribers, active_week, today, oldest_due = await svc.subscriptions.operator_counts(now)
    t = svc.dispatcher.totals
    nudges = found.nudges.last_day(now, t.sent, t.failed, t.blocked)
    since = (
        texts.ADMIN_THIS_PROCESS
        if nudges.full_day
        else texts.admin_since_start(int((now - nudges.since).total_seconds() // 60))
    )
    due = (
        texts.ADMIN_NO_DUE_NUDGE
        if oldest_due is None
        else texts.admin_overdue(int((now - oldest_due).total_seconds() // 60))
    )
    await message.reply_text(
        texts.admin_report(
            subscribers=subscribers,
            active_week=active_week,
            sessions_today=today,
            nudges_sent=nudges.sent,
            nudges_failed=nudges.failed + nudges.blocked,
            nudges_since=since,
            oldest_due=due,
            errors_hour=found.errors.last_hour(),
        )
    )


def handlers(chats: Chats) -> Handlers:
    return [CommandHandler("admin", admin_command, filters=chats.operators)]
