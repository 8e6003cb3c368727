"""One send budget for the whole bot: replies and bulk sends together stay under Telegram's limit.

Telegram counts about 30 messages a second per bot, whichever process sends them. The budget
hands out evenly spaced send slots (a cell-rate schedule: each send moves the next free slot on
by 1/limit), so no one-second window ever holds more than the limit.

- A reply takes the next slot, whatever it is: it never waits behind bulk sends, because bulk
  never books ahead of now. Under a burst of replies it waits at most for the replies before it.
- A bulk send (tips, broadcasts) takes a slot only when the schedule is free now; otherwise it
  waits until the booked slots have passed and tries again.
- With several processes on PostgreSQL the schedule is one row of `send_budget`, moved in one
  atomic UPDATE on the database's clock (no clock skew between hosts). If the database cannot be
  reached within a moment, a reply falls back to this process's own schedule rather than wait:
  an emergency reply must go out even then.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

# Telegram: "no more than 30 messages per second" per bot. Evenly spaced slots at 29/s leave a
# margin for the jitter of a real network (arrivals bunch by a few milliseconds).
DEFAULT_LIMIT = 29.0
# A reply never waits longer than this on the shared row before using the local schedule.
DATABASE_TIMEOUT = 0.5


class SendBudget:
    """This process's send schedule (SQLite: one process sends everything)."""

    def __init__(self, per_second: float = DEFAULT_LIMIT) -> None:
        self.per_second = per_second
        self._interval = 1.0 / per_second
        self._next = 0.0  # time.monotonic() of the next free slot

    async def reply_slot(self) -> None:
        """Wait for this reply's slot (booked at once, behind other replies only)."""
        _, wait = await self._book(bulk=False)
        if wait > 0:
            await asyncio.sleep(wait)

    async def bulk_slot(self) -> None:
        """Wait until the schedule is free now, and book it."""
        while True:
            booked, wait = await self._book(bulk=True)
            if booked:
                return
            await asyncio.sleep(max(wait, self._interval / 4))

    async def _book(self, *, bulk: bool) -> tuple[bool, float]:
        """(booked, seconds): a booked slot starts after `seconds`; else try again then."""
        return self._book_locally(bulk=bulk)

    def _book_locally(self, *, bulk: bool) -> tuple[bool, float]:
        now = time.monotonic()
        if bulk and self._next > now:
            return False, self._next - now
        slot = max(self._next, now)
        self._next = slot + self._interval
        return True, slot - now


class SharedSendBudget(SendBudget):
    """PostgreSQL: every process books its slots from one row, so their sum keeps the limit."""

    _BOOK_REPLY = text(
        "UPDATE send_budget"
        " SET next_slot = GREATEST(next_slot, clock_timestamp())"
        " + make_interval(secs => CAST(:interval AS double precision))"
        " WHERE name = :name"
        " RETURNING EXTRACT(EPOCH FROM (next_slot - clock_timestamp()))"
    )
    _BOOK_BULK = text(
        "UPDATE send_budget"
        " SET next_slot = clock_timestamp()"
        " + make_interval(secs => CAST(:interval AS double precision))"
        " WHERE name = :name AND next_slot <= clock_timestamp()"
        " RETURNING 0.0"
    )
    _WAIT = text(
        "SELECT EXTRACT(EPOCH FROM (next_slot - clock_timestamp()))"
        " FROM send_budget WHERE name = :name"
    )
    _CREATE = text(
        "INSERT INTO send_budget (name, next_slot) VALUES (:name, clock_timestamp())"
        " ON CONFLICT (name) DO NOTHING"
    )

    def __init__(
        self, engine: AsyncEngine, per_second: float = DEFAULT_LIMIT, *, name: str = "bot"
    ) -> None:
        super().__init__(per_second)
        self._engine = engine
        self._name = name
        self._created = False
        self._warned = False

    async def _book(self, *, bulk: bool) -> tuple[bool, float]:
        try:
            return await asyncio.wait_for(self._book_shared(bulk=bulk), DATABASE_TIMEOUT)
        except Exception as exc:  # the database is down or locked: keep sending, locally paced
            if not self._warned:
                log.warning(
                    "send budget: the shared schedule is unreachable (%s); pacing locally",
                    type(exc).__name__,
                )
                self._warned = True
            return self._book_locally(bulk=bulk)

    async def _book_shared(self, *, bulk: bool) -> tuple[bool, float]:
        params = {"name": self._name, "interval": self._interval}
        async with self._engine.begin() as conn:
            if not self._created:
                await conn.execute(self._CREATE, {"name": self._name})
                self._created = True
            if bulk:
                if (await conn.execute(self._BOOK_BULK, params)).first() is not None:
                    self._warned = False
                    return True, 0.0
                wait = (await conn.execute(self._WAIT, {"name": self._name})).scalar_one()
                return False, float(wait)
            after = (await conn.execute(self._BOOK_REPLY, params)).scalar_one()
        self._warned = False
        # RETURNING sees the moved slot: this reply's own slot is one interval before it.
        return True, max(0.0, float(after) - self._interval)


def budget_for(engine: AsyncEngine, per_second: float = DEFAULT_LIMIT) -> SendBudget:
    """A shared budget on PostgreSQL (several processes); this process's own on SQLite."""
    if engine.dialect.name == "postgresql":
        return SharedSendBudget(engine, per_second)
    return SendBudget(per_second)
