"""team desk breaks in group chats (issue 25): team_groups (the schedule, claimed like a
nudge), team_breaks (one per break, its message and stage), team_joins (who was in)

Revision ID: 0015_team_breaks
Revises: 0014_session_active_time
Create Date: 2026-12-07 01:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = '0015_team_breaks'
down_revision: str | None = '0014_session_active_time'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('team_breaks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('break_at', bot.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('local_day', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('next_frame_at', bot.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('shown_stage', sa.String(length=12), nullable=True),
    sa.Column('people', sa.Integer(), server_default='0', nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', bot.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_breaks'))
    )
    with op.batch_alter_table('team_breaks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_breaks_chat_id'), ['chat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_breaks_next_frame_at'), ['next_frame_at'], unique=False)
        batch_op.create_index('uq_team_breaks_chat_at', ['chat_id', 'break_at'], unique=True)

    op.create_table('team_groups',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('language', sa.String(length=8), server_default='en', nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('local_time', sa.String(length=5), nullable=True),
    sa.Column('days', sa.Integer(), server_default=sa.text('31'), nullable=False),
    sa.Column('present', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('next_announce_at', bot.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_break_at', bot.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('introduced_at', bot.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('set_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', bot.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_team_groups'))
    )
    with op.batch_alter_table('team_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_groups_next_announce_at'), ['next_announce_at'], unique=False)

    op.create_table('team_joins',
    sa.Column('break_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('first_name', sa.String(length=128), nullable=False),
    sa.Column('joined_at', bot.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['break_id'], ['team_breaks.id'], name=op.f('fk_team_joins_break_id_team_breaks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('break_id', 'user_id', name=op.f('pk_team_joins'))
    )


def downgrade() -> None:
    op.drop_table('team_joins')
    with op.batch_alter_table('team_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_groups_next_announce_at'))

    op.drop_table('team_groups')
    with op.batch_alter_table('team_breaks', schema=None) as batch_op:
        batch_op.drop_index('uq_team_breaks_chat_at')
        batch_op.drop_index(batch_op.f('ix_team_breaks_next_frame_at'))
        batch_op.drop_index(batch_op.f('ix_team_breaks_chat_id'))

    op.drop_table('team_breaks')
