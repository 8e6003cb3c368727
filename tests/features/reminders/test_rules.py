"""Reminder kinds' rules: when each is next due, and a typed answer to the evening question."""

from datetime import UTC, datetime, time

import pytest

from nudgebot.features.reminders.rules import (
    EVENING,
    EVENING_DEFAULT,
    WEEKLY,
    next_instant,
    next_weekly_utc,
    read_evening_answer,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("yes", EVENING_DEFAULT),
        ("Yes please!", EVENING_DEFAULT),
        ("sure", EVENING_DEFAULT),
        ("8", time(20)),  # a bare hour at the evening question is the evening
        ("8pm", time(20)),
        ("9:30 pm", time(21, 30)),
        ("half past 8", time(20, 30)),
        ("21h", time(21)),
        ("22:30", time(22, 30)),
        ("no", False),
        ("No thank you", False),
        ("nope.", False),
        ("7am", None),  # a morning time is not an evening reminder
        ("3pm", None),
        ("not", None),
        ("maybe later", None),
        ("hi", None),
    ],
)
def test_a_typed_answer_to_the_evening_question(typed: str, expected: object) -> None:
    assert read_evening_answer(typed) == expected


def test_the_weekly_summary_is_next_sunday_at_the_time_even_from_a_sunday_evening() -> None:
    # Sunday 6 Dec 2026, 10:00 in Berlin: the 08:00 summary of today has passed.
    after = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    assert next_weekly_utc("Europe/Berlin", time(8), after) == datetime(
        2026, 12, 13, 7, 0, tzinfo=UTC
    )
    # Saturday evening: tomorrow.
    saturday = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
    assert next_instant(WEEKLY, zone_key="Europe/Berlin", at=time(8), after=saturday) == datetime(
        2026, 12, 6, 7, 0, tzinfo=UTC
    )


def test_the_evening_reminder_in_a_spring_forward_gap_comes_at_the_first_valid_minute() -> None:
    # Berlin, 29 March 2026: 02:00 jumps to 03:00; a 02:30 reminder comes at 03:00 CEST.
    after = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert next_instant(EVENING, zone_key="Europe/Berlin", at=time(2, 30), after=after) == (
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    )


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown reminder kind"):
        next_instant("monthly", zone_key="UTC", at=time(8), after=datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sí", EVENING_DEFAULT),
        ("si", EVENING_DEFAULT),
        ("Sí, por favor", EVENING_DEFAULT),
        ("vale", EVENING_DEFAULT),
        ("claro", EVENING_DEFAULT),
        ("dale", EVENING_DEFAULT),
        ("de acuerdo", EVENING_DEFAULT),
        ("no", False),
        ("no gracias", False),
        ("No, gracias.", False),
        ("ahora no", False),
        ("no hace falta", False),
        ("mejor no", False),
        ("a las 9", time(21)),
        ("a las 9 de la noche", time(21)),
        ("las 21:30", time(21, 30)),
        ("nueve y media", time(21, 30)),
        ("sí, a las 10", time(22)),
        ("a las 8 de la mañana", None),  # a morning time is not an evening reminder
        ("a las 3 de la tarde", None),
        ("quizas luego", None),
        ("hola", None),
    ],
)
def test_a_typed_answer_to_the_evening_question_in_spanish(typed: str, expected: object) -> None:
    assert read_evening_answer(typed, "es") == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("да", EVENING_DEFAULT),
        ("Да, пожалуйста", EVENING_DEFAULT),
        ("давайте", EVENING_DEFAULT),
        ("конечно", EVENING_DEFAULT),
        ("ок", EVENING_DEFAULT),
        ("нет", False),
        ("нет, спасибо", False),
        ("нет спасибо", False),
        ("не надо", False),
        ("не сейчас", False),
        ("в 9 вечера", time(21)),
        ("в 9", time(21)),
        ("в 21:30", time(21, 30)),
        ("полдесятого", time(21, 30)),
        ("в десять", time(22)),
        ("да, в 9", time(21)),
        ("в 8 утра", None),
        ("в 3 дня", None),
        ("может быть позже", None),
        ("привет", None),
    ],
)
def test_a_typed_answer_to_the_evening_question_in_russian(typed: str, expected: object) -> None:
    assert read_evening_answer(typed, "ru") == expected


@pytest.mark.parametrize(
    ("typed", "language", "expected"),
    [("да", "en", EVENING_DEFAULT), ("no thanks", "ru", False), ("в 9 вечера", "es", time(21))],
)
def test_an_evening_answer_in_another_language_is_read_too(
    typed: str, language: str, expected: object
) -> None:
    assert read_evening_answer(typed, language) == expected
