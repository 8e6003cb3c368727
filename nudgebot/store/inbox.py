"""Repository functions for the update inbox: store first, process after, prune later."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.store.models import InboxUpdate, utcnow


async def store_updates(session: AsyncSession, *, updates: Sequence[dict[str, Any]]) -> list[int]:
    """Insert updates not seen before (keyed by update_id); returns the ids that are new."""
    if not updates:
        return []
    rows = [
        {
            "update_id": u["update_id"],
            "user_id": sender_id(u),
            "payload": u,
            "received_at": utcnow(),
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


async def pending_updates(session: AsyncSession, *, limit: int = 1000) -> list[InboxUpdate]:
    """Stored updates not processed yet, oldest first."""
    stmt = (
        select(InboxUpdate)
        .where(InboxUpdate.processed_at.is_(None))
        .order_by(InboxUpdate.update_id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars().all())


async def mark_processed(session: AsyncSession, *, update_id: int) -> None:
    """Record that the handlers have run for this update."""
    await session.execute(
        update(InboxUpdate).where(InboxUpdate.update_id == update_id).values(processed_at=utcnow())
    )


async def prune_processed(session: AsyncSession, *, before: datetime) -> int:
    """Delete processed updates received before `before` (kept a while to drop redeliveries)."""
    stmt = delete(InboxUpdate).where(
        InboxUpdate.processed_at.is_not(None), InboxUpdate.received_at < before
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


def sender_id(update: dict[str, Any]) -> int | None:
    """The Telegram user an update comes from, if any."""
    for key in ("message", "edited_message", "callback_query", "my_chat_member", "inline_query"):
        part = update.get(key)
        if isinstance(part, dict):
            sender = part.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                return int(sender["id"])
    return None
