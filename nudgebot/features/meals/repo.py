"""Repository functions for meal check-ins."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.platform.clock import utcnow
from nudgebot.platform.models import Checkin, FoodChoice, FoodQuestion


def total_of(items: list[dict[str, Any]]) -> float:
    """A check-in's magnesium: the sum of its stored foods, as the total column keeps it."""
    return round(sum(float(i["mg"]) for i in items), 1)


async def add_checkin(
    session: AsyncSession,
    *,
    user_id: int,
    update_id: int | None,
    local_date: date,
    items: list[dict[str, Any]],
    total_mg: float,
    created_at: datetime | None = None,
) -> int | None:
    """Store a check-in: its id, or None when this update was stored before (a replay)."""
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
            created_at=created_at or utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(Checkin.id)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else int(row[0])


async def checkin_for_update(session: AsyncSession, *, update_id: int) -> Checkin | None:
    """The check-in an update stored (found again when the update is replayed)."""
    stmt = select(Checkin).where(Checkin.update_id == update_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_items(
    session: AsyncSession, *, checkin_id: int, user_id: int, items: list[dict[str, Any]]
) -> Checkin | None:
    """Append foods to a person's check-in and update its total; None if it is gone."""
    checkin = await session.get(Checkin, checkin_id, with_for_update=True)
    if checkin is None or checkin.user_id != user_id:
        return None
    checkin.items = [*checkin.items, *items]
    checkin.total_mg = total_of(checkin.items)
    return checkin


async def get_checkin(
    session: AsyncSession, *, checkin_id: int, user_id: int, for_update: bool = False
) -> Checkin | None:
    """One of this person's check-ins (None if it is gone or someone else's)."""
    stmt = select(Checkin).where(Checkin.id == checkin_id, Checkin.user_id == user_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def set_items(
    session: AsyncSession, *, checkin: Checkin, items: list[dict[str, Any]]
) -> None:
    """Replace a check-in's foods (a changed amount) and update its total."""
    checkin.items = items  # a new list: the JSON column only sees a new value
    checkin.total_mg = total_of(items)
    await session.flush()


async def recent_checkins(
    session: AsyncSession, *, user_id: int, since: date, limit: int = 200
) -> list[Checkin]:
    """A person's check-ins since a local date, newest first (for the quick check-in buttons)."""
    stmt = (
        select(Checkin)
        .where(Checkin.user_id == user_id, Checkin.local_date >= since)
        .order_by(Checkin.id.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def recent_checkins_of(
    session: AsyncSession, *, user_ids: Iterable[int], since: date
) -> dict[int, list[Checkin]]:
    """Several people's check-ins since a local date, newest first each, in one query."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    stmt = (
        select(Checkin)
        .where(Checkin.user_id.in_(wanted), Checkin.local_date >= since)
        .order_by(Checkin.id.desc())
    )
    found: dict[int, list[Checkin]] = {}
    for row in (await session.execute(stmt)).scalars():
        found.setdefault(row.user_id, []).append(row)
    return found


async def recent_food_ids(session: AsyncSession, *, user_id: int, since: date) -> list[str]:
    """The food ids of a person's check-ins since a date (for suggestions that fit them)."""
    stmt = select(Checkin.items).where(Checkin.user_id == user_id, Checkin.local_date >= since)
    return [str(i["food"]) for items in (await session.execute(stmt)).scalars() for i in items]


async def add_food_questions(
    session: AsyncSession,
    *,
    user_id: int,
    update_id: int | None,
    checkin_id: int | None,
    questions: list[tuple[str, dict[str, Any], list[str]]],
) -> list[int]:
    """Store "did you mean" questions (phrase, amount, option ids); their ids, in order."""
    rows = [
        FoodQuestion(
            user_id=user_id,
            update_id=update_id,
            checkin_id=checkin_id,
            phrase=phrase[:200],
            amount=amount,
            options=options,
            created_at=utcnow(),
        )
        for phrase, amount, options in questions
    ]
    session.add_all(rows)
    await session.flush()
    return [row.id for row in rows]


async def questions_for_update(session: AsyncSession, *, update_id: int) -> list[FoodQuestion]:
    """The questions an update asked (a replayed update sends the same ones again)."""
    stmt = select(FoodQuestion).where(FoodQuestion.update_id == update_id)
    return list((await session.execute(stmt.order_by(FoodQuestion.id))).scalars())


async def take_food_question(
    session: AsyncSession, *, question_id: int, user_id: int, now: datetime
) -> FoodQuestion | None:
    """Mark a person's open question answered and return it; None if it is not open."""
    stmt = (
        update(FoodQuestion)
        .where(
            FoodQuestion.id == question_id,
            FoodQuestion.user_id == user_id,
            FoodQuestion.answered_at.is_(None),
        )
        .values(answered_at=now)
        .returning(FoodQuestion.id)
    )
    if (await session.execute(stmt)).first() is None:
        return None
    return await session.get(FoodQuestion, question_id)


async def remember_choice(session: AsyncSession, *, user_id: int, phrase: str, option: str) -> None:
    """What this person means by a phrase, from now on (a later answer replaces it)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(FoodChoice).values(
        user_id=user_id, phrase=phrase[:200], option=option, created_at=utcnow()
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["user_id", "phrase"],
            set_={"option": stmt.excluded.option, "created_at": stmt.excluded.created_at},
        )
    )


async def remembered_choices(session: AsyncSession, *, user_id: int) -> dict[str, str]:
    """phrase -> option id, for this person."""
    stmt = select(FoodChoice.phrase, FoodChoice.option).where(FoodChoice.user_id == user_id)
    return {phrase: option for phrase, option in (await session.execute(stmt)).all()}


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


async def delete_checkin(session: AsyncSession, *, checkin_id: int, user_id: int) -> Checkin | None:
    """Remove one of this person's check-ins and return it (None if gone or someone else's)."""
    found = await get_checkin(session, checkin_id=checkin_id, user_id=user_id, for_update=True)
    if found is not None:
        await session.execute(
            delete(Checkin).where(Checkin.id == checkin_id, Checkin.user_id == user_id)
        )
    return found
