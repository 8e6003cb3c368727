"""Meal check-ins in other languages: translated food names, portions in words, word forms."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import pytest

from nudgebot.features.meals.foods import (
    MESSAGES_DIR,
    UNITS,
    Catalog,
    FoodName,
    FoodsError,
    PortionWords,
    food_from_entry,
    load_catalog,
    load_database,
)
from nudgebot.features.meals.parser import (
    FoodIndex,
    MealWords,
    estimate_meal,
    load_index,
    load_ordinary,
)
from nudgebot.features.meals.quick import pick_additions
from nudgebot.features.meals.text import Inflection, fold, normalise_name

ES = "es"


@cache
def records() -> dict[str, object]:
    return dict(load_database())


def es() -> FoodIndex:
    return load_index(ES)


def ids(text: str, language: str = ES) -> list[str]:
    return [i.food.id for i in estimate_meal(text, load_index(language)).items]


# ------------------------------------------------------------------ the translation loader

ENGLISH = (
    '[[food]]\nid = "almonds"\nname = "almonds"\nusda = "USDA SR Legacy: Nuts, almonds"\n'
    'names = ["almond"]\nunits = {{ handful = 28 }}\ndefault = "handful"\ngroup = "nuts"\n\n'
    '[[food]]\nid = "walnuts"\nname = "walnuts"\nusda = "USDA SR Legacy: Nuts, almonds"\n'
    'names = ["pan"]\nunits = {{ handful = 28 }}\ndefault = "handful"\ngroup = "nuts"\n'
    "{extra}"
)


def _messages(tmp_path: Path, translations: dict[str, str], extra: str = "") -> Path:
    (tmp_path / "en" / "foods").mkdir(parents=True)
    (tmp_path / "en" / "foods" / "core.toml").write_text(ENGLISH.format(extra=extra), "utf-8")
    (tmp_path / ES / "foods").mkdir(parents=True)
    for name, text in translations.items():
        (tmp_path / ES / "foods" / name).write_text(text, "utf-8")
    return tmp_path


def _entry(food_id: str, name: str, names: str = "[]") -> str:
    return f'[[food]]\nid = "{food_id}"\nname = "{name}"\nnames = {names}\n\n'


def _load(messages: Path, **kwargs: object) -> Catalog:
    return load_catalog(ES, messages_dir=messages, records=load_database(), **kwargs)  # type: ignore[arg-type]


def test_a_language_takes_the_english_foods_with_its_own_names(tmp_path: Path) -> None:
    messages = _messages(
        tmp_path, {"core.toml": _entry("almonds", "almendras", '["almendra", "pan"]')}
    )
    catalog = _load(messages)
    almonds, walnuts = catalog.foods
    assert almonds.name == "almendras" and almonds.source == "USDA SR Legacy: Nuts, almonds"
    assert almonds.units == {"handful": 28}
    # its own names first, then the English ones, which stay as synonyms
    assert almonds.synonyms[:3] == ("almendras", "almendra", "pan")
    assert {"almonds", "almond"} <= set(almonds.synonyms)
    assert set(almonds.extra_names) == {"almonds", "almond"}
    # "pan" is Spanish bread's name: the English walnut's "pan" gives way; an untranslated
    # food keeps its English name
    assert walnuts.name == "walnuts" and "pan" not in walnuts.synonyms
    assert catalog.untranslated == ("walnuts",)


def test_an_english_name_that_is_a_word_of_the_language_is_not_kept(tmp_path: Path) -> None:
    messages = _messages(tmp_path, {"core.toml": _entry("almonds", "almendras")})
    catalog = _load(messages, common_words=frozenset({"almond"}), reserved=frozenset({"pan"}))
    almonds, walnuts = catalog.foods
    assert "almond" not in almonds.synonyms and "almonds" in almonds.synonyms
    assert "pan" not in walnuts.synonyms


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a.toml": _entry("cashews", "anacardos")}, r"a\.toml \(id 'cashews'\): no English food"),
        (
            {"a.toml": _entry("almonds", "almendras"), "b.toml": _entry("almonds", "almendra")},
            r"b\.toml \(id 'almonds'\): translated again \(also in a\.toml\)",
        ),
        (
            {"a.toml": _entry("almonds", "nueces") + _entry("walnuts", "nueces")},
            r"a\.toml \(id 'walnuts'\): name 'nueces' already belongs to almonds",
        ),
        (
            {"a.toml": _entry("almonds", "almendras", '["Nuez"]') + _entry("walnuts", "nuez")},
            r"a\.toml \(id 'walnuts'\): name 'nuez' already belongs to almonds",
        ),
        ({"a.toml": _entry("almonds", "¡!")}, r"a\.toml \(id 'almonds'\): translates nothing"),
        ({"a.toml": "# nothing here\nfood = []\n"}, r"a\.toml: translates nothing"),
        (
            {"a.toml": '[[food]]\nid = "almonds"\nname = "x"\nusda = "USDA SR NDB 1"\n'},
            r"(?s)a\.toml: invalid foods.*food\.0\.usda \(id 'almonds'\)\] Extra inputs",
        ),
        ({"a.toml": '[[food]]\nid = "almonds"\n'}, r"food\.0\.name.*\(id 'almonds'\)"),
    ],
)
def test_a_wrong_translation_stops_the_start_naming_file_and_id(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    with pytest.raises(FoodsError, match=message):
        _load(_messages(tmp_path, files))


def test_a_language_without_food_files_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(FoodsError, match="no food name files"):
        _load(_messages(tmp_path, {}))


def test_an_ambiguous_word_is_no_own_name(tmp_path: Path) -> None:
    messages = _messages(tmp_path, {"a.toml": _entry("almonds", "tortilla")})
    with pytest.raises(FoodsError, match=r"'tortilla' is ambiguous"):
        _load(messages, ambiguous=frozenset({"tortilla"}))


def test_every_spanish_food_is_translated_and_every_name_is_one_foods() -> None:
    catalog = es().catalog
    assert catalog.untranslated == ()
    assert len(catalog.foods) == len(load_index().foods)
    owners: dict[str, str] = {}
    for food in catalog.foods:
        for name in food.synonyms:
            assert owners.setdefault(name, food.id) == food.id, name


# ------------------------------------------------------------------ portions in words


@pytest.mark.parametrize(
    ("text", "portion"),
    [
        ("un puñado de almendras", "1 puñado (28 g)"),
        ("2 tazas de lentejas", "2 tazas (396 g)"),
        ("1,5 tazas de arroz", "1,5 tazas (237 g)"),
        ("media taza de arroz", "0,5 tazas (79 g)"),
        ("una taza y media de lentejas", "1,5 tazas (297 g)"),
        ("3 rebanadas de pan integral", "3 rebanadas (96 g)"),
        ("2 cucharadas de crema de cacahuete", "2 cucharadas (32 g)"),
        ("200 g de tofu", "200 g"),
        ("250 ml de leche de soja", "250 ml (252 g)"),
        ("dos huevos", "2 unidades (100 g)"),
        ("un plátano", "1 unidad (118 g)"),
    ],
)
def test_spanish_portions_read_in_spanish(text: str, portion: str) -> None:
    (item,) = estimate_meal(text, es()).items
    assert item.portion_text == portion


def test_a_spanish_food_names_its_default_portion_in_spanish() -> None:
    almonds = es().food("almonds")
    assert almonds is not None
    assert almonds.portion == "1 puñado (28 g)"
    assert almonds.default_amount == "1 puñado"
    english = load_index().food("almonds")
    assert english is not None and english.portion == "1 handful (28 g)"
    assert english.default_amount == "1 handful"


def test_spanish_additions_name_their_unit_in_spanish() -> None:
    additions = pick_additions(es().foods, [])
    assert [(a.food_id, a.unit, a.unit_name) for a in additions[:2]] == [
        ("almonds", "handful", "puñado"),
        ("black_beans", "cup", "taza"),
    ]
    assert {a.unit_name for a in pick_additions(load_index().foods, [])} >= {"handful", "cup"}


@pytest.mark.parametrize("language", ["en", ES])
def test_every_unit_a_food_may_weigh_has_a_name_in_every_form(language: str) -> None:
    words = PortionWords.load(language)
    for unit in UNITS - {"ml"}:
        assert unit in words.unit_names, unit
        for count in (1, 2, 5, 1.5, 1_000_000):
            assert words.name(unit, count).strip(), (unit, count)


def _meals_toml(tmp_path: Path, language: str, cut: str, paste: str = "") -> Path:
    text = (MESSAGES_DIR / language / "meals.toml").read_text("utf-8")
    assert cut in text
    (tmp_path / language).mkdir(parents=True, exist_ok=True)
    (tmp_path / language / "meals.toml").write_text(text.replace(cut, paste), "utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("cut", "paste", "message"),
    [
        ('handful = { one = "puñado", many = "puñados", other = "puñados" }\n', "", "handful"),
        (
            'cup = { one = "taza", many = "tazas", other = "tazas" }',
            'cup = { one = "taza", other = "tazas" }',
            r"'cup': needs the form\(s\) many",
        ),
        ('weighed = "{amount} ({grams} g)"', 'weighed = "{amount} ({gramos} g)"', "weighed"),
        (
            'wrap = { one = "wrap",',
            'wrapp = { one = "x", many = "x", other = "x" }\nwrap = { one = "wrap",',
            "'wrapp': not a unit",
        ),
    ],
)
def test_incomplete_portion_words_stop_the_start(
    tmp_path: Path, cut: str, paste: str, message: str
) -> None:
    messages = _meals_toml(tmp_path, ES, cut, paste)
    with pytest.raises(FoodsError, match=message):
        PortionWords.load(ES, messages)
    with pytest.raises(FoodsError, match=message):
        MealWords.load(ES, messages)


def test_a_meals_toml_unit_must_be_a_known_unit(tmp_path: Path) -> None:
    messages = _meals_toml(tmp_path, ES, 'roll = ["rollo", "rollos"]', 'rol = ["rollo"]')
    with pytest.raises(FoodsError, match=r"\['rol'\]: not units"):
        MealWords.load(ES, messages)


# ------------------------------------------------------------------ word forms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("almendras", ["almonds"]),
        ("una almendra", ["almonds"]),
        ("nueces", ["walnuts"]),
        ("una nuez", ["walnuts"]),
        ("lentejas", ["lentejas"]),
        ("tortillas de patata", ["tortilla_de_patatas"]),
        ("tortilla de papas", ["tortilla_de_patatas"]),
        ("frijoles", ["frijoles_de_olla"]),
        ("un frijol", ["frijoles_de_olla"]),
        ("limones", ["lemon"]),
        ("huevos fritos", ["fried_egg"]),
        ("desayuné oatmeal con plátano", ["oatmeal", "banana"]),
        ("almonds and a banana", ["almonds", "banana"]),
        ("arroz con leche", ["rice_pudding"]),
        ("café con leche", ["cafe_con_leche"]),
    ],
)
def test_spanish_plurals_and_compounds_find_their_food(text: str, expected: list[str]) -> None:
    assert ids(text) == expected


def test_a_spanish_plural_piece_food_with_no_number_is_a_couple() -> None:
    (item,) = estimate_meal("tacos de pollo", es()).items
    assert item.quantity == 2
    (item,) = estimate_meal("un taco de pollo", es()).items
    assert item.quantity == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("platno", ["banana"]),
        ("almendars", ["almonds"]),
        ("esinacas", ["spinach_cooked"]),
    ],
)
def test_long_spanish_typos_are_corrected(text: str, expected: list[str]) -> None:
    assert ids(text) == expected


@pytest.mark.parametrize(
    "word", ["pero", "cola", "pie", "rueda", "bonito", "comida", "como", "mayo", "hard", "lol"]
)
def test_ordinary_spanish_words_alone_are_never_a_food(word: str) -> None:
    assert ids(word) == []


def test_a_short_spanish_word_is_never_corrected() -> None:
    assert ids("pna") == [] and ids("tee") == []


@pytest.mark.parametrize(
    ("word", "options"),
    [
        ("tortilla", ["tortilla_de_patatas", "corn_tortilla", "tortilla_flour"]),
        ("tortillas", ["tortilla_de_patatas", "corn_tortilla", "tortilla_flour"]),
        ("tostada", ["bread_white", "tostada", "pan_con_tomate"]),
        ("un tinto", ["coffee", "red_wine"]),
    ],
)
def test_a_word_that_means_different_foods_by_country_is_asked_about(
    word: str, options: list[str]
) -> None:
    meal = estimate_meal(word, es())
    assert meal.items == ()
    (unknown,) = meal.unknown_parts
    assert [f.id for f in unknown.options] == options
    assert all(f.name == es().food(f.id).name for f in unknown.options)  # type: ignore[union-attr]


@pytest.mark.parametrize("language", ["en", ES])
def test_every_food_emoji_names_a_food_or_asks(language: str) -> None:
    index = load_index(language)
    for emoji, name in index.words.emoji.items():
        meal = estimate_meal(emoji, index)
        assert meal.items or meal.unknown_parts[0].options, (language, emoji, name)


def test_fold_keeps_the_russian_short_i_and_drops_accents() -> None:
    assert fold("Чай с мёдом") == "чай с медом"
    assert fold("ЙОГУРТ") == "йогурт"
    assert fold("Plátano, piña y ñoquis") == "platano, pina y noquis"
    assert normalise_name("Гречка, отварная") == "гречка отварная"


def test_spanish_word_forms_come_from_rules() -> None:
    inflection = es().words.inflection
    assert "nuez" in inflection.forms("nueces")
    assert "taza" in inflection.forms("tazas")
    assert "almendra" in inflection.forms("almendras")
    assert "frijol" in inflection.forms("frijoles")
    assert inflection.forms("pero") == ("pero",)


# Russian: cases on every word, found through the Snowball stemmer a meals.toml can name.
RUSSIAN_FOODS = [
    ("buckwheat", "гречка", "USDA SR NDB 20010", ["гречневая каша"], {"cup": 168}, "cup"),
    ("tvorog", "творог", "USDA SR NDB 1016", [], {"serving": 100}, "serving"),
    ("pelmeni", "пельмени", "USDA FNDDS: Pierogi, meat", [], {"piece": 12}, "piece"),
    ("oatmeal", "овсяная каша", "USDA SR NDB 8121", [], {"cup": 234}, "cup"),
    ("milk", "молоко", "USDA SR NDB 1079", [], {"cup": 244, "glass": 250}, "cup"),
]


@cache
def russian_index() -> FoodIndex:
    database = load_database()
    foods = tuple(
        food_from_entry(
            FoodName(
                id=food_id,
                name=name,
                usda=source if source in database else "USDA SR NDB 8121",
                names=names,
                units=units,
                default=default,
                group="dishes",
            ),
            database[source if source in database else "USDA SR NDB 8121"],
        )
        for food_id, name, source, names, units, default in RUSSIAN_FOODS
    )
    english = MealWords.load()
    words = dataclasses.replace(
        english,
        units={"стакан": "glass", "ложка": "tbsp", "тарелка": "plate"},
        numbers={"два": 2.0, "две": 2.0, "пол": 0.5},
        separators=frozenset({"и", "с"}),
        filler=frozenset({"я", "ел", "ела", "на", "завтрак"}),
        language="ru",
        inflection=Inflection(stemmer="russian", every_word=True, min_stem=2),
        min_typo_letters=6,
    )
    return FoodIndex(Catalog(foods, database), words, ordinary_words=load_ordinary())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("гречку", ["buckwheat"]),
        ("с гречкой", ["buckwheat"]),
        ("гречневую кашу", ["buckwheat"]),
        ("с творогом", ["tvorog"]),
        ("пельменей", ["pelmeni"]),
        ("овсяную кашу с молоком", ["oatmeal", "milk"]),
    ],
)
def test_russian_cases_find_their_food(text: str, expected: list[str]) -> None:
    assert [i.food.id for i in estimate_meal(text, russian_index()).items] == expected


def test_a_russian_unit_in_any_case_is_a_unit() -> None:
    (item,) = estimate_meal("два стакана молока", russian_index()).items
    assert (item.food.id, item.unit, item.quantity, item.grams) == ("milk", "glass", 2, 500)
    (item,) = estimate_meal("стаканом молока", russian_index()).items
    assert (item.unit, item.grams) == ("glass", 250)


def test_an_unknown_stemmer_stops_the_start() -> None:
    with pytest.raises(ValueError, match="unknown stemmer 'klingon'"):
        Inflection(stemmer="klingon")


@pytest.mark.skipif(
    not (MESSAGES_DIR / "ru" / "meals.toml").exists(), reason="no Russian meal words yet"
)
def test_the_russian_index_loads_every_food() -> None:
    assert len(load_index("ru").foods) == len(load_index().foods)
