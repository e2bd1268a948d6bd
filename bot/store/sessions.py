"""The store's session rows: every change a compare-and-set on the version, so a double tap,
a timer racing a button, or two workers can never advance a session twice.

Reading, changing and marking-shown a session is the hot path of a button press: those run as
prebuilt statements on a plain connection (the SQLite lane for a file, see sqlite_lane.py)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import cast

from sqlalchemy import Boolean, Connection, Table, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.session import LIVE, EndReason, SessionState, Status
from bot.routines import Routine
from bot.store import pg_hot
from bot.store.models import GuidedSession, SessionLog, User, UTCDateTime
from bot.store.records import (
    SessionRecord,
    StepClaim,
    session_record,
    state_columns,
)
from bot.store.sqlite_hot import Prepared
from bot.store.transactions import Transactions

_LIVE_VALUES = [s.value for s in LIVE]
# Tries of a session start that met a concurrent one at the one-live-session index.
START_TRIES = 5

# The hot path's statements are built once: building and cache-keying a statement per call
# costs more than SQLite takes to run it.
_SESSIONS = cast(Table, GuidedSession.__table__)
_USERS = cast(Table, User.__table__)
# A session with its owner's languages (pg_hot.READ_SESSIONS says why).
_SELECT_SESSION = select(
    _SESSIONS,
    select(_USERS.c.language)
    .where(_USERS.c.id == _SESSIONS.c.user_id)
    .scalar_subquery()
    .label("owner_language"),
    select(_USERS.c.language_code)
    .where(_USERS.c.id == _SESSIONS.c.user_id)
    .scalar_subquery()
    .label("owner_language_code"),
).where(_SESSIONS.c.id == bindparam("b_id"))
_CAS_SESSION = (
    update(_SESSIONS)
    .where(_SESSIONS.c.id == bindparam("b_id"), _SESSIONS.c.version == bindparam("b_seen"))
    .values(
        {
            key: bindparam(f"b_{key}", type_=_SESSIONS.c[key].type)
            for key in pg_hot.CAS_NAMES  # the state, the new version and time, the claim
        }
    )
)
# The claim on showing a step (issue 29): taken by whoever shows it, by compare-and-set on
# the version and on the claim, before the send. A claim of this worker's own, or one run
# out (its owner presumed dead), may be taken; `b_sole` (SQLite: one process, so any claim
# left is a dead process's) takes any.
_CLAIM_SHOW = (
    update(_SESSIONS)
    .where(
        _SESSIONS.c.id == bindparam("b_id"),
        _SESSIONS.c.version == bindparam("b_version"),
        _SESSIONS.c.shown_version != bindparam("b_version"),
        or_(
            bindparam("b_sole", type_=Boolean()),
            _SESSIONS.c.show_claimed_by.is_(None),
            _SESSIONS.c.show_claimed_by == bindparam("b_show_claimed_by"),
            _SESSIONS.c.show_claimed_until <= bindparam("b_now", type_=UTCDateTime()),
        ),
    )
    .values(
        show_claimed_by=bindparam("b_show_claimed_by"),
        show_claimed_until=bindparam("b_show_claimed_until", type_=UTCDateTime()),
    )
)
_MARK_SHOWN = (
    update(_SESSIONS)
    .where(_SESSIONS.c.id == bindparam("b_id"), _SESSIONS.c.version == bindparam("b_version"))
    .values(shown_version=bindparam("b_version"))
)
_MARK_SHOWN_IN = _MARK_SHOWN.values(message_id=bindparam("b_message_id"))
_FINISHED = (
    update(_USERS)
    .where(_USERS.c.id == bindparam("b_user"))
    .values(last_finished_at=bindparam("b_at", type_=UTCDateTime()))
)
_ZONE_OF = select(_USERS.c.timezone).where(_USERS.c.id == bindparam("b_user"))
_LOG_FINISHED = insert(cast(Table, SessionLog.__table__))


# The three statements of every press, run on sqlite3 itself on the lane (sqlite_hot.py).
_SELECT_SESSION_RAW = Prepared(_SELECT_SESSION)
_CAS_SESSION_RAW = Prepared(_CAS_SESSION)
_MARK_SHOWN_RAW = Prepared(_MARK_SHOWN)
_MARK_SHOWN_IN_RAW = Prepared(_MARK_SHOWN_IN)


def _read_session(conn: Connection, session_id: int) -> SessionRecord | None:
    row = _SELECT_SESSION_RAW.one_or_none(conn, {"b_id": session_id})
    return session_record(row) if row is not None else None


def _cas_session(
    conn: Connection,
    record: SessionRecord,
    state: SessionState,
    now: datetime,
    routine: Routine,
    claim: StepClaim | None,
) -> bool:
    values = {f"b_{key}": value for key, value in state_columns(state).items()}
    values.update(
        b_id=record.id, b_seen=record.version, b_version=record.version + 1, b_updated_at=now
    )
    values.update(_claim_values(claim))
    if _CAS_SESSION_RAW.rowcount(conn, values) != 1:
        return False
    # Only a session that counts (a stretch held on every side, however it ended) is logged:
    # it alone earns the streak, /stats and the "stretched today" that quiets the next nudge.
    # Its duration is its active time, never a pause (issue 23: "601 min in all").
    if _logged(state):
        assert state.ended_at is not None
        conn.execute(_FINISHED, {"b_user": record.user_id, "b_at": state.ended_at})
        duration = state.duration_seconds
        # The zone the session's days are counted in: the user's, as this change sees it.
        zone = conn.execute(_ZONE_OF, {"b_user": record.user_id}).scalar()
        conn.execute(
            _LOG_FINISHED,
            {
                "user_id": record.user_id,
                "session_id": record.id,
                "routine_id": record.routine_id,
                "started_at": state.started_at,
                "finished_at": state.ended_at,
                "holds_done": state.holds_done,
                "holds_total": routine.total_holds,
                "stretches_done": state.stretches_done,
                "duration_seconds": max(0, duration),
                "timezone": zone or "UTC",
            },
        )
    return True


_CAS_FINISHING_SQL = pg_hot.cas_finishing_sql(pg_hot.CAS_NAMES)


async def _cas_on_pg(
    pg: pg_hot.PgHot,
    record: SessionRecord,
    state: SessionState,
    now: datetime,
    routine: Routine,
    claim: StepClaim | None,
) -> bool:
    """_cas_session as one statement on PostgreSQL (pg_hot.py); the log's time zone is read
    there, so a press reads no user row."""
    values = state_columns(state)
    values.update(
        version=record.version + 1,
        updated_at=now,
        show_claimed_by=claim.by if claim else None,
        show_claimed_until=claim.until if claim else None,
    )
    args = [values[name] for name in pg_hot.CAS_NAMES]
    args += [record.id, record.version]
    if not _logged(state):
        return await pg.cas(tuple(args))
    assert state.ended_at is not None
    args += [
        record.user_id,
        record.id,
        record.routine_id,
        state.started_at,
        state.ended_at,
        state.holds_done,
        routine.total_holds,
        state.stretches_done,
        max(0, state.duration_seconds),
    ]
    return bool(await pg.value(_CAS_FINISHING_SQL, *args) == 1)


def _claim_values(claim: StepClaim | None) -> dict[str, object]:
    return {
        "b_show_claimed_by": claim.by if claim else None,
        "b_show_claimed_until": claim.until if claim else None,
    }


def _claim_show(
    conn: Connection, session_id: int, version: int, claim: StepClaim, now: datetime, sole: bool
) -> bool:
    params = {"b_id": session_id, "b_version": version, "b_now": now, "b_sole": sole}
    params.update(_claim_values(claim))
    return conn.execute(_CLAIM_SHOW, params).rowcount == 1


def _logged(state: SessionState) -> bool:
    """Whether this change ends the session in a way that is recorded."""
    return state.counts and state.ended_at is not None


def _mark_shown(conn: Connection, session_id: int, version: int, message_id: int | None) -> bool:
    if message_id is None:
        return _MARK_SHOWN_RAW.rowcount(conn, {"b_id": session_id, "b_version": version}) == 1
    params = {"b_id": session_id, "b_version": version, "b_message_id": message_id}
    return _MARK_SHOWN_IN_RAW.rowcount(conn, params) == 1


_REPLACE_LIVE = (
    update(_SESSIONS)
    .where(_SESSIONS.c.user_id == bindparam("b_user"), _SESSIONS.c.status.in_(_LIVE_VALUES))
    .values(
        status=Status.STOPPED.value,
        end_reason=EndReason.REPLACED.value,
        ended_at=bindparam("b_now", type_=UTCDateTime()),
        next_event_at=None,
        version=_SESSIONS.c.version + 1,
        updated_at=bindparam("b_now", type_=UTCDateTime()),
    )
    .returning(*_SESSIONS.c)
)
_LOCK_USER = select(_USERS.c.id).where(_USERS.c.id == bindparam("b_user")).with_for_update()
_INSERT_SESSION = insert(_SESSIONS).returning(*_SESSIONS.c)
_LIVE_OF = select(_SESSIONS).where(
    _SESSIONS.c.user_id == bindparam("b_user"), _SESSIONS.c.status.in_(_LIVE_VALUES)
)


def _start_session(
    conn: Connection, user_id: int, values: dict[str, object], now: datetime
) -> tuple[SessionRecord, SessionRecord | None]:
    """End the user's live session, if any, as replaced; insert the new one; return both.

    Core statements on the hot path, not the ORM: a session start is half the work of a
    /stretch, and the ORM's unit of work cost a worker about 10 % of its CPU in a burst
    (py-spy); the old session is found and ended in one UPDATE ... RETURNING.
    """
    # Serialise a user's session starts (PostgreSQL row lock; SQLite's BEGIN IMMEDIATE
    # already serialises writers). Without it, five starts at once ran out of retries at
    # the one-live-session index (tests/store/test_store.py).
    conn.execute(_LOCK_USER, {"b_user": user_id})
    old = conn.execute(_REPLACE_LIVE, {"b_user": user_id, "b_now": now}).one_or_none()
    row = conn.execute(_INSERT_SESSION, values).one()
    return session_record(row), session_record(old) if old is not None else None


class Sessions(Transactions):
    async def live_session_of(self, user_id: int) -> SessionRecord | None:
        """The user's active or paused session (a /stretch asks before replacing it)."""
        if self._pg is not None:
            found = await self._pg.one(pg_hot.LIVE_OF, user_id)
            return session_record(found) if found is not None else None
        row = await self._hot_read(
            lambda conn: conn.execute(_LIVE_OF, {"b_user": user_id}).one_or_none()
        )
        return session_record(row) if row is not None else None

    async def start_session(
        self,
        user_id: int,
        chat_id: int,
        routine_id: str,
        state: SessionState,
        now: datetime,
        claim: StepClaim | None = None,
    ) -> tuple[SessionRecord, SessionRecord | None]:
        """Insert a new live session, ending the user's previous live one (if any); `claim`:
        the caller shows its first step.

        Returns the new session and the one it replaced, whose buttons the caller closes.
        """
        values = {
            "user_id": user_id,
            "chat_id": chat_id,
            "routine_id": routine_id,
            "version": 1,
            "shown_version": 0,
            "updated_at": now,
            **state_columns(state),
            "started_at": state.started_at,
            "show_claimed_by": claim.by if claim else None,
            "show_claimed_until": claim.until if claim else None,
        }
        if self._pg is not None:
            return await self._start_on_pg(user_id, values, now)
        for attempt in range(3):
            try:
                return await self._hot_write(
                    lambda conn: _start_session(conn, user_id, values, now)
                )
            except IntegrityError:
                # A concurrent /stretch won the one-live-session index; replace it in turn.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _start_on_pg(
        self, user_id: int, values: dict[str, object], now: datetime
    ) -> tuple[SessionRecord, SessionRecord | None]:
        """One statement shared with the burst's other starts, or, if a start on another
        worker met one of them at the one-live-session index, this one alone behind the
        user's row lock (pg_hot.starts_sql, start_sql)."""
        assert self._pg is not None
        # Both statements take the row in NEW_SESSION_COLUMNS' order (a column added to
        # `values` and not there would be lost).
        assert len(values) == len(pg_hot.NEW_SESSION_COLUMNS)
        row = tuple(values[name] for name in pg_hot.NEW_SESSION_COLUMNS)
        try:
            # Shared with the other starts of a burst (pg_hot.starts_sql).
            rows = await self._pg.start((*row, now))
        except IntegrityError:
            # Behind the lock, only a start on the fast path can still come between; each
            # try lets one start through, so five at once need at most five.
            sql = pg_hot.start_sql(pg_hot.NEW_SESSION_COLUMNS)
            for attempt in range(START_TRIES):
                try:
                    rows = await self._pg.start_locked(user_id, now, sql, *row)
                    break
                except IntegrityError:
                    if attempt == START_TRIES - 1:
                        raise
        new = next(session_record(r) for r in rows if r.is_new)
        old = [session_record(r) for r in rows if not r.is_new]
        return new, old[0] if old else None

    async def get_session(self, session_id: int) -> SessionRecord | None:
        if self._pg is not None:
            row = await self._pg.session(session_id)
            return session_record(row) if row is not None else None
        return await self._hot_read(lambda conn: _read_session(conn, session_id))

    async def transition(
        self,
        record: SessionRecord,
        state: SessionState,
        now: datetime,
        routine: Routine,
        claim: StepClaim | None = None,
    ) -> SessionRecord | None:
        """Compare-and-set the session from `record.version` to `state`; `claim`: the caller
        shows the new step (the claim is taken in the same statement).

        Returns the new record, or None when someone else changed it first (the caller then
        re-reads and answers from the new state). A finished session is logged in the same
        transaction, so the log and the state can never disagree.
        """
        # Unless it finishes the session (three statements: the state, the user's last
        # session, the log), a transition is one UPDATE, a transaction on its own.
        single = not _logged(state)
        if self._pg is not None:
            changed = await _cas_on_pg(self._pg, record, state, now, routine, claim)
        else:
            changed = await self._hot_write(
                lambda conn: _cas_session(conn, record, state, now, routine, claim),
                single=single,
            )
        if not changed:
            return None
        return dataclasses.replace(
            record,
            state=state,
            version=record.version + 1,
            claimed_by=claim.by if claim else None,
            claimed_until=claim.until if claim else None,
        )

    async def claim_show(
        self, record: SessionRecord, claim: StepClaim, now: datetime, *, sole: bool = False
    ) -> SessionRecord | None:
        """Claim the showing of `record`'s step (still unshown at its version) before sending
        it: the record with the claim, or None when another worker holds a live claim (it
        shows the step) or the session moved on. `sole`: no other worker can be alive (SQLite),
        so a claim left by a dead process is taken at once."""
        if self._pg is not None:
            args = (claim.by, claim.until, record.id, record.version, sole, now)
            won = await self._pg.count(pg_hot.CLAIM_SHOW, *args) == 1
        else:
            won = await self._hot_write(
                lambda conn: _claim_show(conn, record.id, record.version, claim, now, sole),
                single=True,
            )
        if not won:
            return None
        return dataclasses.replace(record, claimed_by=claim.by, claimed_until=claim.until)

    async def mark_shown(self, session_id: int, version: int, message_id: int | None) -> bool:
        """Record that the chat now shows `version` in `message_id`.

        Conditional on the version, so a slow sender can never overwrite a newer step's
        message id.
        """
        if self._pg is not None:
            return await self._pg.mark_shown((session_id, version, message_id))
        return await self._hot_write(
            lambda conn: _mark_shown(conn, session_id, version, message_id), single=True
        )

    async def unshown_endings(self, since: datetime) -> list[SessionRecord]:
        """Sessions that ended since `since` whose last message never reached the chat (the
        send failed, or the process died between the change and the send)."""
        async with self.reading() as db:
            rows = await db.scalars(
                select(GuidedSession)
                .where(
                    GuidedSession.status.not_in(_LIVE_VALUES),
                    GuidedSession.shown_version != GuidedSession.version,
                    GuidedSession.ended_at >= since,
                    # A replaced session's message is closed by the /stretch that replaced it.
                    GuidedSession.end_reason != EndReason.REPLACED.value,
                )
                .order_by(GuidedSession.id)
            )
            return [session_record(r) for r in rows]

    async def live_sessions(self) -> list[SessionRecord]:
        """Every active or paused session (resumed after a restart)."""
        async with self.reading() as db:
            rows = await db.scalars(
                select(GuidedSession)
                .where(GuidedSession.status.in_(_LIVE_VALUES))
                .order_by(GuidedSession.id)
            )
            return [session_record(r) for r in rows]

    async def count_live_sessions(self) -> int:
        async with self.reading() as db:
            found = await db.scalar(
                select(func.count())
                .select_from(GuidedSession)
                .where(GuidedSession.status.in_(_LIVE_VALUES))
            )
            return int(found or 0)

    # -- added for sessions (the follow-up sweeper) --

    async def overdue_sessions(self, before: datetime, limit: int = 500) -> list[int]:
        """Ids of live sessions whose next timed step (or the end of a pause's limit) was due
        before `before`, most overdue first (uses the index on next_event_at)."""
        async with self.reading() as db:
            rows = await db.scalars(
                select(GuidedSession.id)
                .where(
                    GuidedSession.status.in_(_LIVE_VALUES),
                    GuidedSession.next_event_at < before,
                )
                .order_by(GuidedSession.next_event_at)
                .limit(limit)
            )
            return list(rows)
