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

from sqlalchemy import bindparam, select, update

from bot import i18n
from bot.store.coaching import Coaching
from bot.store.history import History
from bot.store.mobility import Mobility
from bot.store.models import GuidedSession, User
from bot.store.operators import Operators
from bot.store.progress_reads import ProgressReads
from bot.store.records import (
    Advance,
    ClaimConflict,
    DueNudge,
    LogRecord,
    NudgeRecord,
    SessionRecord,
    UserRecord,
)
from bot.store.schedules import Schedules
from bot.store.sessions import Sessions
from bot.store.users import Users

__all__ = [
    "Advance",
    "ClaimConflict",
    "DueNudge",
    "LogRecord",
    "NudgeRecord",
    "SessionRecord",
    "Store",
    "UserRecord",
]


_SESSION_LANGUAGE = (
    select(User.language, User.language_code)
    .join(GuidedSession, GuidedSession.user_id == User.id)
    .where(GuidedSession.id == bindparam("b_id"))
)


class Store(
    Users, Schedules, Sessions, History, Operators, Mobility, ProgressReads, Coaching
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
        """The language of a session's user, for its follow-up jobs (which have no update):
        before every countdown edit, so on the hot path."""
        row = await self._hot_read(
            lambda conn: conn.execute(_SESSION_LANGUAGE, {"b_id": session_id}).first()
        )
        return i18n.SOURCE if row is None else i18n.effective(row.language, row.language_code)
