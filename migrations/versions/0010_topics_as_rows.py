"""topics become rows: user_topics holds one row per (person, chosen topic)

The three boolean columns users.topic_food / topic_activity / topic_stress are copied into
`user_topics` (a true flag becomes a row) and dropped. The downgrade puts the columns back and
sets each from whether the row exists.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The topics and the column each one lived in before this revision.
COLUMNS = {"food": "topic_food", "activity": "topic_activity", "stress": "topic_stress"}

user_topics = sa.table(
    "user_topics",
    sa.column("user_id", sa.BigInteger()),
    sa.column("topic", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
users = sa.table(
    "users", sa.column("id", sa.BigInteger()), *(sa.column(c) for c in COLUMNS.values())
)


def upgrade() -> None:
    op.create_table(
        "user_topics",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("topic", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "topic", name=op.f("pk_user_topics")),
    )
    for topic, column in COLUMNS.items():
        # sa.true() renders per backend: `= true` on PostgreSQL, `= 1` on SQLite (0/1 flags).
        op.execute(
            user_topics.insert().from_select(
                ["user_id", "topic", "created_at"],
                sa.select(
                    users.c.id,
                    sa.literal(topic, sa.String()),
                    sa.func.current_timestamp(),
                ).where(users.c[column] == sa.true()),
            )
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        for column in COLUMNS.values():
            batch_op.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        for column in COLUMNS.values():
            batch_op.add_column(
                sa.Column(column, sa.Boolean(), server_default=sa.false(), nullable=False)
            )
    for topic, column in COLUMNS.items():
        chosen = (
            sa.select(sa.literal(1))
            .select_from(user_topics)
            .where(user_topics.c.user_id == users.c.id, user_topics.c.topic == topic)
            .exists()
        )
        op.execute(users.update().values({column: chosen}))
    op.drop_table("user_topics")
