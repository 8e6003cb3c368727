from datetime import time

import pytest

from nudgebot.domain.clock import format_time, parse_time_of_day


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("8:30", time(8, 30)),
        ("08:30", time(8, 30)),
        ("8.30", time(8, 30)),
        ("20h15", time(20, 15)),
        ("8:30pm", time(20, 30)),
        ("8:30 PM", time(20, 30)),
        ("8:30 p.m.", time(20, 30)),
        ("8pm", time(20, 0)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("12:15am", time(0, 15)),
        ("7", time(7, 0)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("noon", time(12, 0)),
    ],
)
def test_parse_time_of_day_accepts_common_spellings(typed: str, expected: time) -> None:
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize("typed", ["", "24:00", "8:60", "13pm", "0am", "eight", "8:3", "tomorrow"])
def test_parse_time_of_day_rejects_non_times(typed: str) -> None:
    assert parse_time_of_day(typed) is None


def test_format_time_is_24_hour_with_leading_zero() -> None:
    assert format_time(time(7, 5)) == "07:05"
