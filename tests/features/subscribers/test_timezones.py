from datetime import UTC, datetime, timedelta

import pytest

from nudgebot.features.subscribers.timezones import (
    local_now,
    offset_key,
    read_timezone,
    zone_for,
)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  America/New_York ", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("Berlin", "Europe/Berlin"),
        ("New York", "America/New_York"),
        ("new york", "America/New_York"),
        ("Munich", "Europe/Berlin"),
        ("Mumbai", "Asia/Kolkata"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("Sydney", "Australia/Sydney"),
        ("Kathmandu", "Asia/Kathmandu"),
        ("Nice", "Europe/Paris"),  # an ordinary word, and a big enough town
        ("UTC", "UTC"),
        ("CET", "Europe/Berlin"),
    ],
)
def test_read_timezone_recognises_names_and_cities(typed: str, zone: str) -> None:
    match = read_timezone(typed).match
    assert match is not None
    assert match.key == zone


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("UTC+2", "UTC+02:00"),
        ("utc-5", "UTC-05:00"),
        ("GMT+5:45", "UTC+05:45"),
        ("+05:30", "UTC+05:30"),
        ("UTC −3", "UTC-03:00"),
        ("UTC+14", "UTC+14:00"),
        ("utc+0", "UTC+00:00"),
    ],
)
def test_read_timezone_reads_utc_offsets_as_fixed_offsets(typed: str, key: str) -> None:
    match = read_timezone(typed).match
    assert match is not None and match.key == key


@pytest.mark.parametrize("typed", ["", "hello", "yes", "asdfgh", "UTC+15", "UTC+5:75", "x" * 200])
def test_read_timezone_rejects_what_it_cannot_place(typed: str) -> None:
    assert read_timezone(typed).match is None


@pytest.mark.parametrize(
    "typed",
    ["hola", "Hola!", "hi", "hello", "ok", "yes", "thanks", "bonjour", "privet", "help", "morning"],
)
def test_greetings_and_ordinary_words_are_never_a_place(typed: str) -> None:
    reading = read_timezone(typed)
    assert reading.match is None and reading.choices == ()


@pytest.mark.parametrize(
    ("typed", "zone", "place"),
    [
        ("india", "Asia/Kolkata", "India"),
        ("Japan", "Asia/Tokyo", "Japan"),
        ("germany", "Europe/Berlin", "Germany"),
        ("Spain", "Europe/Madrid", "Spain"),  # the Canary Islands are too few to ask
        ("china", "Asia/Shanghai", "China"),
        ("UK", "Europe/London", "UK"),
    ],
)
def test_a_country_with_one_main_zone_is_that_zone(typed: str, zone: str, place: str) -> None:
    match = read_timezone(typed).match
    assert match is not None and (match.key, match.city) == (zone, place)


@pytest.mark.parametrize(
    ("typed", "zones"),
    [
        ("USA", {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"}),
        ("us", {"America/New_York", "America/Los_Angeles"}),
        ("canada", {"America/Toronto", "America/Vancouver"}),
        ("Australia", {"Australia/Sydney", "Australia/Perth", "Australia/Brisbane"}),
        ("russia", {"Europe/Moscow", "Asia/Yekaterinburg"}),
        ("brazil", {"America/Sao_Paulo", "America/Manaus"}),
        ("mexico", {"America/Mexico_City", "America/Tijuana"}),
        ("indonesia", {"Asia/Jakarta", "Asia/Makassar"}),
    ],
)
def test_a_country_with_several_zones_offers_them_by_a_big_city(
    typed: str, zones: set[str]
) -> None:
    reading = read_timezone(typed)
    assert reading.match is None
    keys = [choice.key for choice in reading.choices]
    assert zones <= set(keys) and len(keys) == len(set(keys)) <= 6
    first = reading.choices[0]
    assert " · UTC" in first.label  # "New York City · UTC-5"


def test_the_biggest_zone_of_a_country_comes_first() -> None:
    reading = read_timezone("usa")
    assert reading.choices[0].key == "America/New_York"
    assert reading.choices[0].label.startswith("New York")


def test_a_small_town_spelt_like_a_big_city_is_confirmed_bigger_first() -> None:
    reading = read_timezone("sidney")
    assert reading.match is None
    labels = [choice.label for choice in reading.choices]
    assert labels == ["Sydney, Australia", "Sidney, US"]
    assert reading.choices[0].key == "Australia/Sydney"


@pytest.mark.parametrize(
    ("typed", "first"), [("Berln", "Berlin, Germany"), ("londdon", "London, UK")]
)
def test_a_misspelt_city_is_offered_not_set(typed: str, first: str) -> None:
    reading = read_timezone(typed)
    assert reading.match is None and reading.choices[0].label == first


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("sydney australia", "Australia/Sydney"),
        ("Paris, France", "Europe/Paris"),
        ("paris texas", "America/Chicago"),
        ("london uk", "Europe/London"),
        ("London, England", "Europe/London"),
        ("portland oregon", "America/Los_Angeles"),
        ("Portland, ME", "America/New_York"),
        ("new york usa", "America/New_York"),
        ("São Paulo, Brazil", "America/Sao_Paulo"),
    ],
)
def test_a_city_with_its_country_or_state_is_that_city(typed: str, zone: str) -> None:
    match = read_timezone(typed).match
    assert match is not None and match.key == zone


def test_fixed_offset_zone_has_that_offset_all_year() -> None:
    zone = zone_for(offset_key(345))
    for month in (1, 7):
        assert datetime(2026, month, 1, tzinfo=zone).utcoffset() == timedelta(hours=5, minutes=45)
    assert datetime(2026, 1, 1, tzinfo=zone_for("UTC-03:00")).utcoffset() == timedelta(hours=-3)


def test_iana_zone_follows_daylight_saving() -> None:
    berlin = zone_for("Europe/Berlin")
    assert datetime(2026, 1, 15, 12, tzinfo=berlin).utcoffset() == timedelta(hours=1)
    assert datetime(2026, 7, 15, 12, tzinfo=berlin).utcoffset() == timedelta(hours=2)
    new_york = zone_for("America/New_York")
    assert datetime(2026, 1, 15, 12, tzinfo=new_york).utcoffset() == timedelta(hours=-5)
    assert datetime(2026, 7, 15, 12, tzinfo=new_york).utcoffset() == timedelta(hours=-4)


def test_zone_for_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        zone_for("Mars/Olympus_Mons")


def test_local_now_converts_an_instant_to_wall_clock_time() -> None:
    instant = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # Europe's spring-forward night
    assert local_now("Europe/London", instant).hour == 0
    assert local_now("Europe/Berlin", instant).hour == 1
    later = instant + timedelta(hours=1)
    assert local_now("Europe/London", later).hour == 2  # 01:xx never existed in London
    assert local_now("Asia/Kathmandu", instant).strftime("%H:%M") == "06:15"


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Bombay", "Asia/Kolkata"),
        ("Ciudad de México", "America/Mexico_City"),
        ("москва", "Europe/Moscow"),
        ("Санкт-Петербург", "Europe/Moscow"),
        ("nyc", "America/New_York"),
        ("Múnich", "Europe/Berlin"),
        ("españa", "Europe/Madrid"),
        ("peking", "Asia/Shanghai"),
    ],
)
def test_other_names_of_big_cities_and_countries_are_known(typed: str, zone: str) -> None:
    reading = read_timezone(typed)
    assert reading.match is not None and reading.match.key == zone


def test_two_near_towns_in_one_zone_are_one_answer_not_two_buttons() -> None:
    reading = read_timezone("tokio")
    keys = [c.key for c in reading.choices] if reading.match is None else [reading.match.key]
    assert keys == ["Asia/Tokyo"]


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("I'm in London", "Europe/London"),
        ("i live in paris", "Europe/Paris"),
        ("my timezone is berlin", "Europe/Berlin"),
        ("timezone: Berlin", "Europe/Berlin"),
        ("moscow time", "Europe/Moscow"),
        ("Pacific time", "America/Los_Angeles"),
        ("eastern standard time", "America/New_York"),
        ("central european time", "Europe/Berlin"),
        ("Berlin!", "Europe/Berlin"),
        ("based in Lagos", "Africa/Lagos"),
        ("HK", "Asia/Hong_Kong"),
        ("my time zone is UTC+3", "UTC+03:00"),
    ],
)
def test_a_place_in_a_sentence_is_found(typed: str, zone: str) -> None:
    reading = read_timezone(typed)
    assert reading.match is not None and reading.match.key == zone


def test_a_country_in_a_sentence_offers_its_zones() -> None:
    reading = read_timezone("i am in the us")
    assert reading.match is None
    assert {"America/New_York", "America/Los_Angeles"} <= {c.key for c in reading.choices}


@pytest.mark.parametrize("typed", ["in", "time", "the", "i'm in", "my timezone is"])
def test_filler_alone_is_no_place(typed: str) -> None:
    reading = read_timezone(typed)
    assert reading.match is None and not reading.choices
