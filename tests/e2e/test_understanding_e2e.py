"""The message router end to end: the real bot process answers each kind of message rightly."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from nudgebot.features.meals.parser import estimate_meal, load_index
from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess
from tests.e2e.test_onboarding_e2e import _onboard_by_buttons

pytestmark = pytest.mark.e2e

ADA = 5001
ADMIN = 9000


def _scalar(tmp_path: Path, sql: str) -> object:
    with sqlite3.connect(tmp_path / "bot.db", timeout=10) as conn:
        return conn.execute(sql).fetchone()[0]


def _checkins(tmp_path: Path) -> int:
    return int(str(_scalar(tmp_path, "SELECT count(*) FROM checkins")))


async def test_a_crisis_message_gets_the_crisis_reply_and_no_check_in(
    emulator: BotApiEmulator, bot: BotProcess, tmp_path: Path
) -> None:
    await _onboard_by_buttons(emulator)
    mark = emulator.mark()
    emulator.send_text(ADA, "work stress is so bad i want to kill myself, had a banana earlier")
    reply = (await emulator.wait_for_text(ADA, "988", since=mark)).params["text"]
    assert "Samaritans" in reply and "findahelpline.com" in reply
    assert "magnesium" not in reply.lower() and "banana" not in reply.lower()
    await asyncio.sleep(0.5)  # nothing else follows it
    assert _checkins(tmp_path) == 0
    after = [c for c in emulator.calls[mark:] if c.method == "sendMessage" and c.chat_id == ADA]
    assert len(after) == 1


async def test_an_emergency_in_the_middle_of_onboarding_gets_the_emergency_reply(
    emulator: BotApiEmulator, bot: BotProcess, tmp_path: Path
) -> None:
    emulator.send_text(ADA, "/start")
    await emulator.wait_for_text(ADA, "Step 1 of 4")
    emulator.send_text(ADA, "my dad just collapsed and hes not breathing right")
    reply = (await emulator.wait_for_text(ADA, "emergency number")).params["text"]
    assert "magnesium" not in reply.lower()
    # The open question is still open: a city answers it afterwards.
    emulator.send_text(ADA, "Berlin")
    await emulator.wait_for_text(ADA, "Time zone: Europe/Berlin")


async def test_questions_are_answered_with_a_source_and_the_persons_target(
    emulator: BotApiEmulator, bot: BotProcess, tmp_path: Path
) -> None:
    await _onboard_by_buttons(emulator)
    emulator.send_text(ADA, "is magnesium good for blood pressure")
    answer = (await emulator.wait_for_text(ADA, "Source:")).params["text"]
    assert "blood pressure" in answer and "couldn't find a food" not in answer
    emulator.send_text(ADA, "what is my target?")
    target = (await emulator.wait_for_text(ADA, "310–420 mg")).params["text"]
    assert "/settings" in target
    emulator.send_text(ADA, "who won the match last night?")
    await emulator.wait_for_text(ADA, "I can't answer that one")
    assert _checkins(tmp_path) == 0


async def test_thanks_gets_a_warm_line_and_a_newcomer_is_told_how_to_start(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    emulator.send_text(ADA, "hello!")
    greeting = (await emulator.wait_for_text(ADA, "Hello")).params["text"]
    assert "/start" in greeting
    await _onboard_by_buttons(emulator)
    mark = emulator.mark()
    emulator.send_text(ADA, "thank you!")
    thanks = (await emulator.wait_for_text(ADA, "welcome", since=mark)).params["text"]
    assert "couldn't find" not in thanks and "/start" not in thanks


async def test_stop_in_words_stops_the_daily_tips(
    emulator: BotApiEmulator, bot: BotProcess, tmp_path: Path
) -> None:
    await _onboard_by_buttons(emulator)
    emulator.send_text(ADA, "please stop sending me tips")
    await emulator.wait_for_text(ADA, "You're unsubscribed")
    assert _scalar(tmp_path, f"SELECT status FROM users WHERE id = {ADA}") == "stopped"


async def test_a_captioned_photo_is_logged_and_an_uncaptioned_one_gets_a_pointer(
    emulator: BotApiEmulator, bot: BotProcess, tmp_path: Path
) -> None:
    await _onboard_by_buttons(emulator)
    caption = "oatmeal with almonds and a banana"
    total = round(estimate_meal(caption, load_index()).total_mg)
    emulator.send_photo(ADA, caption)
    await emulator.wait_for_text(ADA, f"This meal: about {total} mg")
    assert _checkins(tmp_path) == 1
    emulator.send_photo(ADA)
    await emulator.wait_for_text(ADA, "I can't look at photos yet")
    emulator.send_voice(ADA)
    await emulator.wait_for_text(ADA, "I can't listen to voice")
    assert _checkins(tmp_path) == 1


async def test_warfarin_and_spinach_get_the_warfarin_advice_the_meal_and_no_greens(
    emulator: BotApiEmulator, bot: BotProcess, tmp_path: Path
) -> None:
    await _onboard_by_buttons(emulator)
    emulator.send_text(ADA, "i take warfarin is spinach ok")
    reply = (await emulator.wait_for_text(ADA, "This meal")).params["text"]
    advice = reply.partition("This meal")[0]
    assert "vitamin K" in advice and "steady" in advice
    assert "spinach" in reply.split("Source:")[-1]  # the spinach is logged after the advice
    assert _checkins(tmp_path) == 1
    assert _scalar(tmp_path, f"SELECT warfarin_noted_at FROM users WHERE id = {ADA}")
    greens = ("spinach", "kale", "collard", "chard", "beet greens", "broccoli", "brussels")
    for meal in ("a banana", "2 slices whole wheat toast", "an apple", "brown rice"):
        mark = emulator.mark()
        emulator.send_text(ADA, meal)
        text = (await emulator.wait_for_text(ADA, "This meal", since=mark)).params["text"]
        added = text.partition("For more magnesium")[2].lower()
        assert not any(green in added for green in greens), text


async def test_an_emergency_in_the_middle_of_an_admin_draft_is_answered_not_broadcast(
    emulator: BotApiEmulator, admin_bot: BotProcess, tmp_path: Path
) -> None:
    emulator.send_text(ADMIN, "/broadcast")
    await emulator.wait_for_text(ADMIN, "Send the message to broadcast")
    emulator.send_text(ADMIN, "my jaw and left arm ache and i'm sweating a lot")
    await emulator.wait_for_text(ADMIN, "emergency number")
    # The draft still waits for its message: the next text is taken as the broadcast.
    emulator.send_text(ADMIN, "New tips are coming next week.")
    await emulator.wait_for_text(ADMIN, "Who should get it?")
