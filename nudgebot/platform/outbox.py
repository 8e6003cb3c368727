"""Repository functions for the outbox: enqueue idempotently, claim with a lease, settle."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Table, Text, and_, bindparam, cast, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.platform import bulk
from nudgebot.platform.clock import utcnow
from nudgebot.platform.models import Broadcast, Outbox


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
    table = Outbox.__table__
    assert isinstance(table, Table)
    # A tip or a broadcast gives many messages one payload object: serialise each once (the
    # JSON column would do it for every row) and bind the text.
    texts: dict[int, str] = {}
    for m in messages:
        if id(m.payload) not in texts:
            texts[id(m.payload)] = json.dumps(m.payload)
    rows = [
        {
            "key": m.key,
            "kind": m.kind,
            "user_id": m.user_id,
            "chat_id": m.chat_id,
            "payload": texts[id(m.payload)],
            "priority": m.priority,
            "broadcast_id": m.broadcast_id,
        }
        for m in messages
    ]
    now = utcnow()
    fixed = {"state": "queued", "attempts": 0, "not_before": now, "created_at": now}
    types = {name: Text() if name == "payload" else table.c[name].type for name in rows[0]}
    if session.get_bind().dialect.name == "postgresql":
        given = bulk.unnest({name: (kind, [r[name] for r in rows]) for name, kind in types.items()})
        selected = select(
            *(cast(given.c[name], JSON) if name == "payload" else given.c[name] for name in types),
            *(literal(value, table.c[name].type) for name, value in fixed.items()),
        ).order_by(given.c.ordinal)
        stmt = (
            postgresql.insert(table)
            .from_select([*types, *fixed], selected)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(table.c.id)
        )
        # RETURNING: one id per row inserted, so keys queued before are not counted.
        return len((await session.execute(stmt)).all())
    # SQLite: the driver's row count adds up what each run inserted (0 for a key seen before).
    per_row = {name: bindparam(name, type_=kind) for name, kind in types.items()}
    stmt_sqlite = (
        sqlite.insert(table)
        .values({**per_row, **fixed})
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return await bulk.executemany(session, stmt_sqlite, rows)


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


@dataclass(frozen=True, slots=True)
class SentMark:
    """Telegram accepted this message (as a paid broadcast message if `paid`)."""

    outbox_id: int
    message_id: int | None
    sent_at: datetime
    paid: bool = False


async def mark_sent_many(session: AsyncSession, *, marks: Sequence[SentMark]) -> None:
    """Record many sent messages in one statement (executemany)."""
    if not marks:
        return
    table = Outbox.__table__
    assert isinstance(table, Table)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            state="sent",
            sent_at=bindparam("b_sent_at"),
            message_id=bindparam("b_message_id"),
            paid=bindparam("b_paid"),
            claimed_until=None,
            attempts=table.c.attempts + 1,
        )
    )
    await session.execute(
        stmt,
        [
            {
                "b_id": m.outbox_id,
                "b_sent_at": m.sent_at,
                "b_message_id": m.message_id,
                "b_paid": m.paid,
            }
            for m in marks
        ],
    )


async def release(
    session: AsyncSession, *, outbox_ids: Sequence[int], not_before: datetime
) -> None:
    """Claimed messages that were not sent go back to the queue, no attempt counted."""
    await session.execute(
        update(Outbox)
        .where(Outbox.id.in_(list(outbox_ids)), Outbox.state == "sending")
        .values(state="queued", claimed_until=None, not_before=not_before, last_error="stopped")
    )


async def mark_paid(session: AsyncSession, *, broadcast_id: int) -> int:
    """Every queued message of this broadcast goes as a paid broadcast message."""
    result = await session.execute(
        update(Outbox).where(Outbox.broadcast_id == broadcast_id).values(paid=True)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def paid_refused(session: AsyncSession, *, broadcast_id: int) -> None:
    """Telegram refused paid sending: the rest of this broadcast goes at the free rate."""
    await session.execute(
        update(Outbox)
        .where(
            Outbox.broadcast_id == broadcast_id,
            Outbox.state.in_(("queued", "sending")),
        )
        .values(paid=False)
    )
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.paid_refused_at.is_(None))
        .values(paid_refused_at=utcnow())
    )


async def release_claims(session: AsyncSession) -> int:
    """Put every claimed message back in the queue (single-process start-up after a crash)."""
    result = await session.execute(
        update(Outbox).where(Outbox.state == "sending").values(state="queued", claimed_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def mark_retry(
    session: AsyncSession, *, outbox_id: int, error: str, not_before: datetime
) -> None:
    """A failed attempt, counted: back in the queue until not_before."""
    await session.execute(
        update(Outbox)
        .where(Outbox.id == outbox_id)
        .values(
            state="queued",
            not_before=not_before,
            last_error=error[:300],
            claimed_until=None,
            attempts=Outbox.attempts + 1,
        )
    )


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
