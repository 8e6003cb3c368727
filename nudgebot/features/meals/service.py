"""Meal check-ins: store what the router recognised, total the day, suggest what to add."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.features.meals import repo as checkins_repo
from nudgebot.features.meals.foods import Food
from nudgebot.features.meals.guidance import reminder_due, suggest_additions
from nudgebot.features.meals.parser import (
    MAX_GRAMS,
    Amount,
    FoodIndex,
    Item,
    MealEstimate,
    grams_for,
)
from nudgebot.features.meals.quick import (  # QuickChoices: the evening reminder's buttons too
    PastMeal,
    QuickChoices,
    meal_of,
    pick_additions,
    rank_meals,
    standard_item,
)
from nudgebot.features.meals.targets import Target, daily_target
from nudgebot.features.meals.text import normalise_name
from nudgebot.features.reminders import repo as reminders_repo
from nudgebot.features.subscribers import repo as users_repo
from nudgebot.features.subscribers.timezones import local_now
from nudgebot.platform.clock import utcnow
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import Checkin, User

__all__ = [  # what the handlers and the evening reminder use
    "AnswerKind",
    "AnswerResult",
    "CheckinKind",
    "CheckinResult",
    "CheckinService",
    "DayEntry",
    "DaySummary",
    "FoodQuestionView",
    "LoggedItem",
    "QuickChoices",
    "UndoResult",
    "WeekSummary",
    "streak",
]


class CheckinKind(Enum):
    RECORDED = "recorded"
    NOTHING_RECOGNISED = "nothing_recognised"  # nothing stored; the bot asks what it was
    DUPLICATE = "duplicate"  # the same update again (after a crash): nothing new stored
    CHANGED = "changed"  # an amount in a stored check-in was changed
    GONE = "gone"  # the check-in or food a button named is no longer there (or not theirs)


@dataclass(frozen=True, slots=True)
class LoggedItem:
    """One food of a stored check-in, as the replies show it."""

    food_id: str
    name: str
    portion: str
    grams: float
    mg: float

    @classmethod
    def of(cls, stored: dict[str, Any]) -> LoggedItem:
        """From an item as the checkins table stores it."""
        return cls(
            str(stored["food"]),
            str(stored["name"]),
            str(stored.get("portion") or ""),
            float(stored["grams"]),
            float(stored["mg"]),
        )


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
    checkin_id: int | None = None  # the stored check-in (its fix and undo buttons name it)
    logged: tuple[LoggedItem, ...] = ()  # its foods as stored

    @property
    def meal_mg(self) -> float:
        """The stored check-in's magnesium."""
        return sum(i.mg for i in self.logged)


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
class DayEntry:
    """One check-in of a day, for /today."""

    checkin_id: int
    local_time: time
    items: tuple[LoggedItem, ...]
    total_mg: float


@dataclass(frozen=True, slots=True)
class DaySummary:
    """/today."""

    local_date: date
    entries: tuple[DayEntry, ...]  # oldest first
    total_mg: float
    target: Target


@dataclass(frozen=True, slots=True)
class UndoResult:
    """A removed check-in and the day total left."""

    foods: tuple[str, ...]
    mg: float
    day_total_mg: float
    target: Target


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """/week: the last seven local dates, oldest first."""

    days: tuple[tuple[date, float], ...]
    target: Target
    streak: int
    logged_days: int = 0  # days of the seven with a check-in

    @property
    def average_mg(self) -> float:
        """Magnesium a day on average over the days with a check-in (not over seven)."""
        return sum(mg for _, mg in self.days) / self.logged_days if self.logged_days else 0.0


def _local_today(user: User, now: datetime) -> date:
    return local_now(user.timezone or "UTC", now).date()


def _target(user: User) -> Target:
    return daily_target(user.age_band, user.sex, user.life_stage)


MAX_QUESTIONS = 3  # "did you mean" questions per check-in: more would be a quiz
RECENT_DAYS = 30  # the cuisines a person eats, for suggestions that fit them
RECENT_LIMIT = 200  # check-ins looked at for the quick buttons (store.recent_checkins' limit)


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
        # as read, so that a changed amount reads "2 handfuls" (older rows lack them)
        "quantity": item.quantity,
        "unit": item.unit,
    }


MIN_GRAMS = 1.0  # the smallest amount a "×½" button offers or accepts


def _logged(items: list[dict[str, Any]]) -> tuple[LoggedItem, ...]:
    return tuple(LoggedItem.of(i) for i in items)


def _local_time(user: User, instant: datetime) -> time:
    return local_now(user.timezone or "UTC", instant).time()


class CheckinService:
    """Record and summarise what people ate."""

    def __init__(
        self, sessionmaker: SessionMaker, table: FoodIndex | Mapping[str, FoodIndex]
    ) -> None:
        self._sm = sessionmaker
        # One food index per language (the same foods, named in that language).
        self.tables: Mapping[str, FoodIndex] = (
            {"en": table} if isinstance(table, FoodIndex) else dict(table)
        )
        self.table = self.tables["en"]

    def table_for(self, language: str | None) -> FoodIndex:
        """The food index of a language (English for one without its own)."""
        return self.tables.get(language or "en", self.table)

    def _table(self, user: User) -> FoodIndex:
        return self.table_for(user.language)

    def resolve(self, option: str, language: str = "en") -> Food | None:
        """The food an option id names (None if the database no longer has it)."""
        table = self.table_for(language)
        if option.startswith("usda:"):
            return table.record_food(option.removeprefix("usda:"))
        return table.food(option)

    async def remembered(self, *, user_id: int, language: str = "en") -> dict[str, Food]:
        """What this person told us their own phrases mean."""
        async with self._sm() as session:
            choices = await checkins_repo.remembered_choices(session, user_id=user_id)
        foods = {phrase: self.resolve(option, language) for phrase, option in choices.items()}
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
            await reminders_repo.note_checkin(session, user_id=user_id)
            stored: tuple[Checkin, bool] | None = None
            if estimate.items:
                stored = await self._store(
                    session,
                    user,
                    items=[_stored_item(i) for i in estimate.items],
                    key=update_id,
                    now=now,
                )
            questions = await self._questions(
                session,
                user_id=user_id,
                update_id=update_id,
                checkin_id=stored[0].id if stored is not None else None,
                estimate=estimate,
            )
            if stored is None:
                return CheckinResult(
                    CheckinKind.NOTHING_RECOGNISED,
                    estimate,
                    target=_target(user),
                    questions=questions,
                )
            result = await self._answer_checkin(
                session, user, *stored, now=now, referred=referred, estimate=estimate
            )
        return replace(result, questions=questions)

    async def _store(
        self,
        session: AsyncSession,
        user: User,
        *,
        items: list[dict[str, Any]],
        key: int | None,
        now: datetime,
    ) -> tuple[Checkin, bool]:
        """Store a check-in today: (the row, True), or (the row stored before, False) when this
        update or tap was stored already."""
        checkin_id = await checkins_repo.add_checkin(
            session,
            user_id=user.id,
            update_id=key,
            local_date=_local_today(user, now),
            items=items,
            total_mg=checkins_repo.total_of(items),
            created_at=now,
        )
        if checkin_id is None and key is not None:
            again = await checkins_repo.checkin_for_update(session, update_id=key)
            if again is not None:
                return again, False  # the same update again: answer as before, store nothing
        checkin = (
            await checkins_repo.get_checkin(session, checkin_id=checkin_id, user_id=user.id)
            if checkin_id is not None
            else None
        )
        if checkin is None:
            raise LookupError(f"check-in {checkin_id} vanished")
        return checkin, True

    async def _answer_checkin(
        self,
        session: AsyncSession,
        user: User,
        checkin: Checkin,
        fresh: bool,
        *,
        now: datetime,
        referred: bool = False,
        estimate: MealEstimate | None = None,
    ) -> CheckinResult:
        """The reply to a stored check-in: day total, additions, the weekly reminder."""
        today = _local_today(user, now)
        day = await checkins_repo.day_checkins(session, user_id=user.id, local_date=today)
        recent = await checkins_repo.recent_food_ids(
            session, user_id=user.id, since=today - timedelta(days=RECENT_DAYS)
        )
        due = reminder_due(user.reminded_at, now)
        if due or referred:
            user.reminded_at = now
        eaten = {item["food"] for c in day for item in c.items}
        suggestions = suggest_additions(
            self._table(user).foods,
            eaten,
            seed=today.toordinal() + len(day),
            cuisines=self._cuisines(recent),
            avoid_vitamin_k=user.warfarin_noted_at is not None,
        )
        return CheckinResult(
            CheckinKind.RECORDED if fresh else CheckinKind.DUPLICATE,
            estimate,
            day_total_mg=sum(c.total_mg for c in day),
            target=_target(user),
            suggestions=tuple(suggestions),
            remind=due and not referred,
            checkin_id=checkin.id,
            logged=_logged(checkin.items),
        )

    async def quick_choices(self, *, user_id: int, now: datetime | None = None) -> QuickChoices:
        """The meals this person logs (recent and frequent, newest check-in of each) and the
        everyday additions that fit them: data for one-tap buttons (/checkin, reminders)."""
        now = now or utcnow()
        async with self._sm() as session:
            user = await users_repo.get_user(session, user_id=user_id)
            if user is None:
                return QuickChoices((), pick_additions(self.table.foods, ()))
            today = _local_today(user, now)
            rows = await checkins_repo.recent_checkins(
                session, user_id=user_id, since=today - timedelta(days=RECENT_DAYS)
            )
        return self._choices(user, rows, now)

    async def quick_choices_of(
        self, *, user_ids: Sequence[int], now: datetime | None = None
    ) -> dict[int, QuickChoices]:
        """`quick_choices` for many people in two queries (the evening reminders of a pass)."""
        now = now or utcnow()
        if not user_ids:
            return {}
        # Every local "today" is within a day of the UTC date: read a day more, trim per person.
        since = now.date() - timedelta(days=RECENT_DAYS + 1)
        async with self._sm() as session:
            users = await users_repo.get_users(session, user_ids=user_ids)
            rows = await checkins_repo.recent_checkins_of(session, user_ids=user_ids, since=since)
        found = {}
        for user in users:
            first = _local_today(user, now) - timedelta(days=RECENT_DAYS)
            mine = [r for r in rows.get(user.id, ()) if r.local_date >= first][:RECENT_LIMIT]
            found[user.id] = self._choices(user, mine, now)
        return found

    def _choices(self, user: User, rows: Sequence[Checkin], now: datetime) -> QuickChoices:
        today = _local_today(user, now)
        past = [
            PastMeal(
                checkin_id=row.id,
                local_date=row.local_date,
                meal=meal_of(_local_time(user, row.created_at)),
                food_ids=tuple(str(i["food"]) for i in row.items),
                names=tuple(str(i["name"]) for i in row.items),
                total_mg=row.total_mg,
            )
            for row in rows
        ]
        meals = rank_meals(past, today=today, meal_now=meal_of(_local_time(user, now)))
        additions = pick_additions(
            self._table(user).foods,
            [food_id for meal in past for food_id in meal.food_ids],
            avoid_vitamin_k=user.warfarin_noted_at is not None,
        )
        return QuickChoices(meals, additions)

    async def log_again(
        self, *, user_id: int, checkin_id: int, key: int | None, now: datetime | None = None
    ) -> CheckinResult:
        """Log the foods of one of this person's past check-ins again, today (one tap).

        `key`: what makes the tap idempotent (quick.tap_key): the same key stores nothing new.
        """
        now = now or utcnow()
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return CheckinResult(CheckinKind.GONE)
            source = await checkins_repo.get_checkin(
                session, checkin_id=checkin_id, user_id=user_id
            )
            if source is None or not source.items:
                return CheckinResult(CheckinKind.GONE, target=_target(user))
            await reminders_repo.note_checkin(session, user_id=user_id)
            stored = await self._store(
                session, user, items=[dict(i) for i in source.items], key=key, now=now
            )
            return await self._answer_checkin(session, user, *stored, now=now)

    async def log_addition(
        self, *, user_id: int, food_id: str, key: int | None, now: datetime | None = None
    ) -> CheckinResult:
        """Log an everyday addition in its standard portion (one tap); idempotent by `key`."""
        now = now or utcnow()
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return CheckinResult(CheckinKind.GONE)
            food = self._table(user).food(food_id)
            if food is None:
                return CheckinResult(CheckinKind.GONE, target=_target(user))
            await reminders_repo.note_checkin(session, user_id=user_id)
            stored = await self._store(
                session, user, items=[_stored_item(standard_item(food))], key=key, now=now
            )
            return await self._answer_checkin(session, user, *stored, now=now)

    def _scaled(self, item: dict[str, Any], grams: float, language: str) -> dict[str, Any]:
        """A stored item with a new amount: grams, mg and the portion in words follow."""
        factor = grams / float(item["grams"])
        food = self.resolve(str(item["food"]), language)
        quantity, unit = item.get("quantity"), item.get("unit")
        scaled = dict(item, grams=round(grams, 1), mg=round(float(item["mg"]) * factor, 1))
        if food is not None and quantity is not None and unit:
            new = Item(
                food,
                round(float(quantity) * factor, 3),
                str(unit),
                scaled["grams"],
                scaled["mg"],
            )
            scaled.update(quantity=new.quantity, portion=new.portion_text)
        else:
            scaled["portion"] = f"{scaled['grams']:g} g"
        return scaled

    async def change_amount(
        self,
        *,
        user_id: int,
        checkin_id: int,
        index: int,
        grams: float,
        now: datetime | None = None,
    ) -> CheckinResult:
        """Set the amount of one food of a check-in (a ×½ or ×2 button) and total again.

        The button names the new amount, not a factor, so a second tap or a replayed update
        leaves it as it is.
        """
        now = now or utcnow()
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id)
            if user is None:
                return CheckinResult(CheckinKind.GONE)
            checkin = await checkins_repo.get_checkin(
                session, checkin_id=checkin_id, user_id=user_id, for_update=True
            )
            if checkin is None or not 0 <= index < len(checkin.items):
                return CheckinResult(CheckinKind.GONE, target=_target(user))
            item = checkin.items[index]
            if MIN_GRAMS <= grams <= MAX_GRAMS and abs(float(item["grams"]) - grams) >= 0.05:
                items = [dict(i) for i in checkin.items]
                items[index] = self._scaled(item, grams, user.language)
                await checkins_repo.set_items(session, checkin=checkin, items=items)
            day = await checkins_repo.day_checkins(
                session, user_id=user_id, local_date=_local_today(user, now)
            )
            return CheckinResult(
                CheckinKind.CHANGED,
                day_total_mg=sum(c.total_mg for c in day),
                target=_target(user),
                checkin_id=checkin.id,
                logged=_logged(checkin.items),
            )

    async def checkin(self, *, user_id: int, checkin_id: int) -> CheckinResult:
        """One of this person's check-ins as it is now (to show its buttons again)."""
        async with self._sm() as session:
            user = await users_repo.get_user(session, user_id=user_id)
            checkin = await checkins_repo.get_checkin(
                session, checkin_id=checkin_id, user_id=user_id
            )
            if user is None or checkin is None:
                return CheckinResult(CheckinKind.GONE)
        return CheckinResult(
            CheckinKind.CHANGED,
            target=_target(user),
            checkin_id=checkin.id,
            logged=_logged(checkin.items),
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
            await reminders_repo.note_checkin(session, user_id=user_id)
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
        entries = tuple(
            DayEntry(c.id, _local_time(user, c.created_at), _logged(c.items), c.total_mg)
            for c in day
        )
        return DaySummary(today, entries, sum(c.total_mg for c in day), _target(user))

    async def undo(
        self, *, user_id: int, checkin_id: int | None = None, now: datetime | None = None
    ) -> UndoResult | None:
        """Remove the newest check-in, or the one named (only this person's): what it was and
        today's total left; None if there is no such check-in (any more)."""
        now = now or utcnow()
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id)
            if user is None:
                return None
            removed = (
                await checkins_repo.delete_last(session, user_id=user_id)
                if checkin_id is None
                else await checkins_repo.delete_checkin(
                    session, checkin_id=checkin_id, user_id=user_id
                )
            )
            if removed is None:
                return None
            day = await checkins_repo.day_checkins(
                session, user_id=user_id, local_date=_local_today(user, now)
            )
        return UndoResult(
            tuple(str(i["name"]) for i in removed.items),
            removed.total_mg,
            day_total_mg=sum(c.total_mg for c in day),
            target=_target(user),
        )

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
        return WeekSummary(days, _target(user), streak(dates, today), logged_days=len(totals))


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
