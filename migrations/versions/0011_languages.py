"""languages: each person's language, and tips in more than one language

`users.language` is set from Telegram's language_code at the first /start (existing subscribers
keep English, the language they have been reading). `tip_texts` holds a tip's text in languages
other than English (English stays in `tips.text`); a tip without a row for a language is not
shown to people who read that language.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN with a server default: no table rebuild, every existing row is "en".
    op.add_column(
        "users",
        sa.Column("language", sa.String(length=8), server_default="en", nullable=False),
    )
    op.create_table(
        "tip_texts",
        sa.Column("tip_num", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["tip_num"], ["tips.num"], name=op.f("fk_tip_texts_tip_num_tips"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tip_num", "language", name=op.f("pk_tip_texts")),
    )


def downgrade() -> None:
    op.drop_table("tip_texts")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
