"""daily tips and outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_ready",
            ["priority", "not_before", "id"],
            unique=False,
            postgresql_where=sa.text("state IN ('queued', 'sending')"),
            sqlite_where=sa.text("state IN ('queued', 'sending')"),
        )
        batch_op.create_index("ix_outbox_state", ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_user_id"), ["user_id"], unique=False)

    op.create_table(
        "tips",
        sa.Column("num", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("see_professional", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("num", name=op.f("pk_tips")),
        sa.UniqueConstraint("id", name=op.f("uq_tips_id")),
    )
    op.create_table(
        "tip_feedback",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("tip_num", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tip_num"], ["tips.num"], name=op.f("fk_tip_feedback_tip_num_tips")
        ),
        sa.PrimaryKeyConstraint("user_id", "tip_num", "kind", name=op.f("pk_tip_feedback")),
    )
    op.create_table(
        "tip_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("tip_num", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tip_num"], ["tips.num"], name=op.f("fk_tip_log_tip_num_tips")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_log")),
    )
    with op.batch_alter_table("tip_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_log_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_log_tip_num"), ["tip_num"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_log_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_due_utc", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_tip_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("tip_cycle", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("tip_pos", sa.BigInteger(), nullable=False, server_default="-1")
        )
        batch_op.add_column(sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_next_due_utc"), ["next_due_utc"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_next_due_utc"))
        batch_op.drop_column("blocked_at")
        batch_op.drop_column("tip_pos")
        batch_op.drop_column("tip_cycle")
        batch_op.drop_column("last_tip_date")
        batch_op.drop_column("next_due_utc")

    with op.batch_alter_table("tip_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tip_log_user_id"))
        batch_op.drop_index(batch_op.f("ix_tip_log_tip_num"))
        batch_op.drop_index(batch_op.f("ix_tip_log_created_at"))

    op.drop_table("tip_log")
    op.drop_table("tip_feedback")
    op.drop_table("tips")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_user_id"))
        batch_op.drop_index("ix_outbox_state")
        batch_op.drop_index(
            "ix_outbox_ready",
            postgresql_where=sa.text("state IN ('queued', 'sending')"),
            sqlite_where=sa.text("state IN ('queued', 'sending')"),
        )

    op.drop_table("outbox")
