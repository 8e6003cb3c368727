"""48 ways people write meals, against the shipped food table: foods, grams and mg."""

import pytest

from nudgebot.content import load_content
from nudgebot.domain.meals import estimate_meal
from nudgebot.services.checkins import food_table

TABLE = food_table(load_content())

# (text, [(food id, grams, mg)]); mg follow the NIH ODS / USDA figures in messages/foods.toml
CASES = [
    (
        "oatmeal with almonds and a banana",
        [("oatmeal", 234, 63), ("almonds", 28, 80), ("banana", 118, 32)],
    ),
    (
        "2 slices whole wheat toast, peanut butter",
        [("bread_whole_wheat", 64, 46), ("peanut_butter", 16, 24.5)],
    ),
    ("½ cup spinach, 100 g salmon", [("spinach_cooked", 90, 78), ("salmon", 100, 30.6)]),
    ("a handful of cashews", [("cashews", 28, 74)]),
    ("2 bananas", [("banana", 236, 64)]),
    ("two eggs and a slice of toast", [("egg", 100, 12), ("bread_white", 25, 6)]),
    ("1 cup brown rice", [("brown_rice", 195, 83.6)]),
    ("a bowl of quinoa", [("quinoa", 185, 118.6)]),
    ("3 oz salmon", [("salmon", 85.1, 26)]),
    ("a salmon fillet", [("salmon", 170, 52)]),
    ("1 oz pumpkin seeds", [("pumpkin_seeds", 28.4, 157.9)]),
    ("2 tbsp chia seeds", [("chia_seeds", 24, 95.1)]),
    ("a glass of milk", [("milk", 258, 25.4)]),
    ("250 ml soy milk", [("soymilk", 252.5, 63.4)]),
    ("a cup of coffee", [("coffee", 237, 7)]),
    ("an espresso", [("espresso", 30, 24)]),
    ("3 squares of dark chocolate", [("dark_chocolate", 30, 68.6)]),
    ("half an avocado", [("avocado", 37.5, 11)]),
    ("a baked potato", [("potato_baked", 100, 43)]),
    ("1 sweet potato", [("sweet_potato", 114, 31)]),
    ("dal and rice", [("lentils", 99, 36), ("white_rice", 158, 20)]),
    ("chana masala with 1 cup basmati rice", [("chickpeas", 82, 39), ("white_rice", 158, 20)]),
    ("hummus with carrot sticks", [("hummus", 30, 21), ("carrot", 61, 7)]),
    ("a tofu stir fry with broccoli", [("tofu", 126, 73), ("broccoli", 78, 12)]),
    ("edamame", [("edamame", 78, 50)]),
    (
        "greek yogurt with blueberries and walnuts",
        [("greek_yogurt", 170, 19), ("blueberries", 148, 9), ("walnuts", 28, 44)],
    ),
    ("a peanut butter sandwich", [("pb_sandwich", 96, 95)]),
    ("avocado toast", [("avocado_toast", 107, 45)]),
    ("1/2 cup black beans", [("black_beans", 86, 60)]),
    ("a can of sardines", [("sardines", 92, 36)]),
    ("spaghetti with tomato", [("pasta", 140, 25), ("tomato", 123, 14)]),
    ("10 almonds", [("almonds", 12, 34.3)]),
    ("a couple of dates", [("dates", 48, 26)]),
    ("handful of raisins", [("raisins", 28, 8.9)]),
    ("1 apple and an orange", [("apple", 182, 9), ("orange", 131, 13)]),
    ("bannana", [("banana", 118, 32)]),
    ("almnds", [("almonds", 28, 80)]),
    ("spinnach salad", [("spinach_raw", 30, 24)]),
    ("porridge with honey", [("oatmeal", 234, 63), ("honey", 21, 0)]),
    ("a mug of tea", [("tea", 237, 2)]),
    ("kale and quinoa", [("kale_cooked", 130, 23), ("quinoa", 185, 118.6)]),
    ("200g tofu", [("tofu", 200, 115.9)]),
    ("1.5 cups oatmeal", [("oatmeal", 351, 94.5)]),
    ("6 brazil nuts", [("brazil_nuts", 30, 112.5)]),
    ("a small handful of pistachios", [("pistachios", 28, 34)]),
    ("yoghurt", [("yogurt", 170, 31.5)]),
    ("2 cups of spinach salad", [("spinach_raw", 60, 48)]),
    ("one and a half bananas", [("banana", 177, 48)]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_phrasing_gives_expected_foods_portions_and_mg(
    text: str, expected: list[tuple[str, float, float]]
) -> None:
    meal = estimate_meal(text, TABLE)
    got = [(i.food.id, i.grams, i.mg) for i in meal.items]
    assert [g[0] for g in got] == [e[0] for e in expected]
    for (_, grams, mg), (_, want_grams, want_mg) in zip(got, expected, strict=True):
        assert grams == pytest.approx(want_grams, abs=0.2)
        assert mg == pytest.approx(want_mg, abs=0.2)
    assert meal.unknown == ()


def test_there_are_at_least_40_phrasings() -> None:
    assert len(CASES) >= 40


def test_the_food_table_covers_at_least_150_foods_with_sources() -> None:
    foods = load_content().foods
    assert len(foods) >= 150
    assert all(f.source for f in foods)
    categories = {f.category for f in foods}
    assert {
        "seeds",
        "nuts",
        "legumes",
        "grains",
        "leafy_greens",
        "fish",
        "dairy",
        "soy",
        "fruit",
        "vegetables",
        "breakfast",
        "sweets",
        "drinks",
        "dishes",
    } <= categories


@pytest.mark.parametrize(
    ("food_id", "grams", "mg"),
    [  # NIH ODS magnesium fact sheet, Table 2
        ("pumpkin_seeds", 28, 156),
        ("chia_seeds", 28, 111),
        ("almonds", 28, 80),
        ("spinach_cooked", 90, 78),
        ("cashews", 28, 74),
        ("soymilk", 243, 61),
        ("black_beans", 86, 60),
        ("edamame", 78, 50),
        ("peanut_butter", 32, 49),
        ("brown_rice", 98, 42),
        ("banana", 118, 32),
        ("salmon", 85, 26),
        ("bread_whole_wheat", 32, 23),
        ("apple", 182, 9),
        ("carrot", 61, 7),
    ],
)
def test_nih_table_2_figures_are_the_real_ones(food_id: str, grams: float, mg: float) -> None:
    (food,) = [f for f in load_content().foods if f.id == food_id]
    assert (food.grams, food.mg) == (grams, mg)
