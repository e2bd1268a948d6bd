"""Typed ORM models: the database schema.

Instants are stored as UTC everywhere. SQLite has no time-zone-aware type, so `UTCDateTime`
stores naive UTC there and hands back aware datetimes on both databases: code above the store
never sees a naive datetime.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Named constraints, so later migrations (batch mode on SQLite) can alter them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """A Telegram user who has pressed /start (the id is Telegram's user id)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    first_name: Mapped[str] = mapped_column(String(128), default="")
    language_code: Mapped[str | None] = mapped_column(String(16))
    # The language picked with /language (bot/i18n.py's LANGUAGES); NULL: follow Telegram's
    # language_code, refreshed on every /start, so a user who switches their app follows.
    language: Mapped[str | None] = mapped_column(String(8))
    # False after /stop or when Telegram says the user blocked the bot; /start sets it again.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # The place the user chose for that zone ("Lyon|FR|", name|country|US state, as GeoNames
    # names it), shown back instead of the zone's own city (Paris for a Lyon user); NULL when
    # the zone was chosen as a zone (a suggestion button, a zone id, a location).
    place: Mapped[str | None] = mapped_column(String(200))
    # Where onboarding stands after /start ("timezone", "morning", "bedtime"); None when done.
    onboarding: Mapped[str | None] = mapped_column(String(16))
    # Holiday mode (/pause): no nudges before this instant.
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Denormalised from session_log so the nudge tick can skip users who just stretched
    # without a query per user.
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The local day the back-pain question was last asked: at most once a day.
    pain_asked_on: Mapped[date | None] = mapped_column(Date)
    # The local day the mobility check was last offered after a session: once a week.
    reach_offered_on: Mapped[date | None] = mapped_column(Date)
    # How their sessions run (/settings): hands-free or tap-through, every hold's length
    # (None: the routine's) and the pace of the get-ready and switch pauses.
    hands_free: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    hold_seconds: Mapped[int | None] = mapped_column(Integer)
    pace: Mapped[str] = mapped_column(String(8), default="normal", server_default="normal")
    # After "This hurts": when to ask how the back is (the next day); None when not due.
    pain_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When Limber last suggested seeing a doctor about the pain answers (bot/domain/pain_care:
    # at most once every four weeks, so that it is read rather than tuned out).
    doctor_suggested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Nudge(Base):
    """One of a user's scheduled messages: the morning, bedtime and desk-break nudges, and the
    weekly summary (kind "weekly").

    `next_nudge_at` is the next instant to send it (UTC), NULL when it is off or the user is
    inactive. The tick claims due rows by moving it forward (compare-and-set), then sends.
    """

    __tablename__ = "nudges"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    local_time: Mapped[str] = mapped_column(String(5))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    next_nudge_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The local weekdays it comes on: bit 0 Monday .. bit 6 Sunday (bot/domain/schedule.py).
    days: Mapped[int] = mapped_column(Integer, default=127, server_default=text("127"))


class GuidedSession(Base):
    """One guided session: the persisted state machine of domain.session.

    `version` is bumped by every transition (compare-and-set); buttons carry it, so a stale
    press is recognised. `shown_version` is the version the chat's current message shows:
    when it lags after a crash, the step is shown again on restart.
    """

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    routine_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str] = mapped_column(String(16))
    stretch_index: Mapped[int] = mapped_column(Integer, default=0)
    side: Mapped[int] = mapped_column(Integer, default=0)
    holds_done: Mapped[int] = mapped_column(Integer, default=0)
    stretches_done: Mapped[int] = mapped_column(Integer, default=0)
    stretches_skipped: Mapped[int] = mapped_column(Integer, default=0)
    next_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    paused_remaining: Mapped[float | None] = mapped_column(Float)
    # The timed phase's length when it began (domain.session.SessionState.phase_seconds).
    phase_seconds: Mapped[int | None] = mapped_column(Integer)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    shown_version: Mapped[int] = mapped_column(Integer, default=0)
    # Who shows the current version's step (a worker's token) and until when that claim
    # holds: taken with the compare-and-set that made the version, or by a wake that finds
    # the step unshown; another worker shows it only once the claim has run out.
    show_claimed_by: Mapped[str | None] = mapped_column(String(32))
    show_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(16))
    # How this session runs, fixed when it began (domain.session.SessionState).
    hands_free: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    hold_seconds: Mapped[int | None] = mapped_column(Integer)
    pace_percent: Mapped[int] = mapped_column(Integer, default=100, server_default="100")
    stretch_holds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Active time (domain.session.SessionState: active_seconds, active_since, paused_at).
    active_seconds: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    active_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        # At most one live session per user, even when two /stretch race in two workers.
        Index(
            "uq_sessions_live_user",
            "user_id",
            unique=True,
            sqlite_where=text("status IN ('active', 'paused')"),
            postgresql_where=text("status IN ('active', 'paused')"),
        ),
        Index("ix_sessions_status", "status"),
    )


class PainReport(Base):
    """The answer to "how's your back?" (0 = no pain .. 10), one per local day."""

    __tablename__ = "pain_reports"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SessionLog(Base):
    """A finished session, kept for streaks and /stats."""

    __tablename__ = "session_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), unique=True
    )
    routine_id: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    holds_done: Mapped[int] = mapped_column(Integer)
    holds_total: Mapped[int] = mapped_column(Integer)
    stretches_done: Mapped[int] = mapped_column(Integer)
    duration_seconds: Mapped[int] = mapped_column(Integer)
    # The user's zone when the session finished: the local day it counts for never changes.
    timezone: Mapped[str] = mapped_column(String(64))


class ReachCheck(Base):
    """A mobility check's answer (/reach): how high the straight leg goes, per day and side."""

    __tablename__ = "reach_checks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    side: Mapped[str] = mapped_column(String(8), primary_key=True)  # "left" or "right"
    degrees: Mapped[int] = mapped_column(Integer)  # 30, 45, 60, 75 or 90
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PictureUpload(Base):
    """The file_id Telegram gave a picture once uploaded, per bot (a file_id is only valid for
    the bot that uploaded it) and picture key (its content hash): every later session sends
    the file_id, so each picture is uploaded once per bot."""

    __tablename__ = "picture_uploads"
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    picture_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TeamGroup(Base):
    """A group chat Limber is in (issue 25): its team desk break, if one is set.

    `next_announce_at` is when the next break's message goes out (ANNOUNCE_AHEAD before
    `next_break_at`), NULL when no break is set or the bot is not in the group. The tick
    claims it by compare-and-set, as a nudge. `chat_id` changes when the group becomes a
    supergroup (Telegram's migrate_to_chat_id).
    """

    __tablename__ = "team_groups"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # The language the group reads: the one of the admin who set the break (or who added the
    # bot), as they read Limber; each /deskbreak by an admin sets it again.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    timezone: Mapped[str | None] = mapped_column(String(64))
    local_time: Mapped[str | None] = mapped_column(String(5))
    days: Mapped[int] = mapped_column(Integer, default=31, server_default=text("31"))
    # False once the bot was removed, the group deleted, or Telegram answered 403.
    present: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    next_announce_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    next_break_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    introduced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    set_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TeamBreak(Base):
    """One team break: its message, where it stands, and (through team_joins) who was in.

    `state`: "live" from the announcement to the end, then "done" or "cancelled" (the bot
    removed, no right to send, the message gone). Every change is a compare-and-set on
    `version`, so two workers never edit the same break for the same moment.
    """

    __tablename__ = "team_breaks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    break_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_day: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The next edit's instant; NULL until the announcement is out, and once the break ended.
    next_frame_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    shown_stage: Mapped[str | None] = mapped_column(String(12))
    people: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("uq_team_breaks_chat_at", "chat_id", "break_at", unique=True),)


class TeamJoin(Base):
    """Someone who pressed "I'm in" for a break (not necessarily a Limber user): their first
    name is shown at the end, and a Limber user gets the break in their own history."""

    __tablename__ = "team_joins"

    break_id: Mapped[int] = mapped_column(
        ForeignKey("team_breaks.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(128), default="")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
