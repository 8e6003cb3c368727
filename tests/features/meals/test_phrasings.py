"""Check-ins as people type them, across cuisines: the foods found and their magnesium.

`phrasings.tsv` was written by someone who saw neither the parser nor the curated names: each
row names the USDA record they judged right and the grams eaten. An item passes when its
magnesium is within a quarter of theirs (or 3 mg, for foods with almost none): the parser may
pick a sibling record ("Oatmeal, NFS" for "oats cooked with water"), never another food. A
`?phrase` item must come back as unknown, never as a guess.

Every other language has its own table, `phrasings_<lang>.tsv`, with the same columns (and
`phrasings_<lang>_known_misses.tsv` when it has known misses), read against load_index(lang).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from nudgebot.features.meals.parser import MealEstimate, estimate_meal, load_index
from nudgebot.features.meals.text import normalise_name

HERE = Path(__file__).parent
TABLE = HERE / "phrasings.tsv"
ORIGINAL = HERE / "phrasings_original.tsv"
# the other languages' tables: phrasings_<lang>.tsv
LANGUAGE_TABLES = {
    path.stem.removeprefix("phrasings_"): path
    for path in sorted(HERE.glob("phrasings_*.tsv"))
    if len(path.stem.removeprefix("phrasings_")) == 2
}


def read_misses(path: Path) -> dict[str, str]:
    """Known misses: text -> the rule the parser does not have yet."""
    if not path.exists():
        return {}
    return {
        line.split("\t")[0]: line.split("\t")[1]
        for line in path.read_text("utf-8").splitlines()[1:]
        if line.strip()
    }


KNOWN_MISSES = read_misses(HERE / "phrasings_known_misses.tsv")
TOLERANCE = 0.25
ABSOLUTE_MG = 3.0


@dataclass(frozen=True)
class Expected:
    source: str
    grams: float

    @property
    def mg(self) -> float:
        return load_index().catalog.records[self.source].mg * self.grams / 100


@dataclass(frozen=True)
class Row:
    text: str
    foods: tuple[Expected, ...]
    unknown: tuple[str, ...]
    note: str


def read_rows(path: Path = TABLE) -> list[Row]:
    rows = []
    for line in path.read_text("utf-8").splitlines()[1:]:
        if not line.strip():
            continue
        text, expected, note = ([*line.split("\t"), "", ""])[:3]
        foods, unknown = [], []
        for part in (p.strip() for p in expected.split(" ; ")):
            if part.startswith("?"):
                unknown.append(part[1:].strip())
            elif part:
                source, grams = part.rsplit("|", 1)
                foods.append(Expected(source.strip(), float(grams)))
        rows.append(Row(text, tuple(foods), tuple(unknown), note))
    return rows


ROWS = read_rows()


def problems(row: Row, meal: MealEstimate) -> list[str]:
    """What is wrong with an estimate against its row (empty: it passes)."""
    found = []
    got = [(i.food.name, i.food.source, i.grams, i.mg) for i in meal.items]
    if len(got) != len(row.foods):
        found.append(f"{len(got)} foods, expected {len(row.foods)}: {got}")
    else:
        for (name, source, grams, mg), want in zip(got, row.foods, strict=True):
            if abs(mg - want.mg) > max(TOLERANCE * want.mg, ABSOLUTE_MG):
                found.append(
                    f"{name} ({source}) {grams} g = {mg} mg; expected {want.source} "
                    f"{want.grams} g = {want.mg:.1f} mg"
                )
    unknown = " | ".join(normalise_name(u) for u in meal.unknown)
    for phrase in row.unknown:
        words = normalise_name(phrase).split()
        if not any(w in unknown for w in words):
            found.append(f"{phrase!r} should be unknown; unknown was {meal.unknown}")
    return found


def test_the_table_is_large_and_every_record_exists_unflagged() -> None:
    assert len(ROWS) >= 250
    records = load_index().catalog.records
    for row in ROWS:
        for food in row.foods:
            assert food.source in records, (row.text, food.source)
            assert not records[food.source].flag, (row.text, food.source)


def test_every_changed_row_says_why_and_known_misses_are_rows() -> None:
    original = {r.text: r for r in read_rows(ORIGINAL)}
    assert set(original) == {r.text for r in ROWS}
    for row in ROWS:
        if (row.foods, row.unknown) != (original[row.text].foods, original[row.text].unknown):
            assert "reconciled (" in row.note, row.text
    assert set(KNOWN_MISSES) <= set(original)


def _marks(row: Row, misses: dict[str, str] = KNOWN_MISSES) -> list[pytest.MarkDecorator]:
    reason = misses.get(row.text)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@pytest.mark.parametrize(
    "row", [pytest.param(r, marks=_marks(r)) for r in ROWS], ids=[r.text[:60] for r in ROWS]
)
def test_phrasing_finds_the_foods_with_their_magnesium(row: Row) -> None:
    meal = estimate_meal(row.text, load_index())
    assert problems(row, meal) == []


LANGUAGE_ROWS = [
    (language, row, read_misses(path.with_name(f"phrasings_{language}_known_misses.tsv")))
    for language, path in LANGUAGE_TABLES.items()
    for row in read_rows(path)
]


def test_every_language_has_a_large_table_of_existing_records() -> None:
    assert "es" in LANGUAGE_TABLES
    records = load_index().catalog.records
    for language, path in LANGUAGE_TABLES.items():
        rows = read_rows(path)
        assert len(rows) >= 80, language
        misses = read_misses(path.with_name(f"phrasings_{language}_known_misses.tsv"))
        assert set(misses) <= {r.text for r in rows}, language
        for row in rows:
            for food in row.foods:
                assert food.source in records, (language, row.text, food.source)
                assert not records[food.source].flag, (language, row.text, food.source)


@pytest.mark.parametrize(
    ("language", "row"),
    [pytest.param(lang, r, marks=_marks(r, misses)) for lang, r, misses in LANGUAGE_ROWS],
    ids=[f"{lang}: {r.text[:56]}" for lang, r, _ in LANGUAGE_ROWS],
)
def test_phrasing_in_another_language_finds_the_foods(language: str, row: Row) -> None:
    meal = estimate_meal(row.text, load_index(language))
    assert problems(row, meal) == []
