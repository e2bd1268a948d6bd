"""The reads behind the session player (bot/player/): which session a page shows, and one
batched query telling every open page on this worker whether its session changed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Table, or_, select

from bot.domain.session import LIVE
from bot.store import pg_hot
from bot.store.models import GuidedSession
from bot.store.records import SessionRecord, session_record
from bot.store.sessions import Sessions

_SESSIONS = cast(Table, GuidedSession.__table__)
_LIVE_VALUES = [s.value for s in LIVE]


@dataclass(frozen=True, slots=True)
class SessionMark:
    """Enough of a session row to tell whether a page's picture of it is out of date."""

    id: int
    user_id: int
    version: int
    live: bool


def _marks(
    conn: Connection, session_ids: Collection[int], user_ids: Collection[int]
) -> list[SessionMark]:
    # By primary key for the sessions pages show, by the one-live-session-per-user index for
    # a session started elsewhere: both indexed, one round trip for every page on the worker.
    statement = select(
        _SESSIONS.c.id, _SESSIONS.c.user_id, _SESSIONS.c.version, _SESSIONS.c.status
    ).where(
        or_(
            _SESSIONS.c.id.in_(list(session_ids)),
            _SESSIONS.c.user_id.in_(list(user_ids)) & _SESSIONS.c.status.in_(_LIVE_VALUES),
        )
    )
    return [
        SessionMark(row.id, row.user_id, row.version, row.status in _LIVE_VALUES)
        for row in conn.execute(statement)
    ]


class PlayerReads(Sessions):
    async def player_session(self, user_id: int, session_id: int | None) -> SessionRecord | None:
        """The session a user's player shows: the one it names if it is theirs (an ended one
        still shows its ending), else their live one."""
        if self._pg is not None:
            rows = await self._pg.rows(pg_hot.PLAYER_SESSION, session_id, user_id)
            # At most one live row (the one-live-session index) and the named one.
            chosen = next((r for r in rows if r.status in _LIVE_VALUES), rows[0] if rows else None)
            return session_record(chosen) if chosen is not None else None
        if session_id is not None:
            found = await self.get_session(session_id)
            if found is not None and found.user_id == user_id:
                # A session started since (in the chat) takes the page over.
                return await self.live_session_of(user_id) or found
        return await self.live_session_of(user_id)

    async def session_marks(
        self, session_ids: Collection[int], user_ids: Collection[int]
    ) -> list[SessionMark]:
        if not session_ids and not user_ids:
            return []
        if self._pg is not None:
            found = await self._pg.records(pg_hot.SESSION_MARKS, list(session_ids), list(user_ids))
            return [SessionMark(r[0], r[1], r[2], r[3]) for r in found]
        return await self._hot_read(lambda conn: _marks(conn, session_ids, user_ids))
