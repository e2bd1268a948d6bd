"""The nudge's buttons: Start now, Snooze 15/30/60 min, Skip today."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.domain.nudge_rules import DESK, MORNING, kind_for_now
from bot.handlers.press import Press, button, claim
from bot.handlers.registry import Chats, Handlers
from bot.handlers.stretch import ask_over_running, start_session
from bot.keyboards import NudgePress
from bot.routines import Library, Routine


def _routine_for(library: Library, kind: str) -> Routine:
    if kind == DESK:
        # The desk routine (the chair stretch) when routines.toml has one.
        return library.routines.get("desk", library.default)
    return library.default if kind == MORNING else library.bedtime()


@button(NudgePress)
async def nudge_button(press: Press[NudgePress]) -> None:
    query, message, svc, user = press.query, press.message, press.svc, press.user
    pressed = press.data
    said = message.text or ""
    if pressed.action == "go":
        # Pressed hours later, it starts what fits now: at 21:00 a morning nudge's Start now
        # is the bedtime routine.
        kind = kind_for_now(pressed.kind, svc.clock.now(), user.timezone)
        routine = _routine_for(svc.library, kind)
        live = await svc.coach.live_session(user.id)
        if live is not None:
            # As /stretch asks: the nudge's buttons go (a double tap asks once), the question
            # comes as a message of its own.
            if await claim(query):
                await ask_over_running(svc, press.bot, message.chat.id, live, routine)
            return
        # Claimed before the session starts: a double tap starts one session, not two.
        started = texts.DESK_STARTED if kind == DESK else texts.nudge_started(kind)
        if await claim(query, f"{said}\n\n{started}"):
            await start_session(svc, user.id, message.chat.id, routine)
    elif pressed.minutes is not None:  # Snooze (the only press that carries minutes)
        at = await svc.subscriptions.snooze(user.id, pressed.kind, pressed.minutes)
        if at is None:
            await query.answer(texts.UNKNOWN_BUTTON)
            return
        local = texts.clock(at.astimezone(ZoneInfo(user.timezone)))
        await claim(query, f"{said}\n\n{texts.snoozed(local)}")
    else:
        schedule = await svc.subscriptions.skip_today(user.id, pressed.kind)
        upcoming = schedule.next_nudge() if schedule is not None else None
        next_kind = upcoming[0] if upcoming is not None else None
        await claim(query, f"{said}\n\n{texts.nudge_skipped_until(next_kind, pressed.kind)}")


def handlers(chats: Chats) -> Handlers:
    del chats  # a nudge's buttons work wherever the nudge was sent (a private chat)
    return [CallbackQueryHandler(nudge_button, pattern=NudgePress.pattern)]
