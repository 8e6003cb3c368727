"""Shared fixtures: real databases (a SQLite file and the local PostgreSQL server)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import create_async_engine

from nudgebot.platform.db import SessionMaker, create_engine, create_sessionmaker, migrate
from nudgebot.platform.models import Base

T = TypeVar("T")

PG_ADMIN_URL = os.environ.get(
    "NUDGEBOT_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def run_in_thread(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even while an event loop is running."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _pg_reachable() -> bool:
    engine = create_async_engine(PG_ADMIN_URL)
    try:
        async with engine.connect():
            return True
    except Exception:
        return False
    finally:
        await engine.dispose()


async def _pg_create(name: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    await engine.dispose()


async def _pg_drop(name: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await engine.dispose()


async def _migrated(url: str) -> None:
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()


class PostgresDatabases:
    """Creates throw-away databases on the local server and drops them at the end."""

    def __init__(self) -> None:
        self.names: list[str] = []

    async def new(self) -> str:
        name = f"nudgebot_test_{uuid.uuid4().hex[:10]}"
        await _pg_create(name)
        self.names.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def drop_all(self) -> None:
        for name in self.names:
            run_in_thread(_pg_drop(name))


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    """Factory of fresh PostgreSQL databases; skipped locally (never in CI) without a server."""
    if not run_in_thread(_pg_reachable()):
        message = "PostgreSQL is not reachable on 127.0.0.1:5432"
        if IN_CI:
            pytest.fail(message + " (CI must start it: see .ci/run)")
        pytest.skip(message)
    dbs = PostgresDatabases()
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def migrated_urls() -> dict[str, str]:
    """One database per backend, migrated to head once per test session (filled lazily)."""
    return {}


async def _url_for(
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
    cache: dict[str, str],
) -> str:
    if backend not in cache:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("db") / "test.db"
            url = f"sqlite+aiosqlite:///{path}"
        else:
            url = await request.getfixturevalue("postgres_databases").new()
        await _migrated(url)
        cache[backend] = url
    return cache[backend]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def sessionmaker(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    migrated_urls: dict[str, str],
) -> AsyncIterator[SessionMaker]:
    """A sessionmaker on a migrated database; every table is emptied after the test."""
    url = await _url_for(request.param, tmp_path_factory, request, migrated_urls)
    engine = create_engine(url)
    try:
        yield create_sessionmaker(engine)
    finally:
        async with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                await conn.execute(delete(table))
        await engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh, empty SQLite file."""
    return f"sqlite+aiosqlite:///{tmp_path / 'nudgebot.db'}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Expose each phase's report on the item, so fixtures can print logs on failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
