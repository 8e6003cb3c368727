"""Read the local time of day a person types (their daily tip, their evening reminder).

The words are data, one file per language: messages/<lang>/times.toml (hour and minute words,
spoken forms such as "half past 7", "las 7 y media", "полвосьмого", parts of the day, politeness
and approximation words, yes and no). The rules that combine them are here, the same for every
language. A text is read in the person's language first, then in the others (people mix
languages), then once more with misspelt words corrected ("tadre" -> "tarde").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from rapidfuzz import process
from rapidfuzz.distance import OSA

from nudgebot.platform.i18n import load_word_file

MESSAGES_DIR = Path(__file__).resolve().parents[2] / "messages"
REFERENCE_LANGUAGE = "en"
FILE_NAME = "times.toml"

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

# What a part of the day said with a time does to the hour (times.toml [qualifiers]):
# morning: before noon ("8am", "8 de la mañana", "8 утра"; 12 is midnight);
# afternoon: after noon ("8pm", "8 in the evening", "2 дня"; 12 is noon);
# evening: after noon, 12 is midnight ("10 tonight", "12 вечера");
# night: 12 is midnight, 1 to 5 before dawn, 6 to 11 in the evening ("2 ночи", "11 ночи").
QUALIFIERS = (MORNING, AFTERNOON, EVENING, NIGHT)
_DAWN = 6
# A misspelt word this long is corrected when it is one edit from exactly one word of the file.
_MIN_TYPO_LETTERS = 4
# Minutes in a spoken form with a number ("las 8 y 10", "без 5 восемь") are whole fives: "7 y 8"
# is two hours, not 7:08.
_SPOKEN_MINUTE_STEP = 5


class TimeWordsError(Exception):
    """A times.toml is missing or malformed; the text names the file and the entry."""


@dataclass(frozen=True, slots=True)
class TimeReading:
    """A typed tip time: one time, a part of the day to pick a time in, or neither."""

    at: time | None = None
    part: str | None = None


@dataclass(frozen=True, slots=True)
class ClockReading:
    """A typed time and the part of the day said with it ("morning" for "7am"), if any."""

    at: time
    qualifier: str | None = None


def strip_marks(text: str) -> str:
    """Text without accents ("mañana" -> "manana", "ё" -> "е"), keeping "й"."""
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            if char == "\u0306" and out and out[-1] in "иИ":
                out[-1] = "й" if out[-1] == "и" else "Й"
            continue
        out.append(char)
    return "".join(out)


def _fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: how phrases are compared."""
    text = strip_marks(text.strip().casefold().replace("’", "'"))
    return re.sub(r"[\s.,!?¡¿]+", " ", text).strip()


def _normalise(text: str) -> str:
    """A typed time as the patterns read it: lower case, no accents, single spaces."""
    text = strip_marks(text.strip().casefold().replace("’", "'"))
    text = re.sub(r"(?<=\d),(?=\d\d\b)", ":", text)  # "8,30"
    text = re.sub(r"[,¡¿]", " ", text)
    return re.sub(r"\s+", " ", text).strip().rstrip(".!?").strip()


def _phrase(text: str) -> str:
    """A phrase as a pattern: a space is any run of spaces, a dot or an apostrophe may be left
    out ("a.m." matches "am", "o'clock" matches "oclock")."""
    parts = []
    for char in text:
        if char == " ":
            parts.append(r"\s+")
        elif char in ".'":
            parts.append(re.escape(char) + "?")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _any_of(phrases: Iterable[str]) -> str:
    """One pattern for several phrases, the longest tried first; never matches when empty."""
    unique = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "|".join(_phrase(p) for p in unique) if unique else r"(?!x)x"


def _group_of(match: re.Match[str], prefix: str) -> str | None:
    for name in QUALIFIERS:
        if match.group(f"{prefix}{name}") is not None:
            return name
    return None


@dataclass(frozen=True, slots=True)
class Spoken:
    """A spoken form of a time: a phrase with {h} (the hour), or {n} (the next hour, as in
    "полвосьмого"), and maybe {m} (minutes); `offset` is the minutes from that hour: a number,
    "+m", "-m" or "m-60"."""

    phrase: str
    offset: int | str
    pattern: re.Pattern[str]


_T = TypeVar("_T")


@dataclass(frozen=True)
class TimeWords:
    """The words of one language for reading a time of day (messages/<lang>/times.toml)."""

    language: str
    at: tuple[str, ...]
    separators: tuple[str, ...]
    hour_units: tuple[str, ...]
    minute_units: tuple[str, ...]
    on_the_hour: tuple[str, ...]
    noon: frozenset[str]
    midnight: frozenset[str]
    articles: tuple[str, ...]
    qualifiers: Mapping[str, tuple[str, ...]]
    hours: Mapping[str, int]
    minutes: Mapping[str, int]
    next_hours: Mapping[str, int]
    spoken_forms: Mapping[str, int | str]
    approximate_before: tuple[str, ...]
    approximate_after: tuple[str, ...]
    polite_before: tuple[str, ...]
    polite_after: tuple[str, ...]
    parts: Mapping[str, str]  # phrase -> part of the day
    yes: frozenset[str]
    no: frozenset[str]
    thanks: tuple[str, ...]
    # built from the words above
    vocabulary: frozenset[str] = field(init=False)
    _time: re.Pattern[str] = field(init=False)
    _words_time: re.Pattern[str] = field(init=False)
    _military: re.Pattern[str] = field(init=False)
    _approximate: re.Pattern[str] = field(init=False)
    _polite_before: re.Pattern[str] = field(init=False)
    _polite_after: re.Pattern[str] = field(init=False)
    _spoken: tuple[Spoken, ...] = field(init=False)

    def __post_init__(self) -> None:
        at = _any_of(self.at)
        qualifier_after = "|".join(
            f"(?P<a_{name}>{_any_of(self.qualifiers.get(name, ()))})" for name in QUALIFIERS
        )
        qualifier_before = "|".join(
            f"(?P<b_{name}>{_any_of(self.qualifiers.get(name, ()))})" for name in QUALIFIERS
        )
        every_qualifier = _any_of(p for ps in self.qualifiers.values() for p in ps)
        separators = "|".join([r"[:.]", *(_phrase(s) for s in self.separators)])
        hour_units = _any_of(self.hour_units)
        minute_units = _any_of(self.minute_units)
        units = _any_of((*self.hour_units, *self.minute_units))
        lead = rf"^(?:(?:{qualifier_before})\s+)?(?:(?:{at})\s+)?"
        object.__setattr__(
            self,
            "_time",
            re.compile(
                lead + r"(?P<h>\d{1,2})"
                rf"(?:(?P<sep>\s*(?:{separators})\s*)(?P<m>\d{{2}})(?:\s*(?:{units}))?"
                rf"|\s*(?:{hour_units})(?:\s*(?:(?P<m2>\d{{2}})(?:\s*(?:{minute_units}))?"
                rf"|(?P<m3>\d)\s*(?:{minute_units})))?)?"
                rf"(?:\s*(?:{_any_of(self.on_the_hour)}))?"
                rf"\s*(?:{qualifier_after})?$"
            ),
        )
        object.__setattr__(
            self,
            "_words_time",
            re.compile(
                rf"^(?P<pre>(?:(?:{every_qualifier})\s+)?(?:(?:{at})\s+)?)"
                rf"(?P<h>{_any_of(self.hours)})(?:\s+(?P<m>{_any_of(self.minutes)}))?"
                rf"(?P<rest>(?:\s+(?:{hour_units}|{_any_of(self.on_the_hour)}))?"
                rf"(?:\s*(?:{every_qualifier}))?)$"
            ),
        )
        # "0800", "2030": four digits, the 24-hour clock
        object.__setattr__(self, "_military", re.compile(r"^(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)$"))
        object.__setattr__(
            self,
            "_approximate",
            re.compile(
                rf"^(?:(?:{at})\s+)?(?:{_any_of(self.approximate_before)})\s*"
                rf"|\s*(?:{_any_of(self.approximate_after)})$"
            ),
        )
        object.__setattr__(
            self, "_polite_before", re.compile(rf"^(?:(?:{_any_of(self.polite_before)})\s+)+")
        )
        object.__setattr__(
            self, "_polite_after", re.compile(rf"(?:\s*(?:{_any_of(self.polite_after)}))+$")
        )
        slots = {
            "h": rf"(?P<h>\d{{1,2}}|{_any_of(self.hours)})",
            "n": rf"(?P<n>{_any_of(self.next_hours)})",
            "m": rf"(?P<m>\d{{1,2}}|{_any_of((*self.minutes, *self.hours))})",
        }
        spoken = []
        for phrase, offset in sorted(self.spoken_forms.items(), key=lambda kv: -len(kv[0])):
            body = "".join(
                slots[piece[1]] if piece in ("{h}", "{n}", "{m}") else _phrase(piece)
                for piece in re.split(r"(\{[hnm]\})", phrase)
                if piece
            )
            pattern = re.compile(
                rf"^(?P<pre>(?:(?:{every_qualifier})\s+)?)(?:(?:{at})\s+)?{body}(?P<rest>.*)$"
            )
            spoken.append(Spoken(phrase, offset, pattern))
        object.__setattr__(self, "_spoken", tuple(spoken))
        words: set[str] = set()
        for phrases in (
            self.at,
            self.hour_units,
            self.minute_units,
            self.on_the_hour,
            self.noon,
            self.midnight,
            self.hours,
            self.minutes,
            self.next_hours,
            self.approximate_before,
            self.approximate_after,
            self.polite_before,
            self.polite_after,
            self.parts,
            *self.qualifiers.values(),
            *(re.sub(r"\{[hnm]\}", " ", p) for p in self.spoken_forms),
        ):
            for phrase in phrases:
                words.update(w for w in re.split(r"[\s.'-]+", phrase) if w)
        object.__setattr__(self, "vocabulary", frozenset(words))

    # -- reading -----------------------------------------------------------------------------

    def _plain(self, raw: str) -> str:
        """An answer without politeness, number words as digits ("seven thirty pm" -> "7:30 pm",
        "a las ocho" -> "a las 8:00")."""
        raw = self._polite_after.sub("", self._polite_before.sub("", raw)).strip()
        m = self._words_time.match(raw)
        if m is not None:
            minute = self._number(self.minutes, m["m"]) if m["m"] else 0
            return f"{m['pre']}{self._number(self.hours, m['h'])}:{minute:02d}{m['rest']}"
        m = self._military.match(raw)
        if m is not None:
            return f"{m['h']}:{m['m']}"
        return raw

    @staticmethod
    def _number(table: Mapping[str, int], word: str) -> int:
        """A number word's value, whatever spacing or dots it was typed with."""
        if word in table:
            return table[word]
        squeezed = re.sub(r"\s+", " ", word)
        for key, value in table.items():
            if re.fullmatch(_phrase(key), squeezed):
                return value
        raise KeyError(word)

    def _slot(self, word: str) -> int:
        if word.isdigit():
            return int(word)
        for table in (self.minutes, self.hours, self.next_hours):
            try:
                return self._number(table, word)
            except KeyError:
                continue
        raise KeyError(word)

    def _spoken_as_digits(self, raw: str) -> str:
        """Spoken forms as digits ("half past 7" -> "7:30", "полвосьмого" -> "7:30"), an
        approximate time as that time ("around 9", "9ish"); anything else unchanged."""
        raw = self._approximate.sub("", raw).strip()
        for form in self._spoken:
            m = form.pattern.match(raw)
            if m is None:
                continue
            slots = m.groupdict()
            hour = self._slot(slots.get("h") or slots["n"])
            minutes = 0
            if slots.get("m") is not None:
                minutes = self._slot(slots["m"])
                if not 1 <= minutes <= 59:
                    continue
                if slots["m"].isdigit() and minutes % _SPOKEN_MINUTE_STEP:
                    continue
            offset = form.offset
            if offset == "+m":
                delta = minutes
            elif offset == "-m":
                delta = -minutes
            elif offset == "m-60":
                delta = minutes - 60
            else:
                delta = int(offset)
            if delta < 0 and not 1 <= hour <= 24:
                return raw
            total = hour * 60 + delta
            new_hour, minute = divmod(total, 60)
            rest = m["rest"]
            if new_hour == 0 and delta < 0 and rest.strip():
                new_hour = 12  # "quarter to 1 pm" is 12:45 pm; "quarter to 1" is 00:45
            return f"{m['pre']}{new_hour}:{minute:02d}{rest}"
        return raw

    def clock(self, text: str) -> ClockReading | None:
        """The time a text names in this language, or None."""
        raw = _normalise(text)
        if not raw:
            return None
        special = self._noon_or_midnight(raw)
        if special is not None:
            return ClockReading(special)
        raw = self._plain(raw)
        special = self._noon_or_midnight(raw)  # "noon please"; "around noon" is a part of the day
        if special is not None:
            return ClockReading(special)
        raw = self._plain(self._spoken_as_digits(raw))
        m = self._time.match(raw)
        if m is None:
            return None
        hour = int(m["h"])
        minute = int(m["m"] or m["m2"] or m["m3"] or 0)
        if minute > 59 or (m["sep"] and not m["sep"].strip() and minute % _SPOKEN_MINUTE_STEP):
            return None  # "8 30" is 8:30, "7 12" is not a time
        after, before = _group_of(m, "a_"), _group_of(m, "b_")
        if after and before and after != before:
            return None
        qualifier = after or before
        if qualifier is not None:
            if not 1 <= hour <= 12:
                return None
            hour = _with_qualifier(hour, qualifier)
        elif hour > 23:
            return None
        return ClockReading(time(hour, minute), qualifier)

    def _noon_or_midnight(self, raw: str) -> time | None:
        folded = _fold(raw)
        if folded in self.noon:
            return time(12, 0)
        if folded in self.midnight:
            return time(0, 0)
        return None

    def part(self, text: str) -> str | None:
        """'morning', 'after breakfast', 'por la tarde', 'вечером'... -> the part of the day."""
        typed = _fold(text)
        for folded in (typed, _fold(self._plain(typed))):
            found = self.parts.get(folded)
            if found is not None:
                return found
            for article in self.articles:
                if folded.startswith(article + " "):
                    found = self.parts.get(folded.removeprefix(article + " "))
                    if found is not None:
                        return found
        return None

    def corrected(self, text: str) -> str:
        """The text with each misspelt word that is one edit from exactly one word of this
        file corrected ("tadre" -> "tarde"); the text itself when nothing is."""
        words = _normalise(text).split(" ")
        changed = False
        ordinary = _ordinary_words(self.language)
        for i, word in enumerate(words):
            if (
                len(word) < _MIN_TYPO_LETTERS
                or word in self.vocabulary
                or word in ordinary  # "height" is not a misspelt "eight"
                or not word.isalpha()
            ):
                continue
            near = process.extract(
                word, self.vocabulary, scorer=OSA.distance, score_cutoff=1, limit=3
            )
            near = [n for n in near if len(n[0]) >= _MIN_TYPO_LETTERS and n[0][0] == word[0]]
            if len(near) == 1:
                words[i] = near[0][0]
                changed = True
        return " ".join(words) if changed else text

    def answer(self, text: str) -> bool | None:
        """A typed yes (True) or no (False) to the evening-reminder question, or None."""
        folded = _answer_fold(text)
        trimmed = folded
        for thanks in self.thanks:
            trimmed = trimmed.removesuffix(" " + thanks)
        trimmed = trimmed.strip() or folded
        if trimmed in self.no:
            return False
        if trimmed in self.yes:
            return True
        return None

    # -- loading -----------------------------------------------------------------------------

    @classmethod
    def load(
        cls, language: str = REFERENCE_LANGUAGE, messages_dir: Path = MESSAGES_DIR
    ) -> TimeWords:
        """Read and check messages/<lang>/times.toml; a missing or malformed file raises
        TimeWordsError naming it (the start stops)."""
        return load_word_file(
            messages_dir / language / FILE_NAME,
            TimeWordsError,
            lambda data: cls._from_data(language, data),
        )

    @classmethod
    def _from_data(cls, language: str, data: Mapping[str, Any]) -> TimeWords:
        _known(data, "", _SECTIONS)
        clock = _table(data, "clock")
        _known(clock, "clock", _CLOCK_KEYS)
        qualifiers = _table(data, "qualifiers")
        _exactly(qualifiers, "qualifiers", QUALIFIERS)
        numbers = _table(data, "numbers")
        _known(numbers, "numbers", ("hours", "minutes", "next_hours"))
        parts_table = _table(data, "day_parts")
        _exactly(parts_table, "day_parts", tuple(DAY_PARTS))
        approximate = _table(data, "approximate")
        _exactly(approximate, "approximate", ("before", "after"))
        polite = _table(data, "polite")
        _exactly(polite, "polite", ("before", "after"))
        evening = _table(data, "evening_answer")
        _exactly(evening, "evening_answer", ("yes", "no", "thanks"))

        parts: dict[str, str] = {}
        for part in DAY_PARTS:
            for phrase in _phrases(parts_table, part, "day_parts"):
                if parts.setdefault(phrase, part) != part:
                    raise ValueError(
                        f"[day_parts] {phrase!r} is in both {parts[phrase]} and {part}"
                    )
        quals = {name: tuple(_phrases(qualifiers, name, "qualifiers")) for name in QUALIFIERS}
        seen: dict[str, str] = {}
        for name, phrases in quals.items():
            for phrase in phrases:
                if seen.setdefault(phrase, name) != name:
                    raise ValueError(
                        f"[qualifiers] {phrase!r} is in both {seen[phrase]} and {name}"
                    )
        yes = frozenset(_phrases(evening, "yes", "evening_answer", answer=True))
        no = frozenset(_phrases(evening, "no", "evening_answer", answer=True))
        both = sorted(yes & no)
        if both:
            raise ValueError(f"[evening_answer] {both} are in both yes and no")
        spoken = _table(data, "spoken")
        spoken_forms: dict[str, int | str] = {}
        for phrase, offset in spoken.items():
            spoken_forms[_fold_phrase(phrase)] = _spoken_offset(phrase, offset)
        return cls(
            language=language,
            at=tuple(_phrases(clock, "at", "clock")),
            separators=tuple(_phrases(clock, "separators", "clock", raw=True)),
            hour_units=tuple(_phrases(clock, "hour_units", "clock")),
            minute_units=tuple(_phrases(clock, "minute_units", "clock")),
            on_the_hour=tuple(_phrases(clock, "on_the_hour", "clock")),
            noon=frozenset(_fold(p) for p in _phrases(clock, "noon", "clock")),
            midnight=frozenset(_fold(p) for p in _phrases(clock, "midnight", "clock")),
            articles=tuple(_phrases(clock, "articles", "clock")),
            qualifiers=quals,
            hours=_numbers(numbers, "hours", 0, 24),
            minutes=_numbers(numbers, "minutes", 0, 59),
            next_hours=_numbers(numbers, "next_hours", 1, 24),
            spoken_forms=spoken_forms,
            approximate_before=tuple(_phrases(approximate, "before", "approximate")),
            approximate_after=tuple(_phrases(approximate, "after", "approximate")),
            polite_before=tuple(_phrases(polite, "before", "polite")),
            polite_after=tuple(_phrases(polite, "after", "polite")),
            parts={_fold(k): v for k, v in parts.items()},
            yes=yes,
            no=no,
            thanks=tuple(_phrases(evening, "thanks", "evening_answer", answer=True)),
        )


_SECTIONS = (
    "clock",
    "qualifiers",
    "numbers",
    "spoken",
    "approximate",
    "polite",
    "day_parts",
    "evening_answer",
)
_CLOCK_KEYS = (
    "at",
    "separators",
    "hour_units",
    "minute_units",
    "on_the_hour",
    "noon",
    "midnight",
    "articles",
)


def _with_qualifier(hour: int, qualifier: str) -> int:
    """A 1-12 hour said with a part of the day, on the 24-hour clock."""
    if qualifier == MORNING:
        return hour % 12
    if qualifier == AFTERNOON:
        return hour % 12 + 12
    if hour == 12:
        return 0  # "12 at night", "12 ночи": midnight
    if qualifier == NIGHT and hour < _DAWN:
        return hour  # "2 ночи": two in the morning
    return hour + 12


def _answer_fold(text: str) -> str:
    """A yes or no as compared: lower case, no accents, punctuation as spaces."""
    text = strip_marks(text.casefold().replace("’", "'"))
    return " ".join(re.sub(r"[^\w:' ]+", " ", text).split())


def _fold_phrase(text: str) -> str:
    """A phrase of times.toml as typed text is normalised (accents off, lower case)."""
    return re.sub(r"\s+", " ", strip_marks(text.strip().casefold().replace("’", "'")))


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"[{key}]: a table is needed")
    return value


def _known(table: Mapping[str, Any], where: str, keys: Sequence[str]) -> None:
    unknown = sorted(set(table) - set(keys))
    if unknown:
        name = f"[{where}] " if where else ""
        raise ValueError(f"{name}unknown keys {unknown} (known: {list(keys)})")


def _exactly(table: Mapping[str, Any], where: str, keys: Sequence[str]) -> None:
    _known(table, where, keys)
    missing = [k for k in keys if k not in table]
    if missing:
        raise ValueError(f"[{where}] missing keys {missing}")


def _phrases(
    table: Mapping[str, Any], key: str, where: str, *, raw: bool = False, answer: bool = False
) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(
        isinstance(v, str) and (v if raw else v.strip()) for v in value
    ):
        raise ValueError(f"[{where}] {key}: a list of non-empty phrases is needed")
    if raw:
        return [v.casefold() for v in value]
    if answer:
        return [_answer_fold(v) for v in value]
    return [_fold_phrase(v) for v in value]


def _numbers(table: Mapping[str, Any], key: str, low: int, high: int) -> dict[str, int]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"[numbers.{key}]: a table of words -> numbers is needed")
    out = {}
    for word, number in value.items():
        if not isinstance(number, int) or isinstance(number, bool) or not low <= number <= high:
            raise ValueError(f"[numbers.{key}] {word!r}: a whole number from {low} to {high}")
        out[_fold_phrase(word)] = number
    return out


def _spoken_offset(phrase: str, offset: object) -> int | str:
    slots = re.findall(r"\{([^}]*)\}", phrase)
    if sorted(slots) not in (["h"], ["n"], ["h", "m"], ["m", "n"]):
        raise ValueError(
            f"[spoken] {phrase!r}: one {{h}} or {{n}} (the hour), and at most one {{m}}"
        )
    if isinstance(offset, bool) or not isinstance(offset, (int, str)):
        raise ValueError(f'[spoken] {phrase!r}: minutes from the hour, or "+m", "-m", "m-60"')
    if isinstance(offset, str):
        if offset not in ("+m", "-m", "m-60") or "m" not in slots:
            raise ValueError(f'[spoken] {phrase!r} = {offset!r}: "+m", "-m" or "m-60" need {{m}}')
    elif "m" in slots or not -59 <= offset <= 59 or offset == 0:
        raise ValueError(f"[spoken] {phrase!r}: minutes from -59 to 59 (not 0), without {{m}}")
    return offset


@cache
def _ordinary_words(language: str) -> frozenset[str]:
    """The language's frequent words (messages/<lang>/ordinary_words.txt): never "corrected"."""
    path = MESSAGES_DIR / language / "ordinary_words.txt"
    try:
        lines = path.read_text("utf-8").splitlines()
    except FileNotFoundError:
        return frozenset()
    return frozenset(_fold(w) for w in lines if w.strip() and not w.startswith("#"))


# -- every language --------------------------------------------------------------------------


def languages(messages_dir: Path = MESSAGES_DIR) -> tuple[str, ...]:
    """The languages of messages/ (a folder with a replies.toml), the reference first."""
    found = sorted(p.parent.name for p in messages_dir.glob("*/replies.toml"))
    return tuple(sorted(found, key=lambda lang: lang != REFERENCE_LANGUAGE))


@cache
def time_words(language: str = REFERENCE_LANGUAGE) -> TimeWords:
    """One language's words, read once per process."""
    return TimeWords.load(language)


def load_all(messages_dir: Path = MESSAGES_DIR) -> dict[str, TimeWords]:
    """Every language's words, checked: called at start so a bad file stops it."""
    if messages_dir == MESSAGES_DIR:
        return {lang: time_words(lang) for lang in languages(messages_dir)}
    return {lang: TimeWords.load(lang, messages_dir) for lang in languages(messages_dir)}


@cache
def _known_languages() -> tuple[str, ...]:
    return languages()


def _in_order(language: str) -> list[TimeWords]:
    """The person's language first, then the others (an unknown one reads as the reference)."""
    known = _known_languages()
    first = language if language in known else REFERENCE_LANGUAGE
    return [time_words(first), *(time_words(lang) for lang in known if lang != first)]


def _first(language: str, text: str, read: Callable[[TimeWords, str], _T | None]) -> _T | None:
    """The first reading: in the person's language, then the others; then the same again with
    misspelt words corrected."""
    for lenient in (False, True):
        for words in _in_order(language):
            typed = words.corrected(text) if lenient else text
            if lenient and typed == text:
                continue
            found = read(words, typed)
            if found is not None:
                return found
    return None


def _readings(words: TimeWords, text: str) -> TimeReading | None:
    clock = words.clock(text)
    if clock is not None:
        return TimeReading(at=clock.at)
    part = words.part(text)
    return TimeReading(part=part) if part is not None else None


def read_clock(text: str, language: str = REFERENCE_LANGUAGE) -> ClockReading | None:
    """The time a text names, with the part of the day said with it ("7am": morning)."""
    return _first(language, text, TimeWords.clock)


def parse_time_of_day(text: str, language: str = REFERENCE_LANGUAGE) -> time | None:
    """Recognise '8:30', '08:30', '8.30', '20h15', '8:30pm', '8 pm', '7', '8 o'clock', 'half past
    7', 'quarter to 8', 'around 9', '9ish', 'a las 8 de la mañana', 'в 7:30', 'полвосьмого'...;
    else None.

    A bare hour is read on the 24-hour clock ('8' and '8 o'clock' are 08:00), as the buttons show.
    """
    clock = read_clock(text, language)
    return clock.at if clock is not None else None


def day_part(text: str, language: str = REFERENCE_LANGUAGE) -> str | None:
    """'morning', 'after breakfast', 'por la noche', 'в обед'... -> the part of the day."""
    return _first(language, text, TimeWords.part)


def read_time(text: str, language: str = REFERENCE_LANGUAGE) -> TimeReading:
    """A typed answer to "what time?": a time, or a part of the day to offer times for."""
    return _first(language, text, _readings) or TimeReading()


def read_yes_no(text: str, language: str = REFERENCE_LANGUAGE) -> bool | None:
    """A typed yes (True) or no (False), in the person's language first, or None."""
    for words in _in_order(language):
        found = words.answer(text)
        if found is not None:
            return found
    return None


def format_time(value: time) -> str:
    """24-hour HH:MM, the one way the bot shows a tip time."""
    return f"{value.hour:02d}:{value.minute:02d}"
