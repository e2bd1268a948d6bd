"""The one door to the database.

Every read and write the bot makes goes through `Store`, so transactions stay short (never
open across a call to Telegram) and every change to a session is a compare-and-set on its
version: a double tap, a timer racing a button, or two workers in webhook mode can never
advance a session twice. Callers get plain frozen records, never live ORM objects.

On a SQLite file, two things keep a burst of button presses (200 users pressing Ready in the
same instant) from queueing for a second:
- Writers take turns inside the process (an asyncio.Lock). Otherwise every waiting writer
  holds a pooled connection asleep in SQLite's busy handler, which wakes in growing steps
  (up to 100 ms), and readers wait for a free connection behind them. The busy timeout stays,
  for other processes (`python -m bot migrate`, a second bot by mistake).
- The session hot path (read a session, compare-and-set it, record what the chat shows) runs
  on one thread with a synchronous connection, each transaction in one hop from the event
  loop. Through aiosqlite a read and a compare-and-set are 17 hops between the loop and the
  driver's thread plus the async ORM around them: about 3 ms of the event loop's CPU per
  press, so 200 presses took most of a second of CPU before the last one was answered.
PostgreSQL needs neither: its writers lock rows, not the database, and it has no such hops.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.domain.session import LIVE, EndReason, Phase, SessionState, Status
from bot.routines import Routine
from bot.store.db import READONLY, SINGLE_STATEMENT, sqlite_lane_engine
from bot.store.models import (
    Base,
    GuidedSession,
    Nudge,
    PainReport,
    SessionLog,
    User,
    UTCDateTime,
)


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    chat_id: int
    first_name: str
    language_code: str | None
    active: bool
    timezone: str
    created_at: datetime
    onboarding: str | None = None
    paused_until: datetime | None = None
    last_finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NudgeRecord:
    user_id: int
    kind: str
    local_time: str
    enabled: bool
    next_nudge_at: datetime | None


@dataclass(frozen=True, slots=True)
class DueNudge:
    """A nudge the tick has claimed: already moved to `next_at` in the database."""

    user_id: int
    kind: str
    local_time: str
    due_at: datetime
    next_at: datetime
    chat_id: int
    timezone: str
    first_name: str
    paused_until: datetime | None
    last_finished_at: datetime | None


class ClaimConflict(Exception):
    """The conditional moves of a claim did not all apply; nothing was claimed."""


# Given (kind, local_time, zone, due_at), the instant the nudge is due next.
Advance = Callable[[str, str, str, datetime], datetime]


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A session row: its state machine value plus what the chat shows."""

    id: int
    user_id: int
    chat_id: int
    routine_id: str
    state: SessionState
    message_id: int | None
    shown_version: int
    version: int


@dataclass(frozen=True, slots=True)
class LogRecord:
    session_id: int
    user_id: int
    routine_id: str
    started_at: datetime
    finished_at: datetime
    holds_done: int
    holds_total: int
    stretches_done: int
    duration_seconds: int
    timezone: str


def _user(row: User) -> UserRecord:
    return UserRecord(
        id=row.id,
        chat_id=row.chat_id,
        first_name=row.first_name,
        language_code=row.language_code,
        active=row.active,
        timezone=row.timezone,
        created_at=row.created_at,
        onboarding=row.onboarding,
        paused_until=row.paused_until,
        last_finished_at=row.last_finished_at,
    )


def _session(row: GuidedSession | Row[Any]) -> SessionRecord:
    state = SessionState(
        status=Status(row.status),
        phase=Phase(row.phase),
        stretch_index=row.stretch_index,
        side=row.side,
        started_at=row.started_at,
        holds_done=row.holds_done,
        stretches_done=row.stretches_done,
        stretches_skipped=row.stretches_skipped,
        next_event_at=row.next_event_at,
        paused_remaining=row.paused_remaining,
        ended_at=row.ended_at,
        end_reason=EndReason(row.end_reason) if row.end_reason else None,
    )
    return SessionRecord(
        id=row.id,
        user_id=row.user_id,
        chat_id=row.chat_id,
        routine_id=row.routine_id,
        state=state,
        message_id=row.message_id,
        shown_version=row.shown_version,
        version=row.version,
    )


def _state_columns(state: SessionState) -> dict[str, object]:
    return {
        "status": state.status.value,
        "phase": state.phase.value,
        "stretch_index": state.stretch_index,
        "side": state.side,
        "holds_done": state.holds_done,
        "stretches_done": state.stretches_done,
        "stretches_skipped": state.stretches_skipped,
        "next_event_at": state.next_event_at,
        "paused_remaining": state.paused_remaining,
        "ended_at": state.ended_at,
        "end_reason": state.end_reason.value if state.end_reason else None,
    }


_LIVE_VALUES = [s.value for s in LIVE]

T = TypeVar("T")

# The hot path's statements are built once: building and cache-keying a statement per call
# costs more than SQLite takes to run it.
_SESSIONS = cast(Table, GuidedSession.__table__)
_STATE_KEYS = (
    "status",
    "phase",
    "stretch_index",
    "side",
    "holds_done",
    "stretches_done",
    "stretches_skipped",
    "next_event_at",
    "paused_remaining",
    "ended_at",
    "end_reason",
)
_SELECT_SESSION = select(_SESSIONS).where(_SESSIONS.c.id == bindparam("b_id"))
_CAS_SESSION = (
    update(_SESSIONS)
    .where(_SESSIONS.c.id == bindparam("b_id"), _SESSIONS.c.version == bindparam("b_seen"))
    .values(
        {
            key: bindparam(f"b_{key}", type_=_SESSIONS.c[key].type)
            for key in (*_STATE_KEYS, "version", "updated_at")
        }
    )
)
_MARK_SHOWN = (
    update(_SESSIONS)
    .where(_SESSIONS.c.id == bindparam("b_id"), _SESSIONS.c.version == bindparam("b_version"))
    .values(shown_version=bindparam("b_version"))
)
_MARK_SHOWN_IN = _MARK_SHOWN.values(message_id=bindparam("b_message_id"))
_USERS = cast(Table, User.__table__)
_FINISHED = (
    update(_USERS)
    .where(_USERS.c.id == bindparam("b_user"))
    .values(last_finished_at=bindparam("b_at", type_=UTCDateTime()))
)
_LOG_FINISHED = insert(cast(Table, SessionLog.__table__))


def _read_session(conn: Connection, session_id: int) -> SessionRecord | None:
    row = conn.execute(_SELECT_SESSION, {"b_id": session_id}).one_or_none()
    return _session(row) if row is not None else None


def _cas_session(
    conn: Connection,
    record: SessionRecord,
    state: SessionState,
    now: datetime,
    routine: Routine,
    timezone: str,
) -> bool:
    values = {f"b_{key}": value for key, value in _state_columns(state).items()}
    values.update(
        b_id=record.id, b_seen=record.version, b_version=record.version + 1, b_updated_at=now
    )
    if conn.execute(_CAS_SESSION, values).rowcount != 1:
        return False
    if state.status is Status.DONE and state.ended_at is not None:
        conn.execute(_FINISHED, {"b_user": record.user_id, "b_at": state.ended_at})
        duration = int((state.ended_at - state.started_at).total_seconds())
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
                "timezone": timezone,
            },
        )
    return True


def _mark_shown(conn: Connection, session_id: int, version: int, message_id: int | None) -> bool:
    if message_id is None:
        result = conn.execute(_MARK_SHOWN, {"b_id": session_id, "b_version": version})
    else:
        params = {"b_id": session_id, "b_version": version, "b_message_id": message_id}
        result = conn.execute(_MARK_SHOWN_IN, params)
    return result.rowcount == 1


class _SqliteLane:
    """One thread with its own SQLite connections (one for reads, one for writes): a
    transaction handed to it is one hop from the event loop, whatever it runs."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="limber-sqlite")
        self._connections: dict[bool, Connection] = {}

    async def run(self, work: Callable[[Connection], T], *, write: bool) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._transaction, work, write)

    def _transaction(self, work: Callable[[Connection], T], write: bool) -> T:
        conn = self._connections.get(write)
        if conn is None:
            conn = self._engine.connect()
            if not write:
                # Hot reads are one statement each, a consistent snapshot on its own.
                conn = conn.execution_options(**{SINGLE_STATEMENT: True})
            self._connections[write] = conn
        try:
            with conn.begin():
                return work(conn)
        except BaseException:
            # Whatever broke, the next transaction gets a fresh connection, not this one.
            del self._connections[write]
            conn.close()
            raise

    def _close(self) -> None:
        for conn in self._connections.values():
            conn.close()
        self._connections.clear()
        self._engine.dispose()

    async def close(self) -> None:
        # SQLite connections are closed on the thread that opened them.
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=False)


class Store:
    """Async repository over one engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._write = async_sessionmaker(engine, expire_on_commit=False)
        # Reads take a deferred BEGIN on SQLite, so they never wait for a writer.
        self._readonly = engine.execution_options(**{READONLY: True})
        self._read = async_sessionmaker(self._readonly, expire_on_commit=False)
        sqlite = engine.dialect.name == "sqlite"
        # SQLite has one writer at a time: writers of this process queue here, not in SQLite's
        # busy handler (see the module docstring). PostgreSQL writers need no such turn.
        self._write_turn = asyncio.Lock() if sqlite else None
        self._turn_holder: asyncio.Task[Any] | None = None
        lane = (
            sqlite_lane_engine(engine.url.render_as_string(hide_password=False)) if sqlite else None
        )
        self._lane = _SqliteLane(lane) if lane is not None else None

    @asynccontextmanager
    async def _writer_turn(self) -> AsyncIterator[None]:
        if self._write_turn is None:
            yield
            return
        task = asyncio.current_task()
        if task is not None and task is self._turn_holder:
            # A second write transaction inside the first would wait for itself forever.
            raise RuntimeError("write transactions on SQLite do not nest")
        async with self._write_turn:
            self._turn_holder = task
            try:
                yield
            finally:
                self._turn_holder = None

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """A short write transaction, committed on success."""
        async with self._writer_turn(), self._write() as db, db.begin():
            yield db

    async def _hot_write(self, work: Callable[[Connection], T]) -> T:
        """A write transaction of the session hot path: on the lane for a SQLite file."""
        if self._lane is not None:
            async with self._writer_turn():
                done = asyncio.ensure_future(self._lane.run(work, write=True))
                try:
                    return await asyncio.shield(done)
                except asyncio.CancelledError:
                    # The thread finishes the transaction regardless: keep the turn until it
                    # has, so no other writer of this process meets SQLite's lock meanwhile.
                    await asyncio.wait({done})
                    raise
        async with self._writer_turn(), self.engine.begin() as conn:
            return await conn.run_sync(work)

    async def _hot_read(self, work: Callable[[Connection], T]) -> T:
        if self._lane is not None:
            return await self._lane.run(work, write=False)
        async with self._readonly.begin() as conn:
            return await conn.run_sync(work)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A read-only transaction."""
        async with self._read() as db, db.begin():
            yield db

    async def close(self) -> None:
        """Dispose of the engine's connections (and the lane's)."""
        if self._lane is not None:
            lane, self._lane = self._lane, None
            await lane.close()
        await self.engine.dispose()

    # Users ---------------------------------------------------------------------------------

    async def upsert_user(
        self,
        user_id: int,
        chat_id: int,
        first_name: str,
        language_code: str | None,
        now: datetime,
    ) -> tuple[UserRecord, bool]:
        """Create or reactivate a user; return it and whether it is new."""
        for attempt in range(2):
            try:
                async with self.writing() as db:
                    row = await db.get(User, user_id)
                    created = row is None
                    if row is None:
                        row = User(
                            id=user_id,
                            chat_id=chat_id,
                            first_name=first_name[:128],
                            language_code=language_code,
                            active=True,
                            timezone="UTC",
                            # No nudges until they tell us their zone (see subscription).
                            onboarding="ob:timezone",
                            created_at=now,
                            updated_at=now,
                        )
                        db.add(row)
                    else:
                        row.chat_id = chat_id
                        row.first_name = first_name[:128]
                        row.language_code = language_code or row.language_code
                        row.active = True
                        row.updated_at = now
                    await db.flush()
                    return _user(row), created
            except IntegrityError:
                # Another worker inserted the same user a moment ago: take the update path.
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def get_user(self, user_id: int) -> UserRecord | None:
        async with self.reading() as db:
            row = await db.get(User, user_id)
            return _user(row) if row else None

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
        """Set user columns (timezone, onboarding, paused_until)."""
        allowed = {"timezone", "onboarding", "paused_until"}
        if set(values) - allowed:
            raise ValueError(f"not a user setting: {sorted(set(values) - allowed)}")
        async with self.writing() as db:
            await db.execute(
                update(User).where(User.id == user_id).values(updated_at=now, **values)
            )

    # Nudges --------------------------------------------------------------------------------

    async def nudges_of(self, user_id: int) -> dict[str, NudgeRecord]:
        async with self.reading() as db:
            rows = await db.scalars(select(Nudge).where(Nudge.user_id == user_id))
            return {
                r.kind: NudgeRecord(r.user_id, r.kind, r.local_time, r.enabled, r.next_nudge_at)
                for r in rows
            }

    async def put_nudge(
        self,
        user_id: int,
        kind: str,
        local_time: str,
        enabled: bool,
        next_nudge_at: datetime | None,
    ) -> None:
        """Create or replace one of the user's nudges."""
        async with self.writing() as db:
            row = await db.get(Nudge, (user_id, kind))
            if row is None:
                db.add(
                    Nudge(
                        user_id=user_id,
                        kind=kind,
                        local_time=local_time,
                        enabled=enabled,
                        next_nudge_at=next_nudge_at,
                    )
                )
            else:
                row.local_time = local_time
                row.enabled = enabled
                row.next_nudge_at = next_nudge_at

    async def move_nudge(self, user_id: int, kind: str, at: datetime | None) -> bool:
        """Move a nudge's next instant (snooze, skip); False if the user has no such nudge."""
        async with self.writing() as db:
            result = await db.execute(
                update(Nudge)
                .where(Nudge.user_id == user_id, Nudge.kind == kind, Nudge.enabled.is_(True))
                .values(next_nudge_at=at)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def claim_due(self, now: datetime, limit: int, advance: Advance) -> list[DueNudge]:
        """Claim up to `limit` nudges due at `now`, moving each to its next instant.

        The select and the moves are one transaction: on SQLite it is BEGIN IMMEDIATE (no
        other writer in between), on PostgreSQL the rows are locked FOR UPDATE SKIP LOCKED (a
        second worker takes other rows). The moves still compare-and-set the old instant, so
        a row changed meanwhile by a snooze or settings change is not claimed twice.
        Claim first, send after the commit: a crash in between loses a nudge, never repeats one.
        """
        stmt = (
            select(
                Nudge.user_id,
                Nudge.kind,
                Nudge.local_time,
                Nudge.next_nudge_at,
                User.chat_id,
                User.timezone,
                User.first_name,
                User.paused_until,
                User.last_finished_at,
            )
            .join(User, User.id == Nudge.user_id)
            .where(Nudge.next_nudge_at <= now)
            .order_by(Nudge.next_nudge_at)
            .limit(limit)
        )
        if self.engine.dialect.name == "postgresql":
            stmt = stmt.with_for_update(of=Nudge, skip_locked=True)
        async with self.writing() as db:
            rows = (await db.execute(stmt)).all()
            if not rows:
                return []
            claimed = [
                DueNudge(
                    user_id=r.user_id,
                    kind=r.kind,
                    local_time=r.local_time,
                    due_at=r.next_nudge_at,
                    next_at=advance(r.kind, r.local_time, r.timezone, r.next_nudge_at),
                    chat_id=r.chat_id,
                    timezone=r.timezone,
                    first_name=r.first_name,
                    paused_until=r.paused_until,
                    last_finished_at=r.last_finished_at,
                )
                for r in rows
            ]
            table = cast(Table, Nudge.__table__)
            moved = await db.execute(
                update(table)
                .where(
                    table.c.user_id == bindparam("b_user"),
                    table.c.kind == bindparam("b_kind"),
                    table.c.next_nudge_at == bindparam("b_old", type_=UTCDateTime()),
                )
                .values(next_nudge_at=bindparam("b_new", type_=UTCDateTime())),
                [
                    {"b_user": c.user_id, "b_kind": c.kind, "b_old": c.due_at, "b_new": c.next_at}
                    for c in claimed
                ],
            )
            count = getattr(moved, "rowcount", -1)
            if count >= 0 and count != len(claimed):
                # Never send what was not claimed: roll back and let the next tick retry.
                raise ClaimConflict(f"claimed {count} of {len(claimed)} due nudges")
            return claimed

    async def next_nudge_at(self) -> datetime | None:
        """The earliest pending nudge (for `try`'s jump-to-next-nudge and health checks)."""
        async with self.reading() as db:
            return await db.scalar(select(func.min(Nudge.next_nudge_at)))

    async def delete_user(self, user_id: int) -> None:
        """Erase every row of a user (cascades to sessions, log and nudges)."""
        async with self.writing() as db:
            await db.execute(delete(User).where(User.id == user_id))

    # Sessions ------------------------------------------------------------------------------

    async def live_session_of(self, user_id: int) -> SessionRecord | None:
        async with self.reading() as db:
            row = await db.scalar(
                select(GuidedSession).where(
                    GuidedSession.user_id == user_id, GuidedSession.status.in_(_LIVE_VALUES)
                )
            )
            return _session(row) if row else None

    async def start_session(
        self,
        user_id: int,
        chat_id: int,
        routine_id: str,
        state: SessionState,
        now: datetime,
    ) -> tuple[SessionRecord, SessionRecord | None]:
        """Insert a new live session, ending the user's previous live one (if any).

        Returns the new session and the one it replaced, whose buttons the caller closes.
        """
        for attempt in range(3):
            try:
                async with self.writing() as db:
                    # Serialise a user's session starts (PostgreSQL row lock; SQLite's
                    # BEGIN IMMEDIATE already serialises writers).
                    await db.execute(select(User.id).where(User.id == user_id).with_for_update())
                    old = await db.scalar(
                        select(GuidedSession).where(
                            GuidedSession.user_id == user_id,
                            GuidedSession.status.in_(_LIVE_VALUES),
                        )
                    )
                    replaced = None
                    if old is not None:
                        old.status = Status.STOPPED.value
                        old.end_reason = EndReason.REPLACED.value
                        old.ended_at = now
                        old.next_event_at = None
                        old.version += 1
                        old.updated_at = now
                        await db.flush()
                        replaced = _session(old)
                    row = GuidedSession(
                        user_id=user_id,
                        chat_id=chat_id,
                        routine_id=routine_id,
                        started_at=state.started_at,
                        version=1,
                        shown_version=0,
                        updated_at=now,
                        **_state_columns(state),
                    )
                    db.add(row)
                    await db.flush()
                    return _session(row), replaced
            except IntegrityError:
                # A concurrent /stretch won the one-live-session index; replace it in turn.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def get_session(self, session_id: int) -> SessionRecord | None:
        return await self._hot_read(lambda conn: _read_session(conn, session_id))

    async def transition(
        self,
        record: SessionRecord,
        state: SessionState,
        now: datetime,
        routine: Routine,
        timezone: str,
    ) -> SessionRecord | None:
        """Compare-and-set the session from `record.version` to `state`.

        Returns the new record, or None when someone else changed it first (the caller then
        re-reads and answers from the new state). A finished session is logged in the same
        transaction, so the log and the state can never disagree.
        """
        changed = await self._hot_write(
            lambda conn: _cas_session(conn, record, state, now, routine, timezone)
        )
        if not changed:
            return None
        return SessionRecord(
            id=record.id,
            user_id=record.user_id,
            chat_id=record.chat_id,
            routine_id=record.routine_id,
            state=state,
            message_id=record.message_id,
            shown_version=record.shown_version,
            version=record.version + 1,
        )

    async def mark_shown(self, session_id: int, version: int, message_id: int | None) -> bool:
        """Record that the chat now shows `version` in `message_id`.

        Conditional on the version, so a slow sender can never overwrite a newer step's
        message id.
        """
        return await self._hot_write(
            lambda conn: _mark_shown(conn, session_id, version, message_id)
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
            return [_session(r) for r in rows]

    async def live_sessions(self) -> list[SessionRecord]:
        """Every active or paused session (resumed after a restart)."""
        async with self.reading() as db:
            rows = await db.scalars(
                select(GuidedSession)
                .where(GuidedSession.status.in_(_LIVE_VALUES))
                .order_by(GuidedSession.id)
            )
            return [_session(r) for r in rows]

    # Back pain ---------------------------------------------------------------------------------

    async def claim_pain_question(self, user_id: int, day: date) -> bool:
        """True once per local day: whether to ask "how's your back?" now."""
        async with self.writing() as db:
            result = await db.execute(
                update(User)
                .where(
                    User.id == user_id,
                    (User.pain_asked_on.is_(None)) | (User.pain_asked_on != day),
                )
                .values(pain_asked_on=day)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def record_pain(self, user_id: int, day: date, score: int, now: datetime) -> None:
        """Store (or correct) the day's answer."""
        async with self.writing() as db:
            row = await db.get(PainReport, (user_id, day))
            if row is None:
                db.add(PainReport(user_id=user_id, day=day, score=score, answered_at=now))
            else:
                row.score = score
                row.answered_at = now

    async def pain_reports(self, user_id: int) -> dict[date, int]:
        async with self.reading() as db:
            rows = await db.scalars(
                select(PainReport).where(PainReport.user_id == user_id).order_by(PainReport.day)
            )
            return {r.day: r.score for r in rows}

    async def count_live_sessions(self) -> int:
        async with self.reading() as db:
            found = await db.scalar(
                select(func.count())
                .select_from(GuidedSession)
                .where(GuidedSession.status.in_(_LIVE_VALUES))
            )
            return int(found or 0)

    async def session_log(self, user_id: int) -> list[LogRecord]:
        """A user's finished sessions, oldest first."""
        async with self.reading() as db:
            rows = await db.scalars(
                select(SessionLog).where(SessionLog.user_id == user_id).order_by(SessionLog.id)
            )
            return [
                LogRecord(
                    session_id=r.session_id,
                    user_id=r.user_id,
                    routine_id=r.routine_id,
                    started_at=r.started_at,
                    finished_at=r.finished_at,
                    holds_done=r.holds_done,
                    holds_total=r.holds_total,
                    stretches_done=r.stretches_done,
                    duration_seconds=r.duration_seconds,
                    timezone=r.timezone,
                )
                for r in rows
            ]

    async def count(self, model: type[Base]) -> int:
        """Rows in a table (for tests and health checks)."""
        async with self.reading() as db:
            return int(await db.scalar(select(func.count()).select_from(model)) or 0)

    # -- added for privacy, export and operators (/export, /admin) --

    async def rows_of_user(
        self, user_id: int
    ) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
        """Every row holding the user's data, by table: (column names, rows). `users` by its
        id, every other table by its user_id column. Read from the schema, so a table added
        later is exported (and found by /export's test) without a change here."""
        found: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
        async with self.reading() as db:
            for table in Base.metadata.sorted_tables:
                column = table.c.id if table.name == User.__tablename__ else table.c.get("user_id")
                if column is None:
                    continue
                result = await db.execute(
                    select(table).where(column == user_id).order_by(*table.primary_key.columns)
                )
                found[table.name] = (list(result.keys()), [tuple(r) for r in result.all()])
        return found

    async def operator_counts(
        self, now: datetime, week_ago: datetime, midnight: datetime
    ) -> tuple[int, int, int, datetime | None]:
        """For /admin: subscribers (nudges on), users who started a session since `week_ago`,
        sessions started since `midnight`, and the oldest nudge due at `now` but not sent."""
        async with self.reading() as db:
            subscribers = await db.scalar(
                select(func.count()).select_from(User).where(User.active.is_(True))
            )
            active_week = await db.scalar(
                select(func.count(func.distinct(GuidedSession.user_id))).where(
                    GuidedSession.started_at >= week_ago
                )
            )
            today = await db.scalar(
                select(func.count())
                .select_from(GuidedSession)
                .where(GuidedSession.started_at >= midnight)
            )
            oldest_due = await db.scalar(
                select(func.min(Nudge.next_nudge_at)).where(Nudge.next_nudge_at <= now)
            )
        return int(subscribers or 0), int(active_week or 0), int(today or 0), oldest_due
