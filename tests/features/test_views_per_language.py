"""Every feature's views in every language, without Telegram: each text is the language's own
wording, with its dates, numbers and plural forms, and nothing falls back to English."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest

from nudgebot.content import load_catalog
from nudgebot.features.meals.service import DayEntry, DaySummary, LoggedItem, WeekSummary
from nudgebot.features.meals.targets import Target
from nudgebot.features.meals.views import today_text, week_caption
from nudgebot.features.subscribers import views as subscriber_views
from nudgebot.features.subscribers.service import PauseResult, Subscriber
from nudgebot.features.understanding.router import Intent, Safety, Verdict
from nudgebot.features.understanding.views import urgent_text
from nudgebot.platform.i18n import Plural

CATALOG = load_catalog()
LANGUAGES = CATALOG.languages


def test_the_bot_speaks_english_spanish_and_russian() -> None:
    assert set(LANGUAGES) == {"en", "es", "ru"}


def _subscriber(language: str) -> Subscriber:
    return Subscriber(
        user_id=1,
        chat_id=1,
        status="active",
        flow=None,
        onboarded=True,
        timezone="Europe/Madrid",
        tip_time=time(8, 0),
        topics=frozenset({"food", "stress"}),
        age_band=None,
        sex=None,
        life_stage=None,
        paused_until=None,
        weekly_summary=True,
        language=language,
    )


# The weekday and month of Wed 25 Nov 2026 as each language writes them (CLDR, via Babel).
DATE_WORDS = {"en": ("Wed", "Nov"), "es": ("mié", "nov"), "ru": ("ср", "нояб")}


@pytest.mark.parametrize("language", LANGUAGES)
def test_today_is_written_with_the_languages_date_and_plural(language: str) -> None:
    r = CATALOG[language].replies
    oats = LoggedItem("oatmeal", "oats", "1 bowl (234 g)", 234.0, 63.2)
    day = DaySummary(
        date(2026, 11, 25),
        (DayEntry(11, time(8, 5), (oats,), 63.2), DayEntry(12, time(13, 0), (oats,), 63.2)),
        126.4,
        Target(320, 320),
    )
    text = today_text(r, day)
    weekday, month = DATE_WORDS[language]
    assert weekday.lower() in text.lower()
    assert month.lower() in text.lower()
    assert r.checkin.today_count.format(2) in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_week_caption_agrees_in_number_in_each_language(language: str) -> None:
    r = CATALOG[language].replies
    days = tuple((date(2026, 11, 19 + n), v) for n, v in enumerate([0, 0, 200, 0, 100, 330, 0]))
    caption = week_caption(r, WeekSummary(days, Target(320, 320), 5, logged_days=3))
    assert r.checkin.week_average.format(3, avg="210") in caption
    assert r.checkin.week_streak.format(5) in caption


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_settings_summary_names_the_language_and_topics_in_it(language: str) -> None:
    r = CATALOG[language].replies
    text = subscriber_views.summary(r, _subscriber(language))
    assert r.language.name in text
    assert r.labels.topics["food"] in text and r.labels.topics["stress"] in text
    assert r.summary.weekly_on in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_pause_names_the_next_tip_in_the_languages_words(language: str) -> None:
    r = CATALOG[language].replies
    sub = _subscriber(language)
    ends = datetime(2026, 12, 7, 23, 0, tzinfo=UTC)
    result = PauseResult(
        sub, kept=False, ends=ends, next_tip=datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
    )
    text = subscriber_views.pause_text(r, result, 3)
    until, _ = subscriber_views.day_and_time(sub, ends)
    day, at = subscriber_views.day_and_time(sub, datetime(2026, 12, 8, 7, 0, tzinfo=UTC))
    assert at == "08:00"
    assert text == r.account.paused_until.format(3, until=until, day=day, time=at)
    weekday = {"en": "Tue", "es": "mar", "ru": "вт"}[language]
    assert day.lower().startswith(weekday.lower())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_emergency_and_crisis_replies_are_the_languages_own(language: str) -> None:
    r = CATALOG[language].replies
    emergency = urgent_text(r, Verdict(Intent.EMERGENCY, Safety.EMERGENCY, "chest pain"))
    crisis = urgent_text(r, Verdict(Intent.CRISIS, Safety.CRISIS, "crisis"))
    assert emergency == r.safety.emergency and crisis == r.safety.crisis
    numbers = {"en": ("112", "911"), "es": ("112", "911", "024"), "ru": ("103", "112")}
    for number in numbers[language]:
        assert number in emergency + crisis
    assert "findahelpline.com" in crisis


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("en", 1, "1 day"),
        ("en", 5, "5 days"),
        ("es", 1, "1 día"),
        ("es", 1.5, "1,5 días"),
        ("ru", 1, "1 день"),
        ("ru", 3, "3 дня"),
        ("ru", 5, "5 дней"),
        ("ru", 21, "21 день"),
        ("ru", 1.5, "1,5 дня"),
    ],
)
def test_plurals_and_decimal_signs_follow_the_language(
    language: str, n: float, expected: str
) -> None:
    forms = {
        "en": {"one": "{n} day", "other": "{n} days"},
        "es": {"one": "{n} día", "many": "{n} días", "other": "{n} días"},
        "ru": {"one": "{n} день", "few": "{n} дня", "many": "{n} дней", "other": "{n} дня"},
    }
    assert Plural(**forms[language], language=language).format(n) == expected


@pytest.mark.parametrize("language", ["es", "ru"])
def test_no_reply_of_another_language_is_left_in_english(language: str) -> None:
    """A text identical to English is a forgotten translation (short labels aside)."""
    english = CATALOG["en"].replies.model_dump()
    other = CATALOG[language].replies.model_dump()
    same: list[str] = []

    def walk(a: object, b: object, key: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for name in a:
                walk(a[name], b.get(name), f"{key}.{name}")
        elif isinstance(a, str) and a == b and key != ".locale":
            words = re.sub(r"\{[^}]*\}", "", a)
            if (
                sum(ch.isalpha() for ch in words) > 8
            ):  # not a bare template like "• {name}: {mg} mg"
                same.append(key)

    walk(english, other, "")
    assert same == []
