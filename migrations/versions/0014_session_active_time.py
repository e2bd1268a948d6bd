"""sessions.active_seconds, active_since, paused_at: a session's duration is its active time,
and a pause longer than the limit ends it (issue 23)

Sessions live at the upgrade: the time from their start to their last change counts as
active (a pause before it cannot be told apart now), an active one goes on counting from its
last change, and a paused one gets the 30 minutes of the limit from its last change.

Revision ID: 0014_session_active_time
Revises: 0013_user_place
Create Date: 2026-12-07 01:10:00
"""
from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = '0014_session_active_time'
down_revision: str | None = '0013_user_place'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAUSE_LIMIT = timedelta(minutes=30)


def upgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('active_seconds', sa.Float(), server_default='0', nullable=False)
        )
        batch_op.add_column(sa.Column(
            'active_since', bot.store.models.UTCDateTime(timezone=True), nullable=True
        ))
        batch_op.add_column(sa.Column(
            'paused_at', bot.store.models.UTCDateTime(timezone=True), nullable=True
        ))
    when = bot.store.models.UTCDateTime(timezone=True)
    sessions = sa.table(
        'sessions',
        sa.column('id', sa.Integer()),
        sa.column('status', sa.String()),
        sa.column('started_at', when),
        sa.column('updated_at', when),
        sa.column('active_seconds', sa.Float()),
        sa.column('active_since', when),
        sa.column('paused_at', when),
        sa.column('next_event_at', when),
    )
    conn = op.get_bind()
    live = conn.execute(
        sa.select(sessions.c.id, sessions.c.status, sessions.c.started_at, sessions.c.updated_at)
        .where(sessions.c.status.in_(['active', 'paused']))
    ).all()
    for row in live:
        values: dict[str, object] = {
            'active_seconds': max(0.0, (row.updated_at - row.started_at).total_seconds())
        }
        if row.status == 'active':
            values['active_since'] = row.updated_at
        else:
            values.update(paused_at=row.updated_at, next_event_at=row.updated_at + PAUSE_LIMIT)
        conn.execute(sa.update(sessions).where(sessions.c.id == row.id).values(values))


def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('paused_at')
        batch_op.drop_column('active_since')
        batch_op.drop_column('active_seconds')
