"""production: inbox claims (several processes) and a per-user time index (flood control)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite has it): batch mode would rebuild the table and could lose the
    # partial index ix_inbox_pending on the way.
    op.add_column("inbox", sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
    op.drop_index("ix_inbox_user_id", table_name="inbox")
    op.create_index("ix_inbox_user_received", "inbox", ["user_id", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_user_received", table_name="inbox")
    op.create_index("ix_inbox_user_id", "inbox", ["user_id"])
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("claimed_until")
