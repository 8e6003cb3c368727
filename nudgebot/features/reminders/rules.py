"""Reminder kinds beside the daily tip, and when each is next due (UTC, by the person's clock)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from nudgebot.features.subscribers.timezones import zone_for
from nudgebot.features.tips.schedule import next_due_utc, occurrence
from nudgebot.platform.timeofday import MORNING, read_clock, read_yes_no

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


# Evening reminders are evening times: a typed one outside this window is not taken.
EVENING_EARLIEST = time(16, 0)


def read_evening_answer(text: str, language: str = "en") -> time | bool | None:
    """A typed answer to "remind you in the evening?" (the buttons are the usual way): a time to
    remind at, False for "no", None when it is neither.

    "yes" means the default time; a bare hour means the evening ("8" is 20:00). The words are
    messages/<lang>/times.toml [evening_answer]; the person's language is read first, then the
    others ("да", "sí, vale", "no gracias", "в 9 вечера", "a las 9").
    """
    answer = read_yes_no(text, language)
    if answer is False:
        return False
    if answer is True:
        return EVENING_DEFAULT
    clock = read_clock(text, language)
    if clock is None:
        return None
    at = clock.at
    says_am = clock.qualifier == MORNING
    if at.hour < 12 and not says_am and time(at.hour + 12, at.minute) >= EVENING_EARLIEST:
        at = time(at.hour + 12, at.minute)
    return at if at >= EVENING_EARLIEST else None
