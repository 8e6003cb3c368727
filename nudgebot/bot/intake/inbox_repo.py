"""Repository functions for the update inbox: store first, process after, prune later."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.platform.clock import utcnow
from nudgebot.platform.models import InboxUpdate


async def store_updates(
    session: AsyncSession,
    *,
    updates: Sequence[dict[str, Any]],
    received_at: datetime | None = None,
    claim_for: timedelta | None = None,
) -> list[int]:
    """Insert updates not seen before (keyed by update_id); returns the ids that are new.

    `claim_for`: the storing process handles them itself and holds them that long.
    """
    if not updates:
        return []
    now = received_at or utcnow()
    claimed_until = now + claim_for if claim_for is not None else None
    rows = [
        {
            "update_id": u["update_id"],
            "user_id": sender_id(u),
            "payload": u,
            "received_at": arrival_time(u, now),
            "claimed_until": claimed_until,
        }
        for u in updates
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(InboxUpdate)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(InboxUpdate.update_id)
    )
    result = await session.execute(stmt)
    return sorted(result.scalars().all())


async def claim_pending(
    session: AsyncSession,
    *,
    now: datetime,
    lease: timedelta,
    limit: int = 1000,
    include_claimed: bool = False,
) -> list[InboxUpdate]:
    """Take unprocessed updates nobody holds (or whose holder's lease ran out), oldest first.

    `include_claimed` (one process, at start-up): every unprocessed update is ours.
    SKIP LOCKED lets several processes recover side by side without taking the same update.
    """
    stmt = select(InboxUpdate).where(InboxUpdate.processed_at.is_(None))
    if not include_claimed:
        stmt = stmt.where(or_(InboxUpdate.claimed_until.is_(None), InboxUpdate.claimed_until < now))
    stmt = stmt.order_by(InboxUpdate.update_id).limit(limit).with_for_update(skip_locked=True)
    rows = list((await session.execute(stmt)).scalars())
    for row in rows:
        row.claimed_until = now + lease
    await session.flush()
    return rows


async def release_claims(session: AsyncSession, *, update_ids: Sequence[int]) -> None:
    """Unfinished updates this process gives back (it is stopping)."""
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id.in_(update_ids), InboxUpdate.processed_at.is_(None))
        .values(claimed_until=None)
    )


async def recent_arrivals(
    session: AsyncSession, *, user_ids: Sequence[int], since: datetime
) -> list[tuple[int, int, datetime]]:
    """(user id, update id, arrival) of these users' updates that arrived since `since`."""
    if not user_ids:
        return []
    stmt = select(InboxUpdate.user_id, InboxUpdate.update_id, InboxUpdate.received_at).where(
        InboxUpdate.user_id.in_(sorted(set(user_ids))), InboxUpdate.received_at >= since
    )
    rows = (await session.execute(stmt)).all()
    return [(int(u), int(i), at) for u, i, at in rows if u is not None]


async def mark_processed(session: AsyncSession, *, update_id: int) -> None:
    """Record that the handlers have run for this update."""
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id)
        .values(processed_at=utcnow(), claimed_until=None)
    )


async def prune_processed(session: AsyncSession, *, before: datetime) -> int:
    """Delete processed updates received before `before` (kept a while to drop redeliveries)."""
    stmt = delete(InboxUpdate).where(
        InboxUpdate.processed_at.is_not(None), InboxUpdate.received_at < before
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


def arrival_time(update: dict[str, Any], received: datetime) -> datetime:
    """When the person sent it: Telegram's message date, else when it reached us.

    Messages that queued up at Telegram while the bot was down all arrive in one batch; their own
    dates keep flood control from mistaking that batch for a flood.
    """
    for key in ("message", "edited_message"):
        part = update.get(key)
        if isinstance(part, dict):
            stamp = part.get("edit_date") if key == "edited_message" else part.get("date")
            if isinstance(stamp, int) and not isinstance(stamp, bool) and stamp > 0:
                try:
                    sent = datetime.fromtimestamp(stamp, UTC)
                except (OverflowError, OSError, ValueError):
                    return received
                return min(sent, received)
    return received


def sender_id(update: dict[str, Any]) -> int | None:
    """The Telegram user an update comes from, if any."""
    for key in ("message", "edited_message", "callback_query", "my_chat_member", "inline_query"):
        part = update.get(key)
        if isinstance(part, dict):
            sender = part.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                return int(sender["id"])
    return None
