"""Check-ins as people type them, across cuisines: the foods found and their magnesium.

`phrasings.tsv` was written by someone who saw neither the parser nor the curated names: each
row names the USDA record they judged right and the grams eaten. An item passes when its
magnesium is within a quarter of theirs (or 3 mg, for foods with almost none): the parser may
pick a sibling record ("Oatmeal, NFS" for "oats cooked with water"), never another food. A
`?phrase` item must come back as unknown, never as a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from nudgebot.features.meals.parser import MealEstimate, estimate_meal, load_index
from nudgebot.features.meals.text import normalise_name

TABLE = Path(__file__).with_name("phrasings.tsv")
ORIGINAL = Path(__file__).with_name("phrasings_original.tsv")
KNOWN_MISSES = {
    line.split("\t")[0]: line.split("\t")[1]
    for line in Path(__file__)
    .with_name("phrasings_known_misses.tsv")
    .read_text("utf-8")
    .splitlines()[1:]
    if line.strip()
}
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


def _marks(row: Row) -> list[pytest.MarkDecorator]:
    reason = KNOWN_MISSES.get(row.text)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@pytest.mark.parametrize(
    "row", [pytest.param(r, marks=_marks(r)) for r in ROWS], ids=[r.text[:60] for r in ROWS]
)
def test_phrasing_finds_the_foods_with_their_magnesium(row: Row) -> None:
    meal = estimate_meal(row.text, load_index())
    assert problems(row, meal) == []
