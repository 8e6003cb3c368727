from datetime import UTC, date, datetime, time, timedelta

import pytest

from nudgebot.features.tips.schedule import (
    MAX_LATENESS,
    DueDecision,
    decide_due,
    local_date_of,
    next_due_utc,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_next_due_is_later_today_when_the_time_has_not_passed() -> None:
    assert next_due_utc("Europe/Berlin", time(8), utc(2026, 11, 25, 6, 0)) == utc(2026, 11, 25, 7)


def test_next_due_is_tomorrow_once_the_time_has_passed() -> None:
    assert next_due_utc("Europe/Berlin", time(8), utc(2026, 11, 25, 7, 0)) == utc(2026, 11, 26, 7)


def test_new_york_summer_and_winter_offsets() -> None:
    assert next_due_utc("America/New_York", time(8), utc(2026, 7, 1)) == utc(2026, 7, 1, 12)
    assert next_due_utc("America/New_York", time(8), utc(2026, 1, 1)) == utc(2026, 1, 1, 13)


def test_new_york_spring_forward_gap_sends_at_first_valid_minute() -> None:
    # 2026-03-08 02:00 EST -> 03:00 EDT: 02:30 does not exist that day.
    due = next_due_utc("America/New_York", time(2, 30), utc(2026, 3, 8, 0))
    assert due == utc(2026, 3, 8, 7, 0)  # 03:00 EDT
    # and the day after it is 02:30 EDT again
    assert next_due_utc("America/New_York", time(2, 30), due) == utc(2026, 3, 9, 6, 30)


def test_new_york_fall_back_fold_sends_once() -> None:
    # 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 happens twice.
    first = next_due_utc("America/New_York", time(1, 30), utc(2026, 11, 1, 0))
    assert first == utc(2026, 11, 1, 5, 30)  # 01:30 EDT, the first occurrence
    following = next_due_utc("America/New_York", time(1, 30), first)
    assert following == utc(2026, 11, 2, 6, 30)  # not 06:30Z the same night (01:30 EST)
    assert local_date_of(following, "America/New_York") == date(2026, 11, 2)


def test_london_spring_forward_and_fall_back() -> None:
    # 2026-03-29 01:00 GMT -> 02:00 BST
    assert next_due_utc("Europe/London", time(1, 15), utc(2026, 3, 28, 23)) == utc(2026, 3, 29, 1)
    # 2026-10-25 02:00 BST -> 01:00 GMT: 01:15 twice
    first = next_due_utc("Europe/London", time(1, 15), utc(2026, 10, 24, 23))
    assert first == utc(2026, 10, 25, 0, 15)
    assert next_due_utc("Europe/London", time(1, 15), first) == utc(2026, 10, 26, 1, 15)


def test_sydney_dst_in_the_southern_hemisphere() -> None:
    # 2026-04-05 03:00 AEDT -> 02:00 AEST: 02:30 twice; 2026-10-04 02:00 -> 03:00: 02:30 missing.
    first = next_due_utc("Australia/Sydney", time(2, 30), utc(2026, 4, 4, 14))
    assert first == utc(2026, 4, 4, 15, 30)  # 02:30 AEDT (+11)
    assert next_due_utc("Australia/Sydney", time(2, 30), first) == utc(2026, 4, 5, 16, 30)
    gap = next_due_utc("Australia/Sydney", time(2, 30), utc(2026, 10, 3, 14))
    assert gap == utc(2026, 10, 3, 16, 0)  # 03:00 AEDT, first valid minute
    assert next_due_utc("Australia/Sydney", time(7), utc(2026, 1, 10)) == utc(2026, 1, 10, 20)
    assert next_due_utc("Australia/Sydney", time(7), utc(2026, 7, 10)) == utc(2026, 7, 10, 21)


@pytest.mark.parametrize("zone", ["Asia/Kathmandu", "UTC+05:45"])
def test_kathmandu_quarter_hour_offset(zone: str) -> None:
    assert next_due_utc(zone, time(8), utc(2026, 6, 1)) == utc(2026, 6, 1, 2, 15)
    # 00:10 local on 2 June is 18:25 UTC on 1 June
    assert next_due_utc(zone, time(0, 10), utc(2026, 6, 1, 18, 20)) == utc(2026, 6, 1, 18, 25)
    assert next_due_utc(zone, time(0, 10), utc(2026, 6, 1, 18, 30)) == utc(2026, 6, 2, 18, 25)


def test_consecutive_dues_fall_on_consecutive_local_dates_across_a_year() -> None:
    for zone in ("America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kathmandu"):
        for at in (time(0, 30), time(1, 30), time(2, 30), time(8), time(23, 59)):
            due = next_due_utc(zone, at, utc(2026, 1, 1))
            for _ in range(366):
                nxt = next_due_utc(zone, at, due)
                assert local_date_of(nxt, zone) - local_date_of(due, zone) == timedelta(days=1)
                due = nxt


def _decide(
    due: datetime, now: datetime, *, active: bool = True, last: date | None = None
) -> DueDecision:
    return decide_due(
        due_at=due, now=now, zone_key="Europe/Berlin", active=active, last_tip_date=last
    ).decision


def test_on_time_tip_is_sent() -> None:
    due = utc(2026, 11, 25, 7)
    assert _decide(due, due + timedelta(seconds=20)) is DueDecision.SEND


def test_catch_up_sends_up_to_three_hours_late_and_skips_after() -> None:
    due = utc(2026, 11, 25, 7)
    assert _decide(due, due + MAX_LATENESS) is DueDecision.SEND
    assert _decide(due, due + MAX_LATENESS + timedelta(seconds=1)) is DueDecision.TOO_LATE


def test_never_twice_on_the_same_local_date() -> None:
    due = utc(2026, 11, 25, 7)
    assert _decide(due, due, last=date(2026, 11, 25)) is DueDecision.ALREADY_SENT
    assert _decide(due, due, last=date(2026, 11, 24)) is DueDecision.SEND


def test_inactive_subscribers_are_skipped() -> None:
    due = utc(2026, 11, 25, 7)
    assert _decide(due, due, active=False) is DueDecision.NOT_ACTIVE
