"""When a subscriber's daily tip is due, in UTC, by their own wall clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import Enum

from nudgebot.features.subscribers.timezones import zone_for

# A tip later than this (after downtime) is skipped rather than sent at an odd hour.
MAX_LATENESS = timedelta(hours=3)


def _exists(local: datetime, zone: tzinfo) -> bool:
    """False for a wall time inside a spring-forward gap."""
    round_trip = local.astimezone(UTC).astimezone(zone)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def occurrence(day: date, at: time, zone: tzinfo) -> datetime:
    """The instant (UTC) of wall time `at` on `day`.

    A time that happens twice (autumn fall-back) is taken at its first occurrence; a time that does
    not exist (spring-forward gap) moves to the first minute that does.
    """
    local = datetime.combine(day, at, tzinfo=zone)  # fold=0: first occurrence
    if not _exists(local, zone):
        probe = local.replace(second=0, microsecond=0)
        for _ in range(24 * 60):
            probe = (probe.replace(tzinfo=None) + timedelta(minutes=1)).replace(tzinfo=zone)
            if _exists(probe, zone):
                local = probe
                break
    return local.astimezone(UTC)


def next_due_utc(zone_key: str, at: time, after: datetime) -> datetime:
    """The first tip instant strictly after `after`, never twice on one local date."""
    zone = zone_for(zone_key)
    local_day = after.astimezone(zone).date()
    for offset in range(3):
        candidate = occurrence(local_day + timedelta(days=offset), at, zone)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a daily time recurs within three days")


def local_date_of(instant: datetime, zone_key: str) -> date:
    """The subscriber's calendar date at an instant."""
    return instant.astimezone(zone_for(zone_key)).date()


class DueDecision(Enum):
    SEND = "send"
    TOO_LATE = "too_late"  # more than MAX_LATENESS behind: skip, wait for the next one
    ALREADY_SENT = "already_sent"  # this local date already had its tip
    NOT_ACTIVE = "not_active"  # paused, stopped or blocked


@dataclass(frozen=True, slots=True)
class DueCheck:
    """What to do with a subscriber whose tip instant has come."""

    decision: DueDecision
    local_date: date


def decide_due(
    *,
    due_at: datetime,
    now: datetime,
    zone_key: str,
    active: bool,
    last_tip_date: date | None,
) -> DueCheck:
    """Send, or skip and say why; the caller moves next_due_utc on either way."""
    local_date = local_date_of(due_at, zone_key)
    if not active:
        return DueCheck(DueDecision.NOT_ACTIVE, local_date)
    if last_tip_date is not None and last_tip_date >= local_date:
        return DueCheck(DueDecision.ALREADY_SENT, local_date)
    if now - due_at > MAX_LATENESS:
        return DueCheck(DueDecision.TOO_LATE, local_date)
    return DueCheck(DueDecision.SEND, local_date)
