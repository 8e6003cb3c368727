"""Quick check-ins: which past meals and everyday additions to offer as one-tap buttons.

Pure rules, no database and no Telegram: the service feeds them a person's recent check-ins and
the foods they log; the views turn the result into labels and callback data.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time

from nudgebot.features.meals.foods import Food
from nudgebot.features.meals.parser import Amount, Item, grams_for

BREAKFAST, LUNCH, DINNER, SNACK = "breakfast", "lunch", "dinner", "snack"
MEALS = (BREAKFAST, LUNCH, DINNER, SNACK)
MAX_MEALS = 4  # buttons for past meals: more would be a menu to read, not a tap
MAX_ADDITIONS = 4
MIN_ADDITION_MG = 20.0

# Groups of everyday magnesium-rich additions, in the order offered to someone with no history,
# each with its standard portion (a handful of nuts, a cup of beans, a slice of bread…) and the
# food offered when the person logs nothing of that group.
ADDITION_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("nuts", "handful", "almonds"),
    ("legumes", "cup", "black_beans"),
    ("bread", "slice", "bread_whole_wheat"),
    ("fruit", "piece", "banana"),
    ("sweets", "square", "dark_chocolate"),
    ("seeds", "handful", "pumpkin_seeds"),
    ("leafy_greens", "serving", "spinach_cooked"),
    ("grains", "cup", "brown_rice"),
    ("soy", "serving", "tofu"),
)


def meal_of(local: time) -> str:
    """The meal a check-in at this local time most likely was."""
    if 4 <= local.hour < 11:
        return BREAKFAST
    if 11 <= local.hour < 15:
        return LUNCH
    if 17 <= local.hour < 22:
        return DINNER
    return SNACK


@dataclass(frozen=True, slots=True)
class PastMeal:
    """One stored check-in, as the ranking needs it."""

    checkin_id: int
    local_date: date
    meal: str
    food_ids: tuple[str, ...]
    names: tuple[str, ...]
    total_mg: float


@dataclass(frozen=True, slots=True)
class RecentMeal:
    """A past meal to log again in one tap (the newest check-in with these foods)."""

    checkin_id: int
    meal: str  # breakfast | lunch | dinner | snack, from the local time it was logged
    local_date: date
    days_ago: int
    foods: tuple[str, ...]
    total_mg: float
    times: int  # check-ins with the same foods in the period looked at


@dataclass(frozen=True, slots=True)
class Addition:
    """An everyday magnesium-rich food in its standard portion."""

    food_id: str
    name: str
    unit: str
    grams: float
    mg: float
    unit_name: str = ""  # the unit in the food's language ("handful", "puñado")


@dataclass(frozen=True, slots=True)
class QuickChoices:
    """What a person can log in one tap: their recent and frequent meals, then additions."""

    meals: tuple[RecentMeal, ...]
    additions: tuple[Addition, ...]


def rank_meals(
    past: Iterable[PastMeal], *, today: date, meal_now: str, limit: int = MAX_MEALS
) -> tuple[RecentMeal, ...]:
    """Past meals without repeats (same foods), most useful first.

    A meal of the kind due now comes first (breakfast in the morning), then the ones eaten most
    often, then the most recent.
    """
    newest: dict[tuple[str, ...], PastMeal] = {}
    counts: Counter[tuple[str, ...]] = Counter()
    for meal in past:
        key = tuple(sorted(set(meal.food_ids)))
        if not key:
            continue
        counts[key] += 1
        kept = newest.get(key)
        if kept is None or (meal.local_date, meal.checkin_id) > (kept.local_date, kept.checkin_id):
            newest[key] = meal
    ranked = sorted(
        newest.items(),
        key=lambda kv: (
            kv[1].meal != meal_now,
            -counts[kv[0]],
            (today - kv[1].local_date).days,
            -kv[1].checkin_id,
        ),
    )
    return tuple(
        RecentMeal(
            checkin_id=meal.checkin_id,
            meal=meal.meal,
            local_date=meal.local_date,
            days_ago=(today - meal.local_date).days,
            foods=tuple(dict.fromkeys(meal.names)),
            total_mg=meal.total_mg,
            times=counts[key],
        )
        for key, meal in ranked[:limit]
    )


def standard_item(food: Food) -> Item:
    """A food in its group's standard portion (a cup of beans), or its own default one."""
    unit = next((u for g, u, _ in ADDITION_GROUPS if g == food.category), None)
    if unit is None or unit not in food.units:
        return grams_for(food, Amount())
    return grams_for(food, Amount(count=1, unit=unit))


def _offerable(food: Food | None, avoid_vitamin_k: bool) -> bool:
    return (
        food is not None
        and food.everyday
        and not (avoid_vitamin_k and food.vitamin_k_rich)
        and standard_item(food).mg >= MIN_ADDITION_MG
    )


def pick_additions(
    foods: Sequence[Food],
    logged: Iterable[str],
    *,
    avoid_vitamin_k: bool = False,
    limit: int = MAX_ADDITIONS,
) -> tuple[Addition, ...]:
    """One addition per group: groups this person logs first, and in each their own food.

    `logged`: the food ids of their recent check-ins, repeats included (they count). Without a
    history the groups come in ADDITION_GROUPS order with its staple foods. With
    `avoid_vitamin_k` (warfarin) vitamin-K-rich foods are never offered.
    """
    by_id = {f.id: f for f in foods}
    eaten = Counter(food_id for food_id in logged if food_id in by_id)
    order = {group: n for n, (group, _, _) in enumerate(ADDITION_GROUPS)}
    group_counts: Counter[str] = Counter()
    for food_id, n in eaten.items():
        group_counts[by_id[food_id].category] += n
    picks: list[tuple[str, Food]] = []
    for group, _unit, staple in ADDITION_GROUPS:
        own = [
            by_id[food_id]
            for food_id, _ in eaten.most_common()
            if by_id[food_id].category == group and _offerable(by_id[food_id], avoid_vitamin_k)
        ]
        food = own[0] if own else by_id.get(staple)
        if food is not None and _offerable(food, avoid_vitamin_k):
            picks.append((group, food))
    picks.sort(key=lambda gf: (-group_counts[gf[0]], order[gf[0]]))
    additions = []
    for _group, food in picks[:limit]:
        item = standard_item(food)
        unit = item.unit if item.unit not in ("g", "ml") else food.default_unit
        additions.append(
            Addition(food.id, food.name, unit, item.grams, item.mg, food.words.name(unit))
        )
    return tuple(additions)


def tap_key(chat_id: int, message_id: int, data: str) -> int:
    """A check-in key for a button on one message: a second tap or a replay logs nothing new.

    Stored where a typed check-in keeps its Telegram update id (unique); negative, so it never
    meets a real update id, which Telegram counts up from 1.
    """
    digest = hashlib.blake2b(f"{chat_id}:{message_id}:{data}".encode(), digest_size=8).digest()
    return -(int.from_bytes(digest, "big") >> 2) - 1
