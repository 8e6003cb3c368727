from datetime import time

import pytest

from nudgebot.platform.timeofday import DAY_PARTS, format_time, parse_time_of_day, read_time


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
        ("Midday", time(12, 0)),
        ("8 oclock", time(8, 0)),  # a bare hour is 24-hour, like "8" and the buttons
        ("8 o'clock", time(8, 0)),
        ("8 o’clock", time(8, 0)),
        ("20 o'clock", time(20, 0)),
        ("8 in the evening", time(20, 0)),
        ("7 in the morning", time(7, 0)),
        ("10 at night", time(22, 0)),
        ("12 at night", time(0, 0)),
    ],
)
def test_parse_time_of_day_accepts_common_spellings(typed: str, expected: time) -> None:
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "24:00",
        "8:60",
        "13pm",
        "0am",
        "thirteen",
        "8:3",
        "tomorrow",
        "13 in the evening",
        "morning",
    ],
)
def test_parse_time_of_day_rejects_non_times(typed: str) -> None:
    assert parse_time_of_day(typed) is None


@pytest.mark.parametrize(
    ("typed", "part"),
    [
        ("morning", "morning"),
        ("In the morning", "morning"),
        ("after breakfast", "morning"),
        ("lunchtime", "midday"),
        ("afternoon", "afternoon"),
        ("evening", "evening"),
        ("after dinner", "evening"),
        ("night", "night"),
        ("before bed", "night"),
        ("Morning!", "morning"),
    ],
)
def test_a_part_of_the_day_is_read_as_that_part(typed: str, part: str) -> None:
    assert read_time(typed).part == part and read_time(typed).at is None


def test_morning_offers_six_to_nine() -> None:
    assert DAY_PARTS["morning"] == (time(6), time(7), time(8), time(9))
    assert all(t.hour >= 18 for t in DAY_PARTS["evening"])


# "whenever" and "eight" were here: one now offers the usual times, the other is 08:00.
@pytest.mark.parametrize("typed", ["tomorrow", "next week", "thirteen"])
def test_neither_a_time_nor_a_part_of_the_day_reads_as_nothing(typed: str) -> None:
    assert read_time(typed) == read_time("")
    assert read_time(typed).at is None and read_time(typed).part is None


def test_format_time_is_24_hour_with_leading_zero() -> None:
    assert format_time(time(7, 5)) == "07:05"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("half past 7", time(7, 30)),
        ("quarter past 8", time(8, 15)),
        ("quarter to 8", time(7, 45)),
        ("quarter to 8 pm", time(19, 45)),
        ("quarter to 1 pm", time(12, 45)),
        ("around 9", time(9)),
        ("9ish", time(9)),
        ("about 8-ish", time(8)),
        ("at around 7:30", time(7, 30)),
    ],
)
def test_spoken_and_approximate_times_are_read(typed: str, expected: time) -> None:
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize("typed", ["half to 8", "quarter past", "around", "ish"])
def test_broken_spoken_times_are_not_guessed(typed: str) -> None:
    assert parse_time_of_day(typed) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7h", time(7)),
        ("19h", time(19)),
        ("8pm please", time(20)),
        ("8 pm is fine", time(20)),
        ("maybe 7", time(7)),
        ("eight", time(8)),
        ("seven thirty", time(7, 30)),
        ("seven thirty pm", time(19, 30)),
        ("ten forty-five", time(10, 45)),
        ("0800", time(8)),
        ("2030", time(20, 30)),
    ],
)
def test_times_in_words_with_politeness_or_as_four_digits_are_read(
    typed: str, expected: time
) -> None:
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize("typed", ["whenever", "any time", "doesn't matter", "idk", "up to you"])
def test_no_preference_offers_the_usual_times(typed: str) -> None:
    reading = read_time(typed)
    assert reading.at is None and reading.part is not None
    assert len(DAY_PARTS[reading.part]) >= 4


@pytest.mark.parametrize("typed", ["2400", "7 or 8", "ok", "please", "thirteen"])
def test_what_is_not_one_time_is_not_guessed(typed: str) -> None:
    assert read_time(typed).at is None
