"""Repository functions for the daily-tip scheduler: find who is due, save where they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.store.models import User, utcnow


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


async def due_subscribers(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[DueSubscriber]:
    """Subscribers whose next tip instant has come, oldest first, locked for this transaction.

    SKIP LOCKED (PostgreSQL) lets another process take the next batch instead of waiting.
    """
    stmt = (
        select(
            User.id,
            User.chat_id,
            User.status,
            User.paused_until,
            User.timezone,
            User.tip_time,
            User.topic_food,
            User.topic_activity,
            User.topic_stress,
            User.next_due_utc,
            User.last_tip_date,
            User.tip_cycle,
            User.tip_pos,
        )
        .where(User.next_due_utc <= now)
        .order_by(User.next_due_utc)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = []
    for u in (await session.execute(stmt)).all():
        if u.timezone is None or u.tip_time is None or u.next_due_utc is None:
            continue
        topics = frozenset(
            name
            for name, on in (
                ("food", u.topic_food),
                ("activity", u.topic_activity),
                ("stress", u.topic_stress),
            )
            if on
        )
        rows.append(
            DueSubscriber(
                id=u.id,
                chat_id=u.chat_id,
                status=u.status,
                paused_until=u.paused_until,
                timezone=u.timezone,
                tip_time=u.tip_time,
                topics=topics,
                next_due_utc=u.next_due_utc,
                last_tip_date=u.last_tip_date,
                tip_cycle=u.tip_cycle,
                tip_pos=u.tip_pos,
            )
        )
    return rows


async def save_schedule(session: AsyncSession, *, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk-write scheduler results: each dict has the user `id` and the same columns to set."""
    if not rows:
        return
    if any(set(r) != set(rows[0]) for r in rows):
        raise ValueError("every row must set the same columns")
    now = utcnow()
    # ORM bulk UPDATE by primary key: one executemany, not one statement per user.
    await session.execute(update(User), [{**r, "updated_at": now} for r in rows])
