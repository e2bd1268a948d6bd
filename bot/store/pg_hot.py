"""The session hot path on PostgreSQL: its statements as SQL run straight on asyncpg.

A button press reads its session, compare-and-sets it and marks the new step shown; a
/stretch reads its user, ends any live session and inserts the new one. Issue 28 measured
Limber at 3.1x the stack's own CPU per update, and most of the difference was here:

- One statement through SQLAlchemy's execute on a held connection cost a worker 202 us of
  CPU; the same statement run by asyncpg itself, 56 us (3,000 reads of a session row,
  client CPU; docs/design-notes.md). SQLAlchemy still owns the connections (held.py), the
  schema (models.py, whose column names build the SQL below) and everything off the hot
  path; only these few statements skip its execute.
- The two hot transactions were five round trips each (BEGIN, three statements, COMMIT).
  Here each is one statement whose parts are CTEs: PostgreSQL runs one statement
  atomically, so a session that finishes is logged with its change or not at all, as before.
- Then each remaining statement was a round trip per update, the part of the gap the floor
  cannot have. The reads by id, the compare-and-sets, the "shown" marks and newcomers' rows
  are now shared by the callers of a burst (`PgHot.session`, `.user`, `.cas`, `.mark_shown`,
  `.insert_user`; coalesce.py): one statement for everyone who came while the last was out,
  each keeping the condition it had alone. A worker's CPU per update fell from 1.72x-1.78x
  the floor's to 1.45x-1.50x (docs/benchmarks.md, "Sixth pass").
- Then the session starts of a burst of /stretch (`PgHot.start`): PostgreSQL's CPU per
  update fell from 0.62-0.66 ms to 0.36-0.40 ms (docs/benchmarks.md, "Seventh pass").

SQLite keeps its lane (sqlite_lane.py): there a statement costs no round trip.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ClauseElement, String, Table
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from bot.domain.session import LIVE, EndReason, Status
from bot.store.coalesce import Coalesced
from bot.store.held import HeldConnections
from bot.store.models import GuidedSession, User
from bot.store.records import STATE_KEYS

_SESSIONS = cast(Table, GuidedSession.__table__)
_USERS = cast(Table, User.__table__)
SESSION_COLUMNS = tuple(c.name for c in _SESSIONS.c)
USER_COLUMNS = tuple(c.name for c in _USERS.c)
_S = ", ".join(SESSION_COLUMNS)
USERS = ", ".join(USER_COLUMNS)
# Fixed words of our own enums, not user input: written into the SQL as literals.
_LIVE = ", ".join(f"'{s.value}'" for s in sorted(LIVE, key=lambda s: s.value))


class Row:
    """An asyncpg record read by attribute, as records.py reads SQLAlchemy's rows.

    Its values are copied to the instance's own attributes: read through __getattr__, each
    read first failed the ordinary lookup, and a session row's 30 reads cost 25 us of CPU
    (session_record was 2 % of a burst's py-spy samples, the most of any function of the
    bot's own); copied, 6 us with the copy (timeit, 2026-12-08)."""

    def __init__(self, record: Any) -> None:
        self.__dict__.update(record.items())

    def __getattr__(self, name: str) -> Any:
        # Reached only for a column the statement did not return; declared so that the
        # columns read by name type-check as Any.
        raise AttributeError(name)


class Compiled:
    """A SQLAlchemy Core statement as asyncpg's SQL, compiled once (for a statement simpler
    written in Core than by hand: its literals become parameters with their values)."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]
        self.sql = compiled.string
        self._names = tuple(getattr(compiled, "positiontup", None) or ())  # numeric: $1, $2
        self._defaults = dict(compiled.params)

    def args(self, params: dict[str, object]) -> list[object]:
        return [params[n] if n in params else self._defaults[n] for n in self._names]


def _numbered(names: Sequence[str], start: int = 1) -> str:
    return ", ".join(f"${i}" for i in range(start, start + len(names)))


LIVE_OF = f"SELECT {_S} FROM sessions WHERE user_id = $1 AND status IN ({_LIVE})"
# The player (bot/store/player.py). Session ids come from a page's query string: bigint, so
# one past int4 matches nothing instead of failing to encode. The session a page names if it
# is the user's, and the user's live one: one round trip, where it was two.
PLAYER_SESSION = (
    f"SELECT {_S} FROM sessions WHERE (id = $1::bigint AND user_id = $2) "
    f"OR (user_id = $2 AND status IN ({_LIVE}))"
)
# The live hub's tick (bot/player/live.py): of every page waiting on this worker, the ones
# whose session moved on, each with what its page shows now (the PLAYER_SESSION choice: the
# user's live session, else the one the page names if it is theirs) and the user's chosen
# language. Three arrays, not 3,000 parameters (SQLAlchemy's expanding IN cost the worker
# 11-12 ms of CPU per tick at 1,000 pages); PostgreSQL compares, so the worker reads only the
# pages that changed (it built and compared 1,000 rows a tick, four ticks a second). Each
# join is one index probe: the primary key, and the one-live-session-per-user index.
_C = ", ".join(f"c.{name}" for name in SESSION_COLUMNS)
PAGE_CHANGES = (
    "WITH moved AS (SELECT w.n, w.user_id, COALESCE(l.id, s.id) AS shown "
    "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) WITH ORDINALITY "
    "AS w(user_id, session_id, version, n) "
    f"LEFT JOIN sessions l ON l.user_id = w.user_id AND l.status IN ({_LIVE}) "
    "LEFT JOIN sessions s ON s.id = w.session_id AND s.user_id = w.user_id "
    "WHERE COALESCE(l.id, s.id) IS DISTINCT FROM w.session_id "
    "OR COALESCE(l.version, s.version) <> w.version) "
    f"SELECT moved.n, {_C}, "
    "(SELECT language FROM users WHERE users.id = moved.user_id) AS owner_language "
    "FROM moved LEFT JOIN sessions c ON c.id = moved.shown"
)


# What a step's compare-and-set writes: the state, the new version and time, the step's claim.
CAS_NAMES = (*STATE_KEYS, "version", "updated_at", "show_claimed_by", "show_claimed_until")


def _array_of(name: str, table: Table = _SESSIONS) -> str:
    """The SQL array type for a batch of a column's values. Strings as text: a cast to
    varchar(16) would cut a long value short, where the assignment to the column fails."""
    column_type = table.c[name].type
    if isinstance(column_type, String):
        return "text[]"
    return f"{column_type.compile(dialect=asyncpg_dialect())}[]"  # type: ignore[no-untyped-call]


def cas_many_sql(names: Sequence[str]) -> str:
    """Many sessions' compare-and-sets as one statement (coalesce.py): one array per column
    of `names`, then the ids and the versions seen. Each row changes only from its own version
    seen, as alone; the rows are locked in id order first, as MARK_SHOWN_MANY's are. Returns
    the ids changed."""
    arrays = [*(_array_of(name) for name in names), "integer[]", "integer[]"]
    params = ", ".join(f"${i}::{array}" for i, array in enumerate(arrays, 1))
    columns = ", ".join((*names, "id", "seen"))
    sets = ", ".join(f"{name} = v.{name}" for name in names)
    return (
        f"WITH v AS (SELECT * FROM unnest({params}) AS v({columns})), "
        "locked AS MATERIALIZED (SELECT s.id FROM sessions s JOIN v "
        "ON s.id = v.id AND s.version = v.seen ORDER BY s.id FOR UPDATE OF s) "
        f"UPDATE sessions SET {sets} FROM v "
        "WHERE sessions.id = v.id AND sessions.version = v.seen "
        "AND sessions.id IN (SELECT id FROM locked) RETURNING sessions.id"
    )


CAS_MANY = cas_many_sql(CAS_NAMES)

# A newcomer's row (users.py _new_user): many at once. An id already there (another worker
# inserted it a moment ago) is skipped, and its caller takes the update path, as the primary
# key's refusal sent it there when each insert was a statement of its own.
NEW_USER_COLUMNS = (
    "id",
    "chat_id",
    "first_name",
    "language_code",
    "active",
    "timezone",
    "onboarding",
    "created_at",
    "updated_at",
)
INSERT_USERS = (
    f"INSERT INTO users ({', '.join(NEW_USER_COLUMNS)}) SELECT * FROM unnest("
    + ", ".join(f"${i}::{_array_of(n, _USERS)}" for i, n in enumerate(NEW_USER_COLUMNS, 1))
    + f") ON CONFLICT (id) DO NOTHING RETURNING {USERS}"
)


_LOG_COLUMNS = (
    "user_id",
    "session_id",
    "routine_id",
    "started_at",
    "finished_at",
    "holds_done",
    "holds_total",
    "stretches_done",
    "duration_seconds",
)


def cas_finishing_sql(names: Sequence[str]) -> str:
    """A compare-and-set that finishes a counted session, with the user's last session and
    the log row, in one statement (what was a five-round-trip transaction). Parameters:
    `names`, the id and version seen, then the log's columns (_LOG_COLUMNS); the log's time
    zone is the user's, read in the same statement."""
    n = len(names)
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, 1))
    first = n + 3
    log_values = _numbered(_LOG_COLUMNS, first)
    user = f"${first}"
    return (
        f"WITH cas AS (UPDATE sessions SET {sets} WHERE id = ${n + 1} AND version = ${n + 2} "
        "RETURNING user_id), "
        f"finished AS (UPDATE users SET last_finished_at = ${first + 4} "
        "WHERE id = (SELECT user_id FROM cas)), "
        f"logged AS (INSERT INTO session_log ({', '.join(_LOG_COLUMNS)}, timezone) "
        f"SELECT {log_values}, coalesce((SELECT timezone FROM users WHERE id = {user}), 'UTC') "
        "FROM cas) "
        "SELECT count(*) FROM cas"
    )


@functools.cache
def start_sql(names: tuple[str, ...]) -> str:
    """End the user's live session as replaced and insert the new one, in one statement.
    Parameters: the user, the time, then the new row's `names`.

    The insert reads the count of replaced rows, so the replacement has run before the new
    row meets the one-live-session index (which then sees the old row as ended by this same
    statement). Two starts at once: one statement, one snapshot, so the second does not see
    the first's new row and meets the index; the caller then runs it again behind the user's
    row lock, in a transaction of its own (PgHot.start_locked). Taking that lock in this
    statement as well deadlocked against it (a CTE's locks come in no set order)."""
    values = _numbered(names, 3)
    return (
        "WITH old AS (UPDATE sessions SET "
        f"status = '{Status.STOPPED.value}', end_reason = '{EndReason.REPLACED.value}', "
        "ended_at = $2, next_event_at = NULL, version = version + 1, updated_at = $2 "
        f"WHERE user_id = $1 AND status IN ({_LIVE}) RETURNING {_S}), "
        f"new AS (INSERT INTO sessions ({', '.join(names)}) "
        f"SELECT {values} FROM (SELECT count(*) FROM old) AS replaced RETURNING {_S}) "
        f"SELECT true AS is_new, {_S} FROM new UNION ALL SELECT false, {_S} FROM old"
    )


# A new session's row (sessions.py start_session), the user first.
NEW_SESSION_COLUMNS = (
    "user_id",
    "chat_id",
    "routine_id",
    "version",
    "shown_version",
    "updated_at",
    *STATE_KEYS,
    "started_at",
    "show_claimed_by",
    "show_claimed_until",
)


def starts_sql(names: Sequence[str]) -> str:
    """Many users' session starts as one statement (coalesce.py), each as start_sql does
    alone: the user's live session ended as replaced, the new one inserted. Parameters: one
    array per column of `names` (the user's first), then each start's time. Returns the rows
    as start_sql does, every user's in one answer.

    Deadlocks with another worker's batch are kept out by order: the live rows are locked in
    id order first, and the new rows go in in user order (each meets the one-live-session
    index, and the users' rows for the foreign key, in that order). Two starts of one user
    never share a batch (PgHot.start); one that meets another worker's start at the index
    fails the batch, and each of its callers goes on alone behind its user's lock, as a
    start that met another alone does."""
    if names[0] != "user_id":
        raise ValueError("the user's column comes first")
    arrays = [*(_array_of(name) for name in names), _array_of("updated_at")]
    params = ", ".join(f"${i}::{array}" for i, array in enumerate(arrays, 1))
    columns = ", ".join((*names, "at"))
    returned = ", ".join(f"sessions.{name}" for name in SESSION_COLUMNS)
    return (
        f"WITH v AS (SELECT * FROM unnest({params}) AS v({columns})), "
        "locked AS MATERIALIZED (SELECT s.id FROM sessions s JOIN v ON s.user_id = v.user_id "
        f"WHERE s.status IN ({_LIVE}) ORDER BY s.id FOR UPDATE OF s), "
        "old AS (UPDATE sessions SET "
        f"status = '{Status.STOPPED.value}', end_reason = '{EndReason.REPLACED.value}', "
        "ended_at = v.at, next_event_at = NULL, version = sessions.version + 1, "
        f"updated_at = v.at FROM v WHERE sessions.user_id = v.user_id "
        f"AND sessions.status IN ({_LIVE}) AND sessions.id IN (SELECT id FROM locked) "
        f"RETURNING {returned}), "
        f"new AS (INSERT INTO sessions ({', '.join(names)}) "
        f"SELECT {', '.join(f'v.{name}' for name in names)} "
        "FROM v, (SELECT count(*) FROM old) AS replaced ORDER BY v.user_id "
        f"RETURNING {_S}) "
        f"SELECT true AS is_new, {_S} FROM new UNION ALL SELECT false, {_S} FROM old"
    )


STARTS = starts_sql(NEW_SESSION_COLUMNS)


# NO KEY UPDATE, not UPDATE: a start on the fast path inserting meanwhile holds its new row's
# index entry and then takes KEY SHARE on the user for the foreign key; FOR UPDATE refused it
# while waiting for that row: a deadlock (3 of 10 runs of five starts at once).
LOCK_USER = "SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE"
CLAIM_SHOW = (
    "UPDATE sessions SET show_claimed_by = $1, show_claimed_until = $2 "
    "WHERE id = $3 AND version = $4 AND shown_version <> $4 AND "
    "($5::boolean OR show_claimed_by IS NULL OR show_claimed_by = $1 "
    "OR show_claimed_until <= $6)"
)
# The statements a burst's callers share (coalesce.py): the pressed sessions (each with its
# owner's languages: a press or a wake reads nothing else before it writes), the senders' users,
# and the steps the chat now shows. Ids as bigint: an id past int4 from a forged
# button must not fail the other callers' batch (the columns compare across int widths, on
# their indexes).
READ_SESSIONS = (
    f"SELECT {_S}, (SELECT language FROM users WHERE users.id = sessions.user_id) "
    "AS owner_language, "
    "(SELECT language_code FROM users WHERE users.id = sessions.user_id) "
    "AS owner_language_code FROM sessions WHERE id = ANY($1::bigint[])"
)
READ_USERS = f"SELECT {USERS} FROM users WHERE id = ANY($1::bigint[])"
# Each mark conditional on its version, as one alone was; a mark with no message id keeps
# the row's. Rows are locked in id order first: two workers' batches can never wait on
# each other in a circle (claims make one session in two batches rare, not impossible).
MARK_SHOWN_MANY = (
    "WITH v AS (SELECT * FROM unnest($1::integer[], $2::integer[], $3::bigint[]) "
    "AS v(id, version, message_id)), "
    "locked AS MATERIALIZED (SELECT s.id FROM sessions s JOIN v "
    "ON s.id = v.id AND s.version = v.version ORDER BY s.id FOR UPDATE OF s) "
    "UPDATE sessions SET shown_version = v.version, "
    "message_id = coalesce(v.message_id, sessions.message_id) FROM v "
    "WHERE sessions.id = v.id AND sessions.version = v.version "
    "AND sessions.id IN (SELECT id FROM locked) RETURNING sessions.id"
)
# The ids PostgreSQL's integer and bigint columns can hold: any other names no row.
INT4 = range(-(2**31), 2**31)
INT8 = range(-(2**63), 2**63)


def _count(status: str) -> int:
    """The row count of a command's status ("UPDATE 1")."""
    return int(status.rsplit(" ", 1)[-1])


class PgHot:
    """The hot statements on the store's held connections (held.py)."""

    def __init__(self, held: HeldConnections) -> None:
        self._held = held
        # Shared by the callers of a burst (coalesce.py); each call still gets its own row.
        self.session: Coalesced[int, Row | None] = Coalesced(self._sessions)
        self.user: Coalesced[int, Row | None] = Coalesced(self._users)
        # (session id, version, message id or None): whether that version is now marked.
        self.mark_shown: Coalesced[tuple[int, int, int | None], bool] = Coalesced(
            self._mark_shown, distinct=lambda key: key[0]
        )
        # NEW_USER_COLUMNS' values: the row inserted, or None if the id was taken meanwhile.
        self.insert_user: Coalesced[tuple[object, ...], Row | None] = Coalesced(
            self._insert_users, distinct=lambda key: key[0]
        )
        # A step's compare-and-set: CAS_NAMES' values, the id, the version seen; whether it
        # won. Two of one session never share a batch: the UPDATE would change the row once
        # and both would read it as won.
        self.cas: Coalesced[tuple[object, ...], bool] = Coalesced(
            self._cas, distinct=lambda key: key[-2]
        )
        # A session start: NEW_SESSION_COLUMNS' values, then the time; the new row and the
        # one it replaced, if any (is_new tells which). A user's second start waits for the
        # next batch, so that it replaces the first, as it would alone.
        self.start: Coalesced[tuple[object, ...], list[Row]] = Coalesced(
            self._starts, distinct=lambda key: key[0]
        )

    async def _by_id(self, sql: str, ids: Sequence[int], fits: range) -> list[Row | None]:
        wanted = [i for i in ids if i in fits]
        found = {r["id"]: Row(r) for r in await self.records(sql, wanted)} if wanted else {}
        return [found.get(i) for i in ids]

    async def _sessions(self, ids: Sequence[int]) -> list[Row | None]:
        return await self._by_id(READ_SESSIONS, ids, INT4)

    async def _users(self, ids: Sequence[int]) -> list[Row | None]:
        return await self._by_id(READ_USERS, ids, INT8)

    async def _insert_users(self, rows: Sequence[tuple[object, ...]]) -> list[Row | None]:
        columns = [list(column) for column in zip(*rows, strict=True)]
        added = {r["id"]: Row(r) for r in await self.records(INSERT_USERS, *columns)}
        return [added.get(row[0]) for row in rows]

    async def _cas(self, changes: Sequence[tuple[object, ...]]) -> list[bool]:
        columns = [list(column) for column in zip(*changes, strict=True)]
        won = {r["id"] for r in await self.records(CAS_MANY, *columns)}
        return [change[-2] in won for change in changes]

    async def _starts(self, starts: Sequence[tuple[object, ...]]) -> list[list[Row]]:
        columns = [list(column) for column in zip(*starts, strict=True)]
        rows: dict[object, list[Row]] = {start[0]: [] for start in starts}
        for record in await self.records(STARTS, *columns):
            rows[record["user_id"]].append(Row(record))
        return [rows[start[0]] for start in starts]

    async def _mark_shown(self, marks: Sequence[tuple[int, int, int | None]]) -> list[bool]:
        ids, versions, messages = (list(column) for column in zip(*marks, strict=True))
        marked = {r["id"] for r in await self.records(MARK_SHOWN_MANY, ids, versions, messages)}
        return [session_id in marked for session_id, _, _ in marks]

    async def one(self, sql: str, *args: object) -> Row | None:
        async def work(driver: Any) -> Row | None:
            record = await driver.fetchrow(sql, *args)
            return Row(record) if record is not None else None

        return await self._held.run_driver(work, sql)

    async def rows(self, sql: str, *args: object) -> list[Row]:
        async def work(driver: Any) -> list[Row]:
            return [Row(r) for r in await driver.fetch(sql, *args)]

        return await self._held.run_driver(work, sql)

    async def records(self, sql: str, *args: object) -> list[Any]:
        """asyncpg's own records (tuples that also read by name): for many small rows, where
        a Row each would cost more than the query."""

        async def work(driver: Any) -> list[Any]:
            return list(await driver.fetch(sql, *args))

        return await self._held.run_driver(work, sql)

    async def count(self, sql: str, *args: object) -> int:
        """The rows a command changed."""

        async def work(driver: Any) -> int:
            return _count(await driver.execute(sql, *args))

        return await self._held.run_driver(work, sql)

    async def value(self, sql: str, *args: object) -> Any:
        async def work(driver: Any) -> Any:
            return await driver.fetchval(sql, *args)

        return await self._held.run_driver(work, sql)

    async def start_locked(self, user_id: int, now: datetime, sql: str, *args: object) -> list[Row]:
        """The session start, serialised behind the user's row lock: for starts that met at
        the one-live-session index (five at once, tests/store/test_store.py). Inside the
        transaction the start's statement sees the rows committed before the lock was had."""

        async def work(driver: Any) -> list[Row]:
            async with driver.transaction():
                await driver.execute(LOCK_USER, user_id)
                # A statement of its own: its snapshot sees what was committed before the lock.
                return [Row(r) for r in await driver.fetch(sql, user_id, now, *args)]

        return await self._held.run_driver(work, sql)
