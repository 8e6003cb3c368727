"""understanding: remember that a person mentioned warfarin (no vitamin-K-rich suggestions)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite has it, and batch mode would rebuild the users table.
    op.add_column(
        "users", sa.Column("warfarin_noted_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("warfarin_noted_at")
