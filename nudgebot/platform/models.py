"""SQLAlchemy 2 models: the shape of everything the bot keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from nudgebot.platform.clock import utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Always-aware UTC datetimes, also on SQLite, which keeps no offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class User(Base):
    """A subscriber, keyed by Telegram user id; kept after /stop until they ask for deletion."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # active | paused | stopped | blocked (the user blocked the bot)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # "<mode>:<step>" while the bot waits for an answer, e.g. "onboarding:time", "settings:tz"
    flow: Mapped[str | None] = mapped_column(String(32))
    onboarded_at: Mapped[datetime | None]
    timezone: Mapped[str | None] = mapped_column(String(64))
    tip_time: Mapped[time | None] = mapped_column(Time)
    # None: not asked yet; "unsaid": the person preferred not to say
    age_band: Mapped[str | None] = mapped_column(String(8))
    sex: Mapped[str | None] = mapped_column(String(8))
    life_stage: Mapped[str | None] = mapped_column(String(16))
    paused_until: Mapped[datetime | None]
    # Daily tips: the next instant a tip is due (UTC, indexed: the scheduler scans it), the last
    # local date one was queued for, and the rotation state (see domain/rotation.py).
    next_due_utc: Mapped[datetime | None] = mapped_column(index=True)
    last_tip_date: Mapped[date | None]
    tip_cycle: Mapped[int] = mapped_column(Integer, default=0)
    tip_pos: Mapped[int] = mapped_column(BigInteger, default=-1)
    blocked_at: Mapped[datetime | None]
    # When guidance last reminded this person that a doctor or dietitian gives personal advice.
    reminded_at: Mapped[datetime | None]
    # When the person mentioned warfarin or another blood thinner: from then on the foods the bot
    # suggests leave out vitamin-K-rich greens (their intake should stay steady, not grow).
    warfarin_noted_at: Mapped[datetime | None]
    # The language the bot speaks to this person (messages/<lang>/): from Telegram's
    # language_code at the first /start, changed with /language.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class UserTopic(Base):
    """A topic a person chose for their tips (food, activity, stress): one row per topic.

    No row: not chosen. Onboarding starts with none; settings keep at least one.
    """

    __tablename__ = "user_topics"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    topic: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(Base):
    """A reminder kind a person opted into, beside the daily tip: one row per (person, kind).

    Kinds: "evening" (a check-in nudge at `at_time` on days without one) and "weekly" (the
    Sunday summary at the tip time; `at_time` unused). The scheduler finds due rows by the
    indexed UTC instant `next_due_utc`, exactly as it finds due tips; `last_local_date` keeps a
    kind to once a local date, `ignored` counts evening reminders in a row nobody acted on.
    """

    __tablename__ = "reminders"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    at_time: Mapped[time | None] = mapped_column(Time)
    next_due_utc: Mapped[datetime | None] = mapped_column(index=True)
    last_local_date: Mapped[date | None]
    ignored: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    # Set when the reminder turned itself off after too many ignored in a row.
    stopped_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboxUpdate(Base):
    """Every update from Telegram, stored before it is confirmed so a crash cannot lose it."""

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    # The process handling it holds it until then; after that (it died) another may take it.
    claimed_until: Mapped[datetime | None]

    __table_args__ = (
        Index(
            "ix_inbox_pending",
            "update_id",
            postgresql_where=text("processed_at IS NULL"),
            sqlite_where=text("processed_at IS NULL"),
        ),
        # Flood control counts a user's updates in the last minute; /forget finds them.
        Index("ix_inbox_user_received", "user_id", "received_at"),
    )


# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Tip(Base):
    """A tip: from the library in messages/<lang>/tips.toml (synced at start) or by an admin."""

    __tablename__ = "tips"

    num: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    topic: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200))
    see_professional: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(16))  # library | admin
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TipTranslation(Base):
    """A tip's text in a language other than English (English stays in tips.text)."""

    __tablename__ = "tip_texts"

    tip_num: Mapped[int] = mapped_column(
        ForeignKey("tips.num", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200))


class TipLog(Base):
    """Each tip a subscriber was given: daily (queued by the scheduler) or extra (/tip)."""

    __tablename__ = "tip_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    tip_num: Mapped[int] = mapped_column(ForeignKey("tips.num"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # daily | extra
    local_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class TipFeedback(Base):
    """A subscriber found a tip helpful."""

    __tablename__ = "tip_feedback"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tip_num: Mapped[int] = mapped_column(ForeignKey("tips.num"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # helpful
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Outbox(Base):
    """One message the bot sends on its own initiative, written before the send.

    `key` makes a message idempotent (tip:<user>:<local date>, broadcast:<id>:<user>);
    state moves queued -> sending -> sent, or to failed / blocked / cancelled.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(96))
    kind: Mapped[str] = mapped_column(String(16))  # tip | broadcast
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]]
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)  # lower goes first
    state: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    broadcast_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Sent with allow_paid_broadcast (0.1 Star each): asked for while queued, paid for once sent.
    paid: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("key", name="uq_outbox_key"),
        Index(
            "ix_outbox_ready",
            "priority",
            "not_before",
            "id",
            postgresql_where=text("state IN ('queued', 'sending')"),
            sqlite_where=text("state IN ('queued', 'sending')"),
        ),
        Index("ix_outbox_state", "state"),
    )


class Checkin(Base):
    """A meal check-in: the foods recognised and their magnesium (the raw text is not kept)."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    # The Telegram update it came from: reprocessing an update after a crash adds nothing.
    update_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    local_date: Mapped[date]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    total_mg: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_checkins_user_date", "user_id", "local_date"),)


class FoodQuestion(Base):
    """A part of a check-in that named no known food, with the foods offered for it.

    The person answers with a button; the choice is added to the check-in (`checkin_id`, or a
    new one when the message had no known food) and remembered in `food_choices`.
    """

    __tablename__ = "food_questions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    # The update that asked: a replay after a crash finds these instead of asking again.
    update_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    checkin_id: Mapped[int | None] = mapped_column(BigInteger)
    phrase: Mapped[str] = mapped_column(String(200))
    amount: Mapped[dict[str, Any]] = mapped_column(JSON)  # count, unit, size as read
    options: Mapped[list[str]] = mapped_column(JSON)  # curated food ids, or "usda:<record>"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]


class FoodChoice(Base):
    """What a person said a phrase means ("grandmas soup" -> lentil soup): used from then on."""

    __tablename__ = "food_choices"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    phrase: Mapped[str] = mapped_column(String(200), primary_key=True)
    option: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Broadcast(Base):
    """A message an admin sent to many subscribers; its rows live in the outbox."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    admin_id: Mapped[int] = mapped_column(BigInteger)
    admin_chat_id: Mapped[int] = mapped_column(BigInteger)
    status_message_id: Mapped[int | None] = mapped_column(BigInteger)
    audience: Mapped[str] = mapped_column(String(16))  # all | food | activity | stress
    payload: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(12), default="sending")  # sending | done | stopped
    total: Mapped[int] = mapped_column(Integer, default=0)
    skipped_blocked: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    # The admin chose "send fast (paid)"; paid_refused_at: Telegram refused it (no Stars left)
    # and the rest went at the free rate.
    paid: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    paid_refused_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class SendBudget(Base):
    """The bot's next free send slot, shared by every process on PostgreSQL (see budget.py)."""

    __tablename__ = "send_budget"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_slot: Mapped[datetime]


class AdminDraft(Base):
    """An admin's flow in progress (/addtip, /broadcast): in the database, not in memory."""

    __tablename__ = "admin_drafts"

    admin_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))  # addtip | broadcast
    step: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEntry(Base):
    """Every admin action: who, what, when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    admin_id: Mapped[int] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
