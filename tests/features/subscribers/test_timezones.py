from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nudgebot.features.subscribers.timezones import (
    PlaceWordsError,
    ZoneReading,
    _fold,
    _geonames,
    _towns,
    load_all,
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


# Spanish and Russian: the words are messages/es/places.toml and messages/ru/places.toml. Typed
# as people type: lower case, accents left out, Russian cases, short names, small typos.
NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
SPANISH_PLACES = [
    ("estoy en Madrid", "Europe/Madrid"),
    ("vivo en Buenos Aires", "America/Argentina/Buenos_Aires"),
    ("España", "Europe/Madrid"),
    ("espana", "Europe/Madrid"),
    ("estoy en españa", "Europe/Madrid"),
    ("zona horaria de España", "Europe/Madrid"),
    ("vivo en barcelona", "Europe/Madrid"),
    ("soy de Lima", "America/Lima"),
    ("desde Bogotá", "America/Bogota"),
    ("Bogota colombia", "America/Bogota"),
    ("en Santiago de Chile", "America/Santiago"),
    ("vivo en la ciudad de mexico", "America/Mexico_City"),
    ("ciudad de méxico", "America/Mexico_City"),
    ("CDMX", "America/Mexico_City"),
    ("en el DF", "America/Mexico_City"),
    ("Madrid, España", "Europe/Madrid"),
    ("hora peninsular", "Europe/Madrid"),
    ("hora de canarias", "Atlantic/Canary"),
    ("estoy en Tenerife", "Atlantic/Canary"),
    ("en las canarias", "Atlantic/Canary"),
    ("vivo en Sevilla", "Europe/Madrid"),
    ("Guadalajara", "America/Mexico_City"),
    ("vivo en Monterrey, Mexico", "America/Monterrey"),
    ("hora del centro", "America/Mexico_City"),
    ("estoy en los angeles", "America/Los_Angeles"),
    ("vivo en nueva york", "America/New_York"),
    ("Caracas Venezuela", "America/Caracas"),
    ("vivo en Medellin", "America/Bogota"),
    ("Argentina", "America/Argentina/Buenos_Aires"),
    ("hora argentina", "America/Argentina/Buenos_Aires"),
    ("Perú", "America/Lima"),
    ("la habana", "America/Havana"),
    ("Republica Dominicana", "America/Santo_Domingo"),
    ("estoy en londres", "Europe/London"),
    ("Alemania", "Europe/Berlin"),
    ("mi ciudad es Rosario", "America/Argentina/Cordoba"),
    ("GMT-5", "UTC-05:00"),
    ("mi zona horaria es GMT-3", "UTC-03:00"),
    ("madri", "Europe/Madrid"),  # a typo: offered, first
]
RUSSIAN_PLACES = [
    ("я в Москве", "Europe/Moscow"),
    ("живу в Питере", "Europe/Moscow"),
    ("Екатеринбург", "Asia/Yekaterinburg"),
    ("екатеринбурге", "Asia/Yekaterinburg"),
    ("московское время", "Europe/Moscow"),
    ("по московскому времени", "Europe/Moscow"),
    ("Казахстан", "Asia/Almaty"),
    ("я в Казахстане", "Asia/Almaty"),
    ("мск", "Europe/Moscow"),
    ("мск+2", "UTC+05:00"),
    ("МСК +4", "UTC+07:00"),
    ("у нас мск-1", "UTC+02:00"),
    ("живу в Санкт-Петербурге", "Europe/Moscow"),
    ("я из Казани", "Europe/Moscow"),
    ("мы в Новосибирске", "Asia/Novosibirsk"),
    ("сейчас в Сочи", "Europe/Moscow"),
    ("в Нижнем Новгороде", "Europe/Moscow"),
    ("г. Самара", "Europe/Samara"),
    ("в Уфе", "Asia/Yekaterinburg"),
    ("в Перми", "Asia/Yekaterinburg"),
    ("в Мурманске", "Europe/Moscow"),  # under 300,000 people: found by its Latin name
    ("Петрозаводск", "Europe/Moscow"),
    ("в Якутске", "Asia/Yakutsk"),
    ("во Владивостоке", "Asia/Vladivostok"),
    ("в Калининграде", "Europe/Kaliningrad"),
    ("Ставрополь", "Europe/Moscow"),  # not Tolyatti, once called so
    ("в Ростове-на-Дону", "Europe/Moscow"),
    ("Южно-Сахалинск", "Asia/Sakhalin"),
    ("в Петропавловске-Камчатском", "Asia/Kamchatka"),
    ("в Великом Новгороде", "Europe/Moscow"),
    ("в красноярске", "Asia/Krasnoyarsk"),
    ("в Беларуси", "Europe/Minsk"),
    ("на Украине", "Europe/Kyiv"),
    ("Алматы", "Asia/Almaty"),
    ("Ташкент", "Asia/Tashkent"),
    ("в Грузии", "Asia/Tbilisi"),
    ("в Израиле", "Asia/Jerusalem"),
    ("в Германии", "Europe/Berlin"),
    ("в Нью-Йорке", "America/New_York"),
    ("в Турции", "Europe/Istanbul"),
    ("на Кипре", "Asia/Nicosia"),
    ("в Дубае", "Asia/Dubai"),
    ("в Китае", "Asia/Shanghai"),
    ("мой часовой пояс — Екатеринбург", "Asia/Yekaterinburg"),
    ("время как в Москве", "Europe/Moscow"),
    ("под Москвой", "Europe/Moscow"),
    ("Подмосковье", "Europe/Moscow"),
    ("екб", "Asia/Yekaterinburg"),
    ("Москва, Россия", "Europe/Moscow"),
]


def _zone_of(reading: ZoneReading) -> str | None:
    if reading.match is not None:
        return reading.match.key
    return reading.choices[0].key if reading.choices else None


@pytest.mark.parametrize(("typed", "zone"), SPANISH_PLACES)
def test_spanish_places_are_read(typed: str, zone: str) -> None:
    assert _zone_of(read_timezone(typed, NOW, language="es")) == zone


@pytest.mark.parametrize(("typed", "zone"), RUSSIAN_PLACES)
def test_russian_places_are_read(typed: str, zone: str) -> None:
    assert _zone_of(read_timezone(typed, NOW, language="ru")) == zone


@pytest.mark.parametrize(
    ("typed", "language", "zones"),
    [
        ("hora de México", "es", {"America/Mexico_City", "America/Tijuana"}),
        ("Estados Unidos", "es", {"America/New_York", "America/Los_Angeles"}),
        ("EE.UU.", "es", {"America/New_York", "America/Los_Angeles"}),
        ("Россия", "ru", {"Europe/Moscow", "Asia/Yekaterinburg", "Asia/Vladivostok"}),
        ("в России", "ru", {"Europe/Moscow", "Asia/Yekaterinburg"}),
        ("в США", "ru", {"America/New_York", "America/Los_Angeles"}),
        ("в Америке", "ru", {"America/New_York", "America/Chicago"}),
    ],
)
def test_a_country_with_several_zones_offers_them_in_spanish_and_russian(
    typed: str, language: str, zones: set[str]
) -> None:
    reading = read_timezone(typed, NOW, language=language)
    assert reading.match is None and zones <= {c.key for c in reading.choices}


@pytest.mark.parametrize(
    ("typed", "language"),
    [
        ("hola", "es"),
        ("Hola!", "es"),
        ("buenas tardes", "es"),
        ("gracias", "es"),
        ("sí", "es"),
        ("no sé", "es"),
        ("vale", "es"),
        ("привет", "ru"),
        ("Здравствуйте!", "ru"),
        ("спасибо", "ru"),
        ("да", "ru"),
        ("не знаю", "ru"),
        ("дома", "ru"),
        ("часовой пояс", "ru"),
        ("привет", "en"),  # a greeting in any language is no place
        ("hola", "ru"),
    ],
)
def test_greetings_in_spanish_and_russian_are_never_a_place(typed: str, language: str) -> None:
    reading = read_timezone(typed, NOW, language=language)
    assert reading.match is None and reading.choices == ()


@pytest.mark.parametrize(
    ("typed", "language", "zone"),
    [
        ("vivo en Madrid", "en", "Europe/Madrid"),  # set to English, types Spanish
        ("я в Москве", "es", "Europe/Moscow"),
        ("Москве", "en", "Europe/Moscow"),
        ("I'm in London", "ru", "Europe/London"),
        ("moscow time", "es", "Europe/Moscow"),
        ("estoy en Berlín", "de", "Europe/Berlin"),  # a language without its words: English first
    ],
)
def test_a_place_in_another_language_than_the_persons_is_read_too(
    typed: str, language: str, zone: str
) -> None:
    assert _zone_of(read_timezone(typed, NOW, language=language)) == zone


def test_every_language_has_its_place_words_and_every_name_is_known() -> None:
    found = load_all()
    assert set(found) == {"en", "es", "ru"}
    _, countries = _geonames()
    for words in found.values():
        assert set(words.countries.values()) <= set(countries), words.language
        for alias, name in words.cities.items():
            assert alias in _towns(), (words.language, alias, name)
            assert _towns()[alias][0].name == name or _fold(name) in _towns(), alias


def _copy_messages(tmp_path: Path) -> Path:
    for language in ("en", "es", "ru"):
        folder = tmp_path / language
        folder.mkdir()
        (folder / "replies.toml").write_text("", "utf-8")
        source = Path(__file__).resolve().parents[3] / "messages" / language / "places.toml"
        (folder / "places.toml").write_text(source.read_text("utf-8"), "utf-8")
    return tmp_path


def test_a_missing_places_file_stops_the_start_naming_it(tmp_path: Path) -> None:
    messages = _copy_messages(tmp_path)
    (messages / "es" / "places.toml").unlink()
    with pytest.raises(PlaceWordsError, match=r"es/places\.toml: file not found"):
        load_all(messages)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("[filler]", "[relleno]"), "unknown keys"),
        (lambda t: t.replace('"мск" = "Europe/Moscow"', '"мск" = "Europe/Moskva"'), "IANA"),
        (lambda t: t.replace('"россия" = "RU"', '"россия" = "Russia"'), "ISO 3166"),
        (lambda t: t.replace("\n[cities]\n", '\n[cities]\n"nyc" = "Moscow"\n'), "but"),
        (lambda t: t.replace('{ ending = "ы", to = ["а"] },', '{ ending = "ы" },'), "ending"),
        (lambda t: t.replace("not_places = [", "not_places = [ 1, "), "non-empty words"),
        (lambda t: t.replace("[zones]", "[zones"), "not valid TOML"),
    ],
)
def test_a_malformed_places_file_stops_the_start_naming_it(
    tmp_path: Path, change: Callable[[str], str], message: str
) -> None:
    messages = _copy_messages(tmp_path)
    path = messages / "ru" / "places.toml"
    path.write_text(change(path.read_text("utf-8")), "utf-8")
    with pytest.raises(PlaceWordsError, match=r"places\.toml") as caught:
        load_all(messages)
    assert message in str(caught.value)
