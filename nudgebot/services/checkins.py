"""Meal check-ins: store what the router recognised, total the day, suggest what to add."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from nudgebot.content import Content
from nudgebot.domain.guidance import reminder_due, suggest_additions
from nudgebot.domain.meals import Food, FoodTable, MealEstimate
from nudgebot.domain.targets import Target, daily_target
from nudgebot.domain.timezones import local_now
from nudgebot.store import checkins as checkins_repo
from nudgebot.store import users as users_repo
from nudgebot.store.db import SessionMaker
from nudgebot.store.models import User, utcnow


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


def food_table(content: Content) -> FoodTable:
    """The food table from messages/foods.toml."""
    return FoodTable(
        [
            Food(
                id=f.id,
                name=f.name,
                portion=f.portion,
                grams=f.grams,
                mg=f.mg,
                synonyms=tuple(f.synonyms),
                units=dict(f.units),
                default_unit=f.default_unit,
                source=f.source,
                category=f.category,
                vitamin_k_rich=f.vitamin_k_rich,
            )
            for f in content.foods
        ]
    )


def _local_today(user: User, now: datetime) -> date:
    return local_now(user.timezone or "UTC", now).date()


def _target(user: User) -> Target:
    return daily_target(user.age_band, user.sex, user.life_stage)


class CheckinService:
    """Record and summarise what people ate."""

    def __init__(self, sessionmaker: SessionMaker, table: FoodTable) -> None:
        self._sm = sessionmaker
        self.table = table

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
            stored = False
            if estimate.items:
                stored = await checkins_repo.add_checkin(
                    session,
                    user_id=user_id,
                    update_id=update_id,
                    local_date=today,
                    items=[
                        {
                            "food": i.food.id,
                            "name": i.food.name,
                            "portion": i.portion_text,
                            "grams": i.grams,
                            "mg": i.mg,
                        }
                        for i in estimate.items
                    ],
                    total_mg=round(estimate.total_mg, 1),
                )
            day = await checkins_repo.day_checkins(session, user_id=user_id, local_date=today)
            due = reminder_due(user.reminded_at, now) and bool(estimate.items)
            if due or referred:
                user.reminded_at = now
            remind = due and not referred
            avoid_vitamin_k = user.warfarin_noted_at is not None
        if not estimate.items:
            return CheckinResult(CheckinKind.NOTHING_RECOGNISED, estimate)
        eaten = {item["food"] for c in day for item in c.items}
        suggestions = suggest_additions(
            self.table.foods,
            eaten,
            seed=today.toordinal() + len(day),
            avoid_vitamin_k=avoid_vitamin_k,
        )
        kind = CheckinKind.RECORDED if stored or update_id is None else CheckinKind.DUPLICATE
        return CheckinResult(
            kind,
            estimate,
            day_total_mg=sum(c.total_mg for c in day),
            target=_target(user),
            suggestions=tuple(suggestions),
            remind=remind,
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
