"""Meal check-ins: store what the router recognised, total the day, suggest what to add."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.domain.guidance import reminder_due, suggest_additions
from nudgebot.domain.targets import Target, daily_target
from nudgebot.domain.timezones import local_now
from nudgebot.features.meals.foods import Food
from nudgebot.features.meals.parser import Amount, FoodIndex, Item, MealEstimate, grams_for
from nudgebot.features.meals.text import normalise_name
from nudgebot.platform.clock import utcnow
from nudgebot.store import checkins as checkins_repo
from nudgebot.store import users as users_repo
from nudgebot.store.db import SessionMaker
from nudgebot.store.models import User


class CheckinKind(Enum):
    RECORDED = "recorded"
    NOTHING_RECOGNISED = "nothing_recognised"  # nothing stored; the bot asks what it was
    DUPLICATE = "duplicate"  # the same update again (after a crash): nothing new stored


@dataclass(frozen=True, slots=True)
class CheckinResult:
    """Everything a reply to a check-in needs."""

    kind: CheckinKind
    estimate: MealEstimate | None = None
    day_total_mg: float = 0.0
    target: Target | None = None
    suggestions: tuple[Food, ...] = ()
    remind: bool = False  # add the weekly "a doctor or dietitian gives personal advice" line
    questions: tuple[FoodQuestionView, ...] = ()  # "did you mean", one per unknown part


@dataclass(frozen=True, slots=True)
class FoodQuestionView:
    """An unknown part of a check-in and the foods offered for it (buttons)."""

    id: int
    phrase: str
    options: tuple[Food, ...]


class AnswerKind(Enum):
    ADDED = "added"
    NONE_OF_THESE = "none"
    ALREADY = "already"  # answered before (a second tap, or a replay)


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """What the answer to a "did you mean" question did."""

    kind: AnswerKind
    phrase: str = ""
    item: Item | None = None
    day_total_mg: float = 0.0
    target: Target | None = None


@dataclass(frozen=True, slots=True)
class DaySummary:
    """/today."""

    local_date: date
    entries: tuple[tuple[str, float], ...]  # (foods in words, mg) per check-in
    total_mg: float
    target: Target


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """/week: the last seven local dates, oldest first."""

    days: tuple[tuple[date, float], ...]
    target: Target
    streak: int


def _local_today(user: User, now: datetime) -> date:
    return local_now(user.timezone or "UTC", now).date()


def _target(user: User) -> Target:
    return daily_target(user.age_band, user.sex, user.life_stage)


MAX_QUESTIONS = 3  # "did you mean" questions per check-in: more would be a quiz
RECENT_DAYS = 30  # the cuisines a person eats, for suggestions that fit them


def _amount_json(amount: Amount) -> dict[str, Any]:
    return {"count": amount.count, "unit": amount.unit, "size": amount.size}


def _amount_of(data: dict[str, Any]) -> Amount:
    count = data.get("count")
    return Amount(
        count=float(count) if count is not None else None,
        unit=str(data["unit"]) if data.get("unit") else None,
        size=float(data.get("size") or 1.0),
    )


def _stored_item(item: Item) -> dict[str, Any]:
    return {
        "food": item.food.id,
        "name": item.food.name,
        "portion": item.portion_text,
        "grams": item.grams,
        "mg": item.mg,
        "source": item.food.source,
    }


class CheckinService:
    """Record and summarise what people ate."""

    def __init__(self, sessionmaker: SessionMaker, table: FoodIndex) -> None:
        self._sm = sessionmaker
        self.table = table

    def resolve(self, option: str) -> Food | None:
        """The food an option id names (None if the database no longer has it)."""
        if option.startswith("usda:"):
            return self.table.record_food(option.removeprefix("usda:"))
        return self.table.food(option)

    async def remembered(self, *, user_id: int) -> dict[str, Food]:
        """What this person told us their own phrases mean."""
        async with self._sm() as session:
            choices = await checkins_repo.remembered_choices(session, user_id=user_id)
        foods = {phrase: self.resolve(option) for phrase, option in choices.items()}
        return {phrase: food for phrase, food in foods.items() if food is not None}

    async def record(
        self,
        *,
        user_id: int,
        estimate: MealEstimate,
        update_id: int | None,
        referred: bool = False,
        warfarin: bool = False,
        now: datetime | None = None,
    ) -> CheckinResult:
        """Store a recognised meal and total the day.

        `referred`: the reply already sends the person to a professional (no weekly reminder on
        top). `warfarin`: they mentioned warfarin; remembered, so that suggestions from now on
        leave out vitamin-K-rich greens.
        """
        now = now or utcnow()
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                raise LookupError(f"no subscriber {user_id}")
            if warfarin and user.warfarin_noted_at is None:
                user.warfarin_noted_at = now
            today = _local_today(user, now)
            checkin_id: int | None = None
            fresh = True
            if estimate.items:
                checkin_id = await checkins_repo.add_checkin(
                    session,
                    user_id=user_id,
                    update_id=update_id,
                    local_date=today,
                    items=[_stored_item(i) for i in estimate.items],
                    total_mg=round(estimate.total_mg, 1),
                )
                if checkin_id is None and update_id is not None:
                    fresh = False  # the same update again: answer as before, store nothing
                    again = await checkins_repo.checkin_for_update(session, update_id=update_id)
                    checkin_id = again.id if again is not None else None
            questions = await self._questions(
                session,
                user_id=user_id,
                update_id=update_id,
                checkin_id=checkin_id,
                estimate=estimate,
            )
            day = await checkins_repo.day_checkins(session, user_id=user_id, local_date=today)
            recent = await checkins_repo.recent_food_ids(
                session, user_id=user_id, since=today - timedelta(days=RECENT_DAYS)
            )
            due = reminder_due(user.reminded_at, now) and bool(estimate.items)
            if due or referred:
                user.reminded_at = now
            remind = due and not referred
            avoid_vitamin_k = user.warfarin_noted_at is not None
        if not estimate.items:
            return CheckinResult(
                CheckinKind.NOTHING_RECOGNISED, estimate, target=_target(user), questions=questions
            )
        eaten = {item["food"] for c in day for item in c.items}
        suggestions = suggest_additions(
            self.table.foods,
            eaten,
            seed=today.toordinal() + len(day),
            cuisines=self._cuisines(recent),
            avoid_vitamin_k=avoid_vitamin_k,
        )
        kind = CheckinKind.RECORDED if fresh else CheckinKind.DUPLICATE
        return CheckinResult(
            kind,
            estimate,
            day_total_mg=sum(c.total_mg for c in day),
            target=_target(user),
            suggestions=tuple(suggestions),
            remind=remind,
            questions=questions,
        )

    def _cuisines(self, food_ids: list[str]) -> Counter[str]:
        counts: Counter[str] = Counter()
        for food_id in food_ids:
            food = self.table.food(food_id)
            if food is not None:
                counts.update(food.cuisines)
        return counts

    async def _questions(
        self,
        session: AsyncSession,
        *,
        user_id: int,
        update_id: int | None,
        checkin_id: int | None,
        estimate: MealEstimate,
    ) -> tuple[FoodQuestionView, ...]:
        """Store a "did you mean" question per unknown part that has foods to offer."""
        asked = [u for u in estimate.unknown_parts if u.options][:MAX_QUESTIONS]
        if not asked:
            return ()
        if update_id is not None:
            stored = await checkins_repo.questions_for_update(session, update_id=update_id)
            if stored:  # the same update again, after a crash: the same questions
                return tuple(
                    FoodQuestionView(
                        row.id,
                        row.phrase,
                        tuple(f for f in map(self.resolve, row.options) if f is not None),
                    )
                    for row in stored
                )
        ids = await checkins_repo.add_food_questions(
            session,
            user_id=user_id,
            update_id=update_id,
            checkin_id=checkin_id,
            questions=[(u.text, _amount_json(u.amount), [f.id for f in u.options]) for u in asked],
        )
        return tuple(
            FoodQuestionView(qid, u.text, u.options) for qid, u in zip(ids, asked, strict=True)
        )

    async def answer(
        self, *, user_id: int, question_id: int, choice: int | None, now: datetime | None = None
    ) -> AnswerResult:
        """The person chose option `choice` (or none of them) for an unknown part.

        The food is added to the check-in that asked (or to a new one today, if that message
        had no known food) and the choice is remembered for this person's phrase. A second tap
        or a replayed update changes nothing.
        """
        now = now or utcnow()
        async with self._sm.begin() as session:
            question = await checkins_repo.take_food_question(
                session, question_id=question_id, user_id=user_id, now=now
            )
            if question is None:
                return AnswerResult(AnswerKind.ALREADY)
            if choice is None or not 0 <= choice < len(question.options):
                return AnswerResult(AnswerKind.NONE_OF_THESE, question.phrase)
            food = self.resolve(question.options[choice])
            if food is None:
                return AnswerResult(AnswerKind.NONE_OF_THESE, question.phrase)
            item = grams_for(food, _amount_of(question.amount))
            await checkins_repo.remember_choice(
                session,
                user_id=user_id,
                phrase=normalise_name(question.phrase),
                option=question.options[choice],
            )
            user = await users_repo.get_user(session, user_id=user_id)
            if user is None:
                raise LookupError(f"no subscriber {user_id}")
            today = _local_today(user, now)
            added = None
            if question.checkin_id is not None:
                added = await checkins_repo.add_items(
                    session,
                    checkin_id=question.checkin_id,
                    user_id=user_id,
                    items=[_stored_item(item)],
                )
            if added is None:
                await checkins_repo.add_checkin(
                    session,
                    user_id=user_id,
                    update_id=None,
                    local_date=today,
                    items=[_stored_item(item)],
                    total_mg=item.mg,
                )
            await session.flush()
            day = await checkins_repo.day_checkins(session, user_id=user_id, local_date=today)
        return AnswerResult(
            AnswerKind.ADDED,
            question.phrase,
            item,
            day_total_mg=sum(c.total_mg for c in day),
            target=_target(user),
        )

    async def note_warfarin(self, *, user_id: int) -> None:
        """Remember a mention of warfarin outside a check-in (a question about it)."""
        async with self._sm.begin() as session:
            await users_repo.note_warfarin(session, user_id=user_id)

    async def today(self, *, user_id: int, now: datetime | None = None) -> DaySummary | None:
        """Today's check-ins and total against the target."""
        now = now or utcnow()
        async with self._sm() as session:
            user = await users_repo.get_user(session, user_id=user_id)
            if user is None:
                return None
            today = _local_today(user, now)
            day = await checkins_repo.day_checkins(session, user_id=user_id, local_date=today)
        entries = tuple((", ".join(i["name"] for i in c.items), c.total_mg) for c in day)
        return DaySummary(today, entries, sum(c.total_mg for c in day), _target(user))

    async def undo(self, *, user_id: int) -> tuple[str, float] | None:
        """Remove the newest check-in: (its foods in words, its mg), or None if there is none."""
        async with self._sm.begin() as session:
            last = await checkins_repo.delete_last(session, user_id=user_id)
        if last is None:
            return None
        return ", ".join(i["name"] for i in last.items), last.total_mg

    async def week(self, *, user_id: int, now: datetime | None = None) -> WeekSummary | None:
        """The last seven days' totals, the target and the days-in-a-row count."""
        now = now or utcnow()
        async with self._sm() as session:
            user = await users_repo.get_user(session, user_id=user_id)
            if user is None:
                return None
            today = _local_today(user, now)
            first = today - timedelta(days=6)
            totals = await checkins_repo.daily_totals(session, user_id=user_id, since=first)
            dates = await checkins_repo.checkin_dates(session, user_id=user_id)
        days = tuple(
            (first + timedelta(days=n), totals.get(first + timedelta(days=n), 0.0))
            for n in range(7)
        )
        return WeekSummary(days, _target(user), streak(dates, today))


def streak(dates_newest_first: list[date], today: date) -> int:
    """Days in a row with a check-in, ending today (or yesterday, if today has none yet)."""
    if not dates_newest_first:
        return 0
    expected = today if dates_newest_first[0] == today else today - timedelta(days=1)
    count = 0
    for day in dates_newest_first:
        if day != expected:
            break
        count += 1
        expected -= timedelta(days=1)
    return count
