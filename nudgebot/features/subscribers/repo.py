"""Repository functions for subscribers.

Keyword-only arguments; they never commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.platform.clock import utcnow
from nudgebot.platform.models import User


async def get_user(session: AsyncSession, *, user_id: int, for_update: bool = False) -> User | None:
    """The subscriber with this Telegram id, locked for the transaction when asked."""
    stmt = select(User).where(User.id == user_id)
    if for_update:
        stmt = stmt.with_for_update()
    result = await session.execute(stmt)
    return result.scalar_one_or_none()


async def get_users(session: AsyncSession, *, user_ids: Iterable[int]) -> list[User]:
    """The subscribers with these ids (unknown ids are left out), in one query."""
    wanted = set(user_ids)
    if not wanted:
        return []
    result = await session.execute(select(User).where(User.id.in_(wanted)))
    return list(result.scalars())


async def add_user(
    session: AsyncSession, *, user_id: int, chat_id: int, flow: str, language: str = "en"
) -> User:
    """Create a new subscriber who starts in the given flow step."""
    user = User(id=user_id, chat_id=chat_id, status="active", flow=flow, language=language)
    session.add(user)
    await session.flush()
    return user


async def language_of(session: AsyncSession, *, user_id: int) -> str | None:
    """The person's language (None: no such subscriber): one primary-key read."""
    stmt = select(User.language).where(User.id == user_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def languages_of(session: AsyncSession, *, user_ids: Iterable[int]) -> dict[int, str]:
    """Each known person's language, in one query."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    stmt = select(User.id, User.language).where(User.id.in_(wanted))
    return {uid: lang for uid, lang in await session.execute(stmt)}


async def mark_blocked(session: AsyncSession, *, user_id: int) -> None:
    """The user blocked the bot (Telegram said 403): no tips until they /start again."""
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(status="blocked", blocked_at=utcnow(), next_due_utc=None, updated_at=utcnow())
    )


async def note_warfarin(session: AsyncSession, *, user_id: int) -> None:
    """Remember that this person takes warfarin (first mention kept)."""
    await session.execute(
        update(User)
        .where(User.id == user_id, User.warfarin_noted_at.is_(None))
        .values(warfarin_noted_at=utcnow(), updated_at=utcnow())
    )
