"""weekly summary rows: each user's weekly summary is a schedule row, claimed like the nudges

Revision ID: 0005_weekly
Revises: 0005
Create Date: 2026-11-27 11:50:00

The weekly summary (issue 17) is a row of kind "weekly" in the nudges table, so it is claimed
by the same compare-and-set on next_nudge_at: once per user per week across restarts and
workers. New subscribers get it from Subscriptions.ensure_nudges; this gives every existing
user one, on (opt-out in /settings), at the time ensure_nudges + reschedule would give: with
the bedtime nudge when it is on (two minutes after it), else Sunday 20:00 local, next instant by the DST rules of
bot.domain.schedule. Inactive users, and users who never gave a zone, get a row with no next
instant, as in reschedule.
"""
from collections.abc import Sequence
from datetime import UTC, datetime, time

import sqlalchemy as sa
from alembic import op

from bot.domain.schedule import MONDAY, SUNDAY, next_occurrence_on
from bot.store.models import UTCDateTime

revision: str = '0005_weekly'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here (nudge_rules' values when this was written): a later change must not change
# what this upgrade did.
FALLBACK_TIME = "20:00"
AFTER_BEDTIME_MINUTES = 2  # just after the bedtime nudge, never with it (one chat, 1/s)


def _after_bedtime(local_time: str) -> str:
    hours, minutes = (int(p) for p in local_time.split(":"))
    total = (hours * 60 + minutes + AFTER_BEDTIME_MINUTES) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"

users = sa.table(
    "users",
    sa.column("id", sa.BigInteger),
    sa.column("timezone", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("onboarding", sa.String),
)
nudges = sa.table(
    "nudges",
    sa.column("user_id", sa.BigInteger),
    sa.column("kind", sa.String),
    sa.column("local_time", sa.String),
    sa.column("enabled", sa.Boolean),
    sa.column("next_nudge_at", UTCDateTime()),
)


def _next_at(local_time: str, zone: str, now: datetime) -> datetime | None:
    try:
        local = time.fromisoformat(local_time)
        day = MONDAY if local.hour < 3 else SUNDAY  # after midnight: still Sunday night
        return next_occurrence_on(local, zone, now, 1 << day)
    except (ValueError, KeyError):  # a zone this system lacks must not stop the upgrade
        return None


def upgrade() -> None:
    conn = op.get_bind()
    now = datetime.now(UTC)
    rows = conn.execute(sa.select(nudges.c.user_id, nudges.c.kind, nudges.c.local_time, nudges.c.enabled))
    have: dict[int, dict[str, tuple[str, bool]]] = {}
    for r in rows:
        have.setdefault(r.user_id, {})[r.kind] = (r.local_time, bool(r.enabled))
    new = []
    for user in conn.execute(sa.select(users.c.id, users.c.timezone, users.c.active, users.c.onboarding)):
        mine = have.get(user.id, {})
        if "weekly" in mine:
            continue
        bedtime = mine.get("bedtime")
        local_time = _after_bedtime(bedtime[0]) if bedtime and bedtime[1] else FALLBACK_TIME
        scheduled = user.active and user.onboarding != "ob:timezone"
        new.append(
            {
                "user_id": user.id,
                "kind": "weekly",
                "local_time": local_time,
                "enabled": True,
                "next_nudge_at": _next_at(local_time, user.timezone, now) if scheduled else None,
            }
        )
    if new:
        conn.execute(nudges.insert(), new)


def downgrade() -> None:
    op.execute(nudges.delete().where(nudges.c.kind == "weekly"))
