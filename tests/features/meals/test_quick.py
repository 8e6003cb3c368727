"""Which past meals and additions the one-tap check-in offers (pure rules, no database)."""

from __future__ import annotations

from datetime import date, time

import pytest

from nudgebot.features.meals.parser import load_index
from nudgebot.features.meals.quick import (
    BREAKFAST,
    DINNER,
    LUNCH,
    SNACK,
    PastMeal,
    meal_of,
    pick_additions,
    rank_meals,
    tap_key,
)

FOODS = load_index().foods
TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("local", "meal"),
    [
        (time(7, 30), BREAKFAST),
        (time(4), BREAKFAST),
        (time(10, 59), BREAKFAST),
        (time(11), LUNCH),
        (time(14, 59), LUNCH),
        (time(16), SNACK),
        (time(19, 15), DINNER),
        (time(23, 30), SNACK),
        (time(2), SNACK),
    ],
)
def test_the_meal_follows_the_local_time_of_the_check_in(local: time, meal: str) -> None:
    assert meal_of(local) == meal


def _past(checkin_id: int, days_ago: int, meal: str, *foods: str) -> PastMeal:
    return PastMeal(
        checkin_id=checkin_id,
        local_date=date.fromordinal(TODAY.toordinal() - days_ago),
        meal=meal,
        food_ids=foods,
        names=foods,
        total_mg=10.0 * len(foods),
    )


def test_meals_with_the_same_foods_are_offered_once_as_the_newest_of_them() -> None:
    past = [
        _past(9, 0, LUNCH, "lentil_soup", "bread"),
        _past(7, 1, BREAKFAST, "banana", "oatmeal", "almonds"),
        _past(3, 3, BREAKFAST, "almonds", "oatmeal", "banana"),  # same foods, other order
    ]
    meals = rank_meals(past, today=TODAY, meal_now=BREAKFAST)
    assert [m.checkin_id for m in meals] == [7, 9]
    assert (meals[0].days_ago, meals[0].times, meals[0].meal) == (1, 2, BREAKFAST)
    assert meals[0].foods == ("banana", "oatmeal", "almonds")


def test_the_meal_due_now_comes_first_then_the_most_frequent_then_the_newest() -> None:
    past = [
        _past(10, 0, SNACK, "apple"),
        _past(8, 1, DINNER, "rice", "beans"),
        _past(6, 2, LUNCH, "salad"),
        _past(5, 3, DINNER, "rice", "beans"),
        _past(4, 4, LUNCH, "pho"),
    ]
    at_lunch = rank_meals(past, today=TODAY, meal_now=LUNCH)
    assert [m.checkin_id for m in at_lunch] == [6, 4, 8, 10]
    at_dinner = rank_meals(past, today=TODAY, meal_now=DINNER, limit=2)
    assert [m.checkin_id for m in at_dinner] == [8, 10]


def test_at_most_four_meals_are_offered() -> None:
    past = [_past(n, n, LUNCH, f"food{n}") for n in range(1, 9)]
    assert len(rank_meals(past, today=TODAY, meal_now=LUNCH)) == 4


def test_without_a_history_the_additions_are_the_everyday_staples_in_order() -> None:
    additions = pick_additions(FOODS, [])
    assert [a.food_id for a in additions] == [
        "almonds",
        "black_beans",
        "bread_whole_wheat",
        "banana",
    ]
    beans = additions[1]
    assert beans.unit == "cup" and beans.grams == pytest.approx(2 * 86, abs=1)
    assert [a.unit for a in additions] == ["handful", "cup", "slice", "piece"]


def test_additions_come_from_the_groups_and_foods_the_person_logs() -> None:
    logged = ["cashews", "cashews", "chickpeas", "chickpeas", "chickpeas", "dark_chocolate"]
    additions = pick_additions(FOODS, logged)
    # legumes (3 logged), nuts (2), sweets (1), then the first staple group not logged
    assert [a.food_id for a in additions] == [
        "chickpeas",
        "cashews",
        "dark_chocolate",
        "bread_whole_wheat",
    ]


def test_vitamin_k_rich_greens_are_never_offered_after_warfarin() -> None:
    logged = ["spinach_cooked"] * 5
    with_greens = pick_additions(FOODS, logged)
    assert with_greens[0].food_id == "spinach_cooked"
    without = pick_additions(FOODS, logged, avoid_vitamin_k=True, limit=9)
    rich = {f.id for f in FOODS if f.vitamin_k_rich}
    assert without and not {a.food_id for a in without} & rich


def test_a_tap_key_is_negative_and_differs_per_message_and_button() -> None:
    key = tap_key(600001, 17, "qa:almonds")
    assert key < 0 and key == tap_key(600001, 17, "qa:almonds")
    assert key >= -(2**63)
    assert len({key, tap_key(600001, 18, "qa:almonds"), tap_key(600001, 17, "qa:banana")}) == 3
