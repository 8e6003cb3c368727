"""Read a meal written in plain words and estimate its magnesium from the food table.

"oatmeal with almonds and a banana", "2 slices whole wheat toast, peanut butter",
"½ cup spinach, 100 g salmon", "a handful of cashews": the text is split into parts at commas,
"and", "with", "plus"; each part may start with a quantity (digits, fractions, number words) and a
unit; the rest is matched against the table's names and synonyms, longest phrase first, then with
RapidFuzz for small typos. What matches nothing is reported, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz, process

GRAMS_PER_OZ = 28.35
# Typo matching is for food names: longer phrases are sentences, and matching them guesses.
MAX_FUZZY_WORDS = 4
MAX_FUZZY_CHARS = 40
GLASS_ML = 250.0
# "200 bananas" is a typo or a joke: counts are capped, and the reply says so.
MAX_QUANTITY = 50.0
MAX_BY_UNIT = {"g": 3000.0, "kg": 3.0, "oz": 100.0, "ml": 5000.0, "l": 5.0}

UNIT_ALIASES: dict[str, str] = {
    "g": "g",
    "gr": "g",
    "gram": "g",
    "grams": "g",
    "gm": "g",
    "gms": "g",
    "kg": "kg",
    "kilo": "kg",
    "kilos": "kg",
    "oz": "oz",
    "ounce": "oz",
    "ounces": "oz",
    "ml": "ml",
    "millilitre": "ml",
    "milliliter": "ml",
    "millilitres": "ml",
    "milliliters": "ml",
    "l": "l",
    "litre": "l",
    "liter": "l",
    "litres": "l",
    "liters": "l",
    "cup": "cup",
    "cups": "cup",
    "c": "cup",
    "tbsp": "tbsp",
    "tablespoon": "tbsp",
    "tablespoons": "tbsp",
    "tbs": "tbsp",
    "tbl": "tbsp",
    "tsp": "tsp",
    "teaspoon": "tsp",
    "teaspoons": "tsp",
    "slice": "slice",
    "slices": "slice",
    "handful": "handful",
    "handfuls": "handful",
    "piece": "piece",
    "pieces": "piece",
    "pc": "piece",
    "pcs": "piece",
    "bowl": "bowl",
    "bowls": "bowl",
    "packet": "packet",
    "packets": "packet",
    "sachet": "packet",
    "sachets": "packet",
    "can": "can",
    "cans": "can",
    "tin": "can",
    "tins": "can",
    "glass": "glass",
    "glasses": "glass",
    "square": "square",
    "squares": "square",
    "fillet": "fillet",
    "fillets": "fillet",
    "filet": "fillet",
    "filets": "fillet",
    "serving": "serving",
    "servings": "serving",
    "portion": "portion",
    "portions": "portion",
    "plate": "serving",
    "plates": "serving",
    "scoop": "tbsp",
    "scoops": "tbsp",
    "mug": "cup",
    "mugs": "cup",
}
NUMBER_WORDS: dict[str, float] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
    "half": 0.5,
    "quarter": 0.25,
    "couple": 2,
    "few": 3,
    "several": 3,
    "single": 1,
    "double": 2,
    "some": 1,
}
UNICODE_FRACTIONS = {"½": ".5", "¼": ".25", "¾": ".75", "⅓": ".333", "⅔": ".667", "⅛": ".125"}
FILLER = {
    "of",
    "the",
    "my",
    "some",
    "with",
    "and",
    "i",
    "had",
    "ate",
    "have",
    "just",
    "for",
    "breakfast",
    "lunch",
    "dinner",
    "snack",
    "today",
    "this",
    "morning",
    "evening",
    "a",
    "an",
    "bit",
    "little",
    "large",
    "big",
    "small",
    "medium",
    "mini",
    "fresh",
    "plain",
    "cooked",
    "raw",
    "homemade",
    "bowl",
    "plate",
    "cup",
    "glass",
    "piece",
    "slice",
    "then",
    "also",
    "plus",
    "in",
    "on",
    "at",
    "to",
    "it",
    "was",
    "were",
    "about",
    "around",
    "approx",
    "approximately",
    "x",
    "me",
    "we",
    "our",
    "nice",
    "yummy",
    "delicious",
    "quick",
    "tasty",
    "lots",
    "lot",
}
# How it was cooked says nothing about its magnesium here.
FILLER |= {
    "stir",
    "fry",
    "fried",
    "grilled",
    "baked",
    "roasted",
    "steamed",
    "boiled",
    "sauteed",
    "mashed",
    "sliced",
    "chopped",
    "toasted",
    "sticks",
    "warm",
    "cold",
    "hot",
    "leftover",
}
_SPLIT = re.compile(
    r"\s*(?:[,;\n+&]|\band then\b|\bthen\b|\band\b|\bwith\b|\bplus\b|"
    r"\balong with\b|\btopped with\b|\bon top of\b)\s*"
)
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)(?:\s*/\s*(\d+))?")
_GLUED = re.compile(r"^(\d+(?:\.\d+)?)([a-z]+)$")


@dataclass(frozen=True, slots=True)
class Food:
    """A row of the food table (messages/foods.toml)."""

    id: str
    name: str
    portion: str
    grams: float
    mg: float
    synonyms: tuple[str, ...]
    units: Mapping[str, float]
    default_unit: str
    source: str
    category: str = ""
    vitamin_k_rich: bool = False

    @property
    def mg_per_gram(self) -> float:
        """Magnesium density."""
        return self.mg / self.grams


@dataclass(frozen=True, slots=True)
class Item:
    """One food recognised in a meal, with the portion assumed."""

    food: Food
    quantity: float
    unit: str  # g, oz, ml, a unit of the food's, or "portion"
    grams: float
    mg: float
    capped: bool = False

    @property
    def portion_text(self) -> str:
        """'2 slices (64 g)', '1/2 cup (86 g)', '2 × 1/2 cup (86 g), 172 g', '100 g'."""
        qty = f"{self.quantity:g}"
        if self.unit == "g":
            return f"{qty} g"
        if self.unit == "portion":
            shown = (
                self.food.portion
                if "g)" in self.food.portion
                else (f"{self.food.portion} ({self.food.grams:g} g)")
            )
            return shown if self.quantity == 1 else f"{qty} × {shown}, {self.grams:.0f} g"
        unit = self.unit
        if self.quantity > 1 and unit not in ("oz", "ml", "l", "tbsp", "tsp"):
            unit += "es" if unit.endswith(("s", "ch", "sh")) else "s"
        return f"{qty} {unit} ({self.grams:.0f} g)"


@dataclass(frozen=True, slots=True)
class MealEstimate:
    """What a check-in text adds up to."""

    items: tuple[Item, ...]
    unknown: tuple[str, ...]

    @property
    def total_mg(self) -> float:
        """Sum of the items' magnesium."""
        return sum(i.mg for i in self.items)


@dataclass
class FoodTable:
    """Synonym index over the foods, built once."""

    foods: Sequence[Food]
    _by_phrase: dict[str, Food] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for food in self.foods:
            for phrase in (food.name, *food.synonyms):
                key = normalise(phrase)
                if key and key not in self._by_phrase:
                    self._by_phrase[key] = food

    @cached_property
    def _phrases(self) -> list[str]:
        return list(self._by_phrase)

    @cached_property
    def _first_words(self) -> frozenset[str]:
        """The first word of every name of two words or more."""
        return frozenset(p.split()[0] for p in self._by_phrase if " " in p)

    @cached_property
    def _max_words(self) -> int:
        return max((len(p.split()) for p in self._by_phrase), default=1)

    def exact(self, phrase: str) -> Food | None:
        """The food a phrase names exactly (after normalising, plural -s tolerated)."""
        food = self._by_phrase.get(phrase)
        if food is None and phrase.endswith("es"):
            food = self._by_phrase.get(phrase[:-2])
        if food is None and phrase.endswith("s"):
            food = self._by_phrase.get(phrase[:-1])
        return food

    def fuzzy(self, phrase: str) -> Food | None:
        """The food a phrase names with a small typo, if one stands out."""
        if len(phrase) < 4 or len(phrase) > MAX_FUZZY_CHARS or phrase.count(" ") >= MAX_FUZZY_WORDS:
            return None  # a sentence is not a misspelt food name
        best = process.extractOne(phrase, self._phrases, scorer=fuzz.ratio, score_cutoff=85)
        return self._by_phrase[best[0]] if best else None

    def find_all(self, words: list[str]) -> tuple[list[tuple[int, Food]], list[str]]:
        """Foods named in a word list (longest phrases first), and the words left over."""
        used = [False] * len(words)
        found: list[tuple[int, Food]] = []
        for size in range(min(self._max_words, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if size > 1 and words[start] not in self._first_words:
                    continue
                if any(used[start : start + size]):
                    continue
                food = self.exact(" ".join(words[start : start + size]))
                if food is not None:
                    found.append((start, food))
                    for i in range(start, start + size):
                        used[i] = True
        leftover = [w for w, u in zip(words, used, strict=True) if not u]
        return sorted(found, key=lambda f: f[0]), leftover


def normalise(text: str) -> str:
    """Lower case, no accents, fractions as decimals, punctuation as spaces."""
    for symbol, value in UNICODE_FRACTIONS.items():
        if symbol not in text:
            continue
        fraction = float(value)

        def mixed(m: re.Match[str], fraction: float = fraction) -> str:
            return f"{int(m[1]) + fraction:g}"

        text = re.sub(rf"(\d+)\s*{symbol}", mixed, text)
        text = text.replace(symbol, f" 0{value} ")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[^\w\s.,;/&+\n'-]", " ", text)
    text = re.sub(r"(?<=\D)\.|\.(?=\D|$)", ",", text)  # a full stop ends a part; 1.5 stays
    text = text.replace("'", "").replace("-", " ")
    # "1 and a half" / "one and a half" before "and" splits the text into parts
    if "and a half" in text:
        text = re.sub(r"\b(\d+) and a half\b", lambda m: f"{int(m[1]) + 0.5:g}", text)
        for word, whole in (("one", 1), ("two", 2), ("three", 3)):
            text = re.sub(rf"\b{word} and a half\b", f"{whole + 0.5:g}", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _quantity(words: list[str]) -> tuple[float | None, str | None, list[str]]:
    """Leading quantity and unit of a part, and the words after them."""
    qty: float | None = None
    unit: str | None = None
    rest = list(words)
    if rest:
        glued = _GLUED.match(rest[0])
        if glued and glued[2] in UNIT_ALIASES:
            qty, unit = float(glued[1]), UNIT_ALIASES[glued[2]]
            rest = rest[1:]
        else:
            number = _NUMBER.match(rest[0])
            if number and number.end() == len(rest[0]) and float(number[2] or 1):
                qty = float(number[1]) / (float(number[2]) if number[2] else 1.0)
                rest = rest[1:]
                fraction = _NUMBER.match(rest[0]) if rest and not number[2] else None
                whole = fraction is not None and fraction.end() == len(rest[0])
                if fraction and whole and fraction[2] and float(fraction[2]):  # "1 1/2"
                    qty += float(fraction[1]) / float(fraction[2])
                    rest = rest[1:]
            elif rest[0] in NUMBER_WORDS:
                qty = NUMBER_WORDS[rest[0]]
                rest = rest[1:]
                # "a couple of", "half a", "a few", "a dozen"
                while rest and rest[0] in ("couple", "few", "dozen", "half", "a", "an", "of"):
                    if rest[0] in ("couple", "few", "dozen"):
                        qty = NUMBER_WORDS[rest[0]]
                    elif rest[0] == "half":
                        qty = 0.5 if qty == 1 else qty + 0.5
                    rest = rest[1:]
            if (
                qty is not None
                and len(rest) > 2
                and rest[0] in ("and", "half")
                and rest[1] in ("a", "half")
            ):  # "1 and a half cups"
                qty += 0.5
                rest = [w for w in rest[2:] if w != "half"] if rest[1] == "a" else rest[2:]
    if rest and rest[0] in UNIT_ALIASES and (qty is not None or rest[0] not in ("c", "l")):
        unit = UNIT_ALIASES[rest[0]]
        rest = rest[1:]
        if qty is None:
            qty = 1.0
    while rest and rest[0] == "of":
        rest = rest[1:]
    return qty, unit, rest


def _grams(food: Food, qty: float, unit: str | None, *, counted: bool = False) -> tuple[float, str]:
    """Grams for a quantity of a food, and the unit actually used.

    `counted`: the person wrote a number without a unit ("10 almonds"), so pieces are meant
    where the food has them.
    """
    if unit == "g":
        return qty, "g"
    if unit == "kg":
        return qty * 1000, "g"
    if unit == "oz":
        return qty * GRAMS_PER_OZ, "oz"
    if unit == "glass" and "glass" in food.units:
        return qty * food.units["glass"], unit
    if unit in ("ml", "l", "glass"):
        ml = qty * (1000 if unit == "l" else GLASS_ML if unit == "glass" else 1)
        if "ml" in food.units:
            return ml * food.units["ml"], unit
        if "cup" in food.units:
            return ml / 240 * food.units["cup"], unit
        return ml, unit
    if unit == "portion" or (unit is None and food.default_unit == "portion"):
        return qty * food.grams, "portion"
    if unit is not None and unit in food.units:
        return qty * food.units[unit], unit
    if unit is None and counted and "piece" in food.units:
        return qty * food.units["piece"], "piece"  # "10 almonds": ten of them
    if unit is None and food.default_unit in food.units:
        return qty * food.units[food.default_unit], food.default_unit
    # a unit this food has no weight for ("a slice of salmon"): the reference portion per unit
    return qty * food.grams, "portion"


def estimate_meal(text: str, table: FoodTable) -> MealEstimate:
    """Foods, portions and magnesium in a meal description; unrecognised parts listed."""
    items: list[Item] = []
    unknown: list[str] = []
    for part in _SPLIT.split(normalise(text[:2000])):
        words = part.split()
        if not words:
            continue
        qty, unit, rest = _quantity(words)
        found, leftover = table.find_all(rest)
        if not found:
            phrase = " ".join(w for w in rest if w not in FILLER)
            food = table.fuzzy(phrase) if phrase else None
            if food is not None:
                found, leftover = [(0, food)], []
        significant = [w for w in leftover if w not in FILLER and not w.isdigit()]
        if significant and found:
            # "spinnach salad": a typo of one longer name beats a shorter exact match in it
            whole = table.fuzzy(" ".join(w for w in rest if w not in FILLER))
            if whole is not None and all(f is not whole for _, f in found):
                found, significant = [(0, whole)], []
        if significant and found:
            # a typo next to a known food ("bannana and oats" split oddly): try it alone
            typo_food = table.fuzzy(" ".join(significant))
            if typo_food is not None:
                found.append((len(rest), typo_food))
                significant = []
        trailing_unit = next((UNIT_ALIASES[w] for w in leftover if w in UNIT_ALIASES), None)
        significant = [w for w in significant if w not in UNIT_ALIASES]
        for index, (_, food) in enumerate(found):
            amount = qty if index == 0 and qty is not None else 1.0
            used_unit = unit if index == 0 else None
            if used_unit is None and index == 0 and trailing_unit is not None:
                used_unit = trailing_unit  # "a salmon fillet", "oatmeal bowl"
            limit = MAX_BY_UNIT.get(used_unit or "", MAX_QUANTITY)
            capped = amount > limit
            amount = min(amount, limit)
            counted = index == 0 and qty is not None and unit is None and used_unit is None
            grams, shown_unit = _grams(food, amount, used_unit, counted=counted)
            items.append(
                Item(
                    food,
                    amount,
                    shown_unit,
                    round(grams, 1),
                    round(grams * food.mg_per_gram, 1),
                    capped,
                )
            )
        if significant:
            unknown.append(" ".join(significant))
        elif not found and rest:
            unknown.append(" ".join(rest))
    return MealEstimate(tuple(items), tuple(dict.fromkeys(unknown)))
