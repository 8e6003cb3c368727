"""The sender election on the PostgreSQL server: one leader, and a dead leader's lock frees."""

from __future__ import annotations

import pytest

from nudgebot.platform.db import create_engine
from nudgebot.platform.locks import AdvisoryLockLeadership, Leadership, leadership_for
from tests.conftest import PostgresDatabases

pytestmark = pytest.mark.postgres


async def test_one_leader_at_a_time_and_the_next_takes_over_when_it_goes(
    postgres_databases: PostgresDatabases,
) -> None:
    url = await postgres_databases.new()
    first_engine, second_engine = create_engine(url), create_engine(url)
    try:
        first = AdvisoryLockLeadership(first_engine, key=4242)
        second = AdvisoryLockLeadership(second_engine, key=4242)
        assert await first.acquire() is True
        assert await first.acquire() is True  # already held: still ours
        assert await second.acquire() is False
        assert await first.still_held() is True
        await first.release()
        assert await second.acquire() is True
        assert await first.acquire() is False
        # The leader's process dies: PostgreSQL drops its connection and the lock with it.
        await second_engine.dispose()
        assert second._conn is not None
        await second._conn.invalidate()
        assert await second.still_held() is False
        assert await first.acquire() is True
        await first.release()
    finally:
        await first_engine.dispose()
        await second_engine.dispose()


async def test_sqlite_always_leads(tmp_path: object) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/x.db")
    try:
        leadership = leadership_for(engine)
        assert type(leadership) is Leadership
        assert await leadership.acquire() is True
    finally:
        await engine.dispose()
