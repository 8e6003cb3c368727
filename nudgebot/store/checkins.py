"""Repository functions for meal check-ins."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.store.models import Checkin, utcnow


async def add_checkin(
    session: AsyncSession,
    *,
    user_id: int,
    update_id: int | None,
    local_date: date,
    items: list[dict[str, Any]],
    total_mg: float,
) -> bool:
    """Store a check-in; False when this update was stored before (a replay after a crash)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(Checkin)
        .values(
            user_id=user_id,
            update_id=update_id,
            local_date=local_date,
            items=items,
            total_mg=total_mg,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(Checkin.id)
    )
    return (await session.execute(stmt)).first() is not None


async def day_checkins(session: AsyncSession, *, user_id: int, local_date: date) -> list[Checkin]:
    """A person's check-ins on one of their local dates, oldest first."""
    stmt = (
        select(Checkin)
        .where(Checkin.user_id == user_id, Checkin.local_date == local_date)
        .order_by(Checkin.id)
    )
    return list((await session.execute(stmt)).scalars())


async def daily_totals(session: AsyncSession, *, user_id: int, since: date) -> dict[date, float]:
    """Magnesium per local date from `since` on."""
    stmt = (
        select(Checkin.local_date, func.sum(Checkin.total_mg))
        .where(Checkin.user_id == user_id, Checkin.local_date >= since)
        .group_by(Checkin.local_date)
    )
    return {day: float(total) for day, total in (await session.execute(stmt)).all()}


async def checkin_dates(session: AsyncSession, *, user_id: int, limit: int = 400) -> list[date]:
    """Distinct local dates with a check-in, newest first."""
    stmt = (
        select(Checkin.local_date)
        .where(Checkin.user_id == user_id)
        .group_by(Checkin.local_date)
        .order_by(Checkin.local_date.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def delete_last(session: AsyncSession, *, user_id: int) -> Checkin | None:
    """Remove a person's newest check-in and return it."""
    stmt = select(Checkin).where(Checkin.user_id == user_id).order_by(Checkin.id.desc()).limit(1)
    last = (await session.execute(stmt)).scalar_one_or_none()
    if last is not None:
        await session.execute(delete(Checkin).where(Checkin.id == last.id))
    return last
