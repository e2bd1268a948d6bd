"""Team breaks as the group handlers change them: the group's row, its schedule, who joins.

The handlers (bot/handlers/team.py) call this rather than the store, as the private-chat
handlers call the coach and the subscriptions; desk.py's tick is the other half, sending what
is due.
"""

from __future__ import annotations

from datetime import time

from bot.clock import Clock
from bot.domain import team
from bot.domain.schedule import next_occurrence_on
from bot.store.repo import Store
from bot.store.teams import GroupRecord, Joined


class Teams:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def group(self, chat_id: int) -> GroupRecord | None:
        return await self.store.group_of(chat_id)

    async def counts(self, chat_id: int) -> tuple[int, int]:
        """What the group's /privacy reports: its breaks and the people who joined them."""
        return await self.store.group_counts(chat_id)

    async def joined(self, chat_id: int, language: str) -> bool:
        """The bot was added; True when the group is new to it (then it introduces itself)."""
        return await self.store.group_joined(chat_id, language, self.clock.now())

    async def gone(self, chat_id: int) -> None:
        """The bot was removed or the group deleted: its schedule stops."""
        await self.store.group_gone(chat_id, self.clock.now())

    async def moved(self, old: int, new: int) -> None:
        """The group became a supergroup: its break follows to the new chat id."""
        await self.store.move_group(old, new, self.clock.now())

    async def forget(self, chat_id: int) -> None:
        """The group's /deletedata."""
        await self.store.delete_group(chat_id)

    async def turn_off(
        self, chat_id: int, *, days: int, zone: str | None, language: str, set_by: int
    ) -> None:
        await self.store.set_team_break(
            chat_id,
            local_time=None,
            days=days,
            timezone=zone,
            language=language,
            set_by=set_by,
            next_break_at=None,
            announce_at=None,
            now=self.clock.now(),
        )

    async def set_break(
        self, chat_id: int, at: time, *, days: int, zone: str, language: str, set_by: int
    ) -> GroupRecord | None:
        """The daily break at `at` on `days` in `zone`, announced ahead; the group as saved."""
        now = self.clock.now()
        next_at = next_occurrence_on(at, zone, now, days)
        await self.store.set_team_break(
            chat_id,
            local_time=f"{at:%H:%M}",
            days=days,
            timezone=zone,
            language=language,
            set_by=set_by,
            next_break_at=next_at,
            announce_at=next_at - team.ANNOUNCE_AHEAD,
            now=now,
        )
        return await self.store.group_of(chat_id)

    async def join(self, break_id: int, user_id: int, first_name: str) -> Joined:
        """ "I'm in"; the roster on the break's message is refreshed at its next edit."""
        now = self.clock.now()
        return await self.store.join_break(
            break_id, user_id, first_name, now, now + team.ROSTER_EVERY
        )

    async def leave(self, break_id: int, user_id: int) -> bool:
        """ "Not today"; False when the break is over."""
        now = self.clock.now()
        return await self.store.leave_break(break_id, user_id, now, now + team.ROSTER_EVERY)
