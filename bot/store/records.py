"""What the store hands out: frozen records, never live ORM objects, and the one place a row
becomes a record (or a session state becomes columns)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import Row

from bot.domain.nudge_rules import next_nudge_at
from bot.domain.session import EndReason, Phase, SessionState, Status
from bot.store.models import GuidedSession, Nudge, SessionLog, User


class NoRow(Enum):
    """A user row read a moment ago and not there (None means not read)."""

    NO_ROW = "no row"


NO_ROW = NoRow.NO_ROW


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
    hands_free: bool = True
    hold_seconds: int | None = None
    pace: str = "normal"
    language: str | None = None  # chosen with /language (i18n)
    place: str | None = None  # the place chosen for the zone ("Lyon|FR|"), if any


@dataclass(frozen=True, slots=True)
class NudgeRecord:
    user_id: int
    kind: str
    local_time: str
    enabled: bool
    next_nudge_at: datetime | None
    days: int = 0b1111111


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
    days: int = 0b1111111
    # The user's language (i18n): chosen with /language, else from Telegram's code.
    language: str | None = None
    language_code: str | None = None


class ClaimConflict(Exception):
    """The conditional moves of a claim did not all apply; nothing was claimed."""


# Given (kind, local_time, zone, due_at, days), the instant the nudge is due next.


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
    # The claim on showing this version's step: a worker's token and when it runs out.
    claimed_by: str | None = None
    claimed_until: datetime | None = None
    # The owner's /language choice and Telegram app's language, read with the session (a
    # press or a wake reads no user row); None when there is none, and on the reads that do
    # not bring them.
    language: str | None = None
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class StepClaim:
    """A worker's claim on showing a session's step: its token, and when the claim runs out
    (after which another worker may show the step, its owner being presumed dead)."""

    by: str
    until: datetime


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


def user_record(row: User | Row[Any] | Any) -> UserRecord:
    """A user from an ORM row, a plain row, or an asyncpg record (pg_hot.Row)."""
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
        hands_free=row.hands_free,
        hold_seconds=row.hold_seconds,
        pace=row.pace,
        language=row.language,
        place=row.place,
    )


def nudge_record(row: Nudge) -> NudgeRecord:
    return NudgeRecord(
        row.user_id, row.kind, row.local_time, row.enabled, row.next_nudge_at, row.days
    )


def due_nudge(row: Row[*tuple[Any, ...]], now: datetime) -> DueNudge:
    """A claimed row (nudge joined with its user), with its next instant (the one rule,
    domain/nudge_rules.next_nudge_at)."""
    return DueNudge(
        user_id=row.user_id,
        kind=row.kind,
        local_time=row.local_time,
        due_at=row.next_nudge_at,
        next_at=next_nudge_at(
            row.kind, row.local_time, row.timezone, row.next_nudge_at, now, row.days
        ),
        chat_id=row.chat_id,
        timezone=row.timezone,
        first_name=row.first_name,
        paused_until=row.paused_until,
        last_finished_at=row.last_finished_at,
        days=row.days,
        language=row.language,
        language_code=row.language_code,
    )


def session_record(row: GuidedSession | Row[Any] | Any) -> SessionRecord:
    """A session from an ORM row, a plain row of the sessions table (the SQLite lane's) or
    an asyncpg record (pg_hot.Row, PostgreSQL's hot path)."""
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
        phase_seconds=row.phase_seconds,
        hands_free=bool(row.hands_free),
        hold_seconds=row.hold_seconds,
        pace_percent=row.pace_percent,
        stretch_holds=row.stretch_holds,
        active_seconds=row.active_seconds,
        active_since=row.active_since,
        paused_at=row.paused_at,
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
        claimed_by=row.show_claimed_by,
        claimed_until=row.show_claimed_until,
        language=getattr(row, "owner_language", None),
        language_code=getattr(row, "owner_language_code", None),
    )


# The session columns that hold its state machine value (all but identity and display).
STATE_KEYS = (
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
    "phase_seconds",
    "hands_free",
    "hold_seconds",
    "pace_percent",
    "stretch_holds",
    "active_seconds",
    "active_since",
    "paused_at",
)


def state_columns(state: SessionState) -> dict[str, object]:
    """A session state as the values of the STATE_KEYS columns."""
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
        "phase_seconds": state.phase_seconds,
        "hands_free": state.hands_free,
        "hold_seconds": state.hold_seconds,
        "pace_percent": state.pace_percent,
        "stretch_holds": state.stretch_holds,
        "active_seconds": state.active_seconds,
        "active_since": state.active_since,
        "paused_at": state.paused_at,
    }


def log_record(row: SessionLog) -> LogRecord:
    return LogRecord(
        session_id=row.session_id,
        user_id=row.user_id,
        routine_id=row.routine_id,
        started_at=row.started_at,
        finished_at=row.finished_at,
        holds_done=row.holds_done,
        holds_total=row.holds_total,
        stretches_done=row.stretches_done,
        duration_seconds=row.duration_seconds,
        timezone=row.timezone,
    )
