"""The meal parser on a small table of real NIH/USDA figures (the shipped table is tested too)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nudgebot.domain.meals import Food, FoodTable, estimate_meal, normalise


def food(
    fid: str,
    name: str,
    grams: float,
    mg: float,
    synonyms: tuple[str, ...],
    units: dict[str, float],
    default_unit: str,
    portion: str = "1 portion",
) -> Food:
    return Food(fid, name, portion, grams, mg, synonyms, units, default_unit, "NIH ODS")


TABLE = FoodTable(
    [
        food(
            "oatmeal_instant",
            "instant oatmeal",
            28,
            36,
            ("oatmeal", "porridge", "oats"),
            {"packet": 28, "bowl": 28, "cup": 28},
            "packet",
        ),
        food(
            "almonds",
            "almonds",
            28,
            80,
            ("almond", "almonds"),
            {"handful": 28, "piece": 1.2},
            "handful",
        ),
        food("banana", "banana", 118, 32, ("banana", "bananas"), {"piece": 118}, "piece"),
        food(
            "bread_whole_wheat",
            "whole wheat bread",
            32,
            23,
            ("whole wheat toast", "whole wheat bread", "wholemeal bread", "toast"),
            {"slice": 32},
            "slice",
        ),
        food("peanut_butter", "peanut butter", 32, 49, ("peanut butter",), {"tbsp": 16}, "tbsp"),
        food(
            "spinach_cooked",
            "spinach, cooked",
            90,
            78,
            ("spinach", "cooked spinach"),
            {"cup": 180},
            "cup",
        ),
        food("salmon", "salmon", 85, 26, ("salmon",), {"fillet": 170}, "portion", "3 oz (85 g)"),
        food("cashews", "cashews", 28, 74, ("cashew", "cashews"), {"handful": 28}, "handful"),
        food("milk", "milk", 244, 24, ("milk",), {"cup": 244, "glass": 250, "ml": 1.03}, "cup"),
    ]
)


def names(text: str) -> list[str]:
    return [i.food.id for i in estimate_meal(text, TABLE).items]


def test_the_four_examples_from_the_brief() -> None:
    assert names("oatmeal with almonds and a banana") == ["oatmeal_instant", "almonds", "banana"]
    meal = estimate_meal("2 slices whole wheat toast, peanut butter", TABLE)
    assert [(i.food.id, i.grams) for i in meal.items] == [
        ("bread_whole_wheat", 64),
        ("peanut_butter", 16),
    ]
    meal = estimate_meal("½ cup spinach, 100 g salmon", TABLE)
    assert [(i.food.id, i.grams) for i in meal.items] == [("spinach_cooked", 90), ("salmon", 100)]
    assert meal.total_mg == pytest.approx(78 + 26 / 85 * 100, abs=0.2)
    meal = estimate_meal("a handful of cashews", TABLE)
    assert [(i.food.id, i.mg) for i in meal.items] == [("cashews", 74)]


@pytest.mark.parametrize(
    ("text", "grams"),
    [
        ("2 bananas", 236),
        ("two bananas", 236),
        ("a couple of bananas", 236),
        ("half a banana", 59),
        ("1.5 bananas", 177),
        ("1 1/2 bananas", 177),
        ("3 oz salmon", 85.05),
        ("100g salmon", 100),
        ("a salmon fillet", 170),
        ("1 cup milk", 244),
        ("200 ml milk", 206),
        ("a glass of milk", 250),
        ("10 almonds", 12),
        ("2 tbsp peanut butter", 32),
    ],
)
def test_quantities_units_and_number_words(text: str, grams: float) -> None:
    (item,) = estimate_meal(text, TABLE).items
    assert item.grams == pytest.approx(grams, abs=0.1)


def test_small_typos_are_forgiven() -> None:
    assert names("bannana") == ["banana"]
    assert names("almnds and oatmeal") == ["almonds", "oatmeal_instant"]


def test_unknown_parts_are_named_not_guessed() -> None:
    meal = estimate_meal("a banana and a spoonful of xylophone jam", TABLE)
    assert [i.food.id for i in meal.items] == ["banana"]
    assert meal.unknown == ("spoonful xylophone jam",)


def test_text_with_no_food_has_no_items() -> None:
    meal = estimate_meal("hello there", TABLE)
    assert meal.items == () and meal.unknown == ("hello there",)


def test_absurd_quantities_are_capped_and_flagged() -> None:
    (item,) = estimate_meal("500 bananas", TABLE).items
    assert item.quantity == 50 and item.capped


def test_normalise_handles_fractions_accents_and_full_stops() -> None:
    assert normalise("1½ cups Café.") == "1.5 cups cafe,"
    assert normalise("½ cup") == "0.5 cup"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_the_parser_never_raises(text: str) -> None:
    estimate_meal(text, TABLE)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a banana",
                "2 slices toast",
                "a handful of cashews",
                "100 g salmon",
                "1 cup milk",
                "oatmeal",
            ]
        ),
        min_size=1,
        max_size=6,
    )
)
def test_totals_add_up(parts: list[str]) -> None:
    meal = estimate_meal(", ".join(parts), TABLE)
    assert len(meal.items) == len(parts)
    assert meal.total_mg == pytest.approx(sum(i.mg for i in meal.items))
    assert meal.total_mg == pytest.approx(
        sum(i.grams * i.food.mg / i.food.grams for i in meal.items), abs=0.5
    )
