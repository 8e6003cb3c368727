"""Engine and session factory, SQLite pragmas, and the Alembic migration entry points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"

SessionMaker = async_sessionmaker[AsyncSession]


class DatabaseNotMigrated(Exception):
    """The database schema is behind the code; `nudgebot migrate` fixes it."""


def create_engine(url: str, *, busy_timeout_ms: int = 5000, echo: bool = False) -> AsyncEngine:
    """An async engine; on SQLite with WAL and a busy timeout so readers never block the writer."""
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": busy_timeout_ms / 1000}
    else:
        kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # The driver's own implicit BEGIN is turned off so that "begin" below decides.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(conn: Connection) -> None:
            # A deferred transaction that reads and then writes fails at once with
            # SQLITE_BUSY_SNAPSHOT in WAL mode when another connection wrote in between (the busy
            # timeout does not apply). Taking the write lock up front makes writers queue instead.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_sessionmaker(engine: AsyncEngine) -> SessionMaker:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(sessionmaker: SessionMaker) -> None:
    """A round trip to the database; raises if it does not answer."""
    async with sessionmaker() as session:
        await session.execute(text("SELECT 1"))


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration pointing at our migrations folder."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _upgrade(sync_conn: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = sync_conn
    command.upgrade(cfg, revision)


def _downgrade(sync_conn: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = sync_conn
    command.downgrade(cfg, revision)


def _revisions(sync_conn: Connection) -> tuple[set[str], set[str]]:
    current = set(MigrationContext.configure(sync_conn).get_current_heads())
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    return current, heads


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Run `alembic upgrade` on this engine's database."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several processes starting at once on an empty database: one migrates, the others
            # wait here and then find nothing left to do.
            from nudgebot.platform.locks import MIGRATION_LOCK

            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        await conn.run_sync(_upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Run `alembic downgrade` (used by the migration tests)."""
    async with engine.begin() as conn:
        await conn.run_sync(_downgrade, revision)


async def schema_state(engine: AsyncEngine) -> tuple[set[str], set[str]]:
    """(revisions the database is at, revisions the code expects)."""
    async with engine.connect() as conn:
        return await conn.run_sync(_revisions)


async def ensure_schema(engine: AsyncEngine, *, auto_migrate: bool) -> None:
    """Migrate when allowed; otherwise refuse to run on a database behind the code."""
    current, heads = await schema_state(engine)
    if current == heads:
        return
    if auto_migrate:
        await migrate(engine)
        return
    state = ", ".join(sorted(current)) or "empty"
    raise DatabaseNotMigrated(
        f"the database schema is at {state}, the code needs {', '.join(sorted(heads))}: "
        "run `nudgebot migrate` first"
    )
