"""Repository functions for admins: drafts, audit log, broadcasts, tip listing, statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.features.subscribers.preferences import TOPICS
from nudgebot.platform.clock import utcnow
from nudgebot.platform.models import (
    AdminDraft,
    AuditEntry,
    Broadcast,
    Checkin,
    Outbox,
    Tip,
    TipFeedback,
    TipLog,
    User,
    UserTopic,
)


async def get_draft(session: AsyncSession, *, admin_id: int) -> AdminDraft | None:
    """The admin's flow in progress."""
    return await session.get(AdminDraft, admin_id)


async def set_draft(
    session: AsyncSession, *, admin_id: int, kind: str, step: str, data: dict[str, Any]
) -> None:
    """Start or move on an admin's flow."""
    draft = await session.get(AdminDraft, admin_id)
    if draft is None:
        session.add(AdminDraft(admin_id=admin_id, kind=kind, step=step, data=data))
    else:
        draft.kind, draft.step, draft.data = kind, step, dict(data)
    await session.flush()


async def clear_draft(session: AsyncSession, *, admin_id: int) -> bool:
    """End an admin's flow; False if there was none."""
    result = await session.execute(delete(AdminDraft).where(AdminDraft.admin_id == admin_id))
    return bool(getattr(result, "rowcount", 0))


# The audit action under which a non-admin's attempt at an admin command is kept.
DENIED_ACTION = "denied"


async def audit(
    session: AsyncSession, *, admin_id: int, action: str, detail: dict[str, Any]
) -> None:
    """Write one audit entry."""
    session.add(AuditEntry(admin_id=admin_id, action=action, detail=detail))
    await session.flush()


async def next_admin_tip_id(session: AsyncSession) -> str:
    """admin-0001, admin-0002, ..."""
    count = (
        await session.execute(select(func.count()).select_from(Tip).where(Tip.origin == "admin"))
    ).scalar_one()
    return f"admin-{int(count) + 1:04d}"


@dataclass(frozen=True, slots=True)
class TipRow:
    """A tip as /tips lists it."""

    id: str
    topic: str
    text: str
    enabled: bool
    sent: int
    helpful: int


async def list_tips(
    session: AsyncSession, *, search: str | None, offset: int, limit: int
) -> tuple[list[TipRow], int]:
    """Library and admin tips together, optionally filtered by words; and the match count."""
    sent = select(TipLog.tip_num, func.count().label("n")).group_by(TipLog.tip_num).subquery()
    liked = (
        select(TipFeedback.tip_num, func.count().label("n"))
        .where(TipFeedback.kind == "helpful")
        .group_by(TipFeedback.tip_num)
        .subquery()
    )
    where = []
    if search:
        like = f"%{search.lower()}%"
        where.append(
            or_(
                func.lower(Tip.text).like(like),
                func.lower(Tip.id).like(like),
                Tip.topic == search.lower(),
            )
        )
    total = (
        await session.execute(select(func.count()).select_from(Tip).where(*where))
    ).scalar_one()
    stmt = (
        select(
            Tip.id,
            Tip.topic,
            Tip.text,
            Tip.enabled,
            func.coalesce(sent.c.n, 0),
            func.coalesce(liked.c.n, 0),
        )
        .outerjoin(sent, sent.c.tip_num == Tip.num)
        .outerjoin(liked, liked.c.tip_num == Tip.num)
        .where(*where)
        .order_by(Tip.num)
        .offset(offset)
        .limit(limit)
    )
    rows = [
        TipRow(r[0], r[1], r[2], bool(r[3]), int(r[4]), int(r[5]))
        for r in (await session.execute(stmt)).all()
    ]
    return rows, int(total)


def _audience_filter(audience: str) -> Any:
    active = and_(User.status == "active", User.onboarded_at.is_not(None))
    if audience not in TOPICS:  # "all"
        return active
    chose_it = (
        select(UserTopic.user_id)
        .where(UserTopic.user_id == User.id, UserTopic.topic == audience)
        .exists()
    )
    return and_(active, chose_it)


async def count_audience(session: AsyncSession, *, audience: str) -> tuple[int, int]:
    """(recipients, blocked subscribers who would have matched and are skipped)."""
    recipients = (
        await session.execute(
            select(func.count()).select_from(User).where(_audience_filter(audience))
        )
    ).scalar_one()
    blocked = (
        await session.execute(
            select(func.count()).select_from(User).where(User.status == "blocked")
        )
    ).scalar_one()
    return int(recipients), int(blocked)


async def audience_chats(session: AsyncSession, *, audience: str) -> list[tuple[int, int, str]]:
    """(user id, chat id, language) of every recipient."""
    stmt = (
        select(User.id, User.chat_id, User.language)
        .where(_audience_filter(audience))
        .order_by(User.id)
    )
    return [(int(a), int(b), str(c)) for a, b, c in (await session.execute(stmt)).all()]


async def audience_languages(session: AsyncSession, *, audience: str) -> dict[str, int]:
    """How many recipients read each language."""
    stmt = (
        select(User.language, func.count())
        .where(_audience_filter(audience))
        .group_by(User.language)
    )
    return {str(lang): int(n) for lang, n in (await session.execute(stmt)).all()}


async def add_broadcast(session: AsyncSession, **values: Any) -> Broadcast:
    """A new broadcast row."""
    broadcast = Broadcast(**values)
    session.add(broadcast)
    await session.flush()
    return broadcast


async def get_broadcast(session: AsyncSession, *, broadcast_id: int) -> Broadcast | None:
    """One broadcast."""
    return await session.get(Broadcast, broadcast_id)


async def recent_broadcasts(session: AsyncSession, *, limit: int = 10) -> list[Broadcast]:
    """Newest first."""
    stmt = select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def sending_broadcasts(session: AsyncSession) -> list[Broadcast]:
    """Broadcasts still being delivered."""
    stmt = select(Broadcast).where(Broadcast.state == "sending").order_by(Broadcast.id)
    return list((await session.execute(stmt)).scalars())


async def broadcast_counts(session: AsyncSession, *, broadcast_id: int) -> dict[str, int]:
    """Outbox rows of a broadcast by state."""
    stmt = (
        select(Outbox.state, func.count())
        .where(Outbox.broadcast_id == broadcast_id)
        .group_by(Outbox.state)
    )
    return {state: int(n) for state, n in (await session.execute(stmt)).all()}


async def paid_sent(session: AsyncSession, *, broadcast_id: int) -> int:
    """Messages of a broadcast that went out as paid broadcast messages (0.1 Star each)."""
    stmt = select(func.count()).where(
        Outbox.broadcast_id == broadcast_id, Outbox.state == "sent", Outbox.paid.is_(True)
    )
    return int((await session.execute(stmt)).scalar_one())


async def cancel_broadcast_rows(session: AsyncSession, *, broadcast_id: int) -> int:
    """Queued rows of a broadcast are cancelled; returns how many."""
    result = await session.execute(
        update(Outbox)
        .where(Outbox.broadcast_id == broadcast_id, Outbox.state == "queued")
        .values(state="cancelled", claimed_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class Stats:
    """/stats."""

    by_status: dict[str, int]
    new_this_week: int
    checkins_today: int
    checkins_week: int
    tips_today: int
    failures_today: int

    @property
    def total(self) -> int:
        """Everyone who ever pressed /start and has not erased their data."""
        return sum(self.by_status.values())


async def stats(session: AsyncSession, *, day_start: datetime, week_start_at: datetime) -> Stats:
    """Counts for /stats (dates in UTC)."""
    by_status = {
        s: int(n)
        for s, n in (
            await session.execute(select(User.status, func.count()).group_by(User.status))
        ).all()
    }

    async def count(stmt: Any) -> int:
        return int((await session.execute(stmt)).scalar_one())

    return Stats(
        by_status=by_status,
        new_this_week=await count(
            select(func.count()).select_from(User).where(User.created_at >= week_start_at)
        ),
        checkins_today=await count(
            select(func.count()).select_from(Checkin).where(Checkin.created_at >= day_start)
        ),
        checkins_week=await count(
            select(func.count()).select_from(Checkin).where(Checkin.created_at >= week_start_at)
        ),
        tips_today=await count(
            select(func.count())
            .select_from(Outbox)
            .where(Outbox.kind == "tip", Outbox.state == "sent", Outbox.sent_at >= day_start)
        ),
        failures_today=await count(
            select(func.count())
            .select_from(Outbox)
            .where(Outbox.state == "failed", Outbox.created_at >= day_start)
        ),
    )


async def finish_broadcast(session: AsyncSession, *, broadcast_id: int, state: str) -> None:
    """Mark a broadcast done or stopped."""
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .values(state=state, finished_at=utcnow())
    )
