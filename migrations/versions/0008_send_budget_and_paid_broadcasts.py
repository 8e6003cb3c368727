"""sending: one budget shared by every process, and paid broadcasts

`send_budget` holds the next free send slot of the bot (Telegram's ~30 messages/s is per bot, so
several processes on PostgreSQL book their sends from one row). `outbox.paid` marks a message to
send with allow_paid_broadcast (and, once sent, one that cost 0.1 Star); `broadcasts.paid` is the
admin's choice and `broadcasts.paid_refused_at` when Telegram refused it (no Stars left).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "send_budget",
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("next_slot", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_send_budget")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paid", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paid", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("paid_refused_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("paid_refused_at")
        batch_op.drop_column("paid")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("paid")
    op.drop_table("send_budget")
