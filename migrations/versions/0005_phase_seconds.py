"""sessions.phase_seconds: a timed phase's length as it began

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 11:30:00

routines.toml may change (and the bot restart) during a hold; the hold's closing line says
the seconds really held, which only the row can remember. NULL for phases begun before this
revision (they fall back to the routine's hold_seconds).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phase_seconds', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('phase_seconds')
