"""mobility checks (/reach): answers per day and side, and the day the check was last offered

Revision ID: 0007_reach
Revises: 0006_nudge_days
Create Date: 2026-11-27 12:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = '0007_reach'
down_revision: str | None = '0006_nudge_days'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reach_checks',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('degrees', sa.Integer(), nullable=False),
    sa.Column('answered_at', bot.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reach_checks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'day', 'side', name=op.f('pk_reach_checks'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reach_offered_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('reach_offered_on')
    op.drop_table('reach_checks')
