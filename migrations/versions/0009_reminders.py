"""reminders: the evening check-in reminder and the weekly summary, one row per person and kind

Existing subscribers get no rows: both kinds stay off for them until they turn them on in
/settings; new subscribers get the weekly summary at onboarding (see features' services).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("at_time", sa.Time(), nullable=True),
        sa.Column("next_due_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_local_date", sa.Date(), nullable=True),
        sa.Column("ignored", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_reminders")),
    )
    op.create_index(op.f("ix_reminders_next_due_utc"), "reminders", ["next_due_utc"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reminders_next_due_utc"), table_name="reminders")
    op.drop_table("reminders")
