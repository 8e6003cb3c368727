"""Meal check-ins end to end against the real bot process."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess
from tests.e2e.test_onboarding_e2e import _onboard_by_buttons

pytestmark = pytest.mark.e2e

ADA = 5001


def _checkins(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        return int(conn.execute("SELECT count(*) FROM checkins").fetchone()[0])


async def test_checkins_reply_with_foods_total_and_running_total(
    emulator: BotApiEmulator, bot: BotProcess, tmp_path: Path
) -> None:
    await _onboard_by_buttons(emulator)
    emulator.send_text(ADA, "oatmeal with almonds and a banana")
    first = (await emulator.wait_for_text(ADA, "This meal")).params["text"]
    assert "almonds" in first and "80 mg" in first
    assert "This meal: about 175 mg" in first
    assert "Today so far: 175 mg" in first and "310–420 mg" in first  # no profile: range
    assert "For more magnesium, add" in first
    emulator.send_text(ADA, "½ cup spinach, 100 g salmon")
    second = (await emulator.wait_for_text(ADA, "This meal")).params["text"]
    assert "Today so far: 284 mg" in second
    assert _checkins(tmp_path) == 2
    emulator.send_text(ADA, "/today")
    today = (await emulator.wait_for_text(ADA, "Today,")).params["text"]
    assert "175 mg" in today and "109 mg" in today
    emulator.send_text(ADA, "/undo")
    await emulator.wait_for_text(ADA, "Removed your last check-in")
    assert _checkins(tmp_path) == 1


async def test_week_arrives_as_a_photo_with_a_summary(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    await _onboard_by_buttons(emulator)
    emulator.send_text(ADA, "/checkin a handful of cashews")
    await emulator.wait_for_text(ADA, "This meal")
    emulator.send_text(ADA, "/week")
    photo = await emulator.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == ADA)
    assert "last 7 days" in photo.text and "in a row" in photo.text
    (_name, data) = next(iter(photo.files.values()))
    assert data.startswith(b"\x89PNG") and len(data) > 5000


async def test_a_red_flag_gets_the_emergency_reply_and_nothing_is_stored(
    emulator: BotApiEmulator, bot: BotProcess, tmp_path: Path
) -> None:
    await _onboard_by_buttons(emulator)
    emulator.send_text(ADA, "chest pain after lunch, had oatmeal")
    reply = (await emulator.wait_for_text(ADA, "emergency number")).params["text"]
    assert "magnesium" not in reply.lower() and "oatmeal" not in reply.lower()
    assert _checkins(tmp_path) == 0


async def test_red_flags_are_checked_even_mid_onboarding(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    emulator.send_text(ADA, "/start")
    await emulator.wait_for_text(ADA, "Step 1 of 4")
    emulator.send_text(ADA, "I feel faint and my heart is racing")
    await emulator.wait_for_text(ADA, "emergency number")


async def test_supplement_questions_get_the_referral_and_no_dose(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    await _onboard_by_buttons(emulator)
    emulator.send_text(ADA, "should I take magnesium citrate with my oatmeal?")
    reply = (await emulator.wait_for_text(ADA, "upper limit")).params["text"]
    assert "350 mg" in reply and "doctor or pharmacist" in reply


async def test_the_check_in_button_under_a_tip_asks_what_was_eaten(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    await _onboard_by_buttons(emulator)
    emulator.send_text(ADA, "/tip")
    await emulator.wait_for_text(ADA, "Source:")
    emulator.press(ADA, "Check in a meal")
    await emulator.wait_for_text(ADA, "What did you eat?")
