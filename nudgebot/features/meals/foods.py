"""The food database (USDA records, messages/foods/usda.tsv) and the curated everyday names.

`usda.tsv` is built by tools/build_foods.py from named, versioned inputs; every figure in it keeps
its record's source id. The curated files, messages/<lang>/foods/*.toml, map what people write
("almond milk", "dal", "a blt") to one record each, with household units and the default portion.
Both are read once at start-up; a curated entry that names a missing or flagged record, an unknown
unit or a name already taken stops the start with the file and the entry.

The English files define every food (record, units, default portion, group). Another language's
messages/<lang>/foods/*.toml only translate: `id` (an English food's), the `name` a reply shows
and the `names` people write. Its catalog is the English one with those names, plus the English
names as further synonyms ("desayuné oatmeal con plátano"), the language's own names winning any
clash. How a portion reads ("1 puñado (28 g)") comes from the language's meals.toml.
"""

from __future__ import annotations

import csv
import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, TypeVar

import tomli
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, model_validator

from nudgebot.content import ContentError
from nudgebot.features.meals.text import fold, normalise_name
from nudgebot.platform.i18n import plural_categories, plural_category

MESSAGES_DIR = Path(__file__).resolve().parents[3] / "messages"
DATABASE_PATH = MESSAGES_DIR / "foods" / "usda.tsv"
REFERENCE_LANGUAGE = "en"  # its food files define every food; the others translate them
ORDINARY_WORDS = "ordinary_words.txt"
COMMON_RANK = 6000  # the most frequent of the ordinary words: never a food on their own

# Units a curated entry may weigh; g, kg, oz, ml and l are the parser's own.
UNITS = frozenset(
    {
        "piece", "slice", "cup", "tbsp", "tsp", "handful", "bowl", "plate", "packet", "can",
        "glass", "square", "fillet", "serving", "bar", "bottle", "scoop", "stick", "clove",
        "leaf", "spear", "mug", "shot", "pot", "jar", "roll", "wedge", "link", "patty",
        "sandwich", "wrap", "ml",
    }
)  # fmt: skip
NAMELESS_UNITS = frozenset({"ml"})  # grams per millilitre: a portion in ml has its own template
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


def load_ordinary(language: str = "en", messages_dir: Path = MESSAGES_DIR) -> list[str]:
    """The language's real words, most frequent first (never corrected into a food name)."""
    path = messages_dir / language / ORDINARY_WORDS
    try:
        lines = path.read_text("utf-8").splitlines()
    except FileNotFoundError:
        raise FoodsError(f"{path}: file not found") from None
    return [fold(w.strip()) for w in lines if w.strip() and not w.startswith("#")]


# How a portion reads, by default (meals.toml [portions] may say otherwise): {n} a number,
# {unit} a unit's name for it, {amount} the two together, {grams}/{ml} weights, {portion} a
# food's own portion.
PORTION_TEMPLATES = {
    "amount": "{n} {unit}",
    "weighed": "{amount} ({grams} g)",
    "grams": "{grams} g",
    "ml": "{ml} ml ({grams} g)",
    "times": "{n} × {portion}, {grams} g",
}
_TEMPLATE_FIELDS = {
    "amount": {"n", "unit"},
    "weighed": {"amount", "grams"},
    "grams": {"grams"},
    "ml": {"ml", "grams"},
    "times": {"n", "portion", "grams"},
}


@dataclass(frozen=True, slots=True)
class PortionWords:
    """How portions read in one language: "2 slices (64 g)", "2 tazas (480 g)", "1 горсть".

    From messages/<lang>/meals.toml: [unit_names] gives each unit a name per CLDR plural form
    of the language (`cup = { one = "taza", many = "tazas", other = "tazas" }`), [portions] the
    templates and the decimal sign. Every unit a food may weigh has to have a name.
    """

    language: str
    unit_names: Mapping[str, Mapping[str, str]]
    templates: Mapping[str, str] = field(default_factory=lambda: dict(PORTION_TEMPLATES))
    decimal: str = "."

    @classmethod
    def from_data(cls, data: Mapping[str, object], language: str, where: str) -> PortionWords:
        """Read and check the [unit_names] and [portions] tables of a meals.toml."""
        names = data.get("unit_names")
        if not isinstance(names, dict):
            raise FoodsError(f"{where}: no [unit_names] table (a name for every unit)")
        needed = plural_categories(language)
        problems: list[str] = []
        unit_names: dict[str, dict[str, str]] = {}
        for unit, forms in names.items():
            if unit not in UNITS:
                problems.append(
                    f"[unit_names] {unit!r}: not a unit (one of {', '.join(sorted(UNITS))})"
                )
                continue
            if not isinstance(forms, dict) or not all(
                isinstance(v, str) and v.strip() for v in forms.values()
            ):
                problems.append(f"[unit_names] {unit!r}: a table of plural forms, each a name")
                continue
            unknown = set(forms) - {"zero", "one", "two", "few", "many", "other"}
            missing = needed - set(forms)
            if unknown:
                problems.append(f"[unit_names] {unit!r}: unknown plural forms {sorted(unknown)}")
            if missing:
                problems.append(
                    f"[unit_names] {unit!r}: needs the form(s) {', '.join(sorted(missing))} "
                    f"for language {language!r}"
                )
            unit_names[unit] = dict(forms)
        unnamed = UNITS - NAMELESS_UNITS - set(names)
        if unnamed:
            problems.append(f"[unit_names]: no name for the unit(s) {', '.join(sorted(unnamed))}")
        portions = data.get("portions", {})
        if not isinstance(portions, dict):
            portions = {}
            problems.append("[portions]: must be a table")
        templates = dict(PORTION_TEMPLATES)
        for key, text in portions.items():
            if key == "decimal":
                continue
            if key not in PORTION_TEMPLATES or not isinstance(text, str):
                problems.append(
                    f"[portions] {key!r}: not a template (one of {sorted(PORTION_TEMPLATES)})"
                )
                continue
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            if fields != _TEMPLATE_FIELDS[key]:
                expected = sorted(_TEMPLATE_FIELDS[key])
                problems.append(f"[portions] {key!r} uses {sorted(fields)}, expected {expected}")
            templates[key] = text
        decimal = portions.get("decimal", ".")
        if decimal not in (".", ","):
            problems.append("[portions] decimal: '.' or ','")
        if problems:
            raise FoodsError(
                f"{where}: portions in words are incomplete:\n  " + "\n  ".join(problems)
            )
        return cls(language, unit_names, templates, str(decimal))

    @classmethod
    def load(
        cls, language: str = REFERENCE_LANGUAGE, messages_dir: Path = MESSAGES_DIR
    ) -> PortionWords:
        """The language's portion words, from its meals.toml."""
        path = messages_dir / language / "meals.toml"
        try:
            data = tomli.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise FoodsError(f"{path}: file not found") from None
        except tomli.TOMLDecodeError as exc:
            raise FoodsError(f"{path}: not valid TOML: {exc}") from None
        return cls.from_data(data, language, str(path))

    def number(self, value: float, spec: str = "g") -> str:
        """A number as the language writes it: 1.5 / 1,5."""
        text = format(value, spec)
        return text.replace(".", self.decimal) if self.decimal != "." else text

    def name(self, unit: str, count: float = 1) -> str:
        """The unit's name for a count: "slice" (1), "slices" (2); the unit itself if unnamed."""
        forms = self.unit_names.get(unit)
        if not forms:
            return unit
        shown = int(count) if float(count).is_integer() else count
        return forms.get(plural_category(shown, self.language)) or forms.get("other", unit)

    def amount(self, count: float, unit: str) -> str:
        """'2 slices', '1 handful', '1,5 tazas'."""
        return self.templates["amount"].format(n=self.number(count), unit=self.name(unit, count))

    def weighed(self, count: float, unit: str, grams: str) -> str:
        """'2 slices (64 g)': an amount and its weight (already written)."""
        return self.templates["weighed"].format(amount=self.amount(count, unit), grams=grams)

    def grams(self, grams: float) -> str:
        """'150 g'."""
        return self.templates["grams"].format(grams=self.number(grams))

    def ml(self, ml: float, grams: float) -> str:
        """'200 ml (206 g)'."""
        return self.templates["ml"].format(ml=self.number(ml), grams=self.number(grams, ".0f"))

    def times(self, count: float, portion: str, grams: float) -> str:
        """'1.5 × 1 bowl (245 g), 368 g': a count of a food's own portion."""
        return self.templates["times"].format(
            n=self.number(count), portion=portion, grams=self.number(grams, ".0f")
        )


@functools.cache
def reference_portion_words() -> PortionWords:
    """English portion words: for a food made without a language (tests, tools)."""
    return PortionWords.load(REFERENCE_LANGUAGE, MESSAGES_DIR)


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
    # the names among `synonyms` that come from English in another language's catalog: they
    # give way to the language's own names wherever a form of a word could mean both
    extra_names: tuple[str, ...] = ()
    portion_words: PortionWords | None = field(default=None, compare=False, repr=False)

    @property
    def mg_per_gram(self) -> float:
        """Magnesium density."""
        return self.mg / self.grams if self.grams else 0.0

    @property
    def words(self) -> PortionWords:
        """How this food's portions read (its catalog's language; English when made alone)."""
        return self.portion_words or reference_portion_words()

    @property
    def default_amount(self) -> str:
        """The default portion in words, without its weight: '1 handful', '1 puñado'."""
        return self.words.amount(1, self.default_unit)


def food_from_record(
    record: Record, *, id: str, name: str = "", words: PortionWords | None = None
) -> Food:
    """A food straight from a database record (whole-database search, a remembered choice)."""
    units: dict[str, float] = {}
    for label, grams in record.portions:
        unit = _unit_of(label)
        if unit and unit not in units:
            units[unit] = grams
    default = next(iter(units), "serving")
    units.setdefault("serving", 100.0)
    grams = units[default]
    words = words or reference_portion_words()
    return Food(
        id=id,
        name=name or record.description,
        portion=words.weighed(1, default, words.number(grams)),
        grams=grams,
        mg=round(grams * record.mg / 100, 2),
        synonyms=(),
        units=units,
        default_unit=default,
        source=record.source,
        category="",
        vitamin_k_rich=(record.vitk or 0) >= VITAMIN_K_RICH_UG,
        description=record.description,
        portion_words=words,
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
    language: str = REFERENCE_LANGUAGE
    untranslated: tuple[str, ...] = ()  # ids of foods the language leaves in English


class FoodTranslation(BaseModel):
    """One food in another language: an English food's id, the name shown, what people write."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    name: Name
    names: list[Name] = []


class TranslationFile(BaseModel):
    """One messages/<lang>/foods/*.toml file of a language other than English."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    food: list[FoodTranslation]


def _file_foods(path: Path) -> list[FoodName]:
    return _file_entries(path, FoodNameFile).food


_File = TypeVar("_File", FoodNameFile, TranslationFile)


def _file_entries(path: Path, model: type[_File]) -> _File:
    try:
        with path.open("rb") as fh:
            data = tomli.load(fh)  # tomli's compiled parser: three times tomllib's speed here
    except tomli.TOMLDecodeError as exc:
        raise FoodsError(f"{path}: not valid TOML: {exc}") from None
    try:
        return model.model_validate(data)
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
    language: str = REFERENCE_LANGUAGE,
    *,
    messages_dir: Path = MESSAGES_DIR,
    records: Mapping[str, Record] | None = None,
    common_words: frozenset[str] = frozenset(),
    portion_words: PortionWords | None = None,
    reserved: frozenset[str] = frozenset(),
    ambiguous: frozenset[str] = frozenset(),
) -> Catalog:
    """Read the English food files against the database, and for another language its
    translations (messages/<lang>/foods/*.toml); raise FoodsError on any fault.

    `common_words`: the language's most frequent words. In English no plural name makes one of
    them a food by its singular; in another language no English name that is one of them is
    kept (Spanish "pie" is a foot, "red" a network), nor one that is a `reserved` word (a unit,
    number or filler word of the language's meals.toml: "tajadas" are slices in Spain).
    `ambiguous`: words that are no food's name in the language (meals.toml [ambiguous]).
    """
    records = records if records is not None else load_database(messages_dir / "foods" / "usda.tsv")
    if portion_words is None:  # a test's folder of food files may have no meals.toml
        has_words = (messages_dir / language / "meals.toml").exists()
        portion_words = PortionWords.load(language, messages_dir if has_words else MESSAGES_DIR)
    words = portion_words
    accepted, phrases = _reference_entries(messages_dir, records)
    if language != REFERENCE_LANGUAGE:
        dropped = common_words | reserved | ambiguous
        return _translated(language, messages_dir, accepted, records, dropped, ambiguous, words)
    # Implied names, after every written one: the display name before its comma ("brown rice"
    # for "brown rice, cooked"), and the singular of a plural name ("cherry tomato"). The first
    # food to imply one keeps it; a written name always wins.
    for entry, _, names in accepted:
        for implied, singular in _implied_names(entry.name, names):
            if singular and " " not in implied and implied in common_words:
                continue  # "sweets" does not make "sweet" a food, nor "greens" "green"
            if phrases.setdefault(implied, entry.id) == entry.id and implied not in names:
                names.append(implied)
    foods = [
        food_from_entry(entry, record, names=names, words=words)
        for entry, record, names in accepted
    ]
    return Catalog(tuple(foods), records, language)


def _reference_entries(
    messages_dir: Path, records: Mapping[str, Record]
) -> tuple[list[tuple[FoodName, Record, list[str]]], dict[str, str]]:
    """The English foods with their records and written names, and who owns each name."""
    folder = messages_dir / REFERENCE_LANGUAGE / "foods"
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
            names = _all_names(entry.name, entry.names)
            for phrase in names:
                other = phrases.setdefault(phrase, entry.id)
                if other != entry.id:
                    problems.append(f"{where}: name {phrase!r} already belongs to {other}")
            accepted.append((entry, record, names))
    if problems:
        raise FoodsError("food names are inconsistent:\n  " + "\n  ".join(problems))
    return accepted, phrases


def _translations(
    folder: Path, known: Mapping[str, FoodName], ambiguous: frozenset[str] = frozenset()
) -> dict[str, FoodTranslation]:
    """A language's translations by id, checked: each translates one English food, once, and
    no name of it is another food's."""
    paths = sorted(folder.glob("*.toml"))
    if not paths:
        raise FoodsError(f"{folder}: no food name files (translations of messages/en/foods)")
    found: dict[str, tuple[FoodTranslation, Path]] = {}
    owners: dict[str, str] = {}
    problems: list[str] = []
    for path in paths:
        entries = _file_entries(path, TranslationFile).food
        if not entries:
            problems.append(f"{path.name}: translates nothing (no [[food]] entry)")
        for entry in entries:
            where = f"{path.name} (id {entry.id!r})"
            if entry.id not in known:
                problems.append(f"{where}: no English food has this id (messages/en/foods)")
                continue
            if entry.id in found:
                problems.append(f"{where}: translated again (also in {found[entry.id][1].name})")
                continue
            names = _all_names(entry.name, entry.names)
            if not phrase_key(entry.name):
                problems.append(
                    f"{where}: translates nothing: the name {entry.name!r} has no letters"
                )
                continue
            found[entry.id] = (entry, path)
            for phrase in names:
                other = owners.setdefault(phrase, entry.id)
                if other != entry.id:
                    problems.append(f"{where}: name {phrase!r} already belongs to {other}")
                if phrase in ambiguous:
                    problems.append(f"{where}: {phrase!r} is ambiguous (meals.toml [ambiguous])")
    if problems:
        raise FoodsError(
            f"{folder}: food translations are inconsistent:\n  " + "\n  ".join(problems)
        )
    return {food_id: entry for food_id, (entry, _) in found.items()}


def _translated(
    language: str,
    messages_dir: Path,
    accepted: list[tuple[FoodName, Record, list[str]]],
    records: Mapping[str, Record],
    dropped: frozenset[str],
    ambiguous: frozenset[str],
    words: PortionWords,
) -> Catalog:
    """The English foods with a language's names: its own first, then the English ones that
    are free (people mix: "desayuné oatmeal con plátano")."""
    folder = messages_dir / language / "foods"
    translations = _translations(folder, {e.id: e for e, _, _ in accepted}, ambiguous)
    owner: dict[str, str] = {}
    own: dict[str, list[str]] = {}
    for entry, _, _ in accepted:  # the language's written names
        translation = translations.get(entry.id)
        own[entry.id] = _all_names(translation.name, translation.names) if translation else []
        for phrase in own[entry.id]:
            owner.setdefault(phrase, entry.id)
    for entry, _, _ in accepted:  # the display name before its comma: "arroz integral"
        translation = translations.get(entry.id)
        if translation is not None:
            head = phrase_key(translation.name.split(",")[0])
            if head and owner.setdefault(head, entry.id) == entry.id and head not in own[entry.id]:
                own[entry.id].append(head)
    extra: dict[str, list[str]] = {}
    for entry, _, english in accepted:  # then the English names no one else has
        heads = [phrase_key(entry.name.split(",")[0])]
        extra[entry.id] = []
        for phrase in dict.fromkeys([*english, *heads]):
            if not phrase or phrase in ambiguous or (" " not in phrase and phrase in dropped):
                continue  # an everyday word of the language, not this English name
            if owner.setdefault(phrase, entry.id) == entry.id and phrase not in own[entry.id]:
                extra[entry.id].append(phrase)
    foods = []
    for entry, record, _ in accepted:
        translation = translations.get(entry.id)
        food = food_from_entry(
            entry,
            record,
            names=[*own[entry.id], *extra[entry.id]],
            words=words,
            name=translation.name if translation else entry.name,
        )
        foods.append(replace(food, extra_names=tuple(extra[entry.id])))
    untranslated = tuple(e.id for e, _, _ in accepted if e.id not in translations)
    return Catalog(tuple(foods), records, language, untranslated)


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


def _all_names(name: str, names: list[str]) -> list[str]:
    return list(dict.fromkeys(k for k in map(phrase_key, (name, *names)) if k))


def food_from_entry(
    entry: FoodName,
    record: Record,
    *,
    names: list[str] | None = None,
    words: PortionWords | None = None,
    name: str = "",
) -> Food:
    """A curated food; `words` is how its portions read (English by default), `name` the name a
    translation shows instead of the English one."""
    words = words or reference_portion_words()
    grams = entry.units[entry.default]
    vitamin_k = (
        entry.vitamin_k_rich
        if entry.vitamin_k_rich is not None
        else (record.vitk or 0) >= VITAMIN_K_RICH_UG
    )
    return Food(
        id=entry.id,
        name=name or entry.name,
        portion=words.weighed(1, entry.default, words.number(grams)),
        grams=grams,
        mg=round(grams * record.mg / 100, 2),
        synonyms=tuple(names if names is not None else _all_names(entry.name, entry.names)),
        units=dict(entry.units),
        default_unit=entry.default,
        source=record.source,
        category=entry.group,
        vitamin_k_rich=vitamin_k,
        cuisines=tuple(entry.cuisines),
        everyday=entry.everyday,
        description=record.description,
        portion_words=words,
    )


def summary(catalog: Catalog) -> str:
    """One line for `python -m nudgebot.features.meals.foods`."""
    names = sum(len(f.synonyms) for f in catalog.foods)
    by_cuisine: dict[str, int] = {}
    for food in catalog.foods:
        for cuisine in food.cuisines or ("everywhere",):
            by_cuisine[cuisine] = by_cuisine.get(cuisine, 0) + 1
    parts = ", ".join(f"{k} {v}" for k, v in sorted(by_cuisine.items()))
    line = f"{len(catalog.foods)} foods, {names} names; by cuisine: {parts}"
    if catalog.language != REFERENCE_LANGUAGE:
        everyday = sum(1 for f in catalog.foods if f.everyday and f.id in catalog.untranslated)
        line += f"; {len(catalog.untranslated)} left in English ({everyday} of them everyday)"
    return line


if __name__ == "__main__":
    import sys

    language = sys.argv[1] if len(sys.argv) > 1 else REFERENCE_LANGUAGE
    try:
        common = frozenset(load_ordinary(language)[:COMMON_RANK])
        print(summary(load_catalog(language, common_words=common)))
    except FoodsError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
