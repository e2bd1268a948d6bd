"""The reads behind the session player (bot/player/): which session a page shows, and one
batched query telling which of the pages open on this worker have a session that moved on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Table, bindparam, or_, select

from bot.domain.session import LIVE
from bot.store import pg_hot
from bot.store.models import GuidedSession, User
from bot.store.records import SessionRecord, session_record
from bot.store.sessions import Sessions, _read_session

_SESSIONS = cast(Table, GuidedSession.__table__)
_USERS = cast(Table, User.__table__)
_LIVE_VALUES = [s.value for s in LIVE]


@dataclass(frozen=True, slots=True)
class Watch:
    """What a waiting page shows: its user, the session (None: none yet) and its version."""

    user_id: int
    session_id: int | None
    version: int


@dataclass(frozen=True, slots=True)
class PageChange:
    """What a page whose session moved on shows now (None: nothing, the session is gone),
    and its user's /language choice (None: none, or no row), read in the same statement."""

    record: SessionRecord | None
    language: str | None


def showing(user_id: int, record: SessionRecord | None) -> Watch:
    """What a page of `user_id` shows once given `record` (None: no session)."""
    return Watch(user_id, record.id, record.version) if record else Watch(user_id, None, 0)


def shows(record: SessionRecord | None, watch: Watch) -> bool:
    """Whether `record` (the PLAYER_SESSION choice) is what the page already shows."""
    return showing(watch.user_id, record) == watch


# SQLite's tick: the rows that decide each page's choice (by primary key, and by the
# one-live-session index), compared in Python; the few that moved are read whole.
_CANDIDATES = select(
    _SESSIONS.c.id, _SESSIONS.c.user_id, _SESSIONS.c.version, _SESSIONS.c.status
).where(
    or_(
        _SESSIONS.c.id.in_(bindparam("b_ids", expanding=True)),
        _SESSIONS.c.user_id.in_(bindparam("b_users", expanding=True))
        & _SESSIONS.c.status.in_(_LIVE_VALUES),
    )
)
_LANGUAGE = select(_USERS.c.language).where(_USERS.c.id == bindparam("b_id"))


def _changes_on_sqlite(conn: Connection, watches: Sequence[Watch]) -> dict[Watch, PageChange]:
    # Several statements, each its own transaction on the lane's read connection: this
    # process's writes cannot land between them (they share the lane's thread); another
    # process's could, and then a page is shown a newer row than the one compared, which the
    # next tick confirms. Rare (only the pages that moved are read), and never a wrong one.
    ids = [w.session_id for w in watches if w.session_id is not None]
    users = list({w.user_id for w in watches})
    live: dict[int, tuple[int, int]] = {}
    named: dict[int, tuple[int, int]] = {}
    for row in conn.execute(_CANDIDATES, {"b_ids": ids, "b_users": users}):
        named[row.id] = (row.user_id, row.version)
        if row.status in _LIVE_VALUES:
            live[row.user_id] = (row.id, row.version)
    changes: dict[Watch, PageChange] = {}
    for watch in watches:
        shown = live.get(watch.user_id)
        if shown is None and watch.session_id is not None:
            owner, version = named.get(watch.session_id, (None, 0))
            shown = (watch.session_id, version) if owner == watch.user_id else None
        if shown == ((watch.session_id, watch.version) if watch.session_id is not None else None):
            continue
        record = _read_session(conn, shown[0]) if shown is not None else None
        language = (
            record.language
            if record is not None
            else conn.execute(_LANGUAGE, {"b_id": watch.user_id}).scalar_one_or_none()
        )
        changes[watch] = PageChange(record, language)
    return changes


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

    async def page_changes(self, watches: Sequence[Watch]) -> dict[Watch, PageChange]:
        """Of the pages `watches`, those whose player_session is no longer what they show,
        with what it is now: one statement for 1 page or 1,000 (the live hub's tick)."""
        if not watches:
            return {}
        if self._pg is None:
            return await self._hot_read(lambda conn: _changes_on_sqlite(conn, watches))
        found = await self._pg.rows(
            pg_hot.PAGE_CHANGES,
            [w.user_id for w in watches],
            [w.session_id for w in watches],
            [w.version for w in watches],
        )
        changes: dict[Watch, PageChange] = {}
        for row in found:
            record = session_record(row) if row.id is not None else None
            changes[watches[row.n - 1]] = PageChange(record, row.owner_language)
        return changes
