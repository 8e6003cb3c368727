"""Reminder kinds beside the daily tip, and when each is next due (UTC, by the person's clock)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from nudgebot.features.subscribers.timezones import zone_for
from nudgebot.features.tips.schedule import next_due_utc, occurrence
from nudgebot.platform.timeofday import read_time

EVENING = "evening"  # "you haven't checked in today" at the person's evening time
WEEKLY = "weekly"  # the Sunday summary, at the tip time

EVENING_DEFAULT = time(20, 0)
EVENING_TIMES: tuple[time, ...] = tuple(time(h) for h in (18, 19, 20, 21, 22))
# Evening reminders in a row nobody acted on before they stop by themselves (and say so once).
MAX_IGNORED = 5
SUNDAY = 6  # datetime.weekday()
# A reminder later than this after its instant (the bot was down) is skipped, not sent late:
# "you haven't checked in today" at 2 a.m. helps nobody.
MAX_LATENESS = timedelta(hours=2)


def next_weekly_utc(zone_key: str, at: time, after: datetime, weekday: int = SUNDAY) -> datetime:
    """The first `weekday` at wall time `at` strictly after `after` (DST gaps and folds as tips)."""
    zone = zone_for(zone_key)
    local_day = after.astimezone(zone).date()
    for offset in range(15):
        day = local_day + timedelta(days=offset)
        if day.weekday() != weekday:
            continue
        candidate = occurrence(day, at, zone)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a weekday recurs within two weeks")


def next_instant(kind: str, *, zone_key: str, at: time, after: datetime) -> datetime:
    """When a kind is next due: evening every day at `at`, weekly on Sunday at `at`."""
    if kind == EVENING:
        return next_due_utc(zone_key, at, after)
    if kind == WEEKLY:
        return next_weekly_utc(zone_key, at, after)
    raise ValueError(f"unknown reminder kind {kind!r}")


# A typed answer to "remind you in the evening?" (the buttons are the usual way).
_YES = frozenset(
    {
        "yes",
        "y",
        "yeah",
        "yep",
        "yup",
        "sure",
        "ok",
        "okay",
        "please",
        "yes please",
        "sounds good",
        "why not",
        "ok sure",
        "go ahead",
        "default",
        "the default",
    }
)
_NO = frozenset(
    {
        "no",
        "n",
        "nope",
        "nah",
        "no thanks",
        "no thank you",
        "not now",
        "skip",
        "off",
        "no need",
        "don't",
        "dont",
        "never",
    }
)
_WORDS = re.compile(r"[^\w:' ]+")
# Evening reminders are evening times: a typed one outside this window is not taken.
EVENING_EARLIEST = time(16, 0)


def read_evening_answer(text: str) -> time | bool | None:
    """A typed answer: a time to remind at, False for "no", None when it is neither.

    "yes" means the default time; a bare hour means the evening ("8" is 20:00).
    """
    folded = " ".join(_WORDS.sub(" ", text.casefold().replace("’", "'")).split())
    folded = folded.removesuffix(" thanks").removesuffix(" thank you").strip() or folded
    if folded in _NO:
        return False
    if folded in _YES:
        return EVENING_DEFAULT
    at = read_time(text).at
    if at is None:
        return None
    says_am = re.search(r"(?:\d|\b)\s*a\.?\s*m\b|morning", text.casefold()) is not None
    if at.hour < 12 and not says_am and time(at.hour + 12, at.minute) >= EVENING_EARLIEST:
        at = time(at.hour + 12, at.minute)
    return at if at >= EVENING_EARLIEST else None
