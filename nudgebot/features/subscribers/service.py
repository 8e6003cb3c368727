"""Subscribing, onboarding, settings, pausing and stopping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import Enum

from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.features.reminders import repo as reminders_repo
from nudgebot.features.reminders.rules import EVENING, EVENING_TIMES, WEEKLY, read_evening_answer
from nudgebot.features.subscribers import preferences as prefs
from nudgebot.features.subscribers import repo as users_repo
from nudgebot.features.subscribers import topics as topics_repo
from nudgebot.features.subscribers.preferences import Flow, Step
from nudgebot.features.subscribers.timezones import (
    ZoneChoice,
    is_valid_zone_key,
    read_timezone,
    zone_for,
)
from nudgebot.features.subscribers.timezones import load_all as load_place_words
from nudgebot.features.tips.schedule import next_due_utc, occurrence
from nudgebot.platform.clock import utcnow
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import Reminder, User
from nudgebot.platform.timeofday import load_all as load_time_words
from nudgebot.platform.timeofday import parse_time_of_day, read_time


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
    evening_time: time | None = None  # the evening check-in reminder; None: off
    weekly_summary: bool = False
    language: str = "en"  # messages/<lang>/ the bot speaks to this person in

    @classmethod
    def of(
        cls,
        user: User,
        reminders: Mapping[str, Reminder] | None = None,
        *,
        topics: frozenset[str],
    ) -> Subscriber:
        """Snapshot an ORM row with the person's topics (and reminder rows, when given)."""
        evening = (reminders or {}).get(EVENING)
        weekly = (reminders or {}).get(WEEKLY)
        return cls(
            user_id=user.id,
            chat_id=user.chat_id,
            status=user.status,
            flow=Flow.decode(user.flow),
            onboarded=user.onboarded_at is not None,
            timezone=user.timezone,
            tip_time=user.tip_time,
            topics=topics,
            age_band=user.age_band,
            sex=user.sex,
            life_stage=user.life_stage,
            paused_until=user.paused_until,
            evening_time=evening.at_time if evening is not None and evening.enabled else None,
            weekly_summary=weekly is not None and weekly.enabled,
            language=user.language or "en",
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
    CHOICES = "choices"  # a typed answer that needs a tap: zone_choices or day_part's times
    BACK = "back"  # onboarding went back one question; show subscriber.flow's question
    RETYPE = "retype"  # none of the zones offered: the same question, typed again
    NO_TOPIC = "no_topic"  # refused: Done before any topic was chosen
    UNKNOWN_USER = "unknown_user"


@dataclass(frozen=True, slots=True)
class StepResult:
    """What happened to an answer, and the subscriber afterwards."""

    outcome: Outcome
    subscriber: Subscriber | None
    detail: str | None = None  # e.g. the city a typed zone matched
    answered: Flow | None = None  # the question this answer was for
    zone_choices: tuple[ZoneChoice, ...] = ()  # CHOICES on the time zone question
    day_part: str | None = None  # CHOICES on the time question ("morning")

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
        # times.toml and places.toml of every language, checked now: a bad file stops the start
        load_time_words()
        load_place_words()

    async def get(self, user_id: int) -> Subscriber | None:
        """The subscriber, or None for someone who never pressed /start."""
        async with self._sm() as session:
            user = await users_repo.get_user(session, user_id=user_id)
            return await _snapshot(session, user) if user else None

    async def start(
        self, *, user_id: int, chat_id: int, language: str = "en"
    ) -> tuple[Subscriber, StartKind]:
        """/start: create, continue onboarding, or reactivate someone who stopped or blocked us.

        `language`: what a new subscriber is spoken to in (from Telegram's language_code); an
        existing one keeps theirs.
        """
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                user = await users_repo.add_user(
                    session,
                    user_id=user_id,
                    chat_id=chat_id,
                    flow=prefs.FIRST_STEP.encode(),
                    language=language,
                )
                # No topic rows yet: on the topics question a tap means "yes, this one".
                return await _snapshot(session, user), StartKind.NEW
            user.chat_id = chat_id
            if user.onboarded_at is None:
                if Flow.decode(user.flow) is None:
                    user.flow = prefs.FIRST_STEP.encode()
                user.status = "active"
                return await _snapshot(session, user), StartKind.CONTINUE_ONBOARDING
            was_active = user.status == "active"
            user.status, user.paused_until, user.flow = "active", None, None
            user.blocked_at = None
            _reschedule(user)
            kind = StartKind.ALREADY_ACTIVE if was_active else StartKind.WELCOME_BACK
            return await _snapshot(session, user), kind

    async def answer_text(self, *, user_id: int, text: str) -> StepResult:
        """A typed answer to the open question (time zone or tip time)."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return StepResult(Outcome.UNKNOWN_USER, None)
            flow = Flow.decode(user.flow)
            if flow is None:
                return StepResult(Outcome.STALE, await _snapshot(session, user))
            return replace(await self._apply_text(session, user, flow, text), answered=flow)

    async def _apply_text(
        self, session: AsyncSession, user: User, flow: Flow, text: str
    ) -> StepResult:
        if flow.step == "tz":
            zone = read_timezone(text, language=user.language or "en")
            if zone.match is not None:
                user.timezone = zone.match.key
                sub = await self._advance(session, user, flow)
                return StepResult(Outcome.NEXT, sub, zone.match.city)
            if zone.choices:
                sub = await _snapshot(session, user)
                return StepResult(Outcome.CHOICES, sub, zone_choices=zone.choices)
        elif flow.step == "time":
            reading = read_time(text, user.language or "en")
            if reading.at is not None:
                user.tip_time = reading.at
                return StepResult(Outcome.NEXT, await self._advance(session, user, flow))
            if reading.part is not None:
                sub = await _snapshot(session, user)
                return StepResult(Outcome.CHOICES, sub, day_part=reading.part)
        elif flow.step == "evening":
            answer = read_evening_answer(text, user.language or "en")
            if answer is False:
                return await self._apply_evening(session, user, flow, prefs.EVENING_OFF)
            if isinstance(answer, time):
                await reminders_repo.set_reminder(
                    session, user=user, kind=EVENING, enabled=True, at_time=answer
                )
                return StepResult(Outcome.NEXT, await self._advance(session, user, flow))
        # not understood; topics and profile are answered with buttons
        return StepResult(Outcome.INVALID, await _snapshot(session, user))

    async def choose(self, *, user_id: int, step: Step, value: str) -> StepResult:
        """A button answer; the value is checked here because callback data can be forged."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return StepResult(Outcome.UNKNOWN_USER, None)
            flow = Flow.decode(user.flow)
            if flow is None or flow.step != step:
                return StepResult(Outcome.STALE, await _snapshot(session, user))
            return replace(await self._apply_choice(session, user, flow, value), answered=flow)

    async def _apply_choice(
        self, session: AsyncSession, user: User, flow: Flow, value: str
    ) -> StepResult:
        if value == prefs.BACK:
            previous = prefs.before(flow)
            if previous is None:
                return StepResult(Outcome.INVALID, await _snapshot(session, user))
            user.flow = previous.encode()
            return StepResult(Outcome.BACK, await _snapshot(session, user))
        if flow.step == "tz":
            if value == prefs.RETYPE:
                return StepResult(Outcome.RETYPE, await _snapshot(session, user))
            if not is_valid_zone_key(value):
                return StepResult(Outcome.INVALID, await _snapshot(session, user))
            user.timezone = value
            return StepResult(Outcome.NEXT, await self._advance(session, user, flow))
        if flow.step == "time":
            parsed = parse_time_of_day(value)
            if parsed is None:
                return StepResult(Outcome.INVALID, await _snapshot(session, user))
            user.tip_time = parsed
            return StepResult(Outcome.NEXT, await self._advance(session, user, flow))
        if flow.step == "topics":
            return await self._apply_topic(session, user, flow, value)
        if flow.step == "evening":
            return await self._apply_evening(session, user, flow, value)
        return await self._apply_profile(session, user, flow, value)

    async def _apply_topic(
        self, session: AsyncSession, user: User, flow: Flow, value: str
    ) -> StepResult:
        current = await topics_repo.topics_of(session, user_id=user.id)
        if value == "done":
            if not current:
                return StepResult(Outcome.NO_TOPIC, await _snapshot(session, user))
            return StepResult(Outcome.NEXT, await self._advance(session, user, flow))
        if value not in prefs.TOPICS:
            return StepResult(Outcome.INVALID, await _snapshot(session, user))
        # Settings save each tap at once, so one topic stays on; onboarding checks at Done.
        toggled = prefs.toggle_topic(current, value, keep_one=flow.mode == "settings")
        if toggled is None:
            return StepResult(Outcome.LAST_TOPIC, await _snapshot(session, user))
        await topics_repo.set_topics(session, user_id=user.id, topics=toggled)
        return StepResult(Outcome.SAME_STEP, await _snapshot(session, user))

    async def _apply_evening(
        self, session: AsyncSession, user: User, flow: Flow, value: str
    ) -> StepResult:
        if value == prefs.EVENING_OFF:
            await reminders_repo.set_reminder(session, user=user, kind=EVENING, enabled=False)
            return StepResult(Outcome.NEXT, await self._advance(session, user, flow))
        at = parse_time_of_day(value)
        if at is None or at not in EVENING_TIMES:
            return StepResult(Outcome.INVALID, await _snapshot(session, user))
        await reminders_repo.set_reminder(
            session, user=user, kind=EVENING, enabled=True, at_time=at
        )
        return StepResult(Outcome.NEXT, await self._advance(session, user, flow))

    async def _apply_profile(
        self, session: AsyncSession, user: User, flow: Flow, value: str
    ) -> StepResult:
        # "done", "skip" (prefer not to say to everything), or "<field>=<value>"
        if value == "done":
            user.age_band = user.age_band or prefs.UNSAID
            user.sex = user.sex or prefs.UNSAID
            if prefs.asks_life_stage(user.sex):
                user.life_stage = user.life_stage or prefs.UNSAID
            return StepResult(Outcome.NEXT, await self._advance(session, user, flow))
        if value == "skip":
            user.age_band = user.sex = user.life_stage = prefs.UNSAID
            return StepResult(Outcome.NEXT, await self._advance(session, user, flow))
        field, _, choice = value.partition("=")
        if not prefs.valid_profile_value(field, choice):
            return StepResult(Outcome.INVALID, await _snapshot(session, user))
        if field == "age":
            user.age_band = choice
        elif field == "sex":
            user.sex = choice
            if not prefs.asks_life_stage(choice):
                user.life_stage = None
        else:
            if not prefs.asks_life_stage(user.sex):
                return StepResult(Outcome.INVALID, await _snapshot(session, user))
            user.life_stage = choice
        return StepResult(Outcome.SAME_STEP, await _snapshot(session, user))

    @staticmethod
    async def _advance(session: AsyncSession, user: User, flow: Flow) -> Subscriber:
        nxt = prefs.after(flow)
        user.flow = nxt.encode() if nxt else None
        finished = nxt is None and user.onboarded_at is None
        if finished:
            user.onboarded_at = utcnow()
        if flow.step in ("tz", "time") or user.flow is None:
            _reschedule(user)
            await reminders_repo.reschedule(session, user=user)
        if finished:
            # New subscribers get the weekly summary; those from before it opt in in /settings.
            await reminders_repo.start_new_subscriber(session, user=user)
        return await _snapshot(session, user)

    async def open_setting(self, *, user_id: int, step: Step) -> Subscriber | None:
        """/settings → one preference: wait for its new value."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return None
            if user.onboarded_at is None:
                # finish onboarding first; the caller re-asks
                return await _snapshot(session, user)
            user.flow = Flow("settings", step).encode()
            return await _snapshot(session, user)

    async def close_flow(self, *, user_id: int) -> Subscriber | None:
        """Leave a settings question without changing anything."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return None
            if user.onboarded_at is not None:
                user.flow = None
            return await _snapshot(session, user)

    async def set_weekly_summary(self, *, user_id: int, on: bool) -> Subscriber | None:
        """/settings: the Sunday summary on or off (None before onboarding is finished)."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None or user.onboarded_at is None:
                return None
            await reminders_repo.set_reminder(session, user=user, kind=WEEKLY, enabled=on)
            return await _snapshot(session, user)

    async def pause(
        self, *, user_id: int, days: int, now: datetime | None = None
    ) -> PauseResult | None:
        """Stop daily tips for some days (0: until /resume); a longer pause already on stays."""
        if days not in prefs.PAUSE_CHOICES:
            raise ValueError(f"unsupported pause length {days}")
        now = now or utcnow()
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return None
            topics = await topics_repo.topics_of(session, user_id=user.id)
            current = Subscriber.of(user, topics=topics)
            paused_now = effective_status(current, now) == "paused"
            if days == 0:
                kept = paused_now and current.paused_until is None
                user.status, user.paused_until = "paused", None
                return PauseResult(Subscriber.of(user, topics=topics), kept, None, None)
            ends = pause_end(current, days, now)
            # paused_until is the first tip after the pause, not its end: the scheduler sends a
            # tip due while someone is paused only if the pause is over when the pass runs, so
            # an end just after a tip instant would make that tip depend on the tick.
            until = next_tip_at_or_after(current, ends) or ends
            longer = paused_now and (current.paused_until is None or current.paused_until >= until)
            if not longer:
                user.status, user.paused_until = "paused", until
            sub = Subscriber.of(user, topics=topics)
            return PauseResult(sub, longer, None if longer else ends, next_tip_after_pause(sub))

    async def resume(self, *, user_id: int) -> Subscriber | None:
        """Tips again from the next due time."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return None
            user.status, user.paused_until = "active", None
            _reschedule(user)
            return Subscriber.of(user, topics=await topics_repo.topics_of(session, user_id=user.id))

    async def language_of(self, *, user_id: int) -> str | None:
        """The person's language, or None for someone who never pressed /start."""
        async with self._sm() as session:
            return await users_repo.language_of(session, user_id=user_id)

    async def set_language(self, *, user_id: int, language: str) -> Subscriber | None:
        """/language: speak to this person in another language from now on."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return None
            user.language = language
            return await _snapshot(session, user)

    async def stop(self, *, user_id: int) -> Subscriber | None:
        """Unsubscribe: nothing more is sent; the data stays until the person asks to erase it."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return None
            user.status, user.paused_until, user.flow = "stopped", None, None
            _reschedule(user)
            return Subscriber.of(user, topics=await topics_repo.topics_of(session, user_id=user.id))


async def _snapshot(session: AsyncSession, user: User) -> Subscriber:
    """The subscriber with their topics and reminder choices."""
    return Subscriber.of(
        user,
        await reminders_repo.get_reminders(session, user_id=user.id),
        topics=await topics_repo.topics_of(session, user_id=user.id),
    )


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


@dataclass(frozen=True, slots=True)
class PauseResult:
    """What /pause or Snooze did."""

    subscriber: Subscriber
    kept: bool  # a longer (or open-ended) pause was on already and stays as it was
    ends: datetime | None  # the end of the pause just asked for (None when kept or open-ended)
    next_tip: datetime | None  # the first daily tip after the pause (None: until /resume)


def pause_end(sub: Subscriber, days: int, now: datetime) -> datetime:
    """`days` calendar days from now on the person's own wall clock (DST-safe), in UTC."""
    if not sub.timezone:
        return now + timedelta(days=days)
    zone = zone_for(sub.timezone)
    local = now.astimezone(zone)
    wall = local.replace(tzinfo=None) + timedelta(days=days)
    return occurrence(wall.date(), wall.time(), zone)


def next_tip_at_or_after(sub: Subscriber, instant: datetime) -> datetime | None:
    """The person's first tip instant not before `instant` (None before a zone and time)."""
    if not sub.onboarded or not sub.timezone or sub.tip_time is None:
        return None
    return next_due_utc(sub.timezone, sub.tip_time, instant - timedelta(microseconds=1))


def next_tip_after_pause(sub: Subscriber) -> datetime | None:
    """The first daily tip a timed pause lets through: the tip time on the first local day
    whose tip instant is not before the pause's end (tips due while paused are skipped)."""
    if sub.status != "paused" or sub.paused_until is None:
        return None
    return next_tip_at_or_after(sub, sub.paused_until)


def effective_status(sub: Subscriber, now: datetime) -> str:
    """A pause whose end has passed counts as active."""
    if sub.status == "paused" and sub.paused_until is not None and sub.paused_until <= now:
        return "active"
    return sub.status
