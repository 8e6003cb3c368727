"""The topics a person chose, as user_topics rows: read one, read many, replace the set."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from nudgebot.features.subscribers import topics as topics_repo
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import UserTopic


async def _set(sm: SessionMaker, user_id: int, *topics: str) -> None:
    async with sm.begin() as session:
        await topics_repo.set_topics(session, user_id=user_id, topics=topics)


async def test_someone_without_rows_has_no_topics(sessionmaker: SessionMaker) -> None:
    async with sessionmaker() as session:
        assert await topics_repo.topics_of(session, user_id=7) == frozenset()


async def test_set_topics_replaces_the_set_and_keeps_the_rows_of_topics_kept(
    sessionmaker: SessionMaker,
) -> None:
    await _set(sessionmaker, 7, "food", "activity")
    async with sessionmaker() as session:
        assert await topics_repo.topics_of(session, user_id=7) == {"food", "activity"}
        kept_since = (
            await session.execute(
                select(UserTopic.created_at).where(
                    UserTopic.user_id == 7, UserTopic.topic == "activity"
                )
            )
        ).scalar_one()
    await _set(sessionmaker, 7, "activity", "stress")
    async with sessionmaker() as session:
        assert await topics_repo.topics_of(session, user_id=7) == {"activity", "stress"}
        rows = (
            await session.execute(select(UserTopic.topic, UserTopic.created_at).order_by("topic"))
        ).all()
    assert [topic for topic, _ in rows] == ["activity", "stress"]
    assert rows[0].created_at == kept_since
    await _set(sessionmaker, 7)
    async with sessionmaker() as session:
        assert await topics_repo.topics_of(session, user_id=7) == frozenset()


async def test_set_topics_touches_only_that_persons_rows(sessionmaker: SessionMaker) -> None:
    await _set(sessionmaker, 7, "food")
    await _set(sessionmaker, 8, "food", "stress")
    await _set(sessionmaker, 7, "stress")
    async with sessionmaker() as session:
        assert await topics_repo.topics_of(session, user_id=8) == {"food", "stress"}
        assert await topics_repo.topics_of(session, user_id=7) == {"stress"}


async def test_set_topics_refuses_an_unknown_topic_and_changes_nothing(
    sessionmaker: SessionMaker,
) -> None:
    await _set(sessionmaker, 7, "food")
    with pytest.raises(ValueError, match="sleep"):
        await _set(sessionmaker, 7, "activity", "sleep")
    async with sessionmaker() as session:
        assert await topics_repo.topics_of(session, user_id=7) == {"food"}


async def test_topics_for_answers_everyone_asked_in_one_query_sharing_equal_sets(
    sessionmaker: SessionMaker,
) -> None:
    await _set(sessionmaker, 1, "food", "activity", "stress")
    await _set(sessionmaker, 2, "food")
    await _set(sessionmaker, 3, "stress", "food", "activity")
    await _set(sessionmaker, 4, "food")
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = sessionmaker.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        async with sessionmaker() as session:
            found = await topics_repo.topics_for(session, user_ids=[1, 2, 3, 4, 5, 2])
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len([s for s in statements if "user_topics" in s]) == 1
    assert found == {
        1: {"food", "activity", "stress"},
        2: {"food"},
        3: {"food", "activity", "stress"},
        4: {"food"},
        5: frozenset(),  # no rows: no topic
    }
    assert found[1] is found[3] and found[2] is found[4]


async def test_topics_for_no_one_asks_nothing(sessionmaker: SessionMaker) -> None:
    async with sessionmaker() as session:
        assert await topics_repo.topics_for(session, user_ids=[]) == {}
