from datetime import UTC, datetime, timedelta

import pytest

from nudgebot.domain.timezones import local_now, offset_key, parse_timezone, zone_for


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
        ("Berln", "Europe/Berlin"),
        ("UTC", "UTC"),
        ("CET", "Europe/Berlin"),
    ],
)
def test_parse_timezone_recognises_names_cities_and_typos(typed: str, zone: str) -> None:
    match = parse_timezone(typed)
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
def test_parse_timezone_reads_utc_offsets_as_fixed_offsets(typed: str, key: str) -> None:
    match = parse_timezone(typed)
    assert match is not None and match.key == key


@pytest.mark.parametrize("typed", ["", "hello", "yes", "asdfgh", "UTC+15", "UTC+5:75", "x" * 200])
def test_parse_timezone_rejects_what_it_cannot_place(typed: str) -> None:
    assert parse_timezone(typed) is None


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
