"""Scheduler-pass benchmark (not a test): queue_due alone, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.scheduler                   # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.scheduler --rounds 5 --profile 25

Each round seeds a fresh database with bench.fanout's subscribers, makes `--due` of them due in
the same minute and times passes of 1,000 (bench.fanout.tick_benchmark on SQLite). Prints the
median milliseconds per 1,000 due over every pass of every round. `--profile N` runs the SQLite
rounds under cProfile and prints the N functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import create_async_engine

from bench.fanout import seed, tick_benchmark
from nudgebot.content import load_catalog
from nudgebot.features.tips.service import TipService
from nudgebot.platform.db import create_engine, create_sessionmaker, migrate
from nudgebot.platform.models import User, UserTopic

PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


async def _seeded_sqlite(workdir: Path, subscribers: int) -> str:
    """A migrated SQLite file holding bench.fanout's subscribers; its URL."""
    db = workdir / f"sched-{uuid.uuid4().hex[:8]}.db"
    url = f"sqlite+aiosqlite:///{db}"
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()
    seed(db, subscribers)
    return url


async def sqlite_round(
    workdir: Path, subscribers: int, due: int, profiler: cProfile.Profile | None = None
) -> list[float]:
    """One round on a fresh SQLite file: ms per 1,000 due, per pass (profiled if asked)."""
    url = await _seeded_sqlite(workdir, subscribers)
    if profiler is None:
        return await tick_benchmark(url, due)
    profiler.enable()
    try:
        return await tick_benchmark(url, due)
    finally:
        profiler.disable()


async def _pg_admin(sql: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(sql)
    finally:
        await engine.dispose()


async def pg_reachable() -> bool:
    """True when the local PostgreSQL server answers."""
    try:
        await _pg_admin("SELECT 1")
    except Exception:
        return False
    return True


async def pg_round(workdir: Path, subscribers: int, due: int) -> list[float]:
    """One round on a fresh PostgreSQL database (dropped after): ms per 1,000 due, per pass."""
    name = f"nudgebot_bench_{uuid.uuid4().hex[:10]}"
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        # bench.fanout seeds SQLite only: seed there, then copy the typed rows across.
        source = create_engine(await _seeded_sqlite(workdir, subscribers))
        async with source.connect() as conn:
            users = [dict(r._mapping) for r in await conn.execute(select(User.__table__))]
            topics = [dict(r._mapping) for r in await conn.execute(select(UserTopic.__table__))]
        await source.dispose()
        engine = create_engine(url)
        await migrate(engine)
        async with engine.begin() as conn:
            await conn.execute(insert(User.__table__), users)
            await conn.execute(insert(UserTopic.__table__), topics)
            await conn.exec_driver_sql("ANALYZE users")
            await conn.exec_driver_sql("ANALYZE user_topics")
        tips = TipService(create_sessionmaker(engine), load_catalog())
        await tips.sync_library()
        # As tick_benchmark does on SQLite: `due` people due five seconds ago, passes of 1,000.
        now = datetime.now(UTC)
        async with engine.begin() as conn:
            await conn.execute(
                update(User)
                .where(User.id <= 10_000 + due)
                .values(next_due_utc=now - timedelta(seconds=5))
            )
        timings = []
        while True:
            started = time.perf_counter()
            report = await tips.queue_due(now=now, limit=1000)
            if not report.due:
                break
            timings.append((time.perf_counter() - started) * 1000 * 1000 / report.due)
        await engine.dispose()
        return timings
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _summary(label: str, timings: list[float]) -> str:
    return (
        f"{label:<10} {statistics.median(timings):6.1f} ms per 1,000 due"
        f" (median of {len(timings)} passes, min {min(timings):.1f}, max {max(timings):.1f})"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--due", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="nudgebot-sched-") as tmp:
        workdir = Path(tmp)
        profiler = cProfile.Profile() if args.profile else None
        sqlite_timings: list[float] = []
        for _ in range(args.rounds):
            sqlite_timings += await sqlite_round(workdir, args.subscribers, args.due, profiler)
        print(_summary("sqlite", sqlite_timings))
        if not args.no_postgres and await pg_reachable():
            pg_timings: list[float] = []
            for _ in range(args.rounds):
                pg_timings += await pg_round(workdir, args.subscribers, args.due)
            print(_summary("postgresql", pg_timings))
        if profiler is not None:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    asyncio.run(main())
