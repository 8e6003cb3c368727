"""Repository functions for the daily-tip scheduler: find who is due, save where they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.features.subscribers.topics import topics_for
from nudgebot.platform import bulk
from nudgebot.platform.clock import utcnow
from nudgebot.platform.models import User

# Core, not ORM: a pass reads and writes thousands of plain rows, and the ORM's per-row
# bookkeeping (entity loading, bulk persistence) cost more than the SQL itself.
_users = cast(Table, User.__table__)


@dataclass(slots=True)
class DueSubscriber:
    """The columns the scheduler needs, as a plain row."""

    id: int
    chat_id: int
    status: str
    paused_until: datetime | None
    timezone: str
    tip_time: time
    topics: frozenset[str]
    next_due_utc: datetime
    last_tip_date: date | None
    tip_cycle: int
    tip_pos: int
    language: str = "en"


async def due_subscribers(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[DueSubscriber]:
    """Subscribers whose next tip instant has come, oldest first, locked for this transaction.

    SKIP LOCKED (PostgreSQL) lets another process take the next batch instead of waiting.
    Their topics come in one more query; equal topic sets are one shared frozenset.
    """
    u = _users.c
    stmt = (
        select(
            u.id,
            u.chat_id,
            u.status,
            u.paused_until,
            u.timezone,
            u.tip_time,
            u.next_due_utc,
            u.last_tip_date,
            u.tip_cycle,
            u.tip_pos,
            u.language,
        )
        # Rows without a zone or a time cannot be scheduled; filtering them here keeps them
        # from taking places in the batch pass after pass.
        .where(u.next_due_utc <= now, u.timezone.is_not(None), u.tip_time.is_not(None))
        .order_by(u.next_due_utc)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = (await session.execute(stmt)).all()
    if not rows:
        return []
    topics = await topics_for(session, user_ids=[row[0] for row in rows])
    return [
        DueSubscriber(
            uid,
            chat_id,
            status,
            paused_until,
            zone,
            tip_time,
            topics[uid],
            due,
            last_tip_date,
            cycle,
            pos,
            language,
        )
        for (
            uid,
            chat_id,
            status,
            paused_until,
            zone,
            tip_time,
            due,
            last_tip_date,
            cycle,
            pos,
            language,
        ) in rows
    ]


async def save_schedule(session: AsyncSession, *, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk-write scheduler results: each dict has the user `id` and the same columns to set."""
    if not rows:
        return
    keys = rows[0].keys()
    if "id" not in keys or any(r.keys() != keys for r in rows):
        raise ValueError("every row must have the user id and set the same columns")
    columns = [c for c in keys if c != "id"]
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        given = bulk.unnest({c: (_users.c[c].type, [r[c] for r in rows]) for c in keys})
        await session.execute(
            update(_users)
            .where(_users.c.id == given.c.id)
            .values({**{c: given.c[c] for c in columns}, "updated_at": now})
        )
        return
    stmt = (
        update(_users)
        .where(_users.c.id == bindparam("id", type_=_users.c.id.type))
        .values({**{c: bindparam(c, type_=_users.c[c].type) for c in columns}, "updated_at": now})
    )
    await bulk.executemany(session, stmt, rows)
