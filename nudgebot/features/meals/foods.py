"""The food database (USDA records, messages/foods/usda.tsv) and the curated everyday names.

`usda.tsv` is built by tools/build_foods.py from named, versioned inputs; every figure in it keeps
its record's source id. The curated files, messages/<lang>/foods/*.toml, map what people write
("almond milk", "dal", "a blt") to one record each, with household units and the default portion.
Both are read once at start-up; a curated entry that names a missing or flagged record, an unknown
unit or a name already taken stops the start with the file and the entry.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import tomli
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, model_validator

from nudgebot.content import ContentError
from nudgebot.features.meals.text import normalise_name

MESSAGES_DIR = Path(__file__).resolve().parents[3] / "messages"
DATABASE_PATH = MESSAGES_DIR / "foods" / "usda.tsv"

# Units a curated entry may weigh; g, kg, oz, ml and l are the parser's own.
UNITS = frozenset(
    {
        "piece", "slice", "cup", "tbsp", "tsp", "handful", "bowl", "plate", "packet", "can",
        "glass", "square", "fillet", "serving", "bar", "bottle", "scoop", "stick", "clove",
        "leaf", "spear", "mug", "shot", "pot", "jar", "roll", "wedge", "link", "patty",
        "sandwich", "wrap", "ml",
    }
)  # fmt: skip
GROUPS = frozenset(
    {
        "seeds", "nuts", "legumes", "grains", "bread", "breakfast", "leafy_greens",
        "vegetables", "fruit", "fish", "meat", "eggs", "dairy", "soy", "sweets", "snacks",
        "drinks", "dishes", "soups", "condiments", "fats",
    }
)  # fmt: skip
CUISINES = frozenset(
    {
        "us", "uk", "latam", "mediterranean", "middle_east", "india", "china", "japan", "korea",
        "thai", "vietnam", "west_africa", "eastern_europe",
    }
)  # fmt: skip
# Vitamin K per 100 g from which a food counts as vitamin-K-rich (NIH ODS vitamin K fact sheet:
# leafy greens and some other vegetables); never suggested to someone who takes warfarin.
VITAMIN_K_RICH_UG = 100.0
MAX_MG_PER_100G = 800.0


class FoodsError(ContentError):
    """A food file is missing or wrong; the text names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Record:
    """One USDA record: magnesium and vitamin K per 100 g, household weights."""

    source: str  # "USDA SR Legacy: Nuts, almonds", "USDA SR NDB 12061", "USDA FNDDS: Dal"
    dataset: str
    description: str
    group: str
    mg: float
    vitk: float | None
    portions: tuple[tuple[str, float], ...]
    flag: str


COLUMNS = ("source", "dataset", "description", "group", "mg", "vitk", "portions", "flag")


def _portions(cell: str) -> tuple[tuple[str, float], ...]:
    """'1 cup=227|1 tbsp=14' -> (("1 cup", 227.0), ("1 tbsp", 14.0))."""
    out = []
    for portion in cell.split("|"):
        label, _, grams = portion.rpartition("=")
        if label:
            out.append((label, float(grams)))
    return tuple(out)


def load_database(path: Path = DATABASE_PATH) -> dict[str, Record]:
    """Every record of usda.tsv by its source id (flagged ones included, with their reason)."""
    records: dict[str, Record] = {}
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh, delimiter="\t")
            header = next(rows)
            if tuple(header) != COLUMNS:
                raise ValueError(f"columns {header}, expected {list(COLUMNS)}")
            for source, dataset, description, group, mg, vitk, portions, flag in rows:
                records[source] = Record(
                    source=source,
                    dataset=dataset,
                    description=description,
                    group=group,
                    mg=float(mg),
                    vitk=float(vitk) if vitk else None,
                    portions=_portions(portions) if portions else (),
                    flag=flag,
                )
    except FileNotFoundError:
        raise FoodsError(f"{path}: file not found (run tools/build_foods.py)") from None
    except (StopIteration, ValueError) as exc:
        raise FoodsError(f"{path}: not a food database ({exc})") from None
    return records


Name = Annotated[str, StringConstraints(min_length=1, max_length=60)]


class FoodName(BaseModel):
    """One curated everyday food: what people call it, its record, its units."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    name: Name  # as the reply shows it
    usda: str  # the record's source id in usda.tsv
    names: list[Name] = []  # what people write for it, besides `name`
    units: dict[str, float]  # grams per household unit
    default: str  # the unit that no amount means ("a banana", "oatmeal")
    group: str
    cuisines: list[str] = []  # where it is everyday; empty: everywhere
    everyday: bool = False  # may be suggested as an addition
    vitamin_k_rich: bool | None = None  # None: decided from the record's vitamin K
    portion_source: str = ""  # where a unit's weight comes from when not USDA's household one

    @model_validator(mode="after")
    def _consistent(self) -> FoodName:
        if self.group not in GROUPS:
            raise ValueError(f"unknown group {self.group!r} (one of {', '.join(sorted(GROUPS))})")
        unknown_cuisines = set(self.cuisines) - CUISINES
        if unknown_cuisines:
            raise ValueError(f"unknown cuisines {sorted(unknown_cuisines)}")
        unknown = set(self.units) - UNITS
        if unknown:
            raise ValueError(f"unknown units {sorted(unknown)} (one of {', '.join(sorted(UNITS))})")
        if any(v <= 0 or v > 2000 for v in self.units.values()):
            raise ValueError("unit weights must be between 0 and 2000 g")
        if self.default not in self.units:
            raise ValueError(f"default {self.default!r} is not one of its units")
        return self


class FoodNameFile(BaseModel):
    """One messages/<lang>/foods/*.toml file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    food: list[FoodName]


@dataclass(frozen=True, slots=True)
class Food:
    """An everyday food as the parser and the replies use it."""

    id: str
    name: str
    portion: str  # the default portion in words: "1 handful (28 g)"
    grams: float  # of the default portion
    mg: float  # in the default portion
    synonyms: tuple[str, ...]
    units: Mapping[str, float]
    default_unit: str
    source: str  # the USDA record's source id
    category: str = ""
    vitamin_k_rich: bool = False
    cuisines: tuple[str, ...] = ()
    everyday: bool = False
    description: str = ""  # the USDA record's own description

    @property
    def mg_per_gram(self) -> float:
        """Magnesium density."""
        return self.mg / self.grams if self.grams else 0.0


def food_from_record(record: Record, *, id: str, name: str = "") -> Food:
    """A food straight from a database record (whole-database search, a remembered choice)."""
    units: dict[str, float] = {}
    for label, grams in record.portions:
        unit = _unit_of(label)
        if unit and unit not in units:
            units[unit] = grams
    default = next(iter(units), "serving")
    units.setdefault("serving", 100.0)
    grams = units[default]
    return Food(
        id=id,
        name=name or record.description,
        portion=f"1 {default} ({grams:g} g)",
        grams=grams,
        mg=round(grams * record.mg / 100, 2),
        synonyms=(),
        units=units,
        default_unit=default,
        source=record.source,
        category="",
        vitamin_k_rich=(record.vitk or 0) >= VITAMIN_K_RICH_UG,
        description=record.description,
    )


def _unit_of(label: str) -> str | None:
    """'1 cup, sliced' -> 'cup'; '1 medium (7" to 7-7/8" long)' -> 'piece'."""
    words = label.replace(",", " ").replace("(", " ").split()
    for word in words[1:3]:
        word = word.lower().rstrip("s") if word.lower() not in ("glass",) else "glass"
        if word in UNITS:
            return word
        if word in ("medium", "large", "small", "each", "whole", "fruit", "item"):
            return "piece"
        if word in ("oz", "fl"):
            return None
    return None


@dataclass
class Catalog:
    """The curated foods, with the records they point to."""

    foods: tuple[Food, ...]
    records: Mapping[str, Record] = field(repr=False)


def _file_foods(path: Path) -> list[FoodName]:
    try:
        with path.open("rb") as fh:
            data = tomli.load(fh)  # tomli's compiled parser: three times tomllib's speed here
    except tomli.TOMLDecodeError as exc:
        raise FoodsError(f"{path}: not valid TOML: {exc}") from None
    try:
        return FoodNameFile.model_validate(data).food
    except ValidationError as exc:
        lines = []
        entries = data.get("food") or []
        for err in exc.errors():
            loc = err["loc"]
            where = ".".join(str(p) for p in loc)
            if len(loc) >= 2 and isinstance(loc[1], int) and loc[1] < len(entries):
                where += f" (id {entries[loc[1]].get('id', '?')!r})"
            lines.append(f"[{where}] {err['msg'].removeprefix('Value error, ')}")
        raise FoodsError(f"{path}: invalid foods\n  " + "\n  ".join(lines)) from None


def phrase_key(text: str) -> str:
    """How names are compared: lower case, single spaces, no accents or apostrophes."""
    return normalise_name(text)


def load_catalog(
    language: str = "en",
    *,
    messages_dir: Path = MESSAGES_DIR,
    records: Mapping[str, Record] | None = None,
    common_words: frozenset[str] = frozenset(),
) -> Catalog:
    """Read messages/<lang>/foods/*.toml against the database; raise FoodsError on any fault."""
    records = records if records is not None else load_database(messages_dir / "foods" / "usda.tsv")
    folder = messages_dir / language / "foods"
    paths = sorted(folder.glob("*.toml"))
    if not paths:
        raise FoodsError(f"{folder}: no food name files")
    ids: dict[str, Path] = {}
    phrases: dict[str, str] = {}
    problems: list[str] = []
    accepted: list[tuple[FoodName, Record, list[str]]] = []
    for path in sorted(paths, key=lambda p: (p.name not in FIRST_FILES, p.name)):
        for entry in _file_foods(path):
            where = f"{path.name} (id {entry.id!r})"
            if entry.id in ids:
                problems.append(f"{where}: id also used in {ids[entry.id].name}")
                continue
            ids[entry.id] = path
            record = records.get(entry.usda)
            if record is None:
                problems.append(f"{where}: no record {entry.usda!r} in usda.tsv")
                continue
            if record.flag:
                problems.append(f"{where}: record {entry.usda!r} is flagged: {record.flag}")
                continue
            if record.mg > MAX_MG_PER_100G:
                problems.append(f"{where}: {record.mg} mg/100 g is not a real food figure")
                continue
            names = _all_names(entry)
            for phrase in names:
                other = phrases.setdefault(phrase, entry.id)
                if other != entry.id:
                    problems.append(f"{where}: name {phrase!r} already belongs to {other}")
            accepted.append((entry, record, names))
    if problems:
        raise FoodsError("food names are inconsistent:\n  " + "\n  ".join(problems))
    # Implied names, after every written one: the display name before its comma ("brown rice"
    # for "brown rice, cooked"), and the singular of a plural name ("cherry tomato"). The first
    # food to imply one keeps it; a written name always wins.
    for entry, _, names in accepted:
        for implied, singular in _implied_names(entry.name, names):
            if singular and " " not in implied and implied in common_words:
                continue  # "sweets" does not make "sweet" a food, nor "greens" "green"
            if phrases.setdefault(implied, entry.id) == entry.id and implied not in names:
                names.append(implied)
    foods = [food_from_entry(entry, record, names=names) for entry, record, names in accepted]
    return Catalog(tuple(foods), records)


# Generic staples first, so that "broccoli" implied by "broccoli, cooked" is core's.
FIRST_FILES = ("core.toml", "drinks.toml")


def _implied_names(display: str, names: list[str]) -> list[tuple[str, bool]]:
    """(name, whether it is a singular form) implied by a food's display name and names."""
    implied: list[tuple[str, bool]] = []
    head = phrase_key(display.split(",")[0])
    if head and head not in names:
        implied.append((head, False))
    for name in [*names, *(i for i, _ in implied)]:
        words = name.split()
        last = words[-1]
        if len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
            singulars = [last[:-1]]  # "cookies" -> cookie; "berries" -> berry as well
            if last.endswith("ies"):
                singulars.append(last[:-3] + "y")
            implied.extend((" ".join([*words[:-1], s]), True) for s in singulars)
    return implied


def _all_names(entry: FoodName) -> list[str]:
    return list(dict.fromkeys(k for k in map(phrase_key, (entry.name, *entry.names)) if k))


def food_from_entry(entry: FoodName, record: Record, *, names: list[str] | None = None) -> Food:
    grams = entry.units[entry.default]
    vitamin_k = (
        entry.vitamin_k_rich
        if entry.vitamin_k_rich is not None
        else (record.vitk or 0) >= VITAMIN_K_RICH_UG
    )
    return Food(
        id=entry.id,
        name=entry.name,
        portion=f"1 {entry.default} ({grams:g} g)",
        grams=grams,
        mg=round(grams * record.mg / 100, 2),
        synonyms=tuple(names if names is not None else _all_names(entry)),
        units=dict(entry.units),
        default_unit=entry.default,
        source=record.source,
        category=entry.group,
        vitamin_k_rich=vitamin_k,
        cuisines=tuple(entry.cuisines),
        everyday=entry.everyday,
        description=record.description,
    )


def summary(catalog: Catalog) -> str:
    """One line for `python -m nudgebot.features.meals.foods`."""
    names = sum(len(f.synonyms) for f in catalog.foods)
    by_cuisine: dict[str, int] = {}
    for food in catalog.foods:
        for cuisine in food.cuisines or ("everywhere",):
            by_cuisine[cuisine] = by_cuisine.get(cuisine, 0) + 1
    parts = ", ".join(f"{k} {v}" for k, v in sorted(by_cuisine.items()))
    return f"{len(catalog.foods)} foods, {names} names; by cuisine: {parts}"


if __name__ == "__main__":
    import sys

    try:
        print(summary(load_catalog(sys.argv[1] if len(sys.argv) > 1 else "en")))
    except FoodsError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
