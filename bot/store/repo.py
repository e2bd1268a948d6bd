"""The one door to the database.

Every read and write the bot makes goes through `Store`, so transactions stay short (never
open across a call to Telegram) and every change to a session is a compare-and-set on its
version: a double tap, a timer racing a button, or two workers in webhook mode can never
advance a session twice. Callers get plain frozen records (bot/store/records.py), never live
ORM objects.

`Store` is assembled from one part per concern, each over the same transactions
(bot/store/transactions.py; the SQLite lane and writer turns in bot/store/sqlite_lane.py):
users, schedules (nudges), sessions, history (the log and pain answers), mobility (/reach).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Select, Table, bindparam, select, update

from bot.domain import languages
from bot.store.coaching import Coaching
from bot.store.history import History
from bot.store.mobility import Mobility
from bot.store.models import GuidedSession, User
from bot.store.operators import Operators
from bot.store.player import PlayerReads
from bot.store.progress_reads import ProgressReads
from bot.store.records import (
    NO_ROW,
    ClaimConflict,
    DueNudge,
    LogRecord,
    NoRow,
    NudgeRecord,
    SessionRecord,
    StepClaim,
    UserRecord,
)
from bot.store.schedules import Schedules
from bot.store.sessions import Sessions
from bot.store.teams import Teams
from bot.store.users import Users

__all__ = [
    "NO_ROW",
    "ClaimConflict",
    "DueNudge",
    "LogRecord",
    "NoRow",
    "NudgeRecord",
    "SessionRecord",
    "StepClaim",
    "Store",
    "UserRecord",
]

# Read for every update (the language its answers are in) and every follow-up: prebuilt and
# run on the hot path (one hop on SQLite's lane, one round trip on PostgreSQL), like a
# session's read. Through the async ORM this read was a third of a press's CPU in a burst.
_USERS = cast(Table, User.__table__)
_SESSIONS = cast(Table, GuidedSession.__table__)
_SESSION_LANGUAGE = (
    select(_USERS.c.language, _USERS.c.language_code)
    .join(_SESSIONS, _SESSIONS.c.user_id == _USERS.c.id)
    .where(_SESSIONS.c.id == bindparam("b_session"))
)


def _languages(
    conn: Connection, statement: Select[Any], params: dict[str, int]
) -> tuple[str | None, str | None] | None:
    row = conn.execute(statement, params).first()
    return None if row is None else (row.language, row.language_code)


class Store(
    Users,
    Schedules,
    PlayerReads,
    Sessions,
    History,
    Operators,
    Mobility,
    ProgressReads,
    Coaching,
    Teams,
):
    """Async repository over one engine: `Store(engine)`, then `await store.close()`.

    Its own methods go here; the parts above hold the rest (`ping`, `count`, `writing` and
    `reading` come from Transactions)."""

    # -- added for i18n --
    async def set_language(self, user_id: int, language: str | None, now: datetime) -> bool:
        """Store the language picked with /language; False when the user is unknown."""
        async with self.writing() as db:
            result = await db.execute(
                update(User).where(User.id == user_id).values(language=language, updated_at=now)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def session_language(self, session_id: int) -> str:
        """The language of a session's user, for its follow-up jobs (which have no update)."""
        found = await self._hot_read(
            lambda c: _languages(c, _SESSION_LANGUAGE, {"b_session": session_id})
        )
        return languages.SOURCE if found is None else languages.effective(*found)
