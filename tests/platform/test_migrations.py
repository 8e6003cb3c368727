"""Migrations upgrade an empty database to head, on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

from nudgebot.platform.db import (
    DatabaseNotMigrated,
    create_engine,
    downgrade,
    ensure_schema,
    migrate,
    schema_state,
)
from nudgebot.platform.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    if request.param == "sqlite":
        return sqlite_url
    return str(await request.getfixturevalue("postgres_databases").new())


def _diff(conn: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def test_upgrade_creates_every_table_and_matches_the_models(empty_url: str) -> None:
    engine = create_engine(empty_url)
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            assert set(Base.metadata.tables) <= await conn.run_sync(_tables)
            assert await conn.run_sync(_diff) == []
        current, heads = await schema_state(engine)
        assert current == heads
    finally:
        await engine.dispose()


async def test_downgrade_to_base_and_upgrade_again(empty_url: str) -> None:
    engine = create_engine(empty_url)
    try:
        await migrate(engine)
        await downgrade(engine, "base")
        async with engine.connect() as conn:
            assert not (set(Base.metadata.tables) & await conn.run_sync(_tables))
        await migrate(engine)
        current, heads = await schema_state(engine)
        assert current == heads
    finally:
        await engine.dispose()


async def test_unmigrated_database_is_refused_without_auto_migrate(empty_url: str) -> None:
    engine = create_engine(empty_url)
    try:
        with pytest.raises(DatabaseNotMigrated, match="nudgebot migrate"):
            await ensure_schema(engine, auto_migrate=False)
        await ensure_schema(engine, auto_migrate=True)
        await ensure_schema(engine, auto_migrate=False)  # now at head: accepted
    finally:
        await engine.dispose()


async def test_0008_keeps_queued_messages_and_broadcasts_as_free_ones(empty_url: str) -> None:
    from sqlalchemy import text

    engine = create_engine(empty_url)
    try:
        await migrate(engine, "0007")
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO broadcasts (id, admin_id, admin_chat_id, audience, payload,"
                    " state, total, skipped_blocked, cancelled, created_at)"
                    " VALUES (1, 9, 9, 'all', '{}', 'sending', 1, 0, 0, CURRENT_TIMESTAMP)"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO outbox (key, kind, user_id, chat_id, payload, priority, state,"
                    " attempts, broadcast_id, not_before, created_at) VALUES ('broadcast:1:5',"
                    " 'broadcast', 5, 5, '{\"text\": \"hi\"}', 1, 'queued', 0, 1,"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        await migrate(engine)
        async with engine.connect() as conn:
            row = (await conn.execute(text("SELECT paid, state FROM outbox"))).one()
            broadcast = (
                await conn.execute(text("SELECT paid, paid_refused_at FROM broadcasts"))
            ).one()
        assert (bool(row.paid), row.state) == (False, "queued")
        assert (bool(broadcast.paid), broadcast.paid_refused_at) == (False, None)
        await downgrade(engine, "0007")
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM outbox"))).scalar_one() == 1
            assert "send_budget" not in await conn.run_sync(_tables)
    finally:
        await engine.dispose()


async def test_0009_gives_existing_subscribers_no_reminders_and_downgrades_keeping_them(
    empty_url: str,
) -> None:
    from sqlalchemy import text

    engine = create_engine(empty_url)
    try:
        await migrate(engine, "0008")
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO users (id, chat_id, status, topic_food, topic_activity,"
                    " topic_stress, tip_cycle, tip_pos, created_at, updated_at)"
                    " VALUES (5, 5, 'active', true, true, true, 0, -1, CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"
                )
            )
        await migrate(engine, "0009")
        async with engine.begin() as conn:
            # existing subscribers: the weekly summary and the evening reminder stay off
            assert (await conn.execute(text("SELECT count(*) FROM reminders"))).scalar_one() == 0
            await conn.execute(
                text(
                    "INSERT INTO reminders (user_id, kind, enabled, created_at, updated_at)"
                    " VALUES (5, 'weekly', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            ignored = (await conn.execute(text("SELECT ignored FROM reminders"))).scalar_one()
        assert ignored == 0  # the server default
        await downgrade(engine, "0008")
        async with engine.connect() as conn:
            assert "reminders" not in await conn.run_sync(_tables)
            assert (await conn.execute(text("SELECT count(*) FROM users"))).scalar_one() == 1
    finally:
        await engine.dispose()


# Each person's topic flags before 0010: all on, none, food only, activity and stress.
FLAGS_BEFORE_0010 = {
    1: (True, True, True),
    2: (False, False, False),
    3: (True, False, False),
    4: (False, True, True),
}


def _columns(conn: Connection, table: str) -> set[str]:
    return {c["name"] for c in inspect(conn).get_columns(table)}


async def test_0010_turns_every_topic_flag_into_a_row_and_downgrades_back_to_the_flags(
    empty_url: str,
) -> None:
    from sqlalchemy import text

    engine = create_engine(empty_url)
    try:
        await migrate(engine, "0009")
        async with engine.begin() as conn:
            for uid, (food, activity, stress) in FLAGS_BEFORE_0010.items():
                await conn.execute(
                    text(
                        "INSERT INTO users (id, chat_id, status, topic_food, topic_activity,"
                        " topic_stress, tip_cycle, tip_pos, created_at, updated_at)"
                        " VALUES (:id, :id, 'active', :food, :activity, :stress, 0, -1,"
                        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"id": uid, "food": food, "activity": activity, "stress": stress},
                )
        await migrate(engine, "0010")
        async with engine.connect() as conn:
            rows = (
                await conn.execute(text("SELECT user_id, topic, created_at FROM user_topics"))
            ).all()
            assert not {"topic_food", "topic_activity", "topic_stress"} & await conn.run_sync(
                _columns, "users"
            )
        assert sorted((row.user_id, row.topic) for row in rows) == [
            (1, "activity"),
            (1, "food"),
            (1, "stress"),
            (3, "food"),
            (4, "activity"),
            (4, "stress"),
        ]
        assert all(row.created_at is not None for row in rows)
        await downgrade(engine, "0009")
        async with engine.connect() as conn:
            assert "user_topics" not in await conn.run_sync(_tables)
            flags = (
                await conn.execute(
                    text("SELECT id, topic_food, topic_activity, topic_stress FROM users")
                )
            ).all()
        assert {
            uid: (bool(food), bool(activity), bool(stress)) for uid, food, activity, stress in flags
        } == FLAGS_BEFORE_0010
    finally:
        await engine.dispose()
