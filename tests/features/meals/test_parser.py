"""The check-in parser's rules on a small catalog of our own over the real USDA database."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nudgebot.features.meals.foods import Catalog, FoodName, food_from_entry, load_database
from nudgebot.features.meals.parser import (
    FoodIndex,
    MealWords,
    estimate_meal,
    load_ordinary,
    singulars,
)

FOODS = [
    (
        "almonds",
        "USDA SR Legacy: Nuts, almonds",
        ["almond"],
        {"handful": 28, "piece": 1.2},
        "handful",
    ),
    ("almond milk", "USDA FNDDS: Almond milk, unsweetened", [], {"cup": 240, "glass": 250}, "cup"),
    ("banana", "USDA SR Legacy: Bananas, raw", [], {"piece": 118, "cup": 150}, "piece"),
    ("oatmeal", "USDA SR NDB 8121", ["porridge"], {"cup": 234, "bowl": 234}, "cup"),
    ("toast", "USDA SR NDB 18069", ["white toast"], {"slice": 25}, "slice"),
    ("whole wheat toast", "USDA SR NDB 18075", ["wholemeal toast"], {"slice": 32}, "slice"),
    ("jam", "USDA FNDDS: Jam", ["jelly"], {"tbsp": 20}, "tbsp"),
    ("peach", "USDA SR NDB 9236", [], {"piece": 150}, "piece"),
    ("peanut butter", "USDA SR NDB 16098", ["pb"], {"tbsp": 16}, "tbsp"),
    ("hot dog", "USDA FNDDS: Hot dog, NFS", ["hotdog"], {"piece": 98}, "piece"),
    ("cherry tomatoes", "USDA SR NDB 11529", ["cherry tomato"], {"piece": 17, "cup": 149}, "cup"),
    ("tomato", "USDA SR NDB 11529", [], {"piece": 123}, "piece"),
    ("sweet potato", "USDA SR NDB 11508", [], {"piece": 114}, "piece"),
    ("potato", "USDA SR NDB 11674", [], {"piece": 173}, "piece"),
    ("mac and cheese", "USDA FNDDS: Macaroni or noodles with cheese", [], {"cup": 240}, "cup"),
    ("bread and butter pudding", "USDA FNDDS: Pudding, bread", [], {"serving": 150}, "serving"),
    ("egg", "USDA SR NDB 1123", ["eggs"], {"piece": 50}, "piece"),
    ("pasta", "USDA SR NDB 20121", ["spaghetti"], {"cup": 140}, "cup"),
    ("mango", "USDA SR NDB 9176", [], {"piece": 207, "cup": 165}, "piece"),
    ("rice", "USDA SR NDB 20045", ["white rice"], {"cup": 158, "bowl": 186}, "cup"),
    ("lentil soup", "USDA FNDDS: Soup, lentil", [], {"bowl": 245}, "bowl"),
    ("milk", "USDA SR NDB 1079", [], {"cup": 244, "glass": 250, "ml": 1.03}, "cup"),
    ("broccoli", "USDA SR NDB 11090", [], {"cup": 91}, "cup"),
    ("chard", "USDA SR NDB 11147", ["swiss chard"], {"cup": 36}, "cup"),
]


@cache
def index() -> FoodIndex:
    records = load_database()
    foods = tuple(
        food_from_entry(
            FoodName(
                id=name.replace(" ", "_"),
                name=name,
                usda=source,
                names=names,
                units=units,
                default=default,
                group="condiments" if name in ("jam", "peanut butter") else "dishes",
            ),
            records[source],
        )
        for name, source, names, units, default in FOODS
    )
    return FoodIndex(Catalog(foods, records), MealWords.load(), ordinary_words=load_ordinary())


def found(text: str) -> list[tuple[str, float]]:
    return [(i.food.id, i.grams) for i in estimate_meal(text, index()).items]


def ids(text: str) -> list[str]:
    return [i.food.id for i in estimate_meal(text, index()).items]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a glass of almond milk", ["almond_milk"]),
        ("a hot dog", ["hot_dog"]),
        ("hotdog and a banana", ["hot_dog", "banana"]),
        ("mac and cheese", ["mac_and_cheese"]),
        ("bread and butter pudding with a banana", ["bread_and_butter_pudding", "banana"]),
        ("peanut butter toast", ["peanut_butter", "toast"]),
        ("sweet potato", ["sweet_potato"]),
        ("whole wheat toast", ["whole_wheat_toast"]),
    ],
)
def test_compound_names_are_matched_before_the_text_is_split(
    text: str, expected: list[str]
) -> None:
    assert ids(text) == expected


def test_toast_and_jam_two_slices_each_adds_no_peach() -> None:
    meal = estimate_meal("toast and jam, two slices each", index())
    assert [(i.food.id, i.quantity) for i in meal.items] == [("toast", 2), ("jam", 2)]
    assert meal.unknown == ()


def test_two_slices_each_goes_to_sliced_foods_and_spreads_only() -> None:
    meal = estimate_meal("mac and cheese and toast and jam, two slices each", index())
    assert [(i.food.id, i.quantity) for i in meal.items] == [
        ("mac_and_cheese", 1),
        ("toast", 2),
        ("jam", 2),
    ]


def test_a_plural_with_no_number_is_two() -> None:
    assert found("eggs and a banana") == [("egg", 100), ("banana", 118)]


@pytest.mark.parametrize("word", ["each", "hard", "soft", "big", "sweet", "some", "lol"])
def test_ordinary_words_alone_are_never_a_food(word: str) -> None:
    assert ids(word) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bannana", ["banana"]),
        ("brocoli and rice", ["broccoli", "rice"]),
        ("oatmeel with almods", ["oatmeal", "almonds"]),
    ],
)
def test_typos_of_four_letters_or_more_are_corrected(text: str, expected: list[str]) -> None:
    assert ids(text) == expected


def test_a_short_word_is_never_corrected() -> None:
    assert ids("egs") == [] and ids("ric") == []


@pytest.mark.parametrize(
    ("text", "grams"),
    [
        ("about 80 g almonds", 80),
        ("almonds about 80g", 80),
        ("pasta 200g", 200),
        ("eggs x2", 100),
        ("2x eggs", 100),
        ("2-3 eggs", 125),
        ("half a mango", 103.5),
        ("a big bowl of oatmeal", 351),
        ("a small bowl of rice", 139.5),
        ("a slice of toast", 25),
        ("3 sweet cherry tomatoes", 51),
        ("10 almonds", 12),
        ("1 1/2 cups rice", 237),
        ("1½ cups rice", 237),
        ("one and a half bananas", 177),
        ("a couple of eggs", 100),
        ("3 oz pasta", 85.05),
        ("200 ml milk", 206),
        ("a glass of milk", 250),
        ("1/2 cup rice", 79),
    ],
)
def test_amounts_anywhere_and_in_every_form(text: str, grams: float) -> None:
    (item,) = estimate_meal(text, index()).items
    assert item.grams == pytest.approx(grams, abs=0.2)


def test_filler_around_a_meal_is_ignored() -> None:
    meal = estimate_meal("for dinner i had rice earlier at my friend's place lol", index())
    assert ids("for dinner i had rice earlier at my friend's place lol") == ["rice"]
    assert meal.unknown == ()


def test_an_exact_database_name_is_used_when_no_curated_name_fits() -> None:
    (item,) = estimate_meal("kohlrabi", index()).items
    assert "kohlrabi" in item.food.description.lower()
    assert item.food.source.startswith("USDA ")


def test_an_unknown_phrase_is_reported_with_up_to_three_options_and_its_amount() -> None:
    meal = estimate_meal("a banana and 2 cups of jackfruit stew", index())
    assert ids("a banana and 2 cups of jackfruit stew") == ["banana"]
    (unknown,) = meal.unknown_parts
    assert unknown.text == "jackfruit stew"
    assert unknown.amount.count == 2 and unknown.amount.unit == "cup"
    assert 1 <= len(unknown.options) <= 3
    assert any("jackfruit" in option.name.lower() for option in unknown.options)


def test_a_phrase_of_ordinary_words_gets_no_options() -> None:
    meal = estimate_meal("the usual from the place downstairs", index())
    assert meal.items == ()
    assert all(not u.options for u in meal.unknown_parts)


def test_a_remembered_choice_is_recognised_next_time() -> None:
    soup = index().food("lentil_soup")
    assert soup is not None
    assert ids("grandmas stew") == []
    meal = estimate_meal("a bowl of grandma's stew", index(), remembered={"grandmas stew": soup})
    assert [(i.food.id, i.grams) for i in meal.items] == [("lentil_soup", 245)]


def test_absurd_counts_are_capped_and_flagged() -> None:
    (item,) = estimate_meal("500 bananas", index()).items
    assert item.quantity == 50 and item.capped


def test_singular_forms_of_plurals() -> None:
    assert "berry" in singulars("berries")
    assert "tomato" in singulars("tomatoes")
    assert "egg" in singulars("eggs")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_the_parser_never_raises(text: str) -> None:
    estimate_meal(text, index())


PARTS = [
    "a banana",
    "2 slices toast",
    "a handful of almonds",
    "100 g pasta",
    "1 cup milk",
    "oatmeal",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PARTS), min_size=1, max_size=6))
def test_totals_equal_the_sum_of_the_parts(parts: list[str]) -> None:
    meal = estimate_meal(", ".join(parts), index())
    assert len(meal.items) == len(parts)
    separately = sum(estimate_meal(p, index()).total_mg for p in parts)
    assert meal.total_mg == pytest.approx(separately, abs=0.01)
    for item in meal.items:
        per_100g = index().catalog.records[item.food.source].mg
        assert item.mg == pytest.approx(item.grams * per_100g / 100, abs=0.06)
