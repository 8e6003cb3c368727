"""Parse the local time of day a person types for their daily tip."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

_TIME = re.compile(
    r"^(?:at\s+)?(?P<h>\d{1,2})(?:\s*[:.h]\s*(?P<m>\d{2})|h)?\s*"
    r"(?:(?P<ampm>[ap]\.?\s*m\.?)|o\s*['’]?\s*clock|(?P<part>in the morning|in the (?:afternoon|"
    r"evening)|at night|tonight))?$",
    re.IGNORECASE,
)

MORNING = "morning"
MIDDAY = "midday"
AFTERNOON = "afternoon"
EVENING = "evening"
NIGHT = "night"
ANY = "any"  # "whenever", "doesn't matter": the usual times
# A part of the day -> the times offered for it on buttons.
DAY_PARTS: dict[str, tuple[time, ...]] = {
    MORNING: tuple(time(h) for h in (6, 7, 8, 9)),
    MIDDAY: (time(12), time(12, 30), time(13), time(13, 30)),
    AFTERNOON: tuple(time(h) for h in (14, 15, 16, 17)),
    EVENING: tuple(time(h) for h in (18, 19, 20, 21)),
    NIGHT: tuple(time(h) for h in (21, 22, 23)),
    ANY: tuple(time(h) for h in (7, 8, 9, 12, 18, 20)),
}
# How people name a part of the day when asked for a time (folded: lower case, no punctuation).
_PART_WORDS: dict[str, str] = {
    **dict.fromkeys(
        (
            "morning",
            "mornings",
            "in the morning",
            "early",
            "early morning",
            "breakfast",
            "at breakfast",
            "after breakfast",
            "before breakfast",
            "before work",
            "when i wake up",
            "am",
        ),
        MORNING,
    ),
    **dict.fromkeys(
        ("lunch", "lunchtime", "lunch time", "at lunch", "before lunch", "around noon"), MIDDAY
    ),
    **dict.fromkeys(
        ("afternoon", "afternoons", "in the afternoon", "after lunch", "pm"), AFTERNOON
    ),
    **dict.fromkeys(
        (
            "evening",
            "evenings",
            "in the evening",
            "after work",
            "dinner",
            "dinnertime",
            "at dinner",
            "after dinner",
            "before dinner",
            "tonight",
        ),
        EVENING,
    ),
    **dict.fromkeys(
        ("night", "at night", "late", "before bed", "bedtime", "before sleep", "late evening"),
        NIGHT,
    ),
    **dict.fromkeys(
        (
            "whenever",
            "any time",
            "anytime",
            "any",
            "doesn't matter",
            "doesnt matter",
            "don't mind",
            "dont mind",
            "i don't mind",
            "i dont mind",
            "you choose",
            "you pick",
            "up to you",
            "not sure",
            "dunno",
            "idk",
        ),
        ANY,
    ),
}
# Words around an answer that change nothing: "8pm please", "maybe 7", "morning is fine".
_POLITE_BEFORE = re.compile(r"^(?:maybe|perhaps|probably|say|let'?s say|like|how about|ideally)\s+")
_POLITE_AFTER = re.compile(
    r"\s*(?:please|pls|plz|thanks|thank you|is fine|is good|is ok|is okay|works|would be "
    r"(?:great|good|nice|fine)|if possible|ok|okay)$"
)
_HOUR_WORDS = {
    w: n
    for n, w in enumerate(
        [
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ],
        start=1,
    )
}
_MINUTE_WORDS = {"fifteen": 15, "thirty": 30, "forty five": 45, "forty-five": 45, "o'clock": 0}
_WORDS_TIME = re.compile(
    r"^(?P<h>" + "|".join(_HOUR_WORDS) + r")(?:\s+(?P<m>fifteen|thirty|forty[ -]five|o'clock))?"
    r"(?P<rest>(?:\s*(?:[ap]\.?\s*m\.?|in the (?:morning|afternoon|evening)|at night|tonight))?)$"
)
# "0800", "2030": four digits, the 24-hour clock
_MILITARY = re.compile(r"^(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)$")


def _plain(raw: str) -> str:
    """An answer without politeness, number words as digits ("seven thirty pm" -> "7:30 pm")."""
    raw = _POLITE_AFTER.sub("", _POLITE_BEFORE.sub("", raw)).strip()
    m = _WORDS_TIME.match(raw)
    if m is not None:
        minute = _MINUTE_WORDS.get((m["m"] or "o'clock").replace("-", " "), 0)
        return f"{_HOUR_WORDS[m['h']]}:{minute:02d}{m['rest']}"
    m = _MILITARY.match(raw)
    if m is not None:
        return f"{m['h']}:{m['m']}"
    return raw


_NOON = frozenset({"noon", "midday", "at noon", "12 noon", "mid day"})
_AFTER_NOON_PARTS = ("afternoon", "evening", "night", "tonight")


@dataclass(frozen=True, slots=True)
class TimeReading:
    """A typed tip time: one time, a part of the day to pick a time in, or neither."""

    at: time | None = None
    part: str | None = None


def _fold(text: str) -> str:
    return re.sub(r"[\s.,!?]+", " ", text.strip().casefold().replace("’", "'")).strip()


# "around 9", "about 8ish", "~7": an approximate hour is that hour.
_APPROXIMATE = re.compile(r"^(?:at\s+)?(?:around|about|approx(?:imately)?|roughly|~)\s*|\s*-?ish$")
# "half past 7", "quarter past 8", "quarter to 8 pm" -> "7:30", "8:15", "7:45 pm".
_SPOKEN = re.compile(
    r"^(?:at\s+)?(?P<what>half|quarter|a quarter)\s+(?P<rel>past|after|to|till)\s+"
    r"(?P<h>\d{1,2})(?P<rest>.*)$"
)


def _spoken(raw: str) -> str:
    """Spoken forms of a time as digits ("half past 7" -> "7:30"); anything else unchanged."""
    raw = _APPROXIMATE.sub("", raw).strip()
    m = _SPOKEN.match(raw)
    if m is None:
        return raw
    hour = int(m["h"])
    if m["rel"] in ("to", "till"):
        if m["what"] == "half" or not 1 <= hour <= 24:
            return raw
        # "quarter to 1 pm" is 12:45 pm; on the 24-hour clock "quarter to 1" is 00:45.
        hour = 12 if hour == 1 and m["rest"].strip() else (hour - 1) % 24
        minute = 45
    else:
        minute = 30 if m["what"] == "half" else 15
    return f"{hour}:{minute:02d}{m['rest']}"


def parse_time_of_day(text: str) -> time | None:
    """Recognise '8:30', '08:30', '8.30', '20h15', '8:30pm', '8 pm', '7', '8 o'clock', 'half past
    7', 'quarter to 8', 'around 9', '9ish'; else None.

    A bare hour is read on the 24-hour clock ('8' and '8 o'clock' are 08:00), as the buttons show.
    """
    raw = re.sub(r"\s+", " ", text.strip().casefold().replace("’", "'")).rstrip(".!")
    if _fold(raw) in _NOON:
        return time(12, 0)
    raw = _plain(_spoken(_plain(raw)))
    m = _TIME.match(raw)
    if m is None:
        return None
    hour, minute = int(m["h"]), int(m["m"] or 0)
    if minute > 59:
        return None
    if m["ampm"] or m["part"]:
        if not 1 <= hour <= 12:
            return None
        pm = m["ampm"].startswith("p") if m["ampm"] else m["part"].endswith(_AFTER_NOON_PARTS)
        hour = hour % 12 + (12 if pm else 0)
        if hour == 12 and m["part"] in ("at night", "tonight"):
            hour = 0  # "12 at night" is midnight
    elif hour > 23:
        return None
    return time(hour, minute)


def day_part(text: str) -> str | None:
    """'morning', 'after breakfast', 'before bed'... -> the part of the day; None otherwise."""
    folded = _plain(_fold(text))
    return _PART_WORDS.get(folded) or _PART_WORDS.get(folded.removeprefix("the "))


def read_time(text: str) -> TimeReading:
    """A typed answer to "what time?": a time, or a part of the day to offer times for."""
    at = parse_time_of_day(text)
    if at is not None:
        return TimeReading(at=at)
    return TimeReading(part=day_part(text))


def format_time(value: time) -> str:
    """24-hour HH:MM, the one way the bot shows a tip time."""
    return f"{value.hour:02d}:{value.minute:02d}"
