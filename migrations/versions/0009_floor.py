"""Sessions for the person on the floor: hands-free settings, honest counting, picture uploads

Revision ID: 0009_floor
Revises: 0007_reach
Create Date: 2026-11-27 12:10:00

- users: how their sessions run (/settings): hands-free or tap-through, the hold length (NULL:
  the routine's) and the pace of the pauses; and when to ask how the back is after a
  "This hurts" (NULL: not due).
- sessions: the same three, fixed when a session begins, and the holds held of the stretch
  under way (a stretch counts as done only when every side was held).
- picture_uploads: the file_id Telegram returned for a picture, per bot and picture key, so each
  picture is uploaded once per bot, however many sessions show it.

Plain ADD/DROP COLUMN, no batch mode: on SQLite a batch that recreates `users` or `sessions`
drops the old table, and with foreign keys on that cascades to nudges and session_log (the
upgrade test saw every nudge row vanish). Both databases add and drop these columns natively.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_floor"
down_revision: str | None = "0007_reach"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("hands_free", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.add_column("users", sa.Column("hold_seconds", sa.Integer(), nullable=True))
    op.add_column(
        "users", sa.Column("pace", sa.String(length=8), nullable=False, server_default="normal")
    )
    op.add_column("users", sa.Column("pain_check_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_users_pain_check_at"), "users", ["pain_check_at"], unique=False)
    op.add_column(
        "sessions",
        sa.Column("hands_free", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("sessions", sa.Column("hold_seconds", sa.Integer(), nullable=True))
    op.add_column(
        "sessions",
        sa.Column("pace_percent", sa.Integer(), nullable=False, server_default="100"),
    )
    op.add_column(
        "sessions",
        sa.Column("stretch_holds", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "picture_uploads",
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("picture_key", sa.String(length=80), nullable=False),
        sa.Column("file_id", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "picture_key", name=op.f("pk_picture_uploads")),
    )


def downgrade() -> None:
    op.drop_table("picture_uploads")
    op.drop_index(op.f("ix_users_pain_check_at"), table_name="users")
    for table, column in (
        ("sessions", "stretch_holds"),
        ("sessions", "pace_percent"),
        ("sessions", "hold_seconds"),
        ("sessions", "hands_free"),
        ("users", "pain_check_at"),
        ("users", "pace"),
        ("users", "hold_seconds"),
        ("users", "hands_free"),
    ):
        # Native DROP COLUMN (SQLite >= 3.35, PostgreSQL): no table rebuild, no cascade.
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
