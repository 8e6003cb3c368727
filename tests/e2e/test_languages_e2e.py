"""Spanish and Russian speakers, end to end: the real bot process against the Bot API emulator.

Each person's Telegram app language decides the bot's language at their first /start; the
texts expected here come from messages/<lang>/, so a reworded reply does not break the test,
and a reply that falls back to English does.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nudgebot.content import load_catalog
from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess

pytestmark = pytest.mark.e2e

CATALOG = load_catalog()


def _first_line(text: str) -> str:
    """A stretch of a reply that has no placeholder in it."""
    return text.split("{")[0].strip().splitlines()[0][:40]


async def _onboard(emu: BotApiEmulator, user: int, language: str, zone: str) -> None:
    r = CATALOG[language].replies
    emu.send_text(user, "/start", first_name="Ana")
    await emu.wait_for_text(user, r.onboarding.step.format(n=1, total=5))
    emu.send_text(user, zone)
    await emu.wait_for_text(user, r.onboarding.step.format(n=2, total=5))
    emu.press(user, "08:00")
    await emu.wait_for_text(user, r.onboarding.step.format(n=3, total=5))
    mark = emu.mark()
    emu.press(user, r.labels.topic_off.format(topic=r.labels.topics["food"]))
    await emu.wait_for(
        lambda c: c.method == "editMessageReplyMarkup" and c.chat_id == user, since=mark
    )
    emu.press(user, r.labels.done)
    await emu.wait_for_text(user, r.onboarding.step.format(n=4, total=5))
    emu.press(user, r.labels.skip_profile)
    await emu.wait_for_text(user, r.onboarding.step.format(n=5, total=5))
    emu.press(user, r.labels.evening_no)
    await emu.wait_for_text(user, _first_line(r.onboarding.done))


def _language_of(tmp_path: Path, user: int) -> str:
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        row = conn.execute("SELECT language FROM users WHERE id = ?", (user,)).fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.parametrize(
    ("code", "language", "zone", "meal", "food_word", "emergency", "number"),
    [
        (
            "es-MX",
            "es",
            "Ciudad de México",
            "desayuné avena con platano y un puñado de almendras",
            "avena",
            "me duele mucho el pecho y me sudan las manos",
            "911",
        ),
        (
            "ru",
            "ru",
            "Москва",
            "на завтрак овсянка с бананом и горсть миндаля",
            "овсян",
            "сильно болит в груди и отдает в левую руку",
            "103",
        ),
    ],
)
async def test_a_speaker_onboards_checks_in_gets_a_tip_and_emergency_help_in_their_language(
    bot: BotProcess,
    emulator: BotApiEmulator,
    tmp_path: Path,
    user: int,
    code: str,
    language: str,
    zone: str,
    meal: str,
    food_word: str,
    emergency: str,
    number: str,
) -> None:
    content = CATALOG[language]
    r = content.replies
    emulator.set_language_code(user, code)
    await _onboard(emulator, user, language, zone)
    assert _language_of(tmp_path, user) == language

    emulator.send_text(user, meal)
    reply = await emulator.wait_for_text(user, _first_line(r.checkin.meal_total))
    assert food_word in reply.params["text"].lower()

    food_tips = {t.text for t in content.tips if t.topic == "food"}
    emulator.send_text(user, "/tip")
    await emulator.wait_for(
        lambda c: (
            c.method == "sendMessage"
            and c.chat_id == user
            and any(text in str(c.params.get("text")) for text in food_tips)
        )
    )

    emulator.send_text(user, emergency)
    urgent = await emulator.wait_for_text(user, number)
    assert urgent.params["text"] == r.safety.emergency


async def test_the_language_follows_telegram_at_first_start_and_language_changes_it(
    bot: BotProcess, emulator: BotApiEmulator, tmp_path: Path, user: int
) -> None:
    english, spanish = CATALOG["en"].replies, CATALOG["es"].replies
    emulator.set_language_code(user, "de")  # a language the bot doesn't speak: English
    await _onboard(emulator, user, "en", "Europe/Berlin")
    assert _language_of(tmp_path, user) == "en"
    emulator.send_text(user, "/language")
    await emulator.wait_for_text(user, english.language.ask)
    emulator.press(user, spanish.language.name)
    await emulator.wait_for_text(user, spanish.language.set)
    assert _language_of(tmp_path, user) == "es"
    emulator.send_text(user, "/help")
    await emulator.wait_for_text(user, _first_line(spanish.general.help))
    emulator.send_text(user, "/settings")
    await emulator.wait_for_text(user, spanish.language.name)


async def test_an_emergency_in_another_language_than_the_persons_gets_the_emergency_reply(
    bot: BotProcess, emulator: BotApiEmulator, user: int
) -> None:
    emulator.send_text(user, "/start")
    await emulator.wait_for_text(user, CATALOG["en"].replies.onboarding.step.format(n=1, total=5))
    emulator.send_text(user, "no puedo respirar y me aprieta el pecho")
    urgent = await emulator.wait_for_text(user, "112")
    # The Spanish words raised it: the reply is the Spanish one, whatever the setting.
    assert urgent.params["text"] == CATALOG["es"].replies.safety.emergency


def _user_row(tmp_path: Path, user: int) -> tuple[str, str]:
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        row = conn.execute("SELECT timezone, tip_time FROM users WHERE id = ?", (user,)).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


async def test_a_spanish_speaker_types_the_zone_and_the_tip_time_in_spanish(
    bot: BotProcess, emulator: BotApiEmulator, tmp_path: Path, user: int
) -> None:
    """The typed answers are read in the person's language (messages/es/places.toml and
    times.toml), and onboarding goes on in Spanish."""
    r = CATALOG["es"].replies
    emulator.set_language_code(user, "es")
    emulator.send_text(user, "/start", first_name="Ana")
    await emulator.wait_for_text(user, r.onboarding.step.format(n=1, total=5))
    emulator.send_text(user, "vivo en Madrid")
    confirmed = r.onboarding.tz_set_city.format(zone="Europe/Madrid", city="Madrid", local_time="")
    await emulator.wait_for_text(user, confirmed.split("{")[0].strip()[:40])
    await emulator.wait_for_text(user, r.onboarding.step.format(n=2, total=5))
    emulator.send_text(user, "a las 8 de la mañana")
    await emulator.wait_for_text(user, r.onboarding.step.format(n=3, total=5))
    assert _first_line(r.onboarding.ask_topics) in emulator.last_text(user)
    zone, tip_time = _user_row(tmp_path, user)
    assert zone == "Europe/Madrid" and tip_time.startswith("08:00")
