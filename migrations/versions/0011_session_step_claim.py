"""sessions.show_claimed_by / show_claimed_until: who shows the session's current step, and
until when the claim holds (issue 29: one owner per session's next step)

Revision ID: 0011_session_step_claim
Revises: 0010_user_language
Create Date: 2026-12-01 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = '0011_session_step_claim'
down_revision: str | None = '0010_user_language'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_claimed_by', sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column(
                'show_claimed_until',
                bot.store.models.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('show_claimed_until')
        batch_op.drop_column('show_claimed_by')
