"""Repository functions for reminders (evening check-in nudge, weekly summary).

Keyword-only arguments; they never commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.features.reminders.rules import EVENING, EVENING_DEFAULT, WEEKLY, next_instant
from nudgebot.platform import bulk
from nudgebot.platform.clock import utcnow
from nudgebot.platform.models import Checkin, Reminder, User

_reminders = cast(Table, Reminder.__table__)


async def get_reminders(session: AsyncSession, *, user_id: int) -> dict[str, Reminder]:
    """This person's reminder rows by kind (a kind never turned on has none)."""
    result = await session.execute(select(Reminder).where(Reminder.user_id == user_id))
    return {r.kind: r for r in result.scalars()}


def _when(kind: str, at_time: time | None, user: User, now: datetime) -> datetime | None:
    """The next instant of a kind for this person, or None while their zone or time is unknown."""
    at = at_time if kind == EVENING else user.tip_time
    if user.timezone is None or at is None:
        return None
    return next_instant(kind, zone_key=user.timezone, at=at, after=now)


async def set_reminder(
    session: AsyncSession,
    *,
    user: User,
    kind: str,
    enabled: bool,
    at_time: time | None = None,
    now: datetime | None = None,
) -> Reminder:
    """Turn a kind on or off (and, for evening, set its time); turning on starts afresh."""
    now = now or utcnow()
    rows = await get_reminders(session, user_id=user.id)
    row = rows.get(kind)
    if row is None:
        row = Reminder(user_id=user.id, kind=kind, enabled=enabled, ignored=0)
        session.add(row)
    if kind == EVENING:
        row.at_time = at_time or row.at_time or EVENING_DEFAULT
    row.enabled = enabled
    if enabled:
        row.ignored = 0
        row.stopped_at = None
        row.next_due_utc = _when(kind, row.at_time, user, now)
    else:
        row.next_due_utc = None
    await session.flush()
    return row


async def reschedule(session: AsyncSession, *, user: User, now: datetime | None = None) -> None:
    """After a change of zone or tip time: every enabled kind's next instant, from now."""
    now = now or utcnow()
    for row in (await get_reminders(session, user_id=user.id)).values():
        row.next_due_utc = _when(row.kind, row.at_time, user, now) if row.enabled else None


async def start_new_subscriber(
    session: AsyncSession, *, user: User, now: datetime | None = None
) -> None:
    """A new subscriber gets the weekly summary (on by default; existing ones opt in)."""
    rows = await get_reminders(session, user_id=user.id)
    if WEEKLY not in rows:
        await set_reminder(session, user=user, kind=WEEKLY, enabled=True, now=now)


async def note_checkin(session: AsyncSession, *, user_id: int) -> None:
    """A check-in (typed or tapped): evening reminders were not ignored after all."""
    await session.execute(
        update(Reminder)
        .where(Reminder.user_id == user_id, Reminder.kind == EVENING, Reminder.ignored != 0)
        .values(ignored=0, updated_at=utcnow())
    )


@dataclass(slots=True)
class DueReminder:
    """A due reminder with the person's columns the scheduler needs."""

    user_id: int
    kind: str
    at_time: time | None
    next_due_utc: datetime
    last_local_date: date | None
    ignored: int
    chat_id: int
    status: str
    paused_until: datetime | None
    timezone: str | None
    tip_time: time | None
    language: str = "en"


async def due_reminders(
    session: AsyncSession, *, now: datetime, limit: int, lock: bool = True
) -> list[DueReminder]:
    """Enabled reminders whose instant has come, oldest first, locked for this transaction.

    `lock=False` only looks (another process may take them meanwhile).
    """
    r = _reminders.c
    u = cast(Table, User.__table__).c
    stmt = (
        select(
            r.user_id,
            r.kind,
            r.at_time,
            r.next_due_utc,
            r.last_local_date,
            r.ignored,
            u.chat_id,
            u.status,
            u.paused_until,
            u.timezone,
            u.tip_time,
            u.language,
        )
        .join_from(_reminders, cast(Table, User.__table__), u.id == r.user_id)
        .where(r.next_due_utc <= now, r.enabled.is_(True))
        .order_by(r.next_due_utc)
        .limit(limit)
    )
    if lock:
        stmt = stmt.with_for_update(of=_reminders, skip_locked=True)
    result = await session.execute(stmt)
    return [DueReminder(*row) for row in result]


async def save_reminders(session: AsyncSession, *, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk-write a scheduler pass: each dict has `user_id`, `kind` and the same columns."""
    if not rows:
        return
    keys = rows[0].keys()
    if any(r.keys() != keys for r in rows):
        raise ValueError("every row must set the same columns")
    columns = [c for c in keys if c not in ("user_id", "kind")]
    stmt = (
        update(_reminders)
        .where(
            _reminders.c.user_id == bindparam("b_user_id", type_=_reminders.c.user_id.type),
            _reminders.c.kind == bindparam("b_kind", type_=_reminders.c.kind.type),
        )
        .values(
            {
                **{c: bindparam(f"b_{c}", type_=_reminders.c[c].type) for c in columns},
                "updated_at": utcnow(),
            }
        )
    )
    await bulk.executemany(session, stmt, [{f"b_{k}": v for k, v in r.items()} for r in rows])


async def checked_in_on(
    session: AsyncSession, *, pairs: Sequence[tuple[int, date]]
) -> set[tuple[int, date]]:
    """Which (person, local date) pairs have at least one check-in: one query for a pass."""
    if not pairs:
        return set()
    users = {u for u, _ in pairs}
    dates = {d for _, d in pairs}
    result = await session.execute(
        select(Checkin.user_id, Checkin.local_date)
        .where(Checkin.user_id.in_(users), Checkin.local_date.in_(dates))
        .distinct()
    )
    wanted = set(pairs)
    return {(u, d) for u, d in result if (u, d) in wanted}


@dataclass(slots=True)
class WeekCheckin:
    user_id: int
    local_date: date
    items: list[dict[str, Any]]
    total_mg: float


async def week_checkins(
    session: AsyncSession, *, user_ids: Sequence[int], first: date, last: date
) -> list[WeekCheckin]:
    """Every check-in of these people between two local dates (inclusive): one query."""
    if not user_ids:
        return []
    result = await session.execute(
        select(Checkin.user_id, Checkin.local_date, Checkin.items, Checkin.total_mg).where(
            Checkin.user_id.in_(set(user_ids)),
            Checkin.local_date >= first,
            Checkin.local_date <= last,
        )
    )
    return [WeekCheckin(u, d, list(items or []), float(mg)) for u, d, items, mg in result]


async def profiles(
    session: AsyncSession, *, user_ids: Sequence[int]
) -> dict[int, tuple[str | None, str | None, str | None]]:
    """(age band, sex, life stage) per person, for their targets."""
    if not user_ids:
        return {}
    result = await session.execute(
        select(User.id, User.age_band, User.sex, User.life_stage).where(User.id.in_(set(user_ids)))
    )
    return {uid: (age, sex, life) for uid, age, sex, life in result}


async def acted(session: AsyncSession, *, user_id: int) -> None:
    """The person answered an evening reminder (a button): it was not ignored."""
    await note_checkin(session, user_id=user_id)
