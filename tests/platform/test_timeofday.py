from collections.abc import Callable
from datetime import time
from pathlib import Path

import pytest

from nudgebot.platform.timeofday import (
    DAY_PARTS,
    TimeReading,
    TimeWordsError,
    format_time,
    load_all,
    parse_time_of_day,
    read_time,
)


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


# Spanish and Russian: the words are messages/es/times.toml and messages/ru/times.toml, the
# rules the same as English. Typed as people type: lower case, accents left out, small typos.
SPANISH_TIMES = [
    ("a las 8", time(8)),
    ("a las 8 de la mañana", time(8)),
    ("a las 8 de la manana", time(8)),
    ("8 de la mañana", time(8)),
    ("A las 8 de la Mañana.", time(8)),
    ("las 7 y media", time(7, 30)),
    ("a las siete y media", time(7, 30)),
    ("ocho y cuarto", time(8, 15)),
    ("a las ocho y cuarto de la tarde", time(20, 15)),
    ("a mediodía", time(12)),
    ("a mediodia", time(12)),
    ("al mediodia", time(12)),
    ("a medianoche", time(0)),
    ("20 hs", time(20)),
    ("20hs", time(20)),
    ("a las 20 horas", time(20)),
    ("a las 20:30", time(20, 30)),
    ("a las 8:30 hs", time(8, 30)),
    ("las 8 menos cuarto", time(7, 45)),
    ("cuarto para las 8", time(7, 45)),
    ("diez para las nueve", time(8, 50)),
    ("a las nueve de la noche", time(21)),
    ("9 de la noche", time(21)),
    ("a las 12 de la noche", time(0)),
    ("a las 3 de la tarde", time(15)),
    ("a las 5 de la madrugada", time(5)),
    ("a las 12 del mediodía", time(12)),
    ("a la 1 del mediodia", time(13)),
    ("7 am", time(7)),
    ("7 a. m.", time(7)),
    ("8 p.m.", time(20)),
    ("a las 8 en punto", time(8)),
    ("sobre las 8", time(8)),
    ("como a las 9", time(9)),
    ("a eso de las 7", time(7)),
    ("tipo 8", time(8)),
    ("8 y pico", time(8)),
    ("a las 8 mas o menos", time(8)),
    ("a la una y media de la tarde", time(13, 30)),
    ("las 10", time(10)),
    ("10 y 10", time(10, 10)),
    ("a las 8 y 30", time(8, 30)),
    ("mejor a las 9 por favor", time(9)),
    ("a las 9, gracias", time(9)),
    ("las siete treinta", time(7, 30)),
    ("ocho treinta", time(8, 30)),
    ("a las veinte", time(20)),
    ("a las veintiuna horas", time(21)),
    ("por la mañana a las 8", time(8)),
    ("a las 8 por la manana", time(8)),
    ("a las 8 de la mañna", time(8)),  # a typo
    ("a las 8 de la tadre", time(20)),  # a typo
    ("0800", time(8)),
]
RUSSIAN_TIMES = [
    ("в 8", time(8)),
    ("в 8 утра", time(8)),
    ("8 утра", time(8)),
    ("В 8 утра.", time(8)),
    ("в 7:30", time(7, 30)),
    ("полвосьмого", time(7, 30)),
    ("в полвосьмого утра", time(7, 30)),
    ("пол восьмого", time(7, 30)),
    ("в половине восьмого", time(7, 30)),
    ("полдевятого вечера", time(20, 30)),
    ("в восемь вечера", time(20)),
    ("в восемь", time(8)),
    ("часов в 9", time(9)),
    ("часиков в 8", time(8)),
    ("около девяти", time(9)),
    ("к 9", time(9)),
    ("в 21:00", time(21)),
    ("в 21.00", time(21)),
    ("в 21-00", time(21)),
    ("в 8-30", time(8, 30)),
    ("в 20 ч", time(20)),
    ("в 9 часов", time(9)),
    ("в 9 часов вечера", time(21)),
    ("в 2 часа дня", time(14)),
    ("в 12 дня", time(12)),
    ("в час дня", time(13)),
    ("в 11 ночи", time(23)),
    ("в 2 ночи", time(2)),
    ("в 12 ночи", time(0)),
    ("в 10 вечера", time(22)),
    ("без четверти восемь", time(7, 45)),
    ("без пятнадцати 9", time(8, 45)),
    ("без десяти восемь", time(7, 50)),
    ("четверть девятого", time(8, 15)),
    ("десять минут девятого", time(8, 10)),
    ("в восемь тридцать", time(8, 30)),
    ("в девятнадцать тридцать", time(19, 30)),
    ("в двадцать ноль ноль", time(20)),
    ("в восемь с половиной", time(8, 30)),
    ("полдень", time(12)),
    ("в полночь", time(0)),
    ("утром в 8", time(8)),
    ("вечером в 9", time(21)),
    ("примерно в 7", time(7)),
    ("где-то в 8", time(8)),
    ("в 8 пожалуйста", time(8)),
    ("давайте в 9", time(9)),
    ("ну в 8 утра", time(8)),
    ("в 8 утра, спасибо", time(8)),
    ("в 7 утра по москве", time(7)),
    ("в 8 ч 30 мин", time(8, 30)),
    ("в 8 часов 30 минут", time(8, 30)),
    ("в восемь часов вечера", time(20)),
    ("в 8 вечра", time(20)),  # a typo
]


@pytest.mark.parametrize(("typed", "expected"), SPANISH_TIMES)
def test_spanish_times_are_read(typed: str, expected: time) -> None:
    assert read_time(typed, "es") == TimeReading(at=expected)


@pytest.mark.parametrize(("typed", "expected"), RUSSIAN_TIMES)
def test_russian_times_are_read(typed: str, expected: time) -> None:
    assert read_time(typed, "ru") == TimeReading(at=expected)


@pytest.mark.parametrize(
    ("typed", "part"),
    [
        ("por la mañana", "morning"),
        ("por la manana", "morning"),
        ("mañana", "morning"),
        ("temprano", "morning"),
        ("en el desayuno", "morning"),
        ("de madrugada", "morning"),
        ("a la hora de comer", "midday"),
        ("en el almuerzo", "midday"),
        ("por la tarde", "afternoon"),
        ("en la tarde", "afternoon"),
        ("tarde", "afternoon"),
        ("despues de comer", "afternoon"),
        ("por la tadre", "afternoon"),  # a typo
        ("despues de cenar", "evening"),
        ("después del trabajo", "evening"),
        ("por la noche", "night"),
        ("noche", "night"),
        ("antes de dormir", "night"),
        ("me da igual", "any"),
        ("cuando sea", "any"),
        ("no sé", "any"),
        ("cualquier hora", "any"),
    ],
)
def test_spanish_parts_of_the_day_offer_their_times(typed: str, part: str) -> None:
    assert read_time(typed, "es") == TimeReading(part=part)


@pytest.mark.parametrize(
    ("typed", "part"),
    [
        ("утром", "morning"),
        ("с утра", "morning"),
        ("рано утром", "morning"),
        ("за завтраком", "morning"),
        ("в обед", "midday"),
        ("перед обедом", "midday"),
        ("днем", "afternoon"),
        ("днём", "afternoon"),
        ("после обеда", "afternoon"),
        ("вечером", "evening"),
        ("по вечерам", "evening"),
        ("после работы", "evening"),
        ("после ужина", "evening"),
        ("поздно вечером", "night"),
        ("перед сном", "night"),
        ("ночью", "night"),
        ("неважно", "any"),
        ("всё равно", "any"),
        ("без разницы", "any"),
        ("когда угодно", "any"),
        ("не знаю", "any"),
        ("как вам удобно", "any"),
    ],
)
def test_russian_parts_of_the_day_offer_their_times(typed: str, part: str) -> None:
    assert read_time(typed, "ru") == TimeReading(part=part)


@pytest.mark.parametrize(
    ("typed", "language"),
    [
        ("7 y 8", "es"),
        ("hola", "es"),
        ("la semana que viene", "es"),
        ("привет", "ru"),
        ("завтра", "ru"),
        ("25:00", "ru"),
        ("в 13 вечера", "ru"),
        ("a las 20 de la mañana", "es"),
    ],
)
def test_what_is_neither_a_time_nor_a_part_of_the_day_in_spanish_or_russian(
    typed: str, language: str
) -> None:
    assert read_time(typed, language) == TimeReading()


@pytest.mark.parametrize(
    ("typed", "language", "expected"),
    [
        ("a las 8 de la mañana", "en", TimeReading(at=time(8))),  # set to English, types Spanish
        ("в 9 вечера", "es", TimeReading(at=time(21))),
        ("8pm", "ru", TimeReading(at=time(20))),
        ("half past 7", "es", TimeReading(at=time(7, 30))),
        ("вечером", "en", TimeReading(part="evening")),
        ("evening", "ru", TimeReading(part="evening")),
        ("8", "de", TimeReading(at=time(8))),  # a language without its words reads as English
    ],
)
def test_a_time_in_another_language_than_the_persons_is_read_too(
    typed: str, language: str, expected: TimeReading
) -> None:
    assert read_time(typed, language) == expected


def test_a_frequent_word_is_never_corrected_into_a_time_word() -> None:
    # "height" is one letter from "eight", "note" from "noche": real words stay as they are.
    assert read_time("height", "en") == TimeReading()
    assert read_time("eighth", "en") == TimeReading()


def test_every_language_has_its_time_words() -> None:
    found = load_all()
    assert set(found) == {"en", "es", "ru"}
    for words in found.values():
        assert set(words.qualifiers) == {"morning", "afternoon", "evening", "night"}
        assert set(words.parts.values()) == set(DAY_PARTS)
        assert words.yes and words.no


def _copy_messages(tmp_path: Path) -> Path:
    for language in ("en", "es", "ru"):
        folder = tmp_path / language
        folder.mkdir()
        (folder / "replies.toml").write_text("", "utf-8")
        source = Path(__file__).resolve().parents[2] / "messages" / language / "times.toml"
        (folder / "times.toml").write_text(source.read_text("utf-8"), "utf-8")
    return tmp_path


def test_a_missing_times_file_stops_the_start_naming_it(tmp_path: Path) -> None:
    messages = _copy_messages(tmp_path)
    (messages / "ru" / "times.toml").unlink()
    with pytest.raises(TimeWordsError, match=r"ru/times\.toml: file not found"):
        load_all(messages)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("[day_parts]", "[parts_of_day]"), "unknown keys"),
        (lambda t: t + '\n[spoken2]\n"x" = 1\n', "unknown keys"),
        (lambda t: t.replace('"{h} y media" = 30', '"y media" = 30'), "one {h} or {n}"),
        (lambda t: t.replace("veinte = 20,", "veinte = 40,"), "from 0 to 24"),
        (lambda t: t.replace('yes = [\n  "si",', 'yes = [\n  "no",'), "in both yes and no"),
        (lambda t: t.replace("night = [", "night = [ 7, "), "non-empty phrases"),
        (lambda t: t.replace("[clock]", "[clock"), "not valid TOML"),
    ],
)
def test_a_malformed_times_file_stops_the_start_naming_it(
    tmp_path: Path, change: Callable[[str], str], message: str
) -> None:
    messages = _copy_messages(tmp_path)
    path = messages / "es" / "times.toml"
    path.write_text(change(path.read_text("utf-8")), "utf-8")
    with pytest.raises(TimeWordsError, match=r"es/times\.toml") as caught:
        load_all(messages)
    assert message in str(caught.value)
