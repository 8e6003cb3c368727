"""Meal check-ins end to end against the real bot process."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nudgebot.features.meals.parser import estimate_meal, load_index
from tests.e2e.botprocess import BotProcess
from tests.e2e.test_onboarding_e2e import _onboard_by_buttons

pytestmark = pytest.mark.e2e


def _checkins(workdir: Path, user_id: int) -> int:
    with sqlite3.connect(workdir / "bot.db") as conn:
        query = "SELECT count(*) FROM checkins WHERE user_id = ?"
        return int(conn.execute(query, (user_id,)).fetchone()[0])


def _mg(text: str) -> int:
    """The parser's total for a text, as the reply rounds it (figures from usda.tsv)."""
    return round(estimate_meal(text, load_index()).total_mg)


async def test_checkins_reply_with_foods_total_and_running_total(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    first_text, second_text = "oatmeal with almonds and a banana", "½ cup spinach, 100 g salmon"
    first_mg, second_mg = _mg(first_text), _mg(second_text)
    emulator.send_text(user, first_text)
    first = (await emulator.wait_for_text(user, "This meal")).params["text"]
    assert "almonds" in first and "1 handful (28 g): 76 mg" in first
    assert f"This meal: about {first_mg} mg" in first
    assert f"Today so far: {first_mg} mg" in first and "310–420 mg" in first  # no profile: range
    assert "For more magnesium, add" in first
    emulator.send_text(user, second_text)
    second = (await emulator.wait_for_text(user, "This meal")).params["text"]
    assert f"Today so far: {first_mg + second_mg} mg" in second
    assert _checkins(shared_bot.workdir, user) == 2
    emulator.send_text(user, "/today")
    today = (await emulator.wait_for_text(user, "Today,")).params["text"]
    assert f"{first_mg} mg" in today and f"{second_mg} mg" in today
    assert "USDA FoodData Central" in today
    emulator.send_text(user, "/undo")
    await emulator.wait_for_text(user, "Removed your last check-in")
    assert _checkins(shared_bot.workdir, user) == 1


async def test_an_unknown_food_is_offered_as_buttons_chosen_and_remembered(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "a banana and a bowl of ackee pudding")
    reply = (await emulator.wait_for_text(user, "This meal")).params["text"]
    assert "banana" in reply and "ackee" not in reply  # asked about below, not listed
    await emulator.wait_for_text(user, 'I don\'t know "ackee pudding" yet')
    labels = [label for row in emulator.buttons(user) for label in row]
    assert labels[-1] == "None of these" and 2 <= len(labels) <= 4
    emulator.press(user, labels[0])  # the question is the newest message with buttons
    added = (await emulator.wait_for_text(user, "Added")).params["text"]
    chosen = labels[0].split(" · ")[0]
    assert f'Next time I\'ll know that "ackee pudding" means {chosen}' in added
    assert "Today so far:" in added
    with sqlite3.connect(shared_bot.workdir / "bot.db") as conn:
        (items,) = conn.execute("SELECT items FROM checkins WHERE user_id = ?", (user,)).fetchone()
        remembered = conn.execute(
            "SELECT phrase FROM food_choices WHERE user_id = ?", (user,)
        ).fetchall()
    assert chosen in items and "banana" in items
    assert remembered == [("ackee pudding",)]
    assert _checkins(shared_bot.workdir, user) == 1  # added to the check-in that asked
    emulator.send_text(user, "ackee pudding again for dinner")
    again = (await emulator.wait_for_text(user, "This meal")).params["text"]
    assert chosen in again and "don't know" not in again
    assert _checkins(shared_bot.workdir, user) == 2


async def test_week_arrives_as_a_photo_with_a_summary(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "/checkin a handful of cashews")
    await emulator.wait_for_text(user, "This meal")
    emulator.send_text(user, "/week")
    photo = await emulator.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == user)
    assert "last 7 days" in photo.text and "in a row" in photo.text
    (_name, data) = next(iter(photo.files.values()))
    assert data.startswith(b"\x89PNG") and len(data) > 5000


async def test_a_red_flag_gets_the_emergency_reply_and_nothing_is_stored(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "chest pain after lunch, had oatmeal")
    reply = (await emulator.wait_for_text(user, "emergency number")).params["text"]
    assert "magnesium" not in reply.lower() and "oatmeal" not in reply.lower()
    assert _checkins(shared_bot.workdir, user) == 0


async def test_red_flags_are_checked_even_mid_onboarding(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/start")
    await emulator.wait_for_text(user, "Step 1 of 4")
    emulator.send_text(user, "I feel faint and my heart is racing")
    await emulator.wait_for_text(user, "emergency number")


async def test_supplement_questions_get_the_referral_and_no_dose(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "should I take magnesium citrate with my oatmeal?")
    reply = (await emulator.wait_for_text(user, "upper limit")).params["text"]
    assert "350 mg" in reply and "doctor or pharmacist" in reply


async def test_the_check_in_button_under_a_tip_asks_what_was_eaten(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "/tip")
    await emulator.wait_for_text(user, "Source:")
    emulator.press(user, "Check in a meal")
    await emulator.wait_for_text(user, "What did you eat?")
