"""Everything stored about one person: gathered for /mydata, erased for /forget.

Every table that holds a person's id is named here. tests/store/test_privacy.py checks, table
by table, that nothing about them is left after an erase, so a new table cannot be forgotten.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.features.admin.repo import DENIED_ACTION
from nudgebot.platform.models import (
    AdminDraft,
    AuditEntry,
    Base,
    Broadcast,
    Checkin,
    FoodChoice,
    FoodQuestion,
    InboxUpdate,
    Outbox,
    Reminder,
    Tip,
    TipFeedback,
    TipLog,
    User,
    UserTopic,
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _columns(row: Base, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        column.key: _plain(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in skip
    }


async def export_user(session: AsyncSession, *, user_id: int) -> dict[str, Any]:
    """Every row about this person, as JSON-ready dicts."""
    user = await session.get(User, user_id)
    checkins = (
        await session.execute(
            select(Checkin).where(Checkin.user_id == user_id).order_by(Checkin.id)
        )
    ).scalars()
    questions = (
        await session.execute(
            select(FoodQuestion).where(FoodQuestion.user_id == user_id).order_by(FoodQuestion.id)
        )
    ).scalars()
    choices = (
        await session.execute(select(FoodChoice).where(FoodChoice.user_id == user_id))
    ).scalars()
    tips = (
        await session.execute(
            select(TipLog, Tip)
            .join(Tip, Tip.num == TipLog.tip_num)
            .where(TipLog.user_id == user_id)
            .order_by(TipLog.id)
        )
    ).all()
    feedback = (
        await session.execute(
            select(TipFeedback, Tip.id)
            .join(Tip, Tip.num == TipFeedback.tip_num)
            .where(TipFeedback.user_id == user_id)
        )
    ).all()
    messages = (
        await session.execute(select(Outbox).where(Outbox.user_id == user_id).order_by(Outbox.id))
    ).scalars()
    updates = (
        await session.execute(
            select(InboxUpdate)
            .where(InboxUpdate.user_id == user_id)
            .order_by(InboxUpdate.update_id)
        )
    ).scalars()
    drafts = (
        await session.execute(select(AdminDraft).where(AdminDraft.admin_id == user_id))
    ).scalars()
    audit = (
        await session.execute(
            select(AuditEntry).where(AuditEntry.admin_id == user_id).order_by(AuditEntry.id)
        )
    ).scalars()
    broadcasts = (
        await session.execute(select(Broadcast).where(Broadcast.admin_id == user_id))
    ).scalars()
    reminders = (
        await session.execute(
            select(Reminder).where(Reminder.user_id == user_id).order_by(Reminder.kind)
        )
    ).scalars()
    topics = (
        await session.execute(
            select(UserTopic).where(UserTopic.user_id == user_id).order_by(UserTopic.topic)
        )
    ).scalars()
    return {
        "profile_and_preferences": _columns(user) if user is not None else None,
        "topics": [_columns(t, skip=("user_id",)) for t in topics],
        "checkins": [_columns(c, skip=("user_id",)) for c in checkins],
        "food_questions": [_columns(q, skip=("user_id",)) for q in questions],
        "food_choices_remembered": [_columns(c, skip=("user_id",)) for c in choices],
        "reminders": [_columns(r, skip=("user_id",)) for r in reminders],
        "tips_received": [
            {
                "tip_id": tip.id,
                "topic": tip.topic,
                "text": tip.text,
                "kind": log.kind,
                "local_date": _plain(log.local_date),
                "at": _plain(log.created_at),
            }
            for log, tip in tips
        ],
        "tip_feedback": [
            {"tip_id": tip_id, "kind": fb.kind, "at": _plain(fb.created_at)}
            for fb, tip_id in feedback
        ],
        "messages_queued_or_sent": [
            _columns(m, skip=("user_id", "claimed_until")) for m in messages
        ],
        "updates_kept_for_crash_recovery": [
            _columns(u, skip=("user_id", "claimed_until")) for u in updates
        ],
        "admin_drafts": [_columns(d) for d in drafts],
        "audit_log": [_columns(a) for a in audit],
        "broadcasts_sent_as_admin": [_columns(b) for b in broadcasts],
    }


async def erase_user(session: AsyncSession, *, user_id: int) -> dict[str, int]:
    """Delete every row about this person; returns how many rows each table lost.

    Kept: what an admin did as an admin (their audit entries and broadcasts) is a record of
    actions taken on every subscriber's behalf, not data about the admin's own use of the bot.
    """
    statements = {
        "checkins": delete(Checkin).where(Checkin.user_id == user_id),
        "food_questions": delete(FoodQuestion).where(FoodQuestion.user_id == user_id),
        "food_choices": delete(FoodChoice).where(FoodChoice.user_id == user_id),
        "reminders": delete(Reminder).where(Reminder.user_id == user_id),
        "user_topics": delete(UserTopic).where(UserTopic.user_id == user_id),
        "tip_feedback": delete(TipFeedback).where(TipFeedback.user_id == user_id),
        "tip_log": delete(TipLog).where(TipLog.user_id == user_id),
        "outbox": delete(Outbox).where(Outbox.user_id == user_id),
        "inbox": delete(InboxUpdate).where(InboxUpdate.user_id == user_id),
        "admin_drafts": delete(AdminDraft).where(AdminDraft.admin_id == user_id),
        # A non-admin's attempts at admin commands are audited under their id: theirs to erase.
        "audit_log": delete(AuditEntry).where(
            AuditEntry.admin_id == user_id, AuditEntry.action == DENIED_ACTION
        ),
        "users": delete(User).where(User.id == user_id),
    }
    counts = {}
    for table, stmt in statements.items():
        result = await session.execute(stmt)
        counts[table] = int(getattr(result, "rowcount", 0) or 0)
    return counts
