"""Leadership between bot processes that share one database.

The outbox sender is elected: Telegram's ~30 messages/s is a limit per bot, not per process, so
exactly one process sends at a time. On PostgreSQL the leader holds a session-level advisory lock
on a connection of its own; if the process dies, PostgreSQL drops the connection and the lock with
it, and a standby takes over at its next try. SQLite serves one process, which always leads.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# Any 64-bit number unique to this application's advisory locks.
SENDER_LOCK = 0x6E75_6467_6562_6F74 & 0x7FFF_FFFF_FFFF_FFFF  # "nudgebot"
MIGRATION_LOCK = SENDER_LOCK - 1
TIP_LIBRARY_LOCK = SENDER_LOCK - 2


class Leadership:
    """Whether this process may send; `acquire` is tried again and again by a standby."""

    async def acquire(self) -> bool:
        """Become the leader if nobody is; True when this process leads."""
        return True

    async def still_held(self) -> bool:
        """True while the leadership is certainly ours."""
        return True

    async def release(self) -> None:
        """Step down (at shutdown)."""


class AdvisoryLockLeadership(Leadership):
    """PostgreSQL: a session advisory lock held on a dedicated connection."""

    def __init__(self, engine: AsyncEngine, key: int = SENDER_LOCK) -> None:
        self._engine = engine
        self._key = key
        self._conn: AsyncConnection | None = None
        self._backend_pid: int | None = None

    async def acquire(self) -> bool:
        if self._conn is not None:
            return await self.still_held()
        conn = await self._engine.connect()
        try:
            got, pid = (
                await conn.execute(
                    text("SELECT pg_try_advisory_lock(:k), pg_backend_pid()"), {"k": self._key}
                )
            ).one()
            # End the implicit transaction; the session-level lock outlives it.
            await conn.commit()
        except Exception:
            await conn.close()
            raise
        if not got:
            await conn.close()
            return False
        self._conn = conn
        self._backend_pid = int(pid)
        return True

    async def still_held(self) -> bool:
        if self._conn is None:
            return False
        try:
            pid = (await self._conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await self._conn.commit()
        except Exception as exc:
            log.warning("lost the database connection that held the sender lock: %s", exc)
            await self._drop()
            return False
        if pid != self._backend_pid:
            # The pool reconnected behind our back: the lock went with the old session.
            log.warning("the database session that held the sender lock was replaced")
            await self._drop()
            return False
        return True

    async def release(self) -> None:
        if self._conn is None:
            return
        with contextlib.suppress(Exception):
            await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
            await self._conn.commit()
        await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()


def leadership_for(engine: AsyncEngine) -> Leadership:
    """An advisory-lock election on PostgreSQL; SQLite's single process always leads."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLockLeadership(engine)
    return Leadership()
