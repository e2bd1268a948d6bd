"""The coach's way to the chat: show, refresh or close a step, and what a blocked user means.

chat.py reports a delivery as BLOCKED (the user blocked the bot); ending the session for that
is a decision about the session, not about the chat, so it is here rather than in chat.py,
and apart from the coach so the coach is left with the transitions.
"""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.domain import session as machine
from bot.domain.session import Event
from bot.routines import Library, Routine
from bot.sessions.chat import Delivery, SessionChat
from bot.sessions.followups import FollowUps
from bot.sessions.settings import CoachSettings
from bot.store.repo import SessionRecord, Store

log = logging.getLogger(__name__)


class Screen:
    """Shows through the chat; a user who blocked the bot gets their session ended quietly."""

    def __init__(
        self,
        chat: SessionChat,
        store: Store,
        library: Library,
        clock: Clock,
        settings: CoachSettings,
        follow_ups: FollowUps,
    ) -> None:
        self.chat = chat
        self.store = store
        self.library = library
        self.clock = clock
        self.settings = settings
        self.follow_ups = follow_ups

    async def show(
        self, record: SessionRecord, routine: Routine, *, interrupted: bool = False
    ) -> SessionRecord:
        shown = await self.chat.show(record, routine, interrupted=interrupted)
        if shown.delivery is Delivery.BLOCKED:
            await self.end_blocked(record)
        return shown.record

    async def refresh(self, record: SessionRecord, routine: Routine) -> SessionRecord:
        shown = await self.chat.refresh(record, routine)
        if shown.delivery is Delivery.BLOCKED:
            await self.end_blocked(record)
        return shown.record

    async def close(self, previous: SessionRecord, routine: Routine, event: Event) -> None:
        if await self.chat.close(previous, routine, event) is Delivery.BLOCKED:
            await self.end_blocked(previous)

    async def end_blocked(self, record: SessionRecord) -> None:
        """The user blocked the bot: stop the session quietly and stop writing to them."""
        log.info("user %s blocked the bot; ending session %s", record.user_id, record.id)
        await self.store.set_active(record.user_id, False, self.clock.now())
        self.follow_ups.cancel(record.id)
        current = await self.store.get_session(record.id)
        if current is not None and not current.state.live:
            # An ending they will never see: stop trying to show it.
            await self.store.mark_shown(current.id, current.version, None)
        elif current is not None:
            routine = self.library.get(current.routine_id) or self.library.default
            state = machine.apply(
                current.state,
                Event.STOP,
                routine,
                self.clock.now(),
                switch_seconds=self.settings.switch_seconds,
                ready_seconds=self.settings.ready_seconds,
                pause_limit_seconds=self.settings.pause_limit_seconds,
            ).state
            updated = await self.store.transition(current, state, self.clock.now(), routine)
            if updated is not None:
                await self.store.mark_shown(updated.id, updated.version, None)
