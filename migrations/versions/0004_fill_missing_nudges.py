"""fill missing nudge rows: first-release users had none, while /settings showed times

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 11:30:00

Users who signed up under revision 0001 had no nudge rows (the table came in 0002), and 0002
created none for them. /settings showed them the default times (a missing row falls back to
them), yet no nudge was ever sent. This creates every missing (user, kind) row with the time
/settings shows.

Each new row gets its next instant as `Subscriptions.reschedule` would compute it (the user's
next local morning or bedtime, by bot.domain.schedule's DST rules), not "due now": a row due
at the moment of the upgrade would be claimed by the first tick and sent at whatever hour the
upgrade ran (3 a.m. in the user's zone, say), inside the grace window. As in reschedule, an
inactive user (/stop, blocked) or one who never gave a zone gets rows with no next instant.
"""
from collections.abc import Sequence
from datetime import UTC, datetime, time

import sqlalchemy as sa
from alembic import op

from bot.domain.schedule import next_occurrence
from bot.store.models import UTCDateTime

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The times /settings showed for a missing row when this was written (nudge_rules.DEFAULT_TIMES
# then), frozen here: a later change of defaults or a new kind must not change this upgrade.
SHOWN_TIMES = {"morning": "07:30", "bedtime": "22:00"}

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
        return next_occurrence(time.fromisoformat(local_time), zone, now)
    except (ValueError, KeyError):  # a zone this system lacks must not stop the upgrade
        return None


def upgrade() -> None:
    conn = op.get_bind()
    now = datetime.now(UTC)
    have = {(r.user_id, r.kind) for r in conn.execute(sa.select(nudges.c.user_id, nudges.c.kind))}
    rows = []
    for user in conn.execute(sa.select(users.c.id, users.c.timezone, users.c.active, users.c.onboarding)):
        scheduled = user.active and user.onboarding != "ob:timezone"
        for kind, local_time in SHOWN_TIMES.items():
            if (user.id, kind) in have:
                continue
            rows.append(
                {
                    "user_id": user.id,
                    "kind": kind,
                    "local_time": local_time,
                    "enabled": True,
                    "next_nudge_at": _next_at(local_time, user.timezone, now) if scheduled else None,
                }
            )
    if rows:
        conn.execute(nudges.insert(), rows)


def downgrade() -> None:
    # The rows are valid at 0003 too, and the users need them there as well: keep them.
    pass
