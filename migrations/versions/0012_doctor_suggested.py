"""users.doctor_suggested_at: when Limber last suggested seeing a doctor about the pain answers

Revision ID: 0012_doctor_suggested
Revises: 0011_session_step_claim
Create Date: 2026-12-07 01:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.models import UTCDateTime

revision: str = '0012_doctor_suggested'
down_revision: str | None = '0011_session_step_claim'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('doctor_suggested_at', UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('doctor_suggested_at')
