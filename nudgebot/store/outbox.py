"""Repository functions for the outbox: enqueue idempotently, claim with a lease, settle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.store.models import Outbox, utcnow


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to queue; `key` makes queueing it twice a no-op."""

    key: str
    kind: str
    user_id: int
    chat_id: int
    payload: dict[str, Any]
    priority: int = 0
    broadcast_id: int | None = None


async def enqueue(session: AsyncSession, *, messages: Sequence[NewMessage]) -> int:
    """Insert messages whose key is new; returns how many were queued."""
    if not messages:
        return 0
    now = utcnow()
    rows = [
        {
            "key": m.key,
            "kind": m.kind,
            "user_id": m.user_id,
            "chat_id": m.chat_id,
            "payload": m.payload,
            "priority": m.priority,
            "state": "queued",
            "attempts": 0,
            "broadcast_id": m.broadcast_id,
            "not_before": now,
            "created_at": now,
        }
        for m in messages
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # One statement executed with many parameter sets: SQLAlchemy's insertmanyvalues batches
    # it (and keeps RETURNING, whose row count is exact on every backend), where a literal
    # multi-row VALUES would be recompiled every time.
    stmt = insert(Outbox).on_conflict_do_nothing(index_elements=["key"]).returning(Outbox.id)
    result = await session.execute(stmt, rows)
    return len(result.all())


async def claim(
    session: AsyncSession, *, now: datetime, lease: timedelta, limit: int
) -> list[Outbox]:
    """Take up to `limit` ready messages for this process until now + lease.

    Ready: queued and due, or claimed by a process whose lease ran out (it died mid-send).
    On PostgreSQL, SKIP LOCKED lets several processes claim side by side without overlap.
    """
    ready = or_(
        and_(Outbox.state == "queued", Outbox.not_before <= now),
        and_(Outbox.state == "sending", Outbox.claimed_until < now),
    )
    stmt = (
        select(Outbox)
        .where(ready)
        .order_by(Outbox.priority, Outbox.not_before, Outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list((await session.execute(stmt)).scalars())
    for row in rows:
        row.state = "sending"
        row.claimed_until = now + lease
    await session.flush()
    return rows


async def release_claims(session: AsyncSession) -> int:
    """Put every claimed message back in the queue (single-process start-up after a crash)."""
    result = await session.execute(
        update(Outbox).where(Outbox.state == "sending").values(state="queued", claimed_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def mark_sent(session: AsyncSession, *, outbox_id: int, message_id: int | None) -> None:
    """The message reached Telegram."""
    await session.execute(
        update(Outbox)
        .where(Outbox.id == outbox_id)
        .values(
            state="sent",
            sent_at=utcnow(),
            message_id=message_id,
            claimed_until=None,
            attempts=Outbox.attempts + 1,
        )
    )


async def mark_retry(
    session: AsyncSession, *, outbox_id: int, error: str, not_before: datetime, count: bool
) -> None:
    """Back in the queue until not_before; `count` adds the attempt to the row's tally."""
    values: dict[str, Any] = {
        "state": "queued",
        "not_before": not_before,
        "last_error": error[:300],
        "claimed_until": None,
    }
    if count:
        values["attempts"] = Outbox.attempts + 1
    await session.execute(update(Outbox).where(Outbox.id == outbox_id).values(**values))


async def mark_failed(session: AsyncSession, *, outbox_id: int, error: str) -> None:
    """Given up on: kept with its error for the host to see."""
    await session.execute(
        update(Outbox)
        .where(Outbox.id == outbox_id)
        .values(
            state="failed", last_error=error[:300], claimed_until=None, attempts=Outbox.attempts + 1
        )
    )


async def mark_user_blocked(session: AsyncSession, *, user_id: int, error: str) -> int:
    """The user blocked the bot: this and every other unsent message to them stop."""
    result = await session.execute(
        update(Outbox)
        .where(Outbox.user_id == user_id, Outbox.state.in_(("queued", "sending")))
        .values(state="blocked", last_error=error[:300], claimed_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def count_by_state(session: AsyncSession) -> dict[str, int]:
    """How many messages are in each state."""
    from sqlalchemy import func

    stmt = select(Outbox.state, func.count()).group_by(Outbox.state)
    return {state: int(n) for state, n in (await session.execute(stmt)).all()}
