"""The store's user rows: sign-up, settings, unsubscribe, erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain import onboarding
from bot.store import pg_hot
from bot.store.models import Nudge, TeamJoin, User
from bot.store.records import NO_ROW, NoRow, UserRecord, user_record
from bot.store.transactions import Transactions

# Every update reads its user (the language, then the handler's own read): statements built
# once and run on the hot path (one round trip on PostgreSQL, the lane on SQLite), not through
# the ORM's session, which cost about four times the CPU per read (docs/design-notes.md).
_USERS = cast(Table, User.__table__)
_SELECT_USER = select(_USERS).where(_USERS.c.id == bindparam("b_id"))
_INSERT_USER = insert(_USERS).returning(*_USERS.c)
_UPDATE_USER = update(_USERS).returning(*_USERS.c)


def _read_user(conn: Connection, user_id: int) -> Row[Any] | None:
    return conn.execute(_SELECT_USER, {"b_id": user_id}).one_or_none()


def _profile_changes(
    row: Row[Any] | UserRecord, chat_id: int, first_name: str, language_code: str | None
) -> dict[str, object]:
    """What a message from the user changes in their row (nothing, mostly)."""
    wanted: dict[str, object] = {
        "chat_id": chat_id,
        "first_name": first_name[:128],
        "language_code": _code(language_code) or row.language_code,
        "active": True,
    }
    return {key: value for key, value in wanted.items() if getattr(row, key) != value}


def _code(language_code: str | None) -> str | None:
    """Telegram's language code as the column holds it (16 characters; IETF tags are shorter):
    a longer one from a strange client must not fail the insert, which on PostgreSQL is shared
    with the other newcomers of a burst (pg_hot.INSERT_USERS)."""
    return language_code[:16] if language_code else None


def _new_user(
    user_id: int, chat_id: int, first_name: str, language_code: str | None, now: datetime
) -> dict[str, object]:
    return {
        "id": user_id,
        "chat_id": chat_id,
        "first_name": first_name[:128],
        "language_code": _code(language_code),
        "active": True,
        "timezone": "UTC",
        # No nudges until they tell us their zone (see subscription).
        "onboarding": onboarding.encode(onboarding.FIRST_QUESTION),
        "created_at": now,
        "updated_at": now,
    }


class Users(Transactions):
    async def upsert_user(
        self,
        user_id: int,
        chat_id: int,
        first_name: str,
        language_code: str | None,
        now: datetime,
        known: UserRecord | NoRow | None = None,
    ) -> tuple[UserRecord, bool]:
        """Create or reactivate a user; return it and whether it is new (`known`: their row
        as this update read it a moment ago, NO_ROW if it found none, None if it did not read).

        A known user whose chat, name and language are unchanged (nearly every /stretch) costs
        one read (or none, given `known`) and no write; a new one given NO_ROW costs the insert
        alone (its first /stretch read the missing row twice). `updated_at` says when the
        profile last changed. Each write is one statement (one round trip on PostgreSQL);
        two workers inserting the same new user at once meet at the primary key, and the
        second updates."""
        if known is NO_ROW:
            known = None
        elif known is None or known.id != user_id:
            known = await self.get_user(user_id)
        if known is None:
            values = _new_user(user_id, chat_id, first_name, language_code, now)
            inserted = await self._insert_user(values)
            if inserted is not None:
                return inserted, True
            # Another worker inserted the same user a moment ago: take the update path.
            known = await self.get_user(user_id)
            assert known is not None
        changes = _profile_changes(known, chat_id, first_name, language_code)
        if not changes:
            return known, False
        changed = await self._hot_write(
            lambda conn: conn.execute(
                _UPDATE_USER.where(_USERS.c.id == user_id), {**changes, "updated_at": now}
            ).one(),
            single=True,
        )
        return user_record(changed), False

    async def _insert_user(self, values: dict[str, object]) -> UserRecord | None:
        """The new row, or None if the id was taken meanwhile (another worker's insert)."""
        if self._pg is not None:
            row = tuple(values[name] for name in pg_hot.NEW_USER_COLUMNS)
            inserted = await self._pg.insert_user(row)
            return user_record(inserted) if inserted is not None else None
        try:
            added = await self._hot_write(
                lambda conn: conn.execute(_INSERT_USER, values).one(), single=True
            )
        except IntegrityError:
            return None
        return user_record(added)

    async def get_user(self, user_id: int) -> UserRecord | None:
        """The user's row: every update reads it once, for its language (bot/app.py)."""
        if self._pg is not None:
            found = await self._pg.user(user_id)
            return user_record(found) if found is not None else None
        row = await self._hot_read(lambda conn: _read_user(conn, user_id))
        return user_record(row) if row is not None else None

    async def set_active(self, user_id: int, active: bool, now: datetime) -> None:
        """Mark a user (in)active. Inactive users (blocked the bot, /stop) get no nudges."""
        async with self.writing() as db:
            await db.execute(
                update(User).where(User.id == user_id).values(active=active, updated_at=now)
            )
            if not active:
                await db.execute(
                    update(Nudge).where(Nudge.user_id == user_id).values(next_nudge_at=None)
                )

    async def update_user(self, user_id: int, now: datetime, **values: object) -> None:
        """Set user columns (timezone and place, onboarding, paused_until)."""
        allowed = {"timezone", "place", "onboarding", "paused_until"}
        if set(values) - allowed:
            raise ValueError(f"not a user setting: {sorted(set(values) - allowed)}")
        async with self.writing() as db:
            await db.execute(
                update(User).where(User.id == user_id).values(updated_at=now, **values)
            )

    async def delete_user(self, user_id: int) -> None:
        """Erase every row of a user (cascades to sessions, log and nudges), and their name
        in the team breaks they joined (not a foreign key: a participant need not be a user)."""
        async with self.writing() as db:
            await db.execute(delete(TeamJoin).where(TeamJoin.user_id == user_id))
            await db.execute(delete(User).where(User.id == user_id))
