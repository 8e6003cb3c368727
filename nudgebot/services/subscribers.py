"""Subscribing, onboarding, settings, pausing and stopping."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import Enum

from nudgebot.domain import preferences as prefs
from nudgebot.domain.clock import parse_time_of_day
from nudgebot.domain.preferences import Flow, Step
from nudgebot.domain.schedule import next_due_utc
from nudgebot.domain.timezones import is_valid_zone_key, parse_timezone
from nudgebot.platform.clock import utcnow
from nudgebot.store import users as users_repo
from nudgebot.store.db import SessionMaker
from nudgebot.store.models import User


@dataclass(frozen=True, slots=True)
class Subscriber:
    """What the handlers may know about a subscriber: a plain snapshot, no ORM object."""

    user_id: int
    chat_id: int
    status: str
    flow: Flow | None
    onboarded: bool
    timezone: str | None
    tip_time: time | None
    topics: frozenset[str]
    age_band: str | None
    sex: str | None
    life_stage: str | None
    paused_until: datetime | None

    @classmethod
    def of(cls, user: User) -> Subscriber:
        """Snapshot an ORM row."""
        topics = {
            t
            for t, on in zip(
                prefs.TOPICS, (user.topic_food, user.topic_activity, user.topic_stress), strict=True
            )
            if on
        }
        return cls(
            user_id=user.id,
            chat_id=user.chat_id,
            status=user.status,
            flow=Flow.decode(user.flow),
            onboarded=user.onboarded_at is not None,
            timezone=user.timezone,
            tip_time=user.tip_time,
            topics=frozenset(topics),
            age_band=user.age_band,
            sex=user.sex,
            life_stage=user.life_stage,
            paused_until=user.paused_until,
        )


class StartKind(Enum):
    NEW = "new"
    CONTINUE_ONBOARDING = "continue_onboarding"
    WELCOME_BACK = "welcome_back"
    ALREADY_ACTIVE = "already_active"


class Outcome(Enum):
    NEXT = "next"  # answer accepted; show subscriber.flow's question, or the summary if none
    SAME_STEP = "same_step"  # accepted, the same question stays open (a toggle)
    INVALID = "invalid"  # not understood: ask again
    LAST_TOPIC = "last_topic"  # refused: at least one topic stays on
    STALE = "stale"  # the person is not at that question any more (an old button)
    UNKNOWN_USER = "unknown_user"


@dataclass(frozen=True, slots=True)
class StepResult:
    """What happened to an answer, and the subscriber afterwards."""

    outcome: Outcome
    subscriber: Subscriber | None
    detail: str | None = None  # e.g. the city a typed zone matched
    answered: Flow | None = None  # the question this answer was for

    @property
    def finished_onboarding(self) -> bool:
        """True when this answer completed the last onboarding question."""
        return (
            self.outcome is Outcome.NEXT
            and self.answered is not None
            and self.answered.mode == "onboarding"
            and self.subscriber is not None
            and self.subscriber.flow is None
        )


class SubscriberService:
    """Everything about a subscriber's membership and preferences."""

    def __init__(self, sessionmaker: SessionMaker) -> None:
        self._sm = sessionmaker

    async def get(self, user_id: int) -> Subscriber | None:
        """The subscriber, or None for someone who never pressed /start."""
        async with self._sm() as session:
            user = await users_repo.get_user(session, user_id=user_id)
            return Subscriber.of(user) if user else None

    async def start(self, *, user_id: int, chat_id: int) -> tuple[Subscriber, StartKind]:
        """/start: create, continue onboarding, or reactivate someone who stopped or blocked us."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                user = await users_repo.add_user(
                    session, user_id=user_id, chat_id=chat_id, flow=prefs.FIRST_STEP.encode()
                )
                return Subscriber.of(user), StartKind.NEW
            user.chat_id = chat_id
            if user.onboarded_at is None:
                if Flow.decode(user.flow) is None:
                    user.flow = prefs.FIRST_STEP.encode()
                user.status = "active"
                return Subscriber.of(user), StartKind.CONTINUE_ONBOARDING
            was_active = user.status == "active"
            user.status, user.paused_until, user.flow = "active", None, None
            user.blocked_at = None
            _reschedule(user)
            kind = StartKind.ALREADY_ACTIVE if was_active else StartKind.WELCOME_BACK
            return Subscriber.of(user), kind

    async def answer_text(self, *, user_id: int, text: str) -> StepResult:
        """A typed answer to the open question (time zone or tip time)."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return StepResult(Outcome.UNKNOWN_USER, None)
            flow = Flow.decode(user.flow)
            if flow is None:
                return StepResult(Outcome.STALE, Subscriber.of(user))
            return replace(self._apply_text(user, flow, text), answered=flow)

    def _apply_text(self, user: User, flow: Flow, text: str) -> StepResult:
        if flow.step == "tz":
            match = parse_timezone(text)
            if match is None:
                return StepResult(Outcome.INVALID, Subscriber.of(user))
            user.timezone = match.key
            return StepResult(Outcome.NEXT, self._advance(user, flow), match.city)
        if flow.step == "time":
            parsed = parse_time_of_day(text)
            if parsed is None:
                return StepResult(Outcome.INVALID, Subscriber.of(user))
            user.tip_time = parsed
            return StepResult(Outcome.NEXT, self._advance(user, flow))
        # topics and profile are answered with buttons only
        return StepResult(Outcome.INVALID, Subscriber.of(user))

    async def choose(self, *, user_id: int, step: Step, value: str) -> StepResult:
        """A button answer; the value is checked here because callback data can be forged."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return StepResult(Outcome.UNKNOWN_USER, None)
            flow = Flow.decode(user.flow)
            if flow is None or flow.step != step:
                return StepResult(Outcome.STALE, Subscriber.of(user))
            return replace(self._apply_choice(user, flow, value), answered=flow)

    def _apply_choice(self, user: User, flow: Flow, value: str) -> StepResult:
        if flow.step == "tz":
            if not is_valid_zone_key(value):
                return StepResult(Outcome.INVALID, Subscriber.of(user))
            user.timezone = value
            return StepResult(Outcome.NEXT, self._advance(user, flow))
        if flow.step == "time":
            parsed = parse_time_of_day(value)
            if parsed is None:
                return StepResult(Outcome.INVALID, Subscriber.of(user))
            user.tip_time = parsed
            return StepResult(Outcome.NEXT, self._advance(user, flow))
        if flow.step == "topics":
            if value == "done":
                return StepResult(Outcome.NEXT, self._advance(user, flow))
            if value not in prefs.TOPICS:
                return StepResult(Outcome.INVALID, Subscriber.of(user))
            toggled = prefs.toggle_topic(Subscriber.of(user).topics, value)
            if toggled is None:
                return StepResult(Outcome.LAST_TOPIC, Subscriber.of(user))
            user.topic_food = "food" in toggled
            user.topic_activity = "activity" in toggled
            user.topic_stress = "stress" in toggled
            return StepResult(Outcome.SAME_STEP, Subscriber.of(user))
        # profile: "done", "skip" (prefer not to say to everything), or "<field>=<value>"
        if value == "done":
            user.age_band = user.age_band or prefs.UNSAID
            user.sex = user.sex or prefs.UNSAID
            if prefs.asks_life_stage(user.sex):
                user.life_stage = user.life_stage or prefs.UNSAID
            return StepResult(Outcome.NEXT, self._advance(user, flow))
        if value == "skip":
            user.age_band = user.sex = user.life_stage = prefs.UNSAID
            return StepResult(Outcome.NEXT, self._advance(user, flow))
        field, _, choice = value.partition("=")
        if not prefs.valid_profile_value(field, choice):
            return StepResult(Outcome.INVALID, Subscriber.of(user))
        if field == "age":
            user.age_band = choice
        elif field == "sex":
            user.sex = choice
            if not prefs.asks_life_stage(choice):
                user.life_stage = None
        else:
            if not prefs.asks_life_stage(user.sex):
                return StepResult(Outcome.INVALID, Subscriber.of(user))
            user.life_stage = choice
        return StepResult(Outcome.SAME_STEP, Subscriber.of(user))

    @staticmethod
    def _advance(user: User, flow: Flow) -> Subscriber:
        nxt = prefs.after(flow)
        user.flow = nxt.encode() if nxt else None
        if nxt is None and user.onboarded_at is None:
            user.onboarded_at = utcnow()
        if flow.step in ("tz", "time") or user.flow is None:
            _reschedule(user)
        return Subscriber.of(user)

    async def open_setting(self, *, user_id: int, step: Step) -> Subscriber | None:
        """/settings → one preference: wait for its new value."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return None
            if user.onboarded_at is None:
                return Subscriber.of(user)  # finish onboarding first; the caller re-asks
            user.flow = Flow("settings", step).encode()
            return Subscriber.of(user)

    async def close_flow(self, *, user_id: int) -> Subscriber | None:
        """Leave a settings question without changing anything."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return None
            if user.onboarded_at is not None:
                user.flow = None
            return Subscriber.of(user)

    async def pause(
        self, *, user_id: int, days: int, now: datetime | None = None
    ) -> Subscriber | None:
        """Stop daily tips for some days (0: until /resume)."""
        if days not in prefs.PAUSE_CHOICES:
            raise ValueError(f"unsupported pause length {days}")
        now = now or utcnow()
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return None
            user.status = "paused"
            user.paused_until = now + timedelta(days=days) if days else None
            return Subscriber.of(user)

    async def resume(self, *, user_id: int) -> Subscriber | None:
        """Tips again from the next due time."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return None
            user.status, user.paused_until = "active", None
            _reschedule(user)
            return Subscriber.of(user)

    async def stop(self, *, user_id: int) -> Subscriber | None:
        """Unsubscribe: nothing more is sent; the data stays until the person asks to erase it."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return None
            user.status, user.paused_until, user.flow = "stopped", None, None
            _reschedule(user)
            return Subscriber.of(user)


def _reschedule(user: User, now: datetime | None = None) -> None:
    """Set the next daily-tip instant from the current preferences (None: no tips due)."""
    if (
        user.onboarded_at is not None
        and user.status in ("active", "paused")
        and user.timezone
        and user.tip_time is not None
    ):
        user.next_due_utc = next_due_utc(user.timezone, user.tip_time, now or utcnow())
    else:
        user.next_due_utc = None


def effective_status(sub: Subscriber, now: datetime) -> str:
    """A pause whose end has passed counts as active."""
    if sub.status == "paused" and sub.paused_until is not None and sub.paused_until <= now:
        return "active"
    return sub.status
