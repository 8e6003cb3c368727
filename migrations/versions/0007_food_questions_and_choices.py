"""meals: "did you mean" questions for unknown foods, and each person's remembered answers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "food_questions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=True),
        sa.Column("checkin_id", sa.BigInteger(), nullable=True),
        sa.Column("phrase", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_food_questions")),
    )
    with op.batch_alter_table("food_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_food_questions_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_food_questions_update_id"), ["update_id"], unique=False
        )
    op.create_table(
        "food_choices",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("phrase", sa.String(length=200), nullable=False),
        sa.Column("option", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "phrase", name=op.f("pk_food_choices")),
    )


def downgrade() -> None:
    op.drop_table("food_choices")
    with op.batch_alter_table("food_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_food_questions_update_id"))
        batch_op.drop_index(batch_op.f("ix_food_questions_user_id"))
    op.drop_table("food_questions")
