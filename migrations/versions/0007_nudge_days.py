"""nudge weekdays: a days mask per schedule row (bit 0 Monday .. bit 6 Sunday)

Revision ID: 0006_nudge_days
Revises: 0005_weekly
Create Date: 2026-11-27 12:00:00

Every existing row comes every day (127), as before; the user narrows it in /settings. The
desk-break nudge needs no data change: its row is made when the user turns it on.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006_nudge_days'
down_revision: str | None = '0005_weekly'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('days', sa.Integer(), server_default=sa.text('127'), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.drop_column('days')
