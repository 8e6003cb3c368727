"""Read a meal written in plain words and estimate its magnesium, never guessing.

Order of work, each step for a reason:
1. Names are matched over the whole text before it is split, longest first, so that compound
   names and dishes win ("almond milk", "hot dog", "mac and cheese", "bread and butter
   pudding") and a name with "and" or "with" in it is not cut in two.
2. What is left is split at separators ("and", "with", commas); amounts are read on either side
   of a food ("2 slices toast", "pasta 200g", "eggs x2", "half a mango", "a big bowl of pho"),
   and an amount standing alone after a group applies to it ("toast and jam, two slices each").
3. Filler ("for dinner i had", "earlier", "at my friend's place") is dropped.
4. A misspelt word is corrected only when it is four letters or more, not an ordinary word,
   and one edit (two from nine letters) from exactly one food name ("bannana", "brocoli"); this
   is done before step 1, so that compound names match through it ("spinnach ravioli").
5. A word or phrase still left is looked up in the whole USDA database: an exact record name is
   used ("kohlrabi"); otherwise it is reported as unknown with up to three closest foods, for the
   person to choose from. Nothing is invented from an ordinary word.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import tomli
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from nudgebot.features.meals.foods import (
    COMMON_RANK as COMMON_RANK,  # read from here by tools and benchmarks
)
from nudgebot.features.meals.foods import (
    MESSAGES_DIR,
    REFERENCE_LANGUAGE,
    UNITS,
    Catalog,
    Food,
    FoodsError,
    PortionWords,
    Record,
    food_from_record,
    reference_portion_words,
)
from nudgebot.features.meals.foods import (
    load_ordinary as load_ordinary,
)
from nudgebot.features.meals.text import Ending, Inflection, fold, normalise_name

GRAMS = {"g": 1.0, "kg": 1000.0, "oz": 28.35, "lb": 453.6}
MILLILITRES = {"ml": 1.0, "cl": 10.0, "dl": 100.0, "l": 1000.0, "floz": 29.57, "pint": 568.0}
CONTAINERS = frozenset({"bowl", "plate", "serving", "cup", "mug", "glass", "handful", "packet"})
MAX_COUNT = 50.0  # "200 bananas" is a typo or a joke: counts are capped, and the reply says so
MAX_GRAMS = 3000.0
MAX_TEXT = 2000
MIN_FUZZY_LETTERS = 4  # English; meals.toml [typos] min_letters says it for a language
DATABASE_LANGUAGE = "en"  # the USDA records' names
MAX_CACHED_CORRECTIONS = 50_000  # typo look-ups remembered (words repeat across messages)
# Datasets in the order a whole-database match prefers them: as eaten first.
DATASET_ORDER = {"FNDDS": 0, "SR Legacy": 1, "Foundation": 2, "SR": 3}
UNICODE_FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 0.333, "⅔": 0.667, "⅛": 0.125}

_TOKEN = re.compile(r"x\d+\b|\d+(?:[.,]\d+)?(?:/\d+)?|[^\W\d_]+|[,;:\n+()]")
_DASH_LIST = re.compile(r"\s[-–—]\s")  # "full english - 2 eggs, bacon": a colon
_GLUED = re.compile(r"(\d)([^\W\d_])")
_TIMES = re.compile(r"(?:(?<=\s)|^)(?:x\s*(\d+)|(\d+)\s*x)(?=\s|$|[,.;])")
_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s*%")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d{1,2}\b)")


def _range_pattern(words: Sequence[str]) -> re.Pattern[str]:
    """'2-3 eggs', '2 to 3 eggs', '2 o 3 huevos': a range of numbers before a word."""
    joins = "|".join(["-", "–", *(re.escape(w) for w in words)])
    return re.compile(rf"(\d+(?:\.\d+)?)\s*(?:{joins})\s*(\d+(?:\.\d+)?)(?=\s*[^\W\d_])")


_RANGE = _range_pattern(())


@dataclass(frozen=True, slots=True)
class MealWords:
    """The words around food names, for one language (messages/<lang>/meals.toml)."""

    units: Mapping[str, str]
    numbers: Mapping[str, float]
    sizes: Mapping[str, float]
    separators: frozenset[str]
    each: frozenset[str]
    filler: frozenset[str]
    meal_phrases: tuple[str, ...] = ()  # "for tea": a meal, not a drink
    emoji: Mapping[str, str] = field(default_factory=dict)  # "🍌" -> "banana"
    language: str = REFERENCE_LANGUAGE
    portions: PortionWords = field(default_factory=reference_portion_words)
    inflection: Inflection = field(default_factory=Inflection)
    articles: frozenset[str] = frozenset()  # "a", "un": one, but "a dozen" is twelve
    halves: frozenset[str] = frozenset()  # "2 and half": a half more
    multipliers: frozenset[str] = frozenset()  # "two dozen": twice twelve
    range_words: tuple[str, ...] = ()  # "2 to 3 eggs", "2 o 3 huevos"
    reorder: frozenset[str] = frozenset()  # "tacos with chicken" is "chicken tacos"
    replacements: Mapping[str, str] = field(default_factory=dict)  # "w/" -> " with "
    and_a_half: tuple[str, ...] = ()  # "one and a half", "dos y medio"
    unit_and_a_half: tuple[str, ...] = ()  # "una taza y media", "un plátano y medio"
    min_typo_letters: int = MIN_FUZZY_LETTERS  # shorter words are never corrected
    # a word that names one food in one country and another elsewhere ("tortilla"): never a food
    # on its own; these foods are offered for it
    ambiguous: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, language: str = REFERENCE_LANGUAGE, messages_dir: Path = MESSAGES_DIR
    ) -> MealWords:
        """Read meals.toml; a missing section stops the start."""
        path = messages_dir / language / "meals.toml"
        try:
            data = tomli.loads(path.read_text("utf-8"))
            units = {
                fold(alias): unit for unit, aliases in data["units"].items() for alias in aliases
            }
            known_units = UNITS | GRAMS.keys() | MILLILITRES.keys()
            unknown = sorted(set(units.values()) - known_units)
            if unknown:
                raise ValueError(f"[units] {unknown}: not units (one of {sorted(known_units)})")
            words = data["words"]
            phrases = data["phrases"]
            numbers = {fold(k): float(v) for k, v in data["numbers"].items()}
            listed = (
                words.get("articles", []),
                words.get("halves", []),
                words.get("multipliers", []),
            )
            stray = sorted({fold(w) for group in listed for w in group} - numbers.keys())
            if stray:
                raise ValueError(f"[words] {stray}: articles, halves and multipliers are [numbers]")
            return cls(
                units=units,
                numbers=numbers,
                sizes={fold(k): float(v) for k, v in data["sizes"].items()},
                separators=frozenset(map(fold, words["separators"])),
                each=frozenset(map(fold, words["each"])),
                filler=frozenset(map(fold, words["filler"])),
                meal_phrases=tuple(fold(m) for m in phrases["meals"]),
                emoji={str(k): fold(str(v)) for k, v in data["emoji"].items()},
                language=language,
                portions=PortionWords.from_data(data, language, str(path)),
                inflection=_inflection(data.get("inflection", {})),
                articles=frozenset(map(fold, words.get("articles", []))),
                halves=frozenset(map(fold, words.get("halves", []))),
                multipliers=frozenset(map(fold, words.get("multipliers", []))),
                range_words=tuple(map(fold, words.get("range", []))),
                reorder=frozenset(map(fold, words.get("reorder", []))),
                replacements={str(k): str(v) for k, v in phrases.get("replace", {}).items()},
                and_a_half=tuple(fold(p) for p in phrases.get("and_a_half", [])),
                unit_and_a_half=tuple(fold(p) for p in phrases.get("unit_and_a_half", [])),
                min_typo_letters=int(data.get("typos", {}).get("min_letters", MIN_FUZZY_LETTERS)),
                ambiguous={
                    fold(word): tuple(map(str, ids))
                    for word, ids in data.get("ambiguous", {}).items()
                },
            )
        except FileNotFoundError:
            raise FoodsError(f"{path}: file not found") from None
        except (tomli.TOMLDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise FoodsError(f"{path}: {exc}") from None

    range_pattern: re.Pattern[str] = _RANGE
    half_patterns: tuple[re.Pattern[str], ...] = ()

    # every word these words give a meaning of their own (a unit, a number, filler…)
    vocabulary: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        vocabulary = frozenset(
            self.units.keys()
            | self.numbers.keys()
            | self.sizes.keys()
            | self.separators
            | self.each
            | self.filler
        )
        object.__setattr__(self, "vocabulary", vocabulary)
        if self.range_words:
            object.__setattr__(self, "range_pattern", _range_pattern(self.range_words))
        if self.and_a_half or self.unit_and_a_half:
            object.__setattr__(self, "half_patterns", _half_patterns(self))


WHOLE_NUMBER_WORDS = 10  # "one" to "ten and a half"; a multiplier ("dozen") is not one of them


def _half_patterns(words: MealWords) -> tuple[re.Pattern[str], ...]:
    """'one and a half' -> 1.5; 'una taza y media de' -> '1.5 taza de': a number, at most one
    word, the half, then (with a word between) the end, a comma, a separator or a filler word:
    "dos huevos y media tostada" is two eggs and half a toast."""
    whole = [
        w
        for w, v in words.numbers.items()
        if v.is_integer() and 1 <= v <= WHOLE_NUMBER_WORDS and w not in words.multipliers
    ]
    numbers = "|".join([r"\d+", *(re.escape(w) for w in sorted(whole, key=len, reverse=True))])
    after = "|".join(re.escape(w) for w in sorted(words.separators | words.filler))
    patterns = [
        re.compile(rf"\b({numbers})()\s+{re.escape(phrase)}\b") for phrase in words.and_a_half
    ]
    patterns.extend(
        re.compile(
            rf"\b({numbers})\s+([^\W\d_]+)\s+{re.escape(phrase)}"
            rf"(?=\s*(?:$|[,.;:!?)\n]|(?:{after})\b))"
        )
        for phrase in words.unit_and_a_half
    )
    return tuple(patterns)


def _strings(table: Mapping[str, object], key: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key}: a list of words")
    return [fold(v) for v in value]


def _inflection(table: Mapping[str, object]) -> Inflection:
    """meals.toml [inflection] (see Inflection): endings as {ending, to, unless} tables."""
    keys = {"words", "endings", "stemmer", "keep", "plural_endings", "not_plural_endings", "head"}
    unknown = set(table) - keys - {"min_stem"}
    if unknown:
        raise ValueError(f"[inflection] {sorted(unknown)}: unknown keys")
    words = table.get("words", "last")
    if words not in ("last", "all"):
        raise ValueError("[inflection] words: 'last' or 'all'")
    rules = table.get("endings", [])
    if not isinstance(rules, list) or not all(
        isinstance(r, dict) and isinstance(r.get("ending"), str) and r["ending"] for r in rules
    ):
        raise ValueError("[inflection] endings: a list of { ending, to, unless } tables")
    endings = tuple(
        Ending(fold(r["ending"]), fold(str(r.get("to", ""))), tuple(_strings(r, "unless")))
        for r in rules
    )
    min_stem = table.get("min_stem", 2)
    if not isinstance(min_stem, int) or min_stem < 1:
        raise ValueError("[inflection] min_stem: a whole number from 1")
    head = table.get("head", "last")
    if head not in ("first", "last"):
        raise ValueError("[inflection] head: 'first' or 'last'")
    return Inflection(
        head_first=head == "first",
        endings=endings,
        stemmer=str(table.get("stemmer", "")),
        every_word=words == "all",
        keep=frozenset(_strings(table, "keep")),
        plural_endings=tuple(_strings(table, "plural_endings")),
        not_plural_endings=tuple(_strings(table, "not_plural_endings")),
        min_stem=min_stem,
    )


@dataclass(frozen=True, slots=True)
class Amount:
    """How much of a food: a count, a unit (or none) and a size word's factor."""

    count: float | None = None
    unit: str | None = None
    size: float = 1.0

    @property
    def given(self) -> bool:
        """The person said how much."""
        return self.count is not None or self.unit is not None or self.size != 1.0


@dataclass(frozen=True, slots=True)
class Item:
    """One food recognised in a meal, with the portion assumed."""

    food: Food
    quantity: float
    unit: str  # g, ml, a unit of the food's, or "portion"
    grams: float
    mg: float
    capped: bool = False

    @property
    def portion_text(self) -> str:
        """'2 slices (64 g)', '1 cup (158 g)', '100 g', '1.5 × 1 bowl (245 g), 368 g', in the
        words of the food's language ('2 tazas (480 g)')."""
        words = self.food.words
        if self.unit == "g":
            return words.grams(self.grams)
        if self.unit == "ml":
            return words.ml(self.quantity, self.grams)
        if self.unit == "portion":
            return (
                self.food.portion
                if self.quantity == 1
                else words.times(self.quantity, self.food.portion, self.grams)
            )
        return words.weighed(self.quantity, self.unit, words.number(self.grams, ".0f"))


@dataclass(frozen=True)
class Unknown:
    """A part of the text that names no food we know, with the closest foods to offer."""

    text: str
    amount: Amount = Amount()
    index: FoodIndex | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def options(self) -> tuple[Food, ...]:
        """Up to three foods to offer: searched only when a reply asks (the router never does)."""
        return self.index.options(self.text) if self.index is not None else ()


@dataclass(frozen=True, slots=True)
class MealEstimate:
    """What a check-in text adds up to."""

    items: tuple[Item, ...]
    unknown_parts: tuple[Unknown, ...] = ()

    @property
    def unknown(self) -> tuple[str, ...]:
        """The unknown parts in words."""
        return tuple(u.text for u in self.unknown_parts)

    @property
    def total_mg(self) -> float:
        """Sum of the items' magnesium."""
        return sum(i.mg for i in self.items)

    def without_unknown(self, drop: Iterable[str]) -> MealEstimate:
        """The same estimate with some unknown parts taken out (they were about a medicine)."""
        dropped = set(drop)
        return MealEstimate(
            self.items, tuple(u for u in self.unknown_parts if u.text not in dropped)
        )


def singulars(word: str) -> tuple[str, ...]:
    """The forms an English plural may stand for: 'berries' -> berry, 'tomatoes' -> tomato.

    For the USDA database, whose names are English whatever the person's language; a
    language's own names inflect by its meals.toml [inflection]."""
    forms = [word]
    if len(word) > 3 and word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if len(word) > 3 and word.endswith("es"):
        forms.append(word[:-2])
    if len(word) > 2 and word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    return tuple(forms)


@dataclass
class FoodIndex:
    """Every way to name a food, and the whole database for the rest; built once."""

    catalog: Catalog
    words: MealWords
    ordinary_words: Sequence[str] = ()  # real words, most frequent first
    ordinary: frozenset[str] = field(init=False)  # never corrected into a food name
    common: frozenset[str] = field(init=False)  # never searched for, dropped beside a food
    _names: dict[tuple[str, ...], Food] = field(init=False, default_factory=dict)
    _longest: dict[str, int] = field(init=False, default_factory=dict)
    _fuzzy_words: list[str] = field(init=False, default_factory=list)
    _fuzzy_food: dict[str, Food] = field(init=False, default_factory=dict)
    _name_keys: list[str] = field(init=False, default_factory=list)
    _name_words: frozenset[str] = field(init=False, default_factory=frozenset)
    _record_foods: dict[str, Food] = field(init=False, default_factory=dict)
    _by_id: dict[str, Food] = field(init=False, default_factory=dict)
    _corrections: dict[str, Food | None] = field(init=False, default_factory=dict)
    # every_word languages: names by the forms of their words ("tortilla de patata" for
    # "tortilla de patatas"), and every form of a name's words
    _form_names: dict[tuple[str, ...], Food] = field(init=False, default_factory=dict)
    _form_words: frozenset[str] = field(init=False, default_factory=frozenset)
    _vocabulary_words: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.ordinary = frozenset(self.ordinary_words)
        self.common = frozenset(self.ordinary_words[:COMMON_RANK])
        inflection = self.words.inflection
        ambiguous = self.words.ambiguous
        for food in self.catalog.foods:
            self._by_id[food.id] = food
            for name in food.synonyms:
                if ambiguous and any(f in ambiguous for f in inflection.forms(name)):
                    continue  # "tortillas": asked about, as "tortilla" is
                self._add_name(name, food)
        if inflection.every_word:
            # the language's own names first: a form both could mean is theirs
            own = [(n, f) for f in self.catalog.foods for n in f.synonyms if n not in f.extra_names]
            extra = [(n, f) for f in self.catalog.foods for n in f.extra_names]
            for name, food in [*own, *extra]:
                for key in _variants(tuple(name.split()), inflection):
                    if len(key) == 1 and key[0] in ambiguous:
                        continue
                    if key not in self._names:
                        self._form_names.setdefault(key, food)
                        self._longest[key[0]] = max(self._longest.get(key[0], 0), len(key))
            self._form_words = frozenset(w for k in self._form_names for w in k)
        missing = {i for ids in self.words.ambiguous.values() for i in ids} - self._by_id.keys()
        if missing:
            raise FoodsError(f"meals.toml [ambiguous]: no food has the id(s) {sorted(missing)}")
        self._name_keys = [" ".join(k) for k in self._names]
        self._name_words = frozenset(w for k in self._names for w in k)
        single = {k[0]: f for k, f in self._names.items() if len(k) == 1}
        self._fuzzy_words = [w for w in single if len(w) >= self.words.min_typo_letters]
        self._fuzzy_food = {w: single[w] for w in self._fuzzy_words}

    @functools.cached_property
    def _database(self) -> tuple[dict[str, list[Record]], dict[str, set[str]]]:
        """Plain record names and a word index over every record, built on first need."""
        heads: dict[str, list[Record]] = {}
        by_word: dict[str, set[str]] = {}
        for record in self.catalog.records.values():
            if record.flag:
                continue
            clauses = [c for c in map(normalise_name, record.description.split(",")) if c]
            for head in _heads_of(clauses):
                if _plain(clauses, head):
                    heads.setdefault(head, []).append(record)
            for word in {w for c in clauses for w in c.split()}:
                by_word.setdefault(word, set()).add(record.source)
        for records in heads.values():
            records.sort(key=_record_rank)
        return heads, by_word

    def warm(self) -> None:
        """Build the whole-database search now (start-up), not on the first unknown word."""
        _ = self._database

    def _add_name(self, name: str, food: Food) -> None:
        key = tuple(name.split())  # the catalog's names are already in normal form
        if not key:
            return
        self._names.setdefault(key, food)
        self._longest[key[0]] = max(self._longest.get(key[0], 0), len(key))

    @property
    def foods(self) -> tuple[Food, ...]:
        """The curated foods."""
        return self.catalog.foods

    def food(self, food_id: str) -> Food | None:
        """A curated food by id."""
        return self._by_id.get(food_id)

    def record_food(self, source: str) -> Food | None:
        """A food made from a database record (a whole-database match or a choice)."""
        food = self._record_foods.get(source)
        if food is None:
            record = self.catalog.records.get(source)
            if record is None or record.flag:
                return None
            food = food_from_record(record, id=f"usda:{source}", name=_short_name(record))
            self._record_foods[source] = food
        return food

    def lookup(
        self, words: Sequence[str], start: int, remembered: Mapping[tuple[str, ...], Food]
    ) -> tuple[int, Food] | None:
        """The longest name starting at `start`: (its length in words, the food)."""
        inflection = self.words.inflection
        firsts = inflection.forms(words[start]) if inflection.every_word else (words[start],)
        longest = max(
            max(self._longest.get(first, 0) for first in firsts),
            max((len(k) for k in remembered if k[0] in firsts), default=0),
            1,
        )
        for size in range(min(longest, len(words) - start), 0, -1):
            phrase = tuple(words[start : start + size])
            if size > 1 and any(w == "," for w in phrase):
                continue
            if inflection.every_word:
                # the words as written, then their other forms: "almendras" -> almendra,
                # "tortillas de patata" -> "tortilla de patatas", "гречку" -> гречка
                for key in _variants(phrase, inflection):
                    food = remembered.get(key) or self._names.get(key) or self._form_names.get(key)
                    if food is not None:
                        return size, food
                continue
            for last in inflection.forms(phrase[-1]):
                key = (*phrase[:-1], last)
                food = remembered.get(key) or self._names.get(key)
                if food is not None:
                    return size, food
        return None

    def spelling(self, word: str) -> str | None:
        """The food-name word a typo stands for ("spinnach" -> "spinach"), so that compound
        names match through it ("spinnach ravioli"); None for a word that is fine as it is."""
        if word in self._name_words or self._inflected_name_word(word):
            return None
        food = self.correct(word)
        if food is None:
            return None
        allowed = 1 if len(word) < 9 else 2
        return next(
            (
                w
                for w in self._fuzzy_words
                if self._fuzzy_food[w] is food
                and OSA.distance(word, w, score_cutoff=allowed) <= allowed
            ),
            None,
        )

    def vocabulary_word(self, word: str) -> str:
        """In an every_word language, the unit, number or filler word another form of which a
        word is ("стакана", "стаканом" -> стакан; "ложки" -> ложка); the word itself otherwise,
        and always for a word of a food's name."""
        found = self._vocabulary_words.get(word)
        if found is None:
            found = word
            vocabulary = self.words.vocabulary
            if word not in vocabulary and word not in self._name_words:
                forms = self.words.inflection.forms(word)
                if not any(f in self._form_words for f in forms):
                    found = next(
                        (self._vocabulary_forms[f] for f in forms if f in self._vocabulary_forms),
                        word,
                    )
            if len(self._vocabulary_words) < MAX_CACHED_CORRECTIONS:
                self._vocabulary_words[word] = found
        return found

    @functools.cached_property
    def _vocabulary_forms(self) -> dict[str, str]:
        forms: dict[str, str] = {}
        for word in sorted(self.words.vocabulary):
            for form in self.words.inflection.forms(word):
                forms.setdefault(form, word)
        return forms

    def _inflected_name_word(self, word: str) -> bool:
        """Another form of a word of a name ("almendras" for almendra): not a typo."""
        inflection = self.words.inflection
        if inflection.every_word:
            return any(f in self._form_words for f in inflection.forms(word)[1:])
        return any(f in self._name_words for f in inflection.forms(word)[1:])

    def correct(self, word: str) -> Food | None:
        """A food whose one-word name is a small typo of `word`, if exactly one food fits."""
        if word in self._corrections:
            return self._corrections[word]
        if len(self._corrections) > MAX_CACHED_CORRECTIONS:
            self._corrections.clear()
        food = self._correct(word)
        self._corrections[word] = food
        return food

    def _correct(self, word: str) -> Food | None:
        if (
            len(word) < self.words.min_typo_letters
            or word in self.ordinary
            or word in self.words.filler
            or word in self.words.units
        ):
            return None
        allowed = 1 if len(word) < 9 else 2
        hits = process.extract(
            word, self._fuzzy_words, scorer=OSA.distance, score_cutoff=allowed, limit=4
        )
        if not hits:
            return None
        best = min(score for _, score, _ in hits)
        foods = {self._fuzzy_food[w].id: self._fuzzy_food[w] for w, s, _ in hits if s == best}
        candidates = [w for w, s, _ in hits if s == best]
        if len(foods) != 1 or not all(c[0] == word[0] for c in candidates):
            return None
        return next(iter(foods.values()))

    def database_match(self, phrase: str) -> Food | None:
        """A record named exactly by the phrase ("kohlrabi" -> "Kohlrabi, raw").

        The database is English: in another language, a phrase of the language's own words is
        never looked up there (Spanish "pie" is a foot, not a pie)."""
        words = phrase.split()
        if self.words.language != DATABASE_LANGUAGE and all(w in self.ordinary for w in words):
            return None
        for last in singulars(words[-1]):
            records = self._database[0].get(" ".join([*words[:-1], last]))
            if records:
                return self.record_food(records[0].source)
        return None

    def options(self, phrase: str, *, limit: int = 3) -> tuple[Food, ...]:
        """Up to three foods closest to an unknown phrase: curated names, then the database."""
        ambiguous = self.words.ambiguous
        for form in self.words.inflection.forms(phrase) if ambiguous else ():
            if form in ambiguous:  # "tortilla": the foods it names in different countries
                return tuple(f for f in map(self.food, ambiguous[form]) if f is not None)[:limit]
        content = [w for w in phrase.split() if w not in self.common and len(w) >= 3]
        if not content:
            return ()
        query = " ".join(content)
        found: dict[str, Food] = {}
        for name, score, _ in process.extract(
            query, self._name_keys, scorer=fuzz.ratio, limit=8, score_cutoff=80
        ):
            if score < 85 and len(found) >= 1:
                break
            food = self._names[tuple(name.split())]
            found.setdefault(food.id, food)
        by_word = self._database[1]

        def records_with(word: str) -> set[str]:
            hits: set[str] = set()
            for form in singulars(word):
                hits |= by_word.get(form, set())
            return hits

        sources = set.intersection(*(records_with(w) for w in content))
        if not sources:  # "jackfruit stew": no record has both; the rarest word alone
            sources = min((records_with(w) for w in content), key=lambda s: len(s) or 10**9)
        ranked = sorted(sources, key=lambda s: _record_rank(self.catalog.records[s]))
        for source in ranked[: limit * 3]:
            record_food = self.record_food(source)
            if record_food is not None:
                found.setdefault(record_food.id, record_food)
        unique: dict[str, Food] = {}
        for option in found.values():
            unique.setdefault(option.name.casefold(), option)
        return tuple(unique.values())[:limit]


MAX_VARIANTS = 256  # forms of a phrase looked up at most (a few per word; names are short)


def _variants(phrase: tuple[str, ...], inflection: Inflection) -> Iterable[tuple[str, ...]]:
    """The phrase as written, then with its words in their other forms."""
    yield phrase
    forms = [inflection.forms(w) if w != "," else (w,) for w in phrase]
    if all(len(f) == 1 for f in forms):
        return
    yield from itertools.islice((k for k in itertools.product(*forms) if k != phrase), MAX_VARIANTS)


def _record_rank(record: Record) -> tuple[int, int, str]:
    return (DATASET_ORDER.get(record.dataset, 9), len(record.description), record.source)


# Qualifiers that leave a record the plain form of its food: "Kohlrabi, raw", "Okra, cooked".
NEUTRAL = frozenset(
    {
        "raw", "cooked", "nfs", "plain", "boiled", "fresh", "regular", "whole", "ns", "as", "to",
        "form", "no", "added", "fat", "salt", "without", "drained", "solids", "and", "liquids",
        "mature", "seeds", "ripe", "brewed", "prepared", "with", "water", "unprepared", "dry",
    }
)  # fmt: skip


def _plain(clauses: Sequence[str], head: str) -> bool:
    """The record is the plain form of the food its head names (not "Egg, creamed")."""
    head_words = set(head.split())
    rest = [w for c in clauses for w in c.split() if w not in head_words]
    return all(w in NEUTRAL for w in rest)


def _heads_of(clauses: Sequence[str]) -> list[str]:
    """Names a record answers to exactly: "Kohlrabi, raw" -> kohlrabi; "Beans, kidney" ->
    "kidney beans" as well."""
    if not clauses:
        return []
    heads = [clauses[0]]
    if len(clauses) > 1 and len(clauses[1].split()) <= 2:
        heads.append(f"{clauses[1]} {clauses[0]}")
    return heads


def _short_name(record: Record) -> str:
    """The record's description, lower case and shortened for a reply."""
    text = record.description
    for tail in (", NFS", ", not further specified", ", NS as to form"):
        text = text.replace(tail, "")
    clauses = [c.strip() for c in text.split(",")]
    if len(clauses) > 1 and len(clauses[1].split()) <= 2:
        clauses = [f"{clauses[1]} {clauses[0]}", *clauses[2:]]  # "Pudding, rice" -> rice pudding
    return ", ".join(clauses)[:60].lower()


def _adds(fraction: float) -> Callable[[re.Match[str]], str]:
    """A substitution for "1½": the whole number plus the fraction."""

    def mixed(match: re.Match[str]) -> str:
        return f"{int(match[1]) + fraction:g}"

    return mixed


def _emoji_words(text: str, words: MealWords) -> str:
    """ "🍕🍕 and a 🍺" -> " 2 pizza  and a  beer ": food emoji as names, repeats as counts."""
    emoji = words.emoji
    if text.isascii() or not emoji:
        return text
    plain = "".join(" " if c in emoji else c for c in text)
    glue = words.separators | words.filler | words.numbers.keys()
    if any(w not in glue for w in re.findall(r"[^\W\d_]+", fold(plain))):
        return plain  # "lentil curry with rice 🍛": the words say it; the emoji decorates them
    out: list[str] = []
    previous, run = "", 0
    for char in text + "\0":
        if char == previous and char in emoji:
            run += 1
            continue
        if previous in emoji:
            out.append(f" {run} {emoji[previous]} " if run > 1 else f" {emoji[previous]} ")
        elif previous:
            out.append(previous)
        previous, run = char, 1
    return "".join(out)


def _clean(text: str, words: MealWords) -> str:
    """Lower case, emoji as names, fractions as numbers, ranges as their middle, 'x2' a count."""
    text = _emoji_words(text, words)
    for symbol, value in UNICODE_FRACTIONS.items():
        if symbol in text:
            text = re.sub(rf"(\d+)\s*{symbol}", _adds(value), text).replace(symbol, f" {value:g} ")
    text = fold(text).replace("’", "'")
    if "%" in text:  # "dark chocolate 70%", "2% milk": a percentage is no amount
        text = _PERCENT.sub(" ", text)
    for written, meant in words.replacements.items():  # "w/" -> " with ", "&" -> " and "
        if written in text:
            text = text.replace(written, meant)
    digits = any(c.isdigit() for c in text)
    if digits:
        text = _DECIMAL_COMMA.sub(".", text)
        text = words.range_pattern.sub(lambda m: f"{(float(m[1]) + float(m[2])) / 2:g}", text)
    if "-" in text or "–" in text or "—" in text:
        text = _DASH_LIST.sub(" : ", text)
    text = text.replace("'", "").replace("-", " ")
    if "." in text:
        text = re.sub(r"(?<=\D)\.|\.(?=\D|$)", ",", text)
    if digits:
        text = _GLUED.sub(r"\1 \2", text)
        text = _TIMES.sub(lambda m: f" x{m[1] or m[2]} ", text)
    for phrase in words.meal_phrases:
        if phrase in text:
            text = re.sub(rf"\b{re.escape(phrase)}\b", " ", text)
    for pattern in words.half_patterns:  # "one and a half", "una taza y media de"
        text = pattern.sub(lambda m: _half_more(m, words), text)
    return text


def _half_more(match: re.Match[str], words: MealWords) -> str:
    number = match[1]
    value = float(number) if number[0].isdigit() else words.numbers.get(number, 1.0)
    return f" {value + 0.5:g} {match[2]} ".replace("  ", " ")


def _number(token: str) -> float | None:
    if token.startswith("x") and token[1:].isdigit():
        return None
    try:
        if "/" in token:
            top, bottom = token.split("/")
            return float(top) / float(bottom) if float(bottom) else None
        return float(token)
    except ValueError:
        return None


@dataclass
class _Part:
    """Words between two separators, with the foods found in them."""

    tokens: list[str]
    foods: list[tuple[int, int, Food]] = field(default_factory=list)  # (start, end, food)
    comma_before: bool = False
    in_brackets: bool = False  # "khao pad (thai fried rice)": often the same food, restated
    after_colon: bool = False  # "sunday roast: roast beef, yorkshire pudding": its parts


def tokens_of(text: str) -> list[str]:
    """The words, numbers and punctuation separators of a cleaned text."""
    out: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match[0]
        if token in ";\n+)":
            token = ","
        elif "," in token and token[0].isdigit():
            token = token.replace(",", ".")
        out.append(token)
    return out


def estimate_meal(
    text: str,
    index: FoodIndex,
    *,
    remembered: Mapping[str, Food] | None = None,
) -> MealEstimate:
    """Foods, portions and magnesium in a meal description; what is unknown, with options.

    `remembered`: this person's earlier answers to "did you mean" (phrase -> food).
    """
    words = index.words
    tokens = tokens_of(_clean(text[:MAX_TEXT], words))
    for i, token in enumerate(tokens):
        if words.inflection.every_word and token.isalpha():
            token = tokens[i] = index.vocabulary_word(token)  # "стакана" -> стакан
        if len(token) >= words.min_typo_letters and token.isalpha():
            fixed = index.spelling(token)
            if fixed is not None:
                tokens[i] = fixed
    memory = {tuple(normalise_name(k).split()): f for k, f in (remembered or {}).items()}
    memory.pop((), None)
    # 1. names, longest first, over the whole text
    spans: list[tuple[int, int, Food]] = []
    used = [False] * len(tokens)
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token in (",", "(", ":") or used[position] or _number(token) is not None:
            position += 1
            continue
        hit = index.lookup(tokens, position, memory)
        if hit is None:
            position += 1
            continue
        size, food = hit
        spans.append((position, position + size, food))
        for i in range(position, position + size):
            used[i] = True
        position += size
    spans = _reordered(spans, tokens, index, memory)
    # 2. parts between separators
    parts: list[_Part] = []
    current = _Part([])
    span_at = {start: (start, end, food) for start, end, food in spans}
    position = 0
    while position < len(tokens):
        if position in span_at:
            start, end, food = span_at[position]
            offset = len(current.tokens)
            current.tokens.extend(tokens[start:end])
            current.foods.append((offset, offset + end - start, food))
            position = end
            continue
        token = tokens[position]
        if token in (",", "(", ":") or token in words.separators:
            if current.tokens:
                parts.append(current)
            bracket = token == "(" or (current.in_brackets and token != ",")
            current = _Part(
                [],
                comma_before=token in (",", "(", ":"),
                in_brackets=bracket,
                after_colon=token == ":" or current.after_colon,
            )
        else:
            current.tokens.append(token)
        position += 1
    if current.tokens:
        parts.append(current)
    # 3.-5. amounts, typos, the database, unknown
    items: list[Item] = []
    unknown: list[Unknown] = []
    group: list[tuple[Food, Amount]] = []  # foods since the last comma, for "two slices each"
    pending: list[tuple[Food, Amount]] = []
    shared: Amount | None = None  # "two slices each of pizza and garlic bread"
    colon_at: int | None = None
    for part in parts:
        if part.after_colon and colon_at is None:
            colon_at = len(pending)
        _typos_and_database(part, index)
        if part.in_brackets and pending and {f.id for _, _, f in part.foods} == {pending[-1][0].id}:
            continue  # the same food again, in other words
        if part.comma_before and part.foods:
            group = []  # "toast and jam, two slices each": the group runs to the next comma
            shared = None
        if not part.foods:
            amount, rest = _amount(part.tokens, words)
            content = [w for w in rest if w not in words.filler and w not in words.each]
            if len(content) == 1 and content[0] in index.common and pending and not amount.given:
                continue  # "iced coffee, black": a word about the food before it
            if amount.given and not content and pending:
                distribute = any(w in words.each for w in rest)
                targets = group if distribute and group else pending[-1:]
                for food, old in targets:
                    # "two slices each": the foods cut in slices, and what is spread on them
                    fits = amount.unit is None or amount.unit in food.units
                    if not old.given and (fits or not distribute or food.category in SPREADS):
                        _replace(pending, food, amount)
                continue
            if content:
                unknown.append(_unknown(" ".join(content), amount, index))
            continue
        for n, (start, end, food) in enumerate(part.foods):
            before_start = part.foods[n - 1][1] if n else 0
            after_end = part.foods[n + 1][0] if n + 1 < len(part.foods) else len(part.tokens)
            amount, left_rest = _amount(part.tokens[before_start:start], words)
            after_tokens = part.tokens[end:after_end]
            if n + 1 < len(part.foods):
                # "full english 2 eggs": a number between two foods counts for the next one;
                # only "x2" right after a food counts for it
                times = 0
                while times < len(after_tokens) and _is_times(after_tokens[times]):
                    times += 1
                after_tokens = after_tokens[:times]
            after, right_rest = _amount(after_tokens, words)
            if not amount.given and after.given:
                amount = after
            elif amount.given and after.given and amount.unit is None and after.unit:
                amount = Amount(amount.count, after.unit, amount.size)
            # words beside a food that are ordinary words modify it ("sweet cherry tomatoes",
            # "hard boiled egg", "soft tacos"); anything else beside it is asked about
            leftover = [
                w
                for w in (*left_rest, *right_rest)
                if w not in words.filler
                and w not in words.each
                and w not in words.units
                and w not in index.common
            ]
            if leftover:
                unknown.append(_unknown(" ".join(leftover), Amount(), index))
            if any(w in words.each for w in left_rest) and amount.given:
                shared = amount
            elif not amount.given and shared is not None:
                amount = shared
            if (
                amount.count is None
                and amount.unit is None
                and _plural_piece(food, part, start, end, words.inflection)
            ):
                amount = Amount(PLURAL_COUNT, None, amount.size)  # "eggs and toast": two eggs
            pending.append((food, amount))
            group.append((food, amount))
    if colon_at == 1 and len(pending) - colon_at >= 2:
        pending = pending[1:]  # a dish, then its parts: the parts are what was eaten
    for food, amount in pending:
        items.append(_item(food, amount))
    return MealEstimate(tuple(items), tuple(_dedupe(unknown)))


SPREADS = frozenset({"condiments", "fats"})  # jam, butter: one helping per slice
PLURAL_COUNT = 2.0  # a plural with no number ("eggs", "tacos", "dates"): a couple of them


def _plural_piece(food: Food, part: _Part, start: int, end: int, inflection: Inflection) -> bool:
    """The food is counted in pieces and was written in the plural ("eggs", "samosas", "tacos de
    pollo": the head word, last in English, first in Spanish); its own name is not a plural
    ("oats", "enchiladas")."""
    name = normalise_name(food.name.split(",")[0]).split() or [""]
    first = inflection.head_first
    written, own = (part.tokens[start], name[0]) if first else (part.tokens[end - 1], name[-1])
    return (
        food.default_unit == "piece"
        and inflection.is_plural(written)
        and not own.endswith(inflection.plural_endings)
    )


def _is_times(token: str) -> bool:
    return token.startswith("x") and token[1:].isdigit()


def _reordered(
    spans: list[tuple[int, int, Food]],
    tokens: Sequence[str],
    index: FoodIndex,
    memory: Mapping[tuple[str, ...], Food],
) -> list[tuple[int, int, Food]]:
    """ "tacos with chicken" is "chicken tacos" when that is a name: one food, not two."""
    out: list[tuple[int, int, Food]] = []
    i = 0
    while i < len(spans):
        start, end, food = spans[i]
        if i + 1 < len(spans):
            nxt_start, nxt_end, _ = spans[i + 1]
            between = tokens[end:nxt_start]
            if between and all(t in index.words.reorder for t in between):
                swapped = [*tokens[nxt_start:nxt_end], *tokens[start:end]]
                hit = index.lookup(swapped, 0, memory)
                if hit is not None and hit[0] == len(swapped):
                    out.append((start, nxt_end, hit[1]))
                    i += 2
                    continue
        out.append((start, end, food))
        i += 1
    return out


def _replace(pending: list[tuple[Food, Amount]], food: Food, amount: Amount) -> None:
    for i in range(len(pending) - 1, -1, -1):
        if pending[i][0] is food:
            pending[i] = (food, amount)
            return


def _dedupe(unknown: list[Unknown]) -> list[Unknown]:
    seen: set[str] = set()
    out = []
    for u in unknown:
        if u.text not in seen:
            seen.add(u.text)
            out.append(u)
    return out


def _unknown(phrase: str, amount: Amount, index: FoodIndex) -> Unknown:
    return Unknown(phrase, amount, index)


def _typos_and_database(part: _Part, index: FoodIndex) -> None:
    """Fill a part's foods from typos and exact database names, where no name matched."""
    words = index.words
    taken = [False] * len(part.tokens)
    for start, end, _ in part.foods:
        for i in range(start, end):
            taken[i] = True
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(part.tokens):
        if taken[i] or not _is_content(part.tokens[i], words):
            i += 1
            continue
        j = i
        while j < len(part.tokens) and not taken[j] and _is_content(part.tokens[j], words):
            j += 1
        runs.append((i, j))
        i = j
    found: list[tuple[int, int, Food]] = []
    for start, end in runs:
        phrase = " ".join(part.tokens[start:end])
        food = index.database_match(phrase) if end - start <= 4 else None
        if food is not None:
            found.append((start, end, food))
            continue
        for k in range(start, end):
            typo = index.correct(part.tokens[k])
            if typo is not None:
                found.append((k, k + 1, typo))
    if found:
        part.foods = sorted(part.foods + found, key=lambda f: f[0])


def _is_content(token: str, words: MealWords) -> bool:
    return (
        token not in words.filler
        and token not in words.units
        and token not in words.numbers
        and token not in words.sizes
        and token not in words.each
        and _number(token) is None
        and not (token.startswith("x") and token[1:].isdigit())
    )


def _amount(tokens: Sequence[str], words: MealWords) -> tuple[Amount, list[str]]:
    """An amount written before a food ("2 slices of", "half a", "a big bowl of"), and the rest."""
    count: float | None = None
    unit: str | None = None
    size = 1.0
    rest: list[str] = []
    for token in tokens:
        number = _number(token)
        if token.startswith("x") and token[1:].isdigit():
            count = float(token[1:]) * (count or 1.0)
        elif number is not None:
            if count is not None and count >= 1 and number < 1:
                count += number  # "1 1/2"
            else:
                count = number if count is None or count == 1 else count * number
        elif token in words.numbers:
            value = words.numbers[token]
            if token in words.halves and count is not None and count >= 1 and count != 1:
                count += 0.5  # "2 and half"
            elif count is None or (count == 1 and token not in words.articles):
                count = value if count is None else count * value
            elif token in words.multipliers:
                count *= value
            elif value < 1:
                count *= value  # "a half", "one quarter"
        elif token in words.units:
            unit = words.units[token]
        elif token in words.sizes:
            size *= words.sizes[token]
        else:
            rest.append(token)
    return Amount(count, unit, size), rest


def _grams(food: Food, amount: Amount) -> tuple[float, float, str]:
    """(quantity shown, grams, unit shown) for an amount of a food."""
    count = amount.count if amount.count is not None else 1.0
    unit = amount.unit
    if unit in GRAMS:
        grams = count * GRAMS[unit] * amount.size
        return grams, grams, "g"
    if unit in MILLILITRES:
        ml = count * MILLILITRES[unit] * amount.size
        return ml, ml * food.units.get("ml", 1.0), "ml"
    units = food.units
    if unit is not None:
        weight = _unit_weight(food, unit)
        if weight is not None:
            return count * amount.size, count * weight * amount.size, unit
        # a unit this food has no weight for ("a slice of salmon"): its own portion per unit
        return count * amount.size, count * food.grams * amount.size, "portion"
    if amount.count is not None and "piece" in units and food.default_unit != "piece":
        small = units["piece"] < food.grams  # "10 almonds": ten of them, not ten handfuls
        if small:
            return count * amount.size, count * units["piece"] * amount.size, "piece"
    return count * amount.size, count * food.grams * amount.size, food.default_unit


def _unit_weight(food: Food, unit: str) -> float | None:
    units = food.units
    if unit in units:
        return units[unit]
    if unit == "plate" and food.default_unit == "bowl":
        return units["bowl"]  # a plate of a soup or a stew: a bowl of it
    fallbacks = {
        "mug": ("cup", 1.0),
        "glass": ("cup", 1.0),
        "cup": ("glass", 1.0),
        "bowl": ("serving", 1.0),
        "plate": ("serving", 1.0),
        "serving": ("bowl", 1.0),
        "bottle": ("can", 1.0),
        "can": ("bottle", 1.0),
        "roll": ("piece", 1.0),
        "wrap": ("piece", 1.0),
        "sandwich": ("piece", 1.0),
        "tsp": ("tbsp", 1 / 3),
        "tbsp": ("tsp", 3.0),
    }
    if unit in fallbacks:
        other, factor = fallbacks[unit]
        if other in units:
            return units[other] * factor
    if unit in ("bowl", "plate") and "cup" in units:
        return units["cup"] * (1.5 if unit == "plate" else 1.25)
    if unit in ("mug", "glass", "cup") and "ml" in units:
        return 240 * units["ml"]
    if unit in CONTAINERS and food.default_unit in CONTAINERS:
        return food.grams
    return None


def _item(food: Food, amount: Amount) -> Item:
    quantity, grams, unit = _grams(food, amount)
    capped = False
    if unit == "g" or unit == "ml":
        if grams > MAX_GRAMS:
            quantity, grams, capped = quantity * MAX_GRAMS / grams, MAX_GRAMS, True
    elif quantity > MAX_COUNT:
        grams, quantity, capped = grams * MAX_COUNT / quantity, MAX_COUNT, True
    if unit == "portion" or (unit == food.default_unit and quantity != 1):
        unit = food.default_unit
    return Item(
        food=food,
        quantity=round(quantity, 3),
        unit=unit,
        grams=round(grams, 1),
        mg=round(grams * food.mg_per_gram, 1),
        capped=capped,
    )


def grams_for(food: Food, amount: Amount) -> Item:
    """The item for a food chosen from the options of an unknown part."""
    return _item(food, amount)


@functools.cache
def load_index(language: str = REFERENCE_LANGUAGE) -> FoodIndex:
    """The food index for a language, read once per process (database, names, words).

    A language needs messages/<lang>/meals.toml, ordinary_words.txt and foods/*.toml (the
    translations of messages/en/foods); the USDA database is shared."""
    from nudgebot.features.meals.foods import load_catalog

    ordinary = load_ordinary(language)
    words = MealWords.load(language)
    return FoodIndex(
        load_catalog(
            language,
            common_words=frozenset(ordinary[:COMMON_RANK]),
            portion_words=words.portions,
            records=_database_records(),
            # an English name that is a word of the language is not taken as a food there
            reserved=words.vocabulary | frozenset(ordinary),
            ambiguous=frozenset(words.ambiguous),
        ),
        words,
        ordinary_words=ordinary,
    )


@functools.cache
def _database_records() -> Mapping[str, Record]:
    """The USDA database, read once for every language."""
    from nudgebot.features.meals.foods import load_database

    return load_database()
